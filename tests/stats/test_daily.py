"""Daily smart-meter profiles: figures checked against sums done by hand on a tiny utility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit.errors import AuditkitError, ParameterError
from auditkit.results import Result
from auditkit.stats.daily import daily_profile
from auditkit.stats.requirements import ColumnError

CUSTOMERS = pd.DataFrame({"customer_id": ["A", "B", "C"], "district": ["城东", "城东", "城西"]})
JANUARY = pd.date_range("2024-01-01", "2024-01-31")  # 2024-01-01 is a Monday


def _reads() -> pd.DataFrame:
    """A: 10 kWh on weekdays, 5 at weekends, all of January and 5 days of February.
    B: 2 kWh a day in January, missing on Jan 3 and zero on Jan 4. C: 4 kWh a day in January."""
    rows = []
    for day in JANUARY.append(pd.date_range("2024-02-01", "2024-02-05")):
        rows.append(("A", day, 5.0 if day.weekday() >= 5 else 10.0))
    for day in JANUARY:
        if day != pd.Timestamp("2024-01-03"):
            rows.append(("B", day, 0.0 if day == pd.Timestamp("2024-01-04") else 2.0))
        rows.append(("C", day, 4.0))
    return pd.DataFrame(rows, columns=["customer_id", "date", "kwh"])


def test_district_table_from_daily_reads():
    profile = daily_profile(_reads(), CUSTOMERS, as_of="2024-01")
    assert (profile.date_from, profile.date_to) == (
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2024-01-31"),
    )
    table = profile.table.set_index("district")
    east = table.loc["城东"]
    a_kwh = 23 * 10 + 8 * 5  # January 2024: 23 weekdays, 8 weekend days
    b_kwh = 29 * 2
    assert east["metered_customers"] == 2
    assert east["days_read"] == 31
    assert east["reads"] == 31 + 30
    assert east["kwh"] == pytest.approx(a_kwh + b_kwh)
    assert east["kwh_per_customer_day"] == pytest.approx((a_kwh + b_kwh) / 61)
    assert east["missing_share"] == pytest.approx(1 / 62)
    assert east["zero_share"] == pytest.approx(1 / 61)
    # kWh per read on weekend days against weekdays (Jan 3 and 4 are weekdays).
    weekday_per_read = (23 * 10 + 21 * 2) / (23 + 22)  # B: 22 weekday reads, one of them 0
    weekend_per_read = (8 * 5 + 8 * 2) / 16
    assert east["weekend_ratio"] == pytest.approx(weekend_per_read / weekday_per_read)
    daily_east = np.array([12.0 if d.weekday() < 5 else 7.0 for d in JANUARY])
    daily_east[2], daily_east[3] = 10.0, 10.0
    assert east["peak_kwh"] == pytest.approx(12.0)
    assert east["peak_date"] == pd.Timestamp("2024-01-01")
    assert east["load_factor"] == pytest.approx(daily_east.mean() / 12.0)
    west = table.loc["城西"]
    assert (west["kwh"], west["load_factor"], west["missing_share"]) == (124.0, 1.0, 0.0)


def test_by_day_counts_customers_read_each_day():
    by_day = daily_profile(_reads(), CUSTOMERS, as_of="2024-01").by_day
    east = by_day[by_day["district"] == "城东"].set_index("date")
    assert east.loc["2024-01-03", "customers"] == 1  # B missing
    assert east.loc["2024-01-04", "zero_reads"] == 1
    assert east.loc["2024-01-06", "kwh_per_customer"] == pytest.approx(3.5)


def test_reconciliation_compares_whole_months_read_and_billed():
    bills = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "A", "C"],
            "period": ["2024-01", "2024-01", "2024-01", "2024-02", "2023-12"],
            "kwh_billed": [200.0, 58.0, 124.0, 999.0, 50.0],
        }
    )
    profile = daily_profile(_reads(), CUSTOMERS, bills)  # window ends 2024-02-05
    reconciliation = profile.reconciliation.set_index(["district", "period"])
    # February is not wholly read, December not read at all: January only.
    assert list(reconciliation.index) == [("城东", "2024-01"), ("城西", "2024-01")]
    # B is not read on 3 January: its month is left out (its 58 billed against 58 read would
    # hide that a day is missing), A alone is compared in 城东.
    east = reconciliation.loc[("城东", "2024-01")]
    assert east["customers"] == 1
    assert east["kwh_read"] == pytest.approx(270)
    assert east["kwh_billed"] == pytest.approx(200)
    assert east["difference"] == pytest.approx(-70)
    assert east["difference_share"] == pytest.approx(-70 / 270)
    assert reconciliation.loc[("城西", "2024-01"), "difference"] == 0
    assert [(note.code, dict(note.values)) for note in profile.notes] == [
        ("daily_months_part_read", {"count": 1, "total": 3})
    ]


def test_window_of_days_and_unknown_customers():
    reads = pd.concat(
        [_reads(), pd.DataFrame({"customer_id": ["Z"], "date": [JANUARY[0]], "kwh": [1.0]})]
    )
    profile = daily_profile(reads, CUSTOMERS, as_of="2024-01", days=7)
    assert profile.date_from == pd.Timestamp("2024-01-25")
    assert [note.text("en") for note in profile.notes] == [
        "1 daily reads of customers not in the archive are left out."
    ]
    assert profile.table.set_index("district").loc["城西", "reads"] == 7


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"days": 0}, ParameterError, "days"),
        ({"as_of": "2024-13"}, ParameterError, "2024-13"),
        ({"as_of": "2023-06"}, AuditkitError, "found none"),
    ],
)
def test_bad_parameters_are_named(arguments, error, message):
    with pytest.raises(error, match=message):
        daily_profile(_reads(), CUSTOMERS, **arguments)


@pytest.mark.parametrize("as_of", ["2024-01-15", pd.Timestamp("2024-01-15"), pd.Period("2024-01")])
def test_as_of_a_date_or_period_ends_the_window_on_its_month_last_day(as_of):
    profile = daily_profile(_reads(), CUSTOMERS, as_of=as_of)
    assert profile.date_to == pd.Timestamp("2024-01-31")


def test_as_of_that_is_no_day_is_named():
    with pytest.raises(ParameterError, match="as_of"):
        daily_profile(_reads(), CUSTOMERS, as_of="soon")


def test_missing_columns_are_named():
    with pytest.raises(ColumnError, match=r"daily_reads.*'kwh'"):
        daily_profile(_reads().drop(columns="kwh"), CUSTOMERS)


def test_a_profile_is_a_result_that_names_the_months_billed_off_the_meters():
    bills = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "period": ["2024-01", "2024-01", "2024-01"],
            "kwh_billed": [200.0, 58.0, 124.0],
        }
    )
    profile = daily_profile(_reads(), CUSTOMERS, bills, as_of="2024-01")
    assert isinstance(profile, Result)
    figures = profile.summary()
    assert (figures["districts"], figures["metered_customers"], figures["gaps"]) == (2, 3, 1)
    assert profile.explain("en").splitlines()[0] == (
        "城东 2024-01: billed 25.9% less than the daily reads add up to (70 kWh, 1 customer)."
    )
    assert profile.explain("zh").startswith("城东 2024-01：结算电量比日冻结电量累计少 25.9%")
    table = profile.to_table("en").set_index("District")
    assert (
        table.loc["城西", "Energy read (kWh)"] == "124"
        and table.loc["城西", "Zero reads"] == "0.00%"
    )
    shares = profile.reconciliation_table("zh")["差额比例"].tolist()
    assert shares == ["-25.93%", "0.00%"]
    assert len(profile.plot("en").axes[0].get_lines()) == 4  # daily and 7-day mean per district


def _steady_reads() -> pd.DataFrame:
    """A and B read 10 kWh every day of January to March 2024, neither read on 10 February;
    C reads 5 kWh a day, but not from 21 to 29 February."""
    rows = []
    for day in pd.date_range("2024-01-01", "2024-03-31"):
        if day != pd.Timestamp("2024-02-10"):
            rows += [("A", day, 10.0), ("B", day, 10.0)]
        if not pd.Timestamp("2024-02-21") <= day <= pd.Timestamp("2024-02-29"):
            rows.append(("C", day, 5.0))
    return pd.DataFrame(rows, columns=["customer_id", "date", "kwh"])


def test_a_day_not_read_is_missing_not_zero_in_the_load_factor():
    profile = daily_profile(_steady_reads(), CUSTOMERS)
    table = profile.table.set_index("district")
    # Constant use: mean over the days read / peak = 20 / 20 and 5 / 5 (not 0.989 and 0.901).
    assert table.loc["城东", "load_factor"] == 1.0 and table.loc["城西", "load_factor"] == 1.0
    assert table.loc["城东", "days_read"] == 90 and table.loc["城西", "days_read"] == 82
    assert table.loc["城西", "missing_share"] == pytest.approx(9 / 91)
    by_day = profile.by_day.set_index(["district", "date"])
    assert np.isnan(by_day.loc[("城东", pd.Timestamp("2024-02-10")), "kwh"])
    assert table.loc["城东", "kwh"] == 180 * 10.0


def test_months_with_unread_days_are_left_out_of_the_reconciliation_with_a_note():
    periods = ["2024-01", "2024-02", "2024-03"]
    bills = pd.DataFrame(
        {
            "customer_id": [c for c in ("A", "B", "C") for _ in periods],
            "period": periods * 3,
            # Each bill is the month's true use: 10 or 5 kWh a day, February 29 days.
            "kwh_billed": [310.0, 290.0, 310.0] * 2 + [155.0, 145.0, 155.0],
        }
    )
    profile = daily_profile(_steady_reads(), CUSTOMERS, bills)
    reconciliation = profile.reconciliation.set_index(["district", "period"])
    # February is read in part by all three (A and B miss the 10th, C the 21st to 29th): it would
    # show 290 billed against 280 read (+3.6 %) and 145 against 100 (+45 %). It is left out.
    assert list(reconciliation.index) == [
        ("城东", "2024-01"),
        ("城东", "2024-03"),
        ("城西", "2024-01"),
        ("城西", "2024-03"),
    ]
    assert (reconciliation["difference"] == 0).all()
    assert reconciliation.loc[("城东", "2024-01"), "kwh_read"] == 620.0
    assert [(note.code, dict(note.values)) for note in profile.notes] == [
        ("daily_months_part_read", {"count": 3, "total": 9})
    ]
    assert profile.explain("en").splitlines() == [
        "Every district's monthly billed energy is within 2% of its daily reads.",
        "3 of the 9 customer-months read and billed have days without a daily read and are left "
        "out of the reconciliation: a bill covers the whole month, and an unread day is missing, "
        "not 0 kWh.",
    ]
    assert "3 个有未读到日电量的日子" in profile.explain("zh")


def test_a_month_read_on_every_day_twice_over_is_still_compared():
    reads = _steady_reads()
    reads = pd.concat([reads, reads[reads["date"] == "2024-01-05"]], ignore_index=True)
    bills = pd.DataFrame({"customer_id": ["C"], "period": ["2024-01"], "kwh_billed": [160.0]})
    profile = daily_profile(reads, CUSTOMERS, bills)
    # C's 5 January is read twice: 32 reads of 31 days, every day read, 160 kWh read.
    assert profile.reconciliation["kwh_read"].tolist() == [160.0]
    assert profile.notes == []


def test_dates_with_a_time_zone_are_the_local_day_and_a_date_that_is_no_day_is_named():
    reads = _reads()
    local = reads.assign(date=reads["date"].dt.tz_localize("Asia/Shanghai"))
    naive = daily_profile(reads, CUSTOMERS)
    shifted = daily_profile(local, CUSTOMERS)
    assert (shifted.date_from, shifted.date_to) == (naive.date_from, naive.date_to)
    pd.testing.assert_frame_equal(shifted.table, naive.table)
    texts = reads.assign(date=reads["date"].dt.strftime("%Y-%m-%d"))
    texts.loc[3, "date"] = "2024-13-01"
    with pytest.raises(ParameterError, match=r"daily_reads\.date.*'2024-13-01' in row 4"):
        daily_profile(texts, CUSTOMERS)
    undated = daily_profile(reads.assign(date=reads["date"].where(reads.index != 0)), CUSTOMERS)
    assert [note.text("en") for note in undated.notes] == [
        "1 daily reads without a date are left out."
    ]


@pytest.mark.parametrize(
    ("kwh", "found"),
    [
        (-5000.0, "-5000 in row 3 (customer 'A')"),
        (np.inf, "inf in row 3 (customer 'A')"),
        ("12,5", "'12,5' in row 3"),
    ],
)
def test_a_negative_infinite_or_text_read_is_refused_by_row_as_theft_scores_refuses_it(kwh, found):
    reads = _reads().astype({"kwh": object})
    reads.loc[2, "kwh"] = kwh
    # Before: -5000 kWh was summed into the district, inf made its total inf, text raised a bare
    # ValueError.
    with pytest.raises(ParameterError) as refused:
        daily_profile(reads, CUSTOMERS)
    assert str(refused.value) == (
        f"parameter 'daily_reads.kwh': expected a number of kWh ≥ 0, found {found!r}"
    )
