"""Cross-table warnings on itemized bills and tariffs, and tariff keys with optional columns.

Every warning is checked with its figures (hand-computed from the sample of `itemized_tables`)
and with a near miss that must not fire.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sample_dataset import itemized_tables, valid_tables, write_dataset

from auditkit.data import Dataset, DataValidationError, itemized_checks, load
from auditkit.data.problems import Problem

BILL_LINES_EXPECTED = "amount = the sum of the bill's bill_lines amounts within 0.01 yuan"
TOU_EXPECTED = (
    "kwh_billed = the sum of the quantities of the bill's energy lines with a tou_period "
    "within 0.01 kWh a line"
)
TIER_JOIN_EXPECTED = (
    "each tier to start where the tier below ends (tier_to_kwh of tier n = tier_from_kwh of "
    "tier n+1)"
)


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return itemized_tables()


def warnings_of(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """The problems of the tables, all of which must be warnings."""
    dataset = Dataset.from_frames(tables)
    assert all(problem.severity == "warning" for problem in dataset.problems)
    return list(dataset.problems)


def shown(problems: list[Problem]) -> list[str]:
    return [str(problem) for problem in problems]


def test_the_itemized_sample_raises_no_warning(tables: dict[str, pd.DataFrame]) -> None:
    assert warnings_of(tables) == []


# ------------------------------------------------------------------------ bill lines vs the bill


def test_bill_lines_not_adding_up_to_the_bill_warn_with_both_figures(
    tables: dict[str, pd.DataFrame],
) -> None:
    tables["bill_lines"].loc[5, "amount"] = 18890.0  # C002 2024-01 basic line: 10 yuan short

    (warning,) = warnings_of(tables)

    assert str(warning) == (
        f"warning: bills (DataFrame) row 3, column amount: expected {BILL_LINES_EXPECTED}, "
        "found 33490.6 yuan, while its 6 bill lines add up to 33480.6 yuan (lines − bill = -10.00)"
    )
    assert (warning.table, warning.customer_id, warning.period) == ("bills", "C002", "2024-01")


@pytest.mark.parametrize("amount", [112.985, 112.975, 112.99, 112.97])
def test_a_rounding_difference_up_to_one_fen_does_not_warn(
    tables: dict[str, pd.DataFrame], amount: float
) -> None:
    tables["bill_lines"].loc[0, "amount"] = amount  # the bill says 112.98

    assert warnings_of(tables) == []


def test_two_fen_off_warns(tables: dict[str, pd.DataFrame]) -> None:
    tables["bill_lines"].loc[0, "amount"] = 113.0

    assert [problem.found for problem in warnings_of(tables)] == [
        "112.98 yuan, while its 1 bill lines add up to 113.0 yuan (lines − bill = +0.02)"
    ]


def test_lines_adding_up_past_what_reads_to_the_fen_show_the_difference_in_powers_of_ten(
    tables: dict[str, pd.DataFrame],
) -> None:
    """Every amount is below 10^12 yuan, yet 1,100 fund lines of 9.99e11 add up to over 10^15:
    the difference is shown in powers of ten, not in 16 digits of float noise."""
    fund = tables["bill_lines"].iloc[[0]].assign(line_type="fund", tier=None, amount=9.99e11)
    rest = tables["bill_lines"].iloc[1:]
    tables["bill_lines"] = pd.concat([fund] * 1100 + [rest], ignore_index=True)

    assert [problem.found for problem in warnings_of(tables)] == [
        "112.98 yuan, while its 1100 bill lines add up to 1098900000000000.0 yuan "
        "(lines − bill = +1.1e+15)"
    ]


def test_a_bill_without_lines_is_not_checked(tables: dict[str, pd.DataFrame]) -> None:
    lines = tables["bill_lines"]
    tables["bill_lines"] = lines[lines["customer_id"] != "C003"].reset_index(drop=True)

    assert warnings_of(tables) == []


def test_lines_of_a_bill_that_does_not_exist_warn(tables: dict[str, pd.DataFrame]) -> None:
    extra = pd.DataFrame(
        [("C003", "2024-03", "energy", None, None, 10.0, 0.8, 8.0)],
        columns=tables["bill_lines"].columns,
    )
    tables["bill_lines"] = pd.concat([tables["bill_lines"], extra], ignore_index=True)

    (warning,) = warnings_of(tables)

    assert str(warning) == (
        "warning: bill_lines (DataFrame) row 17, column period: expected a bill in bills for the "
        "line's customer_id and period, found no bill of 'C003' for '2024-03'"
    )
    assert (warning.customer_id, warning.period) == ("C003", "2024-03")


def test_lines_of_an_unknown_customer_are_a_reference_error_only(
    tables: dict[str, pd.DataFrame],
) -> None:
    extra = pd.DataFrame(
        [("C999", "2024-01", "energy", None, None, 10.0, 0.8, 8.0)],
        columns=tables["bill_lines"].columns,
    )
    tables["bill_lines"] = pd.concat([tables["bill_lines"], extra], ignore_index=True)

    with pytest.raises(DataValidationError) as caught:
        Dataset.from_frames(tables)

    assert shown(caught.value.problems) == [
        "bill_lines (DataFrame) row 17, column customer_id: expected a customer_id listed in "
        "customers, found 'C999'"
    ]


# ----------------------------------------------------------------------- time-of-use kWh


def test_tou_lines_not_adding_up_to_the_metered_kwh_warn(tables: dict[str, pd.DataFrame]) -> None:
    tables["bill_lines"].loc[2, "quantity"] = 8100.0  # C002 2024-01 peak line, amount unchanged

    (warning,) = warnings_of(tables)

    assert str(warning) == (
        f"warning: bills (DataFrame) row 3, column kwh_billed: expected {TOU_EXPECTED}, found "
        "22000.0 kWh, while its 3 time-of-use energy lines add up to 22100.0 kWh "
        "(lines − bill = 100.0 kWh)"
    )
    assert (warning.customer_id, warning.period) == ("C002", "2024-01")


@pytest.mark.parametrize(
    ("quantity", "warns"), [(8000.03, False), (7999.97, False), (8000.04, True)]
)
def test_tou_tolerance_is_a_hundredth_of_a_kwh_a_line(
    tables: dict[str, pd.DataFrame], quantity: float, warns: bool
) -> None:
    tables["bill_lines"].loc[2, "quantity"] = quantity  # three TOU lines: 0.03 kWh allowed

    assert len(warnings_of(tables)) == warns


def test_period_registers_above_the_billed_kwh_warn(tables: dict[str, pd.DataFrame]) -> None:
    tables["bills"].loc[2, "kwh_valley"] = 15000.0

    (warning,) = warnings_of(tables)

    assert str(warning) == (
        "warning: bills (DataFrame) row 3, column kwh_critical, kwh_peak, kwh_valley: expected "
        "kwh_critical + kwh_peak + kwh_valley ≤ kwh_billed (the flat period is the rest; where "
        "they exceed the kWh due too, the recomputation splits such a bill by its billed period "
        "lines, else by the tou_profile as an estimate: it proves no time-of-use difference), "
        "found "
        "kwh_peak 8000.0 + kwh_valley 15000.0 = 23000.0 kWh, more than kwh_billed 22000.0 kWh"
    )
    assert (warning.customer_id, warning.period) == ("C002", "2024-01")


def test_period_registers_equal_to_the_billed_kwh_do_not_warn(
    tables: dict[str, pd.DataFrame],
) -> None:
    tables["bills"].loc[2, "kwh_valley"] = 14000.0  # flat = 0 kWh: possible
    tables["bill_lines"].loc[[3, 4], "quantity"] = [0.0, 14000.0]

    assert warnings_of(tables) == []


# ---------------------------------------------------------------------------- tier bands


def test_a_gap_between_tiers_warns(tables: dict[str, pd.DataFrame]) -> None:
    tables["tariffs"].loc[5, "tier_from_kwh"] = 2800.0  # 居民生活 tier 2; tier 1 ends at 2760

    (warning,) = warnings_of(tables)

    assert str(warning) == (
        f"warning: tariffs (DataFrame) row 6, column tier_from_kwh: expected {TIER_JOIN_EXPECTED}, "
        "found 2800.0 kWh after tier 1 ending at 2760.0 kWh: a gap of 40.0 kWh in 居民生活 from "
        "2020-01-01"
    )
    assert warning.customer_id is None


def test_an_overlap_between_tiers_warns(tables: dict[str, pd.DataFrame]) -> None:
    tables["tariffs"].loc[6, "tier_from_kwh"] = 4700.0  # tier 3; tier 2 ends at 4800

    assert [problem.found for problem in warnings_of(tables)] == [
        "4700.0 kWh after tier 2 ending at 4800.0 kWh: an overlap of 100.0 kWh in 居民生活 from "
        "2020-01-01"
    ]


def test_tier_one_not_starting_at_zero_warns(tables: dict[str, pd.DataFrame]) -> None:
    tables["tariffs"].loc[0, "tier_from_kwh"] = 10.0

    assert shown(warnings_of(tables)) == [
        "warning: tariffs (DataFrame) row 1, column tier_from_kwh: expected tier 1 to start at "
        "0 kWh, found 10.0 kWh in 居民生活 from 2020-01-01"
    ]


def test_tier_one_without_a_start_starts_at_zero(tables: dict[str, pd.DataFrame]) -> None:
    tables["tariffs"].loc[0, "tier_from_kwh"] = None

    assert warnings_of(tables) == []


def test_a_skipped_tier_and_a_missing_tier_one_warn(tables: dict[str, pd.DataFrame]) -> None:
    skipped = tables["tariffs"].drop(index=5).reset_index(drop=True)  # tiers 1 and 3
    no_first = tables["tariffs"].drop(index=0).reset_index(drop=True)  # tiers 2 and 3

    assert shown(warnings_of(tables | {"tariffs": skipped})) == [
        "warning: tariffs (DataFrame) row 6, column tier: expected tiers numbered without a gap, "
        "found tier 3 after tier 1 in 居民生活 from 2020-01-01"
    ]
    assert shown(warnings_of(tables | {"tariffs": no_first})) == [
        "warning: tariffs (DataFrame) row 5, column tier: expected tier 1 as the lowest tier of "
        "the tariff, found tier 2 as the lowest tier of 居民生活 from 2020-01-01"
    ]


def test_tiers_of_another_tariff_date_are_a_band_of_their_own(
    tables: dict[str, pd.DataFrame],
) -> None:
    """Tier bands that change on 2024-07-01 start a new set of bands: no gap across dates."""
    later = (
        tables["tariffs"]
        .loc[[0, 5, 6]]
        .assign(
            valid_from="2024-07-01",
            tier_from_kwh=[0.0, 3000.0, 5000.0],
            tier_to_kwh=[3000.0, 5000.0, None],
        )
    )
    tariffs = pd.concat([tables["tariffs"], later], ignore_index=True)

    assert warnings_of(tables | {"tariffs": tariffs}) == []


def test_a_band_ending_before_it_starts_warns(tables: dict[str, pd.DataFrame]) -> None:
    tables["tariffs"].loc[6, "tier_to_kwh"] = 4000.0  # tier 3 from 4800 to 4000

    assert shown(warnings_of(tables)) == [
        "warning: tariffs (DataFrame) row 7, column tier_to_kwh: expected tier_to_kwh above "
        "tier_from_kwh, found 4000.0 kWh, not above tier_from_kwh 4800.0 (tier 3 of 居民生活 from "
        "2020-01-01)"
    ]


# ------------------------------------------------------------------- time-of-use tariff periods

TOU_PERIODS_EXPECTED = (
    "a row for each of peak, flat and valley in a time-of-use tariff (critical optional; a row "
    "without tou_period serves as flat)"
)


def test_a_tou_tariff_without_valley_warns(tables: dict[str, pd.DataFrame]) -> None:
    tariffs = tables["tariffs"].drop(index=4).reset_index(drop=True)

    (warning,) = warnings_of(tables | {"tariffs": tariffs})

    assert str(warning) == (
        f"warning: tariffs (DataFrame) row 2, column tou_period: expected {TOU_PERIODS_EXPECTED}, "
        "found peak, flat only, no valley in 大工业 from 2020-01-01, 1–35 kV"
    )


def test_a_row_without_period_serves_as_flat(tables: dict[str, pd.DataFrame]) -> None:
    tables["tariffs"].loc[1, "tou_period"] = None  # 大工业: empty, peak, valley

    assert warnings_of(tables) == []


def test_a_critical_row_is_optional_and_does_not_complete_a_tariff(
    tables: dict[str, pd.DataFrame],
) -> None:
    critical = tables["tariffs"].loc[[3]].assign(tou_period="critical", energy_rate=1.14)
    with_critical = pd.concat([tables["tariffs"], critical], ignore_index=True)
    only_critical = with_critical.drop(index=[1, 3, 4]).reset_index(drop=True)

    assert warnings_of(tables | {"tariffs": with_critical}) == []
    assert [problem.found for problem in warnings_of(tables | {"tariffs": only_critical})] == [
        "critical only, no peak, flat or valley in 大工业 from 2020-01-01, 1–35 kV"
    ]


# ---------------------------------------------------------------------- transformers vs archive


def test_transformers_in_force_differing_from_the_contract_capacity_warn(
    tables: dict[str, pd.DataFrame],
) -> None:
    tables["transformers"].loc[2, "kva"] = 800.0  # T2 running; contract 630 kVA

    (warning,) = warnings_of(tables)

    assert str(warning) == (
        "warning: customers (DataFrame) row 2, column contract_capacity_kva: expected "
        "contract_capacity_kva = the kVA of the customer's running and hot_standby transformers, "
        "or of all its transformers not removed (a suspension seals some), within 0.01 kVA, found "
        "630.0 kVA, while its transformers in force add up to 800.0 kVA (1 running or hot "
        "standby) and those not removed to 800.0 kVA"
    )
    assert (warning.table, warning.customer_id, warning.period) == ("customers", "C002", None)


def test_each_transformer_counts_in_its_latest_status(tables: dict[str, pd.DataFrame]) -> None:
    transformers = tables["transformers"]
    reordered = transformers.iloc[[1, 2, 0]].reset_index(drop=True)  # the removal row first
    standby = transformers.assign(status=["running", "hot_standby", "running"])

    assert warnings_of(tables | {"transformers": reordered}) == []
    assert [problem.found for problem in warnings_of(tables | {"transformers": standby})] == [
        "630.0 kVA, while its transformers in force add up to 1030.0 kVA (2 running or hot "
        "standby) and those not removed to 1030.0 kVA"
    ]


def test_a_transformer_sealed_by_a_suspension_keeps_the_contract_capacity(
    tables: dict[str, pd.DataFrame],
) -> None:
    """T2 sealed on 2024-01-10: nothing in force, 630 kVA still installed, as contracted."""
    sealed = pd.DataFrame(
        [("C002", "T2", 630.0, 0.81, 6.2, "sealed", "2024-01-10")],
        columns=tables["transformers"].columns,
    )
    suspended = pd.concat([tables["transformers"], sealed], ignore_index=True)
    # T1 running again (not removed) and T2 in cold standby: 400 in force, 1030 installed
    cold = suspended.assign(status=["running", "running", "running", "cold_standby"])

    assert warnings_of(tables | {"transformers": suspended}) == []
    assert [problem.found for problem in warnings_of(tables | {"transformers": cold})] == [
        "630.0 kVA, while its transformers in force add up to 400.0 kVA (1 running or hot "
        "standby) and those not removed to 1030.0 kVA"
    ]


def test_capacity_is_not_checked_without_a_contract_capacity(
    tables: dict[str, pd.DataFrame],
) -> None:
    tables["customers"].loc[1, "contract_capacity_kva"] = None
    tables["transformers"].loc[2, "kva"] = 800.0

    assert warnings_of(tables) == []


# ------------------------------------------------------------------- scale paths give the same


def test_blocks_and_the_sorted_bill_search_find_the_same_warnings(
    tables: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    tables["bill_lines"].loc[5, "amount"] = 18890.0
    tables["bill_lines"].loc[9, "quantity"] = 10100.0
    extra = pd.DataFrame(
        [("C001", "2023-12", "energy", None, 1, 10.0, 0.538, 5.38)],
        columns=tables["bill_lines"].columns,
    )
    tables["bill_lines"] = pd.concat([tables["bill_lines"], extra], ignore_index=True)
    expected = shown(warnings_of(tables))

    monkeypatch.setattr(itemized_checks, "LINE_BLOCK_ROWS", 3)
    monkeypatch.setattr(itemized_checks, "DENSE_SLOTS_PER_BILL", 0)
    monkeypatch.setattr(itemized_checks, "DENSE_SLOTS_MINIMUM", 0)

    assert len(expected) == 3
    assert shown(warnings_of(tables)) == expected


# -------------------------------------------------------------------- tariff keys


KEY_COLUMNS = "tariff_category, valid_from, voltage_kv_min, voltage_kv_max, tou_period, tier"


def key_errors(tariffs: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> list[str]:
    with pytest.raises(DataValidationError) as caught:
        Dataset.from_frames(tables | {"tariffs": tariffs})
    return shown(caught.value.errors)


def test_a_repeated_time_of_use_row_is_a_duplicate_key(tables: dict[str, pd.DataFrame]) -> None:
    tariffs = pd.concat([tables["tariffs"], tables["tariffs"].loc[[3]]], ignore_index=True)

    assert key_errors(tariffs, tables) == [
        f"tariffs (DataFrame) row 9, column {KEY_COLUMNS}: expected a unique ({KEY_COLUMNS}), "
        "found ('大工业', '2020-01-01', 1.0, 35.0, 'peak', empty) again (first at row 4)"
    ]


def test_a_flat_row_and_a_peak_row_of_one_category_and_date_are_two_rows(
    tables: dict[str, pd.DataFrame],
) -> None:
    tariffs = tables["tariffs"]
    same_day = tariffs[tariffs["tariff_category"] == "大工业"]

    assert set(same_day["valid_from"]) == {"2020-01-01"}
    assert Dataset.from_frames(tables).tariffs["tou_period"].iloc[[1, 3, 4]].tolist() == [
        "flat",
        "peak",
        "valley",
    ]


def test_empty_optional_key_cells_are_a_value_of_their_own(
    tables: dict[str, pd.DataFrame],
) -> None:
    flat_again = tables["tariffs"].loc[[2]].assign(energy_rate=0.81)  # 一般工商业, all empty
    other_band = flat_again.assign(voltage_kv_min=10.0)

    assert key_errors(pd.concat([tables["tariffs"], flat_again], ignore_index=True), tables) == [
        f"tariffs (DataFrame) row 9, column {KEY_COLUMNS}: expected a unique ({KEY_COLUMNS}), "
        "found ('一般工商业', '2020-01-01', empty, empty, empty, empty) again (first at row 3)"
    ]
    with_band = pd.concat([tables["tariffs"], other_band], ignore_index=True)
    assert Dataset.from_frames(tables | {"tariffs": with_band}).problems == ()


def test_tariffs_without_the_optional_key_columns_key_as_before(tmp_path: Path) -> None:
    tables = valid_tables()
    tariffs = pd.concat([tables["tariffs"], tables["tariffs"].loc[[0]]], ignore_index=True)
    folder = write_dataset(tables | {"tariffs": tariffs}, tmp_path / "legacy")

    with pytest.raises(DataValidationError) as caught:
        load(folder)

    assert shown(caught.value.errors) == [
        "tariffs.csv row 5, column tariff_category, valid_from: expected a unique "
        "(tariff_category, valid_from), found ('居民生活', '2020-01-01') again (first at row 2)"
    ]


def test_a_transformer_state_twice_is_a_duplicate_key(tables: dict[str, pd.DataFrame]) -> None:
    transformers = pd.concat(
        [tables["transformers"], tables["transformers"].loc[[2]]], ignore_index=True
    )

    with pytest.raises(DataValidationError) as caught:
        Dataset.from_frames(tables | {"transformers": transformers})

    assert shown(caught.value.errors) == [
        "transformers (DataFrame) row 4, column customer_id, transformer_id, status_since: "
        "expected a unique (customer_id, transformer_id, status_since), found ('C002', 'T2', "
        "'2023-07-01') again (first at row 3)"
    ]


# ------------------------------------------------------------------ from files, located


def test_warnings_from_files_name_the_file_and_the_spreadsheet_row(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    tables["bill_lines"].loc[5, "amount"] = 18890.0
    tables["tariffs"].loc[5, "tier_from_kwh"] = 2800.0

    dataset = load(write_dataset(tables, tmp_path / "files", "csv-gbk"))

    assert [(p.file, p.row, p.column) for p in dataset.problems] == [
        ("bills.csv", 4, "amount"),
        ("tariffs.csv", 7, "tier_from_kwh"),
    ]
    frame = dataset.warnings_frame()
    assert frame["customer_id"].iloc[0] == "C002" and pd.isna(frame["customer_id"].iloc[1])
    assert dataset.for_district("城东").problems == dataset.problems[:1]


def test_a_bad_optional_key_cell_is_not_also_a_duplicate_of_the_empty_one(
    tables: dict[str, pd.DataFrame],
) -> None:
    """'peek' is not a period: one error, not also a repeat of the flat row it would equal."""
    typo = tables["tariffs"].loc[[2]].assign(tou_period="peek", voltage_kv_min="ten")
    tariffs = pd.concat([tables["tariffs"], typo], ignore_index=True)

    assert key_errors(tariffs, tables) == [
        "tariffs (DataFrame) row 9, column voltage_kv_min: expected a number, found 'ten'",
        "tariffs (DataFrame) row 9, column tou_period: expected one of critical, peak, flat, "
        "valley, found 'peek'",
    ]
