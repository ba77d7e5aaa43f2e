"""Line loss of the same period (同期线损) per transformer area and feeder, month by month."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from auditkit import synth
from auditkit.data import Dataset
from auditkit.data.partitioned import convert
from auditkit.errors import ParameterError
from auditkit.results import Result
from auditkit.stats.network_loss import network_loss
from auditkit.stats.requirements import ColumnError
from auditkit.stats.study import build

# C1, C2 and C5 hang on public area TQ1, C3 has its own transformer (ZB3); all on feeder F1.
# C4 is alone in area TQ2 on feeder F2, in another district. C5 is connected in February and has
# no smart-meter reads yet.
CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["C1", "C2", "C3", "C4", "C5"],
        "district": ["城东", "城东", "城东", "城西", "城东"],
        "area_id": ["TQ1", "TQ1", "ZB3", "TQ2", "TQ1"],
        "feeder_id": ["F1", "F1", "F1", "F2", "F1"],
    }
)
DAILY_KWH = {"C1": 10.0, "C2": 5.0, "C3": 100.0, "C4": 20.0}


def _reads() -> pd.DataFrame:
    days = pd.date_range("2024-01-01", "2024-02-29")  # 31 + 29 days
    frames = [
        pd.DataFrame({"customer_id": c, "date": days, "kwh": k}) for c, k in DAILY_KWH.items()
    ]
    # A read on 1 March: March is not a whole month of reads and is not studied.
    frames.append(
        pd.DataFrame({"customer_id": ["C1"], "date": [pd.Timestamp("2024-03-01")], "kwh": [9.0]})
    )
    return pd.concat(frames, ignore_index=True)


BILLS = pd.DataFrame(
    {
        "customer_id": ["C1", "C2", "C3", "C4"] * 2 + ["C5"],
        "period": ["2024-01"] * 4 + ["2024-02"] * 5,
    }
)
SUPPLY = pd.DataFrame(
    [
        ("area", "TQ1", "2024-01", 500.0),  # sold 31 × 15 = 465: loss 7 %
        ("area", "TQ1", "2024-02", 480.0),  # C5 expected, unread: coverage 58 / 87
        ("area", "TQ2", "2024-01", 600.0),  # sold 620: negative loss
        ("area", "TQ2", "2024-02", 700.0),  # sold 580: loss 17.1 %, high
        ("area", "TQ9", "2024-01", 300.0),  # no customer on file
        ("area", "TQ1", "2024-03", 510.0),  # outside the whole months read
        ("feeder", "F1", "2024-01", 3800.0),  # TQ1's meter 500 + C3's 3,100
        ("feeder", "F1", "2024-02", 3500.0),  # TQ1's meter 480 + C3's 2,900
    ],
    columns=["level", "unit_id", "period", "kwh_supplied"],
)


def _rows(result) -> pd.DataFrame:
    return result.table.set_index(["level", "unit_id", "period"])


def test_same_period_loss_by_hand():
    result = network_loss(SUPPLY, CUSTOMERS, _reads(), BILLS, min_supply_kwh=100.0)
    rows = _rows(result)
    assert (result.period_from, result.period_to) == ("2024-01", "2024-02")

    january = rows.loc[("area", "TQ1", "2024-01")]
    assert january["kwh_sold"] == pytest.approx(31 * 15.0)
    assert january["loss_rate"] == pytest.approx(35 / 500)
    assert january["coverage"] == 1.0 and january["customers"] == 2
    assert january["status"] == "normal"

    # February expects C5 (billed) too: 58 customer-days read of 87 expected, not computed.
    february = rows.loc[("area", "TQ1", "2024-02")]
    assert february["coverage"] == pytest.approx(58 / 87) and february["customers"] == 3
    assert february["status"] == "low_coverage" and np.isnan(february["loss_rate"])

    assert rows.loc[("area", "TQ2", "2024-01"), "loss_rate"] == pytest.approx(1 - 620 / 600)
    assert rows.loc[("area", "TQ2", "2024-01"), "status"] == "negative_loss"
    assert rows.loc[("area", "TQ2", "2024-02"), "loss_rate"] == pytest.approx(1 - 580 / 700)
    assert rows.loc[("area", "TQ2", "2024-02"), "status"] == "high_loss"
    assert rows.loc[("area", "TQ2", "2024-02"), "district"] == "城西"
    assert rows.loc[("area", "TQ9", "2024-01"), "status"] == "no_customers"

    # The feeder counts area TQ1 by its supply meter (its unread household included) and the
    # own-transformer customer C3 by its daily reads.
    feeder_jan = rows.loc[("feeder", "F1", "2024-01")]
    assert feeder_jan["kwh_sold"] == pytest.approx(500 + 31 * 100.0)
    assert feeder_jan["loss_rate"] == pytest.approx(200 / 3800)
    feeder_feb = rows.loc[("feeder", "F1", "2024-02")]
    assert feeder_feb["coverage"] == 1.0 and feeder_feb["customers"] == 4
    assert feeder_feb["loss_rate"] == pytest.approx(1 - (480 + 2900) / 3500)

    # Feeder F2 has customer C4 in both months but no supply row: missing, not zero, and noted.
    assert "F2" not in set(result.table["unit_id"])
    assert [(note.code, dict(note.values)) for note in result.notes] == [
        ("network_months_outside", {"count": 1, "period_from": "2024-01", "period_to": "2024-02"}),
        ("network_feeders_without_supply", {"feeders": 1, "unit_months": 2}),
    ]
    assert "no supply row: 1 (2 feeder-months)" in result.notes[1].text("en")
    units = result.units.set_index(["level", "unit_id"])
    assert units.loc[("area", "TQ2"), "status"] == "negative_loss"
    assert units.loc[("area", "TQ2"), "loss_rate"] == pytest.approx(1 - 1200 / 1300)
    assert units.loc[("area", "TQ1"), "months_low_coverage"] == 1
    summary = result.summary()
    assert summary["area"]["computed"] == 3 and summary["feeder"]["normal"] == 2


@pytest.mark.parametrize("order", ["as written", "reversed"])
def test_a_unit_is_in_the_district_of_most_of_its_customers_and_a_tie_in_the_first_by_name(order):
    # Feeder F1: C1 and C2 in 城东, C3, C5 and C6 in 城北. Area TQ1: C1 and C2 in 城东, C5 and
    # C6 in 城北, a tie that goes to 城东 (东 U+4E1C sorts before 北 U+5317) in either order.
    customers = pd.concat(
        [
            CUSTOMERS.assign(district=["城东", "城东", "城北", "城西", "城北"]),
            pd.DataFrame(
                {
                    "customer_id": ["C6"],
                    "district": ["城北"],
                    "area_id": ["TQ1"],
                    "feeder_id": ["F1"],
                }
            ),
        ],
        ignore_index=True,
    )
    if order == "reversed":
        customers = customers.iloc[::-1].reset_index(drop=True)
    district = _rows(network_loss(SUPPLY, customers, _reads(), BILLS))["district"]
    assert district[("feeder", "F1", "2024-01")] == "城北"  # three of five, though it sorts later
    assert district[("area", "TQ1", "2024-01")] == "城东"
    assert district[("area", "TQ2", "2024-02")] == "城西"


def test_small_supply_is_computed_but_not_judged_and_coverage_is_a_parameter():
    strict = network_loss(SUPPLY, CUSTOMERS, _reads(), BILLS, min_supply_kwh=550.0)
    rows = _rows(strict)
    assert rows.loc[("area", "TQ1", "2024-01"), "status"] == "small_supply"
    assert rows.loc[("area", "TQ1", "2024-01"), "loss_rate"] == pytest.approx(0.07)
    lenient = network_loss(
        SUPPLY, CUSTOMERS, _reads(), BILLS, min_coverage=0.6, min_supply_kwh=100.0
    )
    assert _rows(lenient).loc[("area", "TQ1", "2024-02"), "kwh_sold"] == pytest.approx(29 * 15.0)
    assert _rows(lenient).loc[("area", "TQ1", "2024-02"), "status"] == "normal"
    # Without bills only the customers read are expected: C5 goes unseen.
    unseen = network_loss(SUPPLY, CUSTOMERS, _reads(), min_supply_kwh=100.0)
    assert _rows(unseen).loc[("area", "TQ1", "2024-02"), "coverage"] == 1.0


def test_a_level_without_its_column_is_skipped_with_a_note_and_bad_input_is_named():
    result = network_loss(SUPPLY, CUSTOMERS.drop(columns="feeder_id"), _reads(), BILLS)
    assert set(result.table["level"]) == {"area"}
    assert "feeder_id" in result.notes[-1].text("en")
    with pytest.raises(ColumnError, match="network_supply"):
        network_loss(SUPPLY.drop(columns="kwh_supplied"), CUSTOMERS, _reads())
    with pytest.raises(ParameterError, match="high_loss_rate"):
        network_loss(SUPPLY, CUSTOMERS, _reads(), high_loss_rate=10)
    with pytest.raises(ParameterError, match="period"):
        network_loss(SUPPLY.assign(period="2024/01"), CUSTOMERS, _reads())


def test_a_negative_infinite_or_text_supply_is_refused_by_row_and_a_zero_supply_is_kept():
    # Row 3 is TQ2's January: -600 kWh supplied showed as a small supply losing -1,220 kWh.
    negative = SUPPLY.assign(kwh_supplied=SUPPLY["kwh_supplied"].where(SUPPLY.index != 2, -600.0))
    with pytest.raises(
        ParameterError,
        match=r"'network_supply.kwh_supplied': expected a number of kWh ≥ 0, found '-600 in row 3'",
    ):
        network_loss(negative, CUSTOMERS, _reads(), BILLS)
    endless = SUPPLY.assign(kwh_supplied=SUPPLY["kwh_supplied"].where(SUPPLY.index != 6, np.inf))
    with pytest.raises(ParameterError, match="found 'inf in row 7'"):
        network_loss(endless, CUSTOMERS, _reads(), BILLS)
    text = SUPPLY.assign(kwh_supplied=SUPPLY["kwh_supplied"].astype(object))
    text.loc[1, "kwh_supplied"] = "480 kWh"
    with pytest.raises(ParameterError, match=r"found \"'480 kWh' in row 2\""):
        network_loss(text, CUSTOMERS, _reads(), BILLS)
    # A month of 0 kWh is a reading (an area not fed that month): kept, its sales shown, no rate.
    nothing = SUPPLY.assign(kwh_supplied=SUPPLY["kwh_supplied"].where(SUPPLY.index != 0, 0.0))
    january = _rows(network_loss(nothing, CUSTOMERS, _reads(), BILLS)).loc[
        ("area", "TQ1", "2024-01")
    ]
    assert january["kwh_supplied"] == 0 and january["kwh_sold"] == pytest.approx(31 * 15.0)
    assert np.isnan(january["loss_rate"]) and january["status"] == "small_supply"


def test_reads_short_of_a_whole_month_compute_nothing_and_say_so():
    reads = _reads()
    reads = reads[reads["date"] < "2024-01-20"]
    result = network_loss(SUPPLY, CUSTOMERS, reads, BILLS)
    assert result.table.empty and result.notes[-1].code == "network_no_whole_month"
    assert result.explain("en").startswith("No transformer area")


def test_tables_and_figure_are_labelled_in_both_languages():
    result = network_loss(SUPPLY, CUSTOMERS, _reads(), BILLS, min_supply_kwh=100.0)
    assert isinstance(result, Result)
    shown = result.to_table("zh")
    # Most serious first: TQ2 (a negative and a high month), then TQ1 (low coverage), TQ9.
    assert list(shown["台区/线路编号"]) == ["TQ2", "TQ1", "TQ9"]
    assert list(shown["状态"]) == ["负损", "采集覆盖不足，未计算", "档案中无用户，未计算"]
    overview = result.overview_table("en")
    assert list(overview["Level"]) == ["transformer area", "feeder"]
    assert "高损" in result.explain("zh") and "high-loss" in result.explain("en")
    assert result.plot("en").axes[0].get_xlabel() == "Loss rate, same period"


@pytest.fixture(scope="module")
def utility() -> Dataset:
    return Dataset.from_frames(synth.generate(customers=1500, districts=2, seed=5, daily_days=70))


def test_the_synthetic_network_loses_a_few_percent_except_where_a_thief_is_and_hand_read_areas_are_not_computed(
    utility,
):
    supply = utility.network_supply
    assert set(supply["level"]) == {"area", "feeder"}
    result = network_loss(supply, utility.customers, utility.daily_reads, utility.bills)
    table = result.table
    assert len(table) and table["period"].nunique() == 2  # the two whole months read
    # Units without an injected irregular customer lose their technical loss, 2-7 %.
    customers = utility.customers
    irregular = customers["customer_id"].isin(utility.truth["customer_id"])
    tainted = set(customers.loc[irregular, "area_id"]) | set(customers.loc[irregular, "feeder_id"])
    honest = table[~table["unit_id"].isin(tainted)].dropna(subset=["loss_rate"])
    assert len(honest) and honest["loss_rate"].between(0.0, 0.08).all()
    assert set(honest["status"]) <= {"normal", "small_supply"}
    # No unit shows negative loss; a high loss is an irregular customer's doing.
    assert not (table["status"] == "negative_loss").any()
    assert set(table.loc[table["status"] == "high_loss", "unit_id"]) <= tainted
    # Hand-read areas (no daily reads) are reported, not passed off as complete.
    hand_read = customers.loc[
        customers["customer_id"].isin(
            utility.bills.loc[utility.bills["reader_id"].notna(), "customer_id"]
        ),
        "area_id",
    ].unique()
    low = table[table["status"] == "low_coverage"]
    assert len(hand_read) and set(low["unit_id"]) == set(hand_read)


def test_for_district_keeps_the_supply_of_its_units_and_the_study_shows_the_loss(utility):
    district = utility.districts[0]
    part = utility.for_district(district)
    customers = part.customers
    kept = part.network_supply
    assert len(kept) and len(kept) < len(utility.network_supply)
    areas = kept.loc[kept["level"] == "area", "unit_id"]
    assert areas.isin(customers["area_id"]).all()
    study = build(utility, district)
    assert {"network_overview", "network_loss"} <= set(study.table_names)
    assert "network_loss" in study.figure_names
    assert set(study.network.table["district"]) == {district}
    assert any("同期线损" in sentence for sentence in study.conclusions("zh"))
    assert any(method.startswith("Same-period loss") for method in study.methods("en"))


def test_the_study_of_every_district_lists_supply_no_customer_hangs_on(utility):
    supply = utility.network_supply
    # A supply row of an area no customer is booked to (户变关系 missing), in a month read.
    orphan = supply[supply["period"] == supply["period"].max()].head(1).assign(unit_id="TQ-ORPHAN")
    tables = {**utility.tables(), "network_supply": pd.concat([supply, orphan])}
    study = build(Dataset.from_frames(tables))
    rows = study.network.table.set_index("unit_id")
    assert (
        rows.loc["TQ-ORPHAN", "status"] == "no_customers"
        and rows.loc["TQ-ORPHAN", "district"] == ""
    )
    assert "TQ-ORPHAN" in set(study.table("network_loss", "en")["Area / feeder"])
    # A study of one district cannot place it and keeps that district's units only.
    one = build(Dataset.from_frames(tables), utility.districts[0])
    assert "TQ-ORPHAN" not in set(one.network.table["unit_id"])


def test_the_study_names_a_negative_supply_by_its_row_in_the_whole_table(utility):
    supply = utility.network_supply.reset_index(drop=True)
    last = len(supply)  # a month the study covers; the months before it are not studied
    negative = supply.assign(
        kwh_supplied=supply["kwh_supplied"].where(supply.index != last - 1, -1)
    )
    unchecked = replace(utility, network_supply=negative)  # loading refuses it; a caller may not
    with pytest.raises(ParameterError, match=rf"'network_supply.kwh_supplied'.*'-1 in row {last}'"):
        build(unchecked)


def test_partitioned_for_district_keeps_the_same_supply_rows(utility, tmp_path):
    converted = convert(utility, tmp_path / "parts")
    assert converted.table_info["network_supply"]["layout"] == "file"  # read whole, then kept
    district = utility.districts[1]
    pd.testing.assert_frame_equal(
        converted.for_district(district).network_supply,
        utility.for_district(district).network_supply,
    )


def test_a_unit_month_on_several_supply_rows_is_their_sum_and_an_empty_one_is_missing():
    split = pd.concat(
        [
            SUPPLY[~((SUPPLY["unit_id"] == "TQ1") & (SUPPLY["period"] == "2024-01"))],
            pd.DataFrame(
                [("area", "TQ1", "2024-01", 300.0), ("area", "TQ1", "2024-01", 200.0)],
                columns=SUPPLY.columns,
            ),
        ],
        ignore_index=True,
    )
    split.loc[split["unit_id"] == "TQ2", "kwh_supplied"] = [600.0, np.nan]  # TQ2's February
    result = network_loss(split, CUSTOMERS, _reads(), BILLS, min_supply_kwh=100.0)
    rows = _rows(result)
    # Two meters of TQ1 in January, 300 + 200: one row, loss 1 − 465 / 500 as by hand.
    january = rows.loc[[("area", "TQ1", "2024-01")]]
    assert len(january) == 1
    assert january["kwh_supplied"].item() == 500.0
    assert january["loss_rate"].item() == pytest.approx(0.07)
    # TQ2's February has no figure: no row (missing, not a 100 % loss on 0 kWh).
    assert ("area", "TQ2", "2024-02") not in rows.index
    notes = {note.code: dict(note.values) for note in result.notes}
    assert notes["network_supply_summed"] == {"rows": 2, "unit_months": 1}
    assert notes["network_supply_empty"] == {"unit_months": 1}
    text = [note.text("en") for note in result.notes]
    assert "2 area or feeder supply rows are summed into 1 unit-months" in " ".join(text)


def test_numeric_unit_ids_match_as_text_and_ids_matching_no_customer_are_noted():
    # area_id read as floats (one empty cell), supply unit ids as integers and as text.
    customers = CUSTOMERS.assign(area_id=[101.0, 101.0, np.nan, 102.0, 101.0])
    supply = SUPPLY[SUPPLY["level"] == "area"].replace({"TQ1": 101, "TQ2": "102", "TQ9": 109})
    result = network_loss(supply, customers, _reads(), BILLS, min_supply_kwh=100.0)
    rows = _rows(result)
    assert rows.loc[("area", "101", "2024-01"), "loss_rate"] == pytest.approx(35 / 500)
    assert rows.loc[("area", "102", "2024-02"), "loss_rate"] == pytest.approx(1 - 580 / 700)
    assert rows.loc[("area", "109", "2024-01"), "status"] == "no_customers"
    assert "network_no_unit_on_file" not in {note.code for note in result.notes}
    # Ids written otherwise in the archive: no supply row finds a customer, and a note says so.
    apart = network_loss(
        supply, CUSTOMERS.assign(area_id="A" + CUSTOMERS["area_id"]), _reads(), BILLS
    )
    assert set(apart.table["status"]) == {"no_customers"}
    unmatched = [note.text("en") for note in apart.notes if note.code == "network_no_unit_on_file"]
    assert unmatched == [
        "None of the 3 ids with supply is in the customer archive's area_id: every one shows no "
        "customers on file; check that both tables write the ids alike."
    ]
    # A supply row without a unit cannot be placed: refused, naming the row.
    unnamed = supply.assign(unit_id=supply["unit_id"].where(supply.index != 1))
    with pytest.raises(ParameterError, match=r"network_supply\.unit_id.*empty in row 2"):
        network_loss(unnamed, customers, _reads())


def test_dates_with_a_time_zone_are_their_local_day_and_a_date_that_is_no_day_is_named():
    reads = _reads()
    local = reads.assign(date=reads["date"].dt.tz_localize("Asia/Shanghai"))
    naive = network_loss(SUPPLY, CUSTOMERS, reads, BILLS)
    shifted = network_loss(SUPPLY, CUSTOMERS, local, BILLS)
    # Read as UTC every read falls a day early: C1's 9 kWh of 1 March would be sold in February.
    assert (shifted.period_from, shifted.period_to) == ("2024-01", "2024-02")
    assert _rows(shifted).loc[("area", "TQ1", "2024-02"), "kwh_sold"] == 29 * 15.0
    pd.testing.assert_frame_equal(shifted.table, naive.table)
    texts = reads.assign(date=reads["date"].dt.strftime("%Y-%m-%d"))
    texts.loc[3, "date"] = "2024-13-01"
    with pytest.raises(ParameterError, match=r"daily_reads\.date.*'2024-13-01' in row 4"):
        network_loss(SUPPLY, CUSTOMERS, texts, BILLS)
