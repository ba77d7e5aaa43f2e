"""District summaries on a hand example and on the awkward small utility."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from auditkit.errors import ParameterError
from auditkit.stats import ColumnError, anomaly_scores, summarize
from auditkit.stats.notes import Note

PERIODS = [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)]


def _hand_tables():
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "district": ["X", "X", "Y"],
            "usage_type": ["residential", "commercial", "residential"],
        }
    )
    rows = []
    for month, period in enumerate(PERIODS):
        year_two = month >= 12
        rows.append(("a", period, 100.0 if not year_two else 110.0, 50.0, "actual"))
        rows.append(
            (
                "b",
                period,
                0.0 if month == 23 else 200.0,
                150.0,
                "estimated" if month == 23 else "actual",
            )
        )
        rows.append(("c", period, 10.0, 6.0, "actual"))
    bills = pd.DataFrame(
        rows, columns=["customer_id", "period", "kwh_billed", "amount", "read_type"]
    )
    supply = pd.DataFrame({"district": "X", "period": PERIODS, "kwh_supplied": 400.0})
    return bills, customers, supply


def test_window_totals_against_a_hand_computation():
    bills, customers, supply = _hand_tables()
    summary = summarize(bills, customers, supply)
    assert (summary.period_from, summary.period_to) == ("2024-01", "2024-12")
    x = summary.table.set_index("district").loc["X"]
    kwh_2024 = 12 * 110 + 11 * 200
    assert x["kwh"] == kwh_2024
    assert x["customers"] == 2 and x["bills"] == 24
    assert x["revenue"] == 12 * 50 + 12 * 150
    assert x["avg_price"] == pytest.approx(x["revenue"] / kwh_2024)
    assert x["kwh_yoy"] == pytest.approx(kwh_2024 / (12 * 100 + 12 * 200) - 1)
    assert x["estimated_share"] == pytest.approx(1 / 24)
    assert x["zero_share"] == pytest.approx(1 / 24)
    assert x["line_loss"] == pytest.approx(1 - kwh_2024 / (12 * 400))
    y = summary.table.set_index("district").loc["Y"]
    assert np.isnan(y["line_loss"]) and y["kwh_yoy"] == pytest.approx(0)


def test_monthly_series_and_usage_breakdown():
    bills, customers, supply = _hand_tables()
    summary = summarize(bills, customers, supply, as_of="2024-06", months=3)
    assert (summary.period_from, summary.period_to) == ("2024-04", "2024-06")
    monthly = summary.monthly.set_index(["district", "period"])
    assert monthly.loc[("X", "2024-03"), "kwh"] == 310
    assert monthly.loc[("X", "2024-03"), "kwh_yoy"] == pytest.approx(310 / 300 - 1)
    assert monthly.loc[("X", "2024-03"), "line_loss"] == pytest.approx(1 - 310 / 400)
    assert np.isnan(monthly.loc[("X", "2023-03"), "kwh_yoy"])  # no year before
    assert summary.monthly["period"].max() == "2024-06"
    usage = summary.by_usage.set_index(["district", "usage_type"])
    assert usage.loc[("X", "commercial"), "kwh_share"] == pytest.approx(600 / 930)
    assert usage.loc[("X", "residential"), "kwh_yoy"] == pytest.approx(0.1)


def test_revenue_is_shown_to_the_fen_and_energy_whole_in_both_languages():
    """The district table showed 电费 221,797,488 beside a headline of 971,002,890.19."""
    bills, customers, supply = _hand_tables()
    bills.loc[bills["customer_id"] == "a", "amount"] = 50.01
    summary = summarize(bills, customers, supply)
    zh = summary.to_table("zh").set_index("供电单位").loc["X"]
    # 2024: a billed 12 x 50.01 = 600.12, b 12 x 150 = 1,800; 12 x 110 + 11 x 200 = 3,520 kWh
    assert (zh["电费 (元)"], zh["售电量 (千瓦时)"]) == ("2,400.12", "3,520")
    assert summary.to_table("en").set_index("District").loc["X", "Revenue (yuan)"] == "2,400.12"
    usage = summary.usage_table("zh").set_index(["供电单位", "用电类别"])
    assert usage.loc[("X", "居民"), "电费 (元)"] == "600.12"
    assert usage.loc[("X", "商业"), "电费 (元)"] == "1,800.00"
    assert usage.loc[("X", "居民"), "平均电价 (元/千瓦时)"] == "0.4546"  # 600.12 / 1,320
    assert summary.usage_table("en")["Revenue (yuan)"].tolist() == ["1,800.00", "600.12", "72.00"]


def test_awkward_districts_get_notes_not_crashes(small_tables):
    summary = summarize(
        small_tables["bills"], small_tables["customers"], small_tables["district_supply"]
    )
    table = summary.table.set_index("district")
    assert table.loc["丁", "bills"] == 0 and np.isnan(table.loc["丁", "kwh"])
    assert table.loc["丙", "zero_share"] == 1.0
    assert table.loc["乙", "line_loss"] < 0
    assert Note("no_bills", {"district": "丁"}) in summary.notes
    notes = summary.explain("en")
    assert "丁: no bills in the period" in notes
    assert "乙: negative line loss" in notes
    assert "丙: supplied energy incomplete" in notes
    assert "丙: no complete year-earlier bills" in notes  # 2023-03..05 are missing
    gaps = summary.monthly[(summary.monthly["district"] == "丙") & summary.monthly["bills"].isna()]
    assert gaps["period"].tolist() == ["2023-03", "2023-04", "2023-05"]


def test_notes_are_codes_read_in_either_language_and_missing_supply_is_said(small_tables):
    summary = summarize(small_tables["bills"], small_tables["customers"])
    assert Note("no_supply") in summary.notes
    assert "未提供 district_supply" in summary.explain("zh")
    assert "No district_supply table" in summary.explain("en")
    assert summary.table["line_loss"].isna().all()


def test_unknown_customers_and_bad_input():
    bills, customers, _ = _hand_tables()
    extra = pd.concat([bills, bills.head(2).assign(customer_id="zz")])
    assert Note("unknown_customers", {"count": 2}) in summarize(extra, customers).notes
    with pytest.raises(ColumnError, match="'amount'"):
        summarize(bills.drop(columns="amount"), customers)
    with pytest.raises(ParameterError, match="'months'"):
        summarize(bills, customers, months=0)
    with pytest.raises(ParameterError, match=r"'as_of'.*from 2023-01 to 2024-12.*'2020-01'"):
        summarize(bills, customers, as_of="2020-01")


def test_a_customer_without_usage_type_counts_in_its_district_not_in_the_usage_breakdown():
    bills, customers, supply = _hand_tables()
    customers.loc[customers["customer_id"] == "c", "usage_type"] = None
    summary = summarize(bills, customers, supply)
    assert summary.table.set_index("district").loc["Y", "customers"] == 1
    # c has no usage type: counted in its district, left out of the usage breakdown.
    assert summary.by_usage["district"].tolist() == ["X", "X"]


def test_an_as_of_outside_the_months_billed_is_refused_alike_by_summary_and_anomaly_scores():
    bills, customers, _ = _hand_tables()  # billed 2023-01 to 2024-12
    expected = "expected a month from 2023-01 to 2024-12 (the months the bills cover)"
    later = pd.Period("2025-01", "M")
    for as_of, found in [
        ("2025-02", "'2025-02'"),  # summarize showed 2025-01 and 2025-02 as months without bills
        ("2025-01-15", "'2025-01-15'"),
        (later, repr(later)),
        ("2022-12", "'2022-12'"),
    ]:
        message = re.escape(f"parameter 'as_of': {expected}, found {found}")
        with pytest.raises(ParameterError, match=message):
            summarize(bills, customers, as_of=as_of, months=3)
        with pytest.raises(ParameterError, match=message):
            anomaly_scores(bills, customers, as_of=as_of)
    # The first and the last month billed, and a day of the last, are inside.
    for as_of in ("2023-01", "2024-12", "2024-12-31"):
        assert summarize(bills, customers, as_of=as_of, months=3).period_to == as_of[:7]
        assert len(anomaly_scores(bills, customers, as_of=as_of)) == 3


def test_periods_of_bills_left_out_are_not_parsed():
    bills, customers, _ = _hand_tables()
    stray = bills.head(1).assign(customer_id="zz", period="someday")
    summary = summarize(pd.concat([bills, stray], ignore_index=True), customers)
    assert "1 bills belong to customers missing" in summary.explain("en")
    with pytest.raises(ParameterError, match="found 'someday'"):
        summarize(pd.concat([bills, stray.assign(customer_id="a")]), customers)


def _gap_tables():
    """城东: a (100 → 110 kWh) and b (200 → 180 kWh); 城西: c, 300 kWh, no bill for 2024-05;
    supply 330 and 320 kWh a month."""
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "district": ["城东", "城东", "城西"],
            "usage_type": ["residential", "commercial", "residential"],
        }
    )
    rows = []
    for month, period in enumerate(PERIODS):
        year_two = month >= 12
        rows.append(("a", period, 110.0 if year_two else 100.0, 50.0, "actual"))
        rows.append(("b", period, 180.0 if year_two else 200.0, 100.0, "actual"))
        if period != "2024-05":
            rows.append(("c", period, 300.0, 150.0, "actual"))
    bills = pd.DataFrame(
        rows, columns=["customer_id", "period", "kwh_billed", "amount", "read_type"]
    )
    supply = pd.DataFrame(
        {
            "district": ["城东"] * 24 + ["城西"] * 24,
            "period": PERIODS * 2,
            "kwh_supplied": [330.0] * 24 + [320.0] * 24,
        }
    )
    return bills, customers, supply


def test_a_month_without_bills_leaves_line_loss_and_usage_change_uncomputed():
    bills, customers, supply = _gap_tables()
    summary = summarize(bills, customers, supply)
    table = summary.table.set_index("district")
    # 城西 billed 11 × 300 = 3,300 kWh against 12 × 320 supplied: not a loss of 14.1 %.
    assert table.loc["城西", "kwh"] == 3300 and table.loc["城西", "kwh_supplied"] == 3840
    assert np.isnan(table.loc["城西", "line_loss"])
    assert table.loc["城东", "line_loss"] == pytest.approx(1 - 12 * 290 / (12 * 330))
    usage = summary.by_usage.set_index(["district", "usage_type"])["kwh_yoy"]
    assert np.isnan(usage[("城西", "residential")])
    assert usage[("城东", "commercial")] == pytest.approx(12 * 180 / (12 * 200) - 1)
    assert usage[("城东", "residential")] == pytest.approx(0.1)
    assert summary.usage_table("en").iloc[2]["Energy YoY"] == "—"
    notes = summary.explain("en")
    assert "城西: no bills for 2024-05 (missing months)" in notes
    assert "城西: line loss" not in notes and "城西: supplied energy incomplete" not in notes
    assert "城东: line loss 12.1% above 10%" in notes
    assert summary.summary()["line_loss"] is None
    assert summary.summary(["城东"])["line_loss"] == pytest.approx(1 - 3480 / 3960)


def test_an_empty_or_text_kwh_or_amount_is_refused_by_row_not_read_as_zero():
    bills, customers, _ = _hand_tables()  # rows: a, b, c each month
    stray = bills.head(1).assign(customer_id="zz", kwh_billed="n/a", amount=None)
    bills = pd.concat([stray, bills], ignore_index=True)  # left out, so not read: row 1
    summary = summarize(bills, customers)
    assert summary.table.set_index("district").loc["Y", "kwh"] == 12 * 10
    empty_kwh = bills.assign(kwh_billed=bills["kwh_billed"].where(bills.index != 3))
    with pytest.raises(ParameterError, match=r"'bills.kwh_billed'.*found 'empty in row 4'"):
        summarize(empty_kwh, customers)
    text_kwh = bills.assign(kwh_billed=bills["kwh_billed"].astype(object))
    text_kwh.loc[5, "kwh_billed"] = "1,200"
    with pytest.raises(ParameterError, match=r"'bills.kwh_billed'.*found \"'1,200' in row 6\""):
        summarize(text_kwh, customers)
    negative = bills.assign(kwh_billed=bills["kwh_billed"].where(bills.index != 2, -5.0))
    with pytest.raises(ParameterError, match="found '-5 in row 3'"):
        summarize(negative, customers)
    empty_amount = bills.assign(amount=bills["amount"].where(bills.index != 7))
    with pytest.raises(ParameterError, match=r"'bills.amount'.*found 'empty in row 8'"):
        summarize(empty_amount, customers)


def test_a_negative_infinite_or_text_supply_is_refused_by_row_and_an_empty_one_is_no_zero():
    bills, customers, supply = _hand_tables()  # X supplied 400 kWh a month; row 24 is 2024-12
    negative = supply.assign(kwh_supplied=supply["kwh_supplied"].where(supply.index != 23, -400.0))
    with pytest.raises(
        ParameterError,
        match=r"'district_supply.kwh_supplied': expected a number of kWh ≥ 0, found '-400 in row 24'",
    ):
        summarize(bills, customers, negative)  # was a window of 4,000 kWh: a loss of 12 %
    endless = supply.assign(kwh_supplied=supply["kwh_supplied"].where(supply.index != 2, np.inf))
    with pytest.raises(ParameterError, match="found 'inf in row 3'"):
        summarize(bills, customers, endless)
    text = supply.assign(kwh_supplied=supply["kwh_supplied"].astype(object))
    text.loc[23, "kwh_supplied"] = "400 kWh"
    with pytest.raises(ParameterError, match=r"found \"'400 kWh' in row 24\""):
        summarize(bills, customers, text)  # was pandas' ValueError
    # An empty December is a month without a figure, not 0 kWh (was 4,400 kWh, a loss of 20 %).
    empty = supply.assign(kwh_supplied=supply["kwh_supplied"].where(supply.index != 23))
    summary = summarize(bills, customers, empty)
    x = summary.table.set_index("district").loc["X"]
    assert np.isnan(x["kwh_supplied"]) and np.isnan(x["line_loss"])
    december = summary.monthly.set_index(["district", "period"]).loc[("X", "2024-12")]
    assert np.isnan(december["kwh_supplied"])
    assert "X: supplied energy incomplete" in summary.explain("en")
    # December supplied 0 kWh is a reading: the window received 11 × 400 kWh.
    nothing = supply.assign(kwh_supplied=supply["kwh_supplied"].where(supply.index != 23, 0.0))
    x = summarize(bills, customers, nothing).table.set_index("district").loc["X"]
    assert x["kwh_supplied"] == 11 * 400
    assert x["line_loss"] == pytest.approx(1 - (12 * 110 + 11 * 200) / 4400)


def test_summary_and_anomaly_scores_take_as_of_in_the_same_forms():
    bills, customers, _ = _hand_tables()
    month = pd.Period("2024-06", "M")
    for as_of in ("2024-06", month, "2024-06-15", pd.Timestamp("2024-06-15"), month.asfreq("D")):
        summary = summarize(bills, customers, as_of=as_of, months=3)
        assert (summary.period_from, summary.period_to) == ("2024-04", "2024-06")
        scores = anomaly_scores(bills, customers, as_of=as_of)
        assert scores.set_index("customer_id").loc["a", "recent_kwh"] == 110  # April to June
    for bad in ("bad", "2024-13", 202406):
        with pytest.raises(ParameterError, match="parameter 'as_of'"):
            summarize(bills, customers, as_of=bad)
        with pytest.raises(ParameterError, match="parameter 'as_of'"):
            anomaly_scores(bills, customers, as_of=bad)


@pytest.mark.parametrize("as_of", ["2024", "2024Q2", "3/4/2024", "June 2024", "2024/06"])
def test_as_of_text_pandas_reads_as_some_other_month_is_refused_naming_as_of(as_of):
    """'2024' read as 2024-01, '2024Q2' as 2024-04, '3/4/2024' as 2024-03 (US order): each a
    window nobody asked for, so each is refused; '2024-06' and '2024-06-15' (near misses) pass."""
    bills, customers, _ = _hand_tables()
    with pytest.raises(ParameterError, match=r"parameter 'as_of'.*'YYYY-MM'"):
        summarize(bills, customers, as_of=as_of)
    with pytest.raises(ParameterError, match="parameter 'as_of'"):
        anomaly_scores(bills, customers, as_of=as_of)
    for near_miss in ("2024-06", "2024-06-15"):
        assert summarize(bills, customers, as_of=near_miss).period_to == "2024-06"


def test_one_district_given_as_text_is_that_district_not_its_characters():
    """districts="XY" was split into 'X' and 'Y'; now it is one (unknown) district, refused. X
    alone: a 110 kWh × 12 + 200 kWh × 11 = 3,520 kWh in 2024; Y (10 × 12 = 120) left out."""
    bills, customers, _ = _hand_tables()
    customers = customers.assign(district=customers["district"].map({"X": "城东", "Y": "城西"}))
    summary = summarize(bills, customers, districts="城东")
    assert summary.table["district"].tolist() == ["城东"]
    assert summary.summary()["kwh"] == 12 * 110 + 11 * 200
    assert "城:" not in summary.explain("en")
    whole = summarize(bills, customers)
    assert whole.summary(districts="城东")["kwh"] == 12 * 110 + 11 * 200
    assert whole.to_table("en", districts="城西").shape[0] == 1
    assert whole.summary(districts=["城东", "城西"])["kwh"] == 3520 + 120  # near miss: a list
    for unknown in ("城中", ["城中"], "城"):
        with pytest.raises(
            ParameterError, match="parameter 'districts': expected one of 城东, 城西"
        ):
            summarize(bills, customers, districts=unknown)
        with pytest.raises(ParameterError, match="parameter 'districts'"):
            whole.summary(districts=unknown)


def test_a_customer_billed_twice_in_a_period_is_refused_not_summed():
    """December 2024 given twice would count X's 0 + 110 kWh and Y's 10 kWh twice; the 73rd row
    (the first copy: 72 bills before it) is named. A duplicate after as_of is never read."""
    bills, customers, _ = _hand_tables()
    twice = pd.concat([bills, bills[bills["period"] == "2024-12"]], ignore_index=True)
    with pytest.raises(
        ParameterError,
        match=r"parameter 'bills': expected one bill per customer and period, "
        r"found .another for customer 'a' at '2024-12' in row 73",
    ):
        summarize(twice, customers)
    # near misses: the same customer in two periods, and a duplicate month after as_of
    assert summarize(bills, customers).summary()["kwh"] == 12 * 110 + 11 * 200 + 12 * 10
    # 2023-12..2024-11: a 100 + 11 × 110, b 12 × 200, c 12 × 10
    to_november = summarize(twice, customers, as_of="2024-11").summary()["kwh"]
    assert to_november == 100 + 11 * 110 + 12 * 200 + 12 * 10


def test_a_complete_summary_explains_itself_and_an_unknown_language_is_refused():
    """X and Y billed and supplied in every month of the window and of the year before (Y
    supplied 20 kWh a month for its 10 kWh billed: loss 50 %, X 1 - 310 / 400 = 22.5 %, both
    under a high_loss of 0.6): no note, and explain() said ''."""
    bills, customers, supply = _hand_tables()
    supply = pd.concat([supply, supply.assign(district="Y", kwh_supplied=20.0)])
    summary = summarize(bills, customers, supply, as_of="2024-11", months=3, high_loss=0.6)
    assert summary.notes == []
    assert summary.explain("en") == (
        "From 2024-09 to 2024-11, every district has bills and supply in every month: "
        "no gap, nothing flagged."
    )
    assert summary.explain("zh").startswith("2024-09 至 2024-11，")
    with pytest.raises(ParameterError, match="parameter 'lang': expected 'zh' or 'en'"):
        summary.explain("fr")
    noted = summarize(bills, customers)  # near miss: notes are the explanation
    assert noted.explain("en").startswith("No district_supply table")


def test_a_district_supplied_nothing_while_billing_is_named_in_a_note():
    """X supplied 0 kWh over the whole window but billed 3,520: line loss read '—', no note."""
    bills, customers, supply = _hand_tables()
    nothing = supply.assign(kwh_supplied=supply["kwh_supplied"].where(supply.index < 12, 0.0))
    summary = summarize(bills, customers, nothing)
    x = summary.table.set_index("district").loc["X"]
    assert x["kwh_supplied"] == 0 and np.isnan(x["line_loss"])
    # billed 12 x 110 + 11 x 200 = 3,520 kWh in 2024
    assert "X: supplied 0 kWh over the window but billed 3,520 kWh" in summary.explain("en")
    assert "X：统计期内供电量为 0 kWh，而售电量为 3,520 kWh" in summary.explain("zh")
    # the near miss: one month supplied 0 is a figure in a window that still has supply
    december = supply.assign(kwh_supplied=supply["kwh_supplied"].where(supply.index != 23, 0.0))
    assert "supplied 0 kWh" not in summarize(bills, customers, december).explain("en")


def test_the_bill_named_twice_is_one_summarized_not_one_of_a_customer_left_out():
    """c, without a district, is left out with a note; its December bill given twice named c's
    row 73, while the bill counted twice was a's, row 74 (the second December bill of a)."""
    bills, customers, _ = _hand_tables()
    customers.loc[customers["customer_id"] == "c", "district"] = None
    december = bills[bills["period"] == "2024-12"]
    doubled = pd.concat(
        [bills, december[december["customer_id"] == "c"], december[december["customer_id"] == "a"]],
        ignore_index=True,
    )
    with pytest.raises(ParameterError, match=f"customer 'a' at '2024-12' in row {len(bills) + 2}"):
        summarize(doubled, customers)
    # near miss: c's bill alone given twice is left out with c, not refused
    summarize(doubled.iloc[: len(bills) + 1], customers)
