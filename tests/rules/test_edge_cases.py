"""Awkward but valid data: every rule gives a correct result (or the load a clear error), never a traceback."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from rule_builder import COMMERCIAL, TWO_PART_BY_CAPACITY, Utility, flat, run

from auditkit import rules, synth
from auditkit.data import Dataset, DataValidationError
from auditkit.data.schema import TABLES
from auditkit.errors import AuditkitError

PERIOD = re.compile(r"^\d{4}-\d{2}$")


#: The notes of the rules priced from bill lines, on a dataset without them.
NO_BILL_LINES = [
    f"{rule_id} skipped: table bill_lines is absent"
    for rule_id in (
        "tou_misapplied",
        "tier_misapplied",
        "basic_charge_error",
        "pf_adjustment_error",
        "loss_not_charged",
        "fund_charge_error",
    )
]
#: The practice checks a utility without personal fields, meter tests and events, adjustments,
#: temporary supplies or meter-change reads cannot run.
NO_PRACTICE_DATA = [
    "duplicate_account skipped: column customers.name is missing or empty and column "
    "customers.phone is missing or empty",
    "meter_change_energy_lost skipped: column work_orders.old_final_read is missing or empty "
    "and column work_orders.new_first_read is missing or empty",
    "meter_error_backbill skipped: table meter_tests is absent",
    "meter_event_unresolved skipped: table meter_events is absent",
    "temporary_supply_overrun skipped: column customers.supply_type is missing or empty",
    "unapproved_adjustment skipped: table adjustments is absent",
]


def run_all(dataset: Dataset, **kwargs: object) -> pd.DataFrame:
    """Every rule of the library on `dataset`, with the shape checks every result must pass."""
    findings = rules.run(dataset, **kwargs)
    assert list(findings.columns) == list(rules.FINDING_COLUMNS)
    assert findings["period_from"].str.match(PERIOD).all(), findings["period_from"]
    assert findings["period_to"].str.match(PERIOD).all(), findings["period_to"]
    assert (findings["period_from"] <= findings["period_to"]).all()
    assert (findings["revenue_impact"] >= 0).all()
    assert not findings["evidence"].str.contains(r"\bnan\b|None|<NA>", regex=True).any()
    return findings


def test_one_customer_with_one_bill_runs_every_rule():
    u = Utility()
    u.customer("A", ct_ratio=40.0, **COMMERCIAL)
    u.monthly("A", [100.0], multiplier=20.0, tariff="COM", periods=["2024-03"])
    notes: list[str] = []
    findings = run_all(u.dataset(), notes=notes)
    assert findings["rule_id"].tolist() == ["multiplier_mismatch"]
    row = findings.iloc[0]
    assert (row["period_from"], row["period_to"]) == ("2024-03", "2024-03")
    assert row["revenue_impact"] == pytest.approx(100 * 0.8)  # 5 units × 40 due, 100 kWh billed
    assert row["evidence"].startswith("1 bill 2024-03 used multiplier 20.00")
    assert "demand_over_capacity skipped: column bills.max_demand_kw is missing or empty" in notes


def test_customers_without_bills_are_audited_on_their_archive():
    u = Utility()
    u.customer("billed", meter_id="M-1")
    u.monthly("billed", flat(100))
    u.customer(
        "never_billed",
        meter_id="M-1",
        meter_test_date=pd.Timestamp("2022-01-15"),
        meter_test_cycle_months=12,
    )
    findings = run_all(u.dataset()).set_index(["rule_id", "customer_id"])
    assert sorted(findings.index) == [
        ("archive_defect", "billed"),
        ("archive_defect", "never_billed"),
        ("meter_test_overdue", "never_billed"),
        ("unbilled_account", "never_billed"),  # active, and never billed in the window
    ]
    overdue = findings.loc[("meter_test_overdue", "never_billed")]
    assert (overdue["period_from"], overdue["period_to"]) == ("2023-01", "2024-12")
    assert "due 2023-01-15: 716 days past due at the end of 2024-12" in overdue["evidence"]
    defect = findings.loc[("archive_defect", "never_billed")]
    assert defect["period_from"] == "2024-12"  # no bill: the audit month


def test_as_of_the_first_billed_month_sees_that_month_only():
    u = Utility()
    u.customer("A", ct_ratio=40.0, **COMMERCIAL)
    u.monthly("A", flat(100), multiplier=20.0, tariff="COM")
    u.customer("B")
    u.monthly("B", [100.0] + [0.0] * 11, rate=[0.4] + [None] * 11)
    findings = run_all(u.dataset(), as_of="2024-01")
    assert sorted(findings["rule_id"]) == ["multiplier_mismatch", "rate_mismatch"]
    assert (findings["period_from"] == "2024-01").all() and (
        findings["period_to"] == "2024-01"
    ).all()
    impact = findings.set_index("rule_id")["revenue_impact"]
    assert impact["multiplier_mismatch"] == pytest.approx(100 * 0.8)
    assert impact["rate_mismatch"] == pytest.approx(100 * (0.5 - 0.4))
    assert findings.attrs["as_of"] == "2024-01"


def _utility_with_every_kind_of_data() -> Utility:
    """A two-part customer with orders, a rate error on a household: data for every rule."""
    u = Utility()
    u.customer(
        "big",
        contract_capacity_kva=630.0,
        meter_test_date=pd.Timestamp("2023-01-01"),
        meter_test_cycle_months=12,
        **TWO_PART_BY_CAPACITY,
    )
    u.monthly(
        "big",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=630.0,
        demand=500.0,
        basis="capacity",
    )
    u.order("big", "suspension", "2024-03-01", 630, 315)
    u.customer("home")
    u.monthly("home", flat(100), rate=[0.5] * 12)  # 0.6 is due from July
    return u


def test_optional_columns_entirely_empty_skip_their_rules_with_a_note():
    tables = _utility_with_every_kind_of_data().tables()
    for table, columns in {
        "customers": ["contract_capacity_kva", "meter_test_date", "meter_test_cycle_months"],
        "bills": ["capacity_billed_kva", "max_demand_kw", "basic_charge"],
        "tariffs": ["basic_rate_kva_month", "basic_rate_kw_month", "valid_to"],
        "work_orders": [
            "transferred_at",
            "registered_at",
            "archived_at",
            "effective_date",
            "old_value",
            "new_value",
        ],
    }.items():
        for column in columns:
            tables[table][column] = None
    notes: list[str] = []
    findings = run_all(Dataset.from_frames(tables), notes=notes)
    assert sorted(notes) == sorted(
        [
            *NO_BILL_LINES,
            *NO_PRACTICE_DATA,
            "capacity_underbilled skipped: column customers.contract_capacity_kva is missing or "
            "empty",
            "demand_over_capacity skipped: column customers.contract_capacity_kva is missing or "
            "empty",
            "reduction_without_drop skipped: column work_orders.effective_date is missing or empty",
            "suspension_overrun skipped: column work_orders.effective_date is missing or empty",
            "suspension_backdated skipped: column work_orders.effective_date is missing or empty",
            "billed_after_closure skipped: column work_orders.effective_date is missing or empty",
            "order_stalled skipped: column work_orders.transferred_at is missing or empty",
            "order_not_applied skipped: column work_orders.effective_date is missing or empty",
            "meter_test_overdue skipped: column customers.meter_test_date is missing or empty",
            "pf_standard_mismatch skipped: column customers.pf_standard is missing or empty",
        ]
    )
    assert sorted(zip(findings["rule_id"], findings["customer_id"], strict=True)) == [
        ("archive_defect", "big"),
        ("rate_mismatch", "home"),
    ]
    found = findings.set_index("rule_id")
    assert found.loc["archive_defect", "evidence"] == (
        "contract capacity missing for a capacity-basis customer"
    )
    # With valid_to empty every schedule row runs on, the later one winning: 0.6 from July.
    assert found.loc["rate_mismatch", "revenue_impact"] == pytest.approx(6 * 100 * 0.1)


def test_optional_columns_absent_from_customers_and_bills():
    tables = _utility_with_every_kind_of_data().tables()
    tables["customers"] = tables["customers"].drop(
        columns=["contract_capacity_kva", "meter_test_date", "meter_test_cycle_months"]
    )
    tables["bills"] = tables["bills"].drop(
        columns=["capacity_billed_kva", "max_demand_kw", "basic_charge"]
    )
    notes: list[str] = []
    findings = run_all(Dataset.from_frames(tables), notes=notes)
    assert sorted(note.split(" skipped")[0] for note in notes) == sorted(
        [
            *(note.split(" skipped")[0] for note in NO_BILL_LINES + NO_PRACTICE_DATA),
            "capacity_underbilled",
            "demand_over_capacity",
            "meter_test_overdue",
            "pf_standard_mismatch",
        ]
    )
    # The suspension of March is still open in December: over the limit from September, the
    # order's 630 → 315 kVA due again. With neither the capacity nor the basic charge in the
    # bills, what they billed is unknown: no revenue is proved (it was 315 kVA × 30 yuan × 4
    # months, as if they had charged nothing), nor that they charged it.
    overrun = findings[findings["rule_id"] == "suspension_overrun"].iloc[0]
    assert overrun["customer_id"] == "big" and overrun["period_from"] == "2024-09"
    assert overrun["revenue_impact"] == 0.0
    assert "nothing under-billed" not in overrun["evidence"]
    assert "rate_mismatch" in set(findings["rule_id"])


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("tariffs", ["valid_to", "basic_rate_kva_month", "basic_rate_kw_month"]),
        ("work_orders", ["effective_date", "transferred_at", "registered_at", "archived_at"]),
    ],
)
def test_optional_columns_absent_from_tariffs_or_work_orders(table, columns):
    tables = _utility_with_every_kind_of_data().tables()
    tables[table] = tables[table].drop(columns=columns)
    findings = run_all(Dataset.from_frames(tables))
    assert "rate_mismatch" in set(findings["rule_id"])


def test_bill_on_a_tariff_missing_from_the_schedule_is_a_rate_finding_counted_once():
    u = Utility()
    u.customer("A")
    u.monthly("A", flat(100), tariff=["RES"] * 6 + ["XYZ"] * 6, rate=[None] * 6 + [0.3] * 6)
    dataset = u.dataset()  # loads: an unknown billed tariff is a warning, an audit finding
    warnings = [p for p in dataset.problems if p.column == "tariff_billed"]
    assert len(warnings) == 6 and {p.severity for p in warnings} == {"warning"}
    assert (warnings[0].customer_id, warnings[0].period) == ("A", "2024-07")
    findings = run_all(dataset).set_index("rule_id")
    assert sorted(findings.index) == ["change_without_order", "rate_mismatch"]
    # Priced at the archive tariff RES (0.6 from July): 6 × 100 kWh × (0.6 − 0.3).
    assert findings.loc["rate_mismatch", "revenue_impact"] == pytest.approx(180.0)
    assert (
        "6 bills on tariff XYZ, which the schedule does not list (first 2024-07: 0.3000 "
        "yuan/kWh; archive tariff RES: 0.6000)" in findings.loc["rate_mismatch", "evidence"]
    )
    # The unexplained switch names both tariffs; its money is already in rate_mismatch.
    assert "tariff RES→XYZ in 2024-07" in findings.loc["change_without_order", "evidence"]
    assert findings.loc["change_without_order", "revenue_impact"] == 0


def test_load_rejects_orders_of_unknown_customers_zero_multipliers_and_no_bills():
    u = Utility()
    u.customer("A")
    u.monthly("A", flat(100))
    u.order("ZZ", "suspension", "2024-03-01", 8, 0)
    with pytest.raises(
        DataValidationError,
        match=r"work_orders .*row 1, column customer_id: "
        r"expected a customer_id listed in customers, found 'ZZ'",
    ):
        u.dataset()
    u.orders.clear()
    u.bills[3]["multiplier_billed"] = 0.0
    with pytest.raises(
        AuditkitError,
        match=r"row 4, column multiplier_billed: expected a number "
        r"≥ 1, found 0\.0",
    ):
        u.dataset()
    tables = u.tables()
    tables["bills"] = tables["bills"].iloc[:0]
    with pytest.raises(AuditkitError, match="expected at least one data row"):
        Dataset.from_frames(tables)


def test_capacity_orders_with_empty_or_non_numeric_values():
    u = Utility()
    u.customer("A", contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "A",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=630.0,
        demand=300.0,
        basis="capacity",
    )
    u.order("A", "capacity_increase", "2024-03-01", "", "630")  # old capacity not recorded
    u.order("A", "capacity_reduction", "2024-06-01", "630", "about 400")
    u.order("A", "suspension", "2024-08-01", "630", "")
    findings = run_all(u.dataset()).set_index("rule_id")
    # Billing kept 630 kVA after the reduction: not applied, though its new value is unreadable.
    assert list(findings.index) == ["order_not_applied"]
    assert findings.loc["order_not_applied", "revenue_impact"] == 0
    assert findings.loc["order_not_applied", "evidence"].startswith(
        "order WO0002 (capacity_reduction 630→about 400 kVA) took effect in 2024-06, yet 7 bills "
        "2024-06..2024-12 still use 630 kVA"
    )


def test_an_order_without_effective_date_has_not_taken_effect():
    u = Utility()
    u.customer("A", contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "A",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=630.0,
        demand=300.0,
        basis="capacity",
    )
    u.order("A", "suspension", None, 630, 315, issued="2024-02-01", steps=(1, 2, 3))
    u.order("A", "capacity_reduction", None, 630, 315, issued="2024-02-01", steps=(1, None, None))
    # Extracted at the year's end (the orders' dates stop in February).
    findings = run_all(u.dataset(), params={"order_stalled.extract_date": "2024-12-31"})
    # Only the lifecycle can be judged: the reduction was never registered.
    assert findings["rule_id"].tolist() == ["order_stalled"]
    assert (
        "order WO0002 (capacity_reduction) issued 2024-02-01: registered missing"
        in (findings.iloc[0]["evidence"])
    )


def test_a_suspension_without_effective_date_does_not_hide_demand_over_capacity():
    u = Utility()
    u.customer("A", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "A",
        flat(100_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=400.0,
        demand=500.0,
        basis="capacity",
    )
    u.order("A", "suspension", None, 400, 200, issued="2024-02-01")
    assert run(u, "demand_over_capacity")["customer_id"].tolist() == ["A"]


def test_a_resumption_without_suspension_covers_nothing():
    u = Utility()
    u.customer("A", contract_capacity_kva=630.0, **TWO_PART_BY_CAPACITY)
    u.monthly(
        "A",
        flat(40_000),
        multiplier=1000.0,
        tariff="IND2",
        capacity=[315.0] * 3 + [630.0] * 9,
        demand=200.0,
        basis="capacity",
    )
    u.order("A", "resumption", "2024-04-01", 315, 630)
    findings = run_all(u.dataset()).set_index("rule_id")
    # No suspension order covers January to March: the basic charge was due on 630 kVA.
    assert list(findings.index) == ["capacity_underbilled"]
    assert findings.loc["capacity_underbilled", "revenue_impact"] == pytest.approx(315 * 30 * 3)
    assert findings.loc["capacity_underbilled", "period_to"] == "2024-03"


GAP = ["2024-01", "2024-02", "2024-03", "2024-06", "2024-07"]  # April and May not billed


def test_register_continuity_across_months_with_no_bill():
    u = Utility()
    for cid in ("continuous", "jumped", "replaced"):
        u.customer(cid, **COMMERCIAL)
    u.monthly("continuous", flat(100, 5), tariff="COM", periods=GAP)
    jumped = u.monthly("jumped", flat(100, 5), tariff="COM", periods=GAP)
    for bill in jumped[3:]:  # 300 units used in the unbilled months were never billed
        bill["register_start"] += 300
        bill["register_end"] += 300
    replaced = u.monthly("replaced", flat(100, 5), tariff="COM", periods=GAP)
    for bill in replaced[3:]:  # a new meter, fitted in April, starts at zero
        bill["register_start"] -= 1300
        bill["register_end"] -= 1300
    u.order("replaced", "meter_replacement", "2024-04-10", "M-old", "M-new")
    findings = run(u, "register_mismatch")
    assert findings["customer_id"].tolist() == ["jumped"]
    row = findings.iloc[0]
    assert row["revenue_impact"] == pytest.approx(300 * 0.8)
    assert (row["period_from"], row["period_to"]) == ("2024-06", "2024-06")
    assert (
        "2024-06 starts at 1,600.00 after 1,300.00 at the end of 2024-03; 300 kWh skipped"
        in (row["evidence"])
    )


def test_streaks_do_not_join_across_months_with_no_bill():
    u = Utility()
    u.customer("gap", **COMMERCIAL)
    u.monthly("gap", [100.0, 0.0, 0.0, 0.0, 100.0], periods=GAP, estimated=[1, 2, 3], tariff="COM")
    u.customer("run", **COMMERCIAL)
    u.monthly(
        "run",
        [100.0, 0.0, 0.0, 0.0, 100.0],
        periods=["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"],
        estimated=[1, 2, 3],
        tariff="COM",
    )
    dataset = u.dataset()
    for rule_id in ("zero_consumption", "estimated_streak"):
        findings = rules.run(dataset, rules=[rule_id])
        assert findings["customer_id"].tolist() == ["run"], rule_id
        assert (findings.iloc[0]["period_from"], findings.iloc[0]["period_to"]) == (
            "2024-02",
            "2024-04",
        )


def test_periods_across_a_year_boundary():
    u = Utility()
    u.customer("across", **COMMERCIAL)
    u.monthly(
        "across",
        [100.0, 100.0, 0.0, 0.0, 0.0, 100.0],
        periods=["2023-09", "2023-10", "2023-11", "2023-12", "2024-01", "2024-02"],
        tariff="COM",
    )
    # December and January not billed: November and February are not consecutive (a single month
    # with no bill between 0 kWh bills would belong to the run, fewer than unbilled_account's
    # min_months, 2; test_idle_months.py).
    u.customer("gap", **COMMERCIAL)
    u.monthly(
        "gap",
        [100.0, 100.0, 0.0, 0.0, 0.0, 100.0],
        periods=["2023-09", "2023-10", "2023-11", "2024-02", "2024-03", "2024-04"],
        tariff="COM",
    )
    findings = run(u, "zero_consumption", as_of="2024-02")
    assert findings["customer_id"].tolist() == ["across"]
    row = findings.iloc[0]
    assert (row["period_from"], row["period_to"]) == ("2023-11", "2024-01")
    assert row["revenue_impact"] == pytest.approx(3 * 100 * 0.8)
    assert "0 kWh in 3 consecutive months 2023-11..2024-01" in row["evidence"]


def test_register_rolling_over_is_not_running_backwards():
    u = Utility()
    u.customer("rolled", **COMMERCIAL)
    rolled = u.monthly(
        "rolled",
        flat(100, 3),
        tariff="COM",
        start_register=99_850.0,
        periods=["2024-01", "2024-02", "2024-03"],
    )
    rolled[1]["register_end"], rolled[2]["register_start"] = 50.0, 50.0  # 99,950 → 00,050
    rolled[2]["register_end"] = 150.0
    u.customer("backwards", **COMMERCIAL)
    backwards = u.monthly(
        "backwards",
        flat(100, 3),
        tariff="COM",
        start_register=99_850.0,
        periods=["2024-01", "2024-02", "2024-03"],
    )
    backwards[1]["register_end"], backwards[1]["kwh_billed"] = 99_900.0, 0.0
    backwards[2]["register_start"], backwards[2]["register_end"] = 99_900.0, 100_000.0
    findings = run(u, "register_mismatch")
    assert findings["customer_id"].tolist() == ["backwards"]
    assert (
        "1 bill with the register running backwards (2024-02: 99,950.00 → 99,900.00)"
        in (findings.iloc[0]["evidence"])
    )


def test_meter_test_falls_due_after_whole_calendar_months():
    u = Utility()
    months = [f"2024-{m:02d}" for m in range(1, 9)]
    u.customer("on_time", meter_test_date=pd.Timestamp("2024-03-01"), meter_test_cycle_months=6)
    u.customer("leap_day", meter_test_date=pd.Timestamp("2024-02-29"), meter_test_cycle_months=6)
    for cid in ("on_time", "leap_day"):
        u.monthly(cid, flat(100, 8), periods=months)
    findings = run(u, "meter_test_overdue")
    # Due 1 September: not overdue at the end of August (a 6 × 30.44-day cycle said 30 August).
    assert findings["customer_id"].tolist() == ["leap_day"]
    assert findings.iloc[0]["evidence"] == (
        "last test 2024-02-29, cycle 6 months, due 2024-08-29: 2 days past due at the end of 2024-08"
    )


def test_zero_consumption_during_a_suspension_order_is_expected():
    u = Utility()
    u.customer("resumed", **COMMERCIAL)  # active again today
    u.monthly("resumed", [100.0] * 3 + [0.0] * 4 + [100.0] * 5, tariff="COM")
    u.order("resumed", "suspension", "2024-04-01", 8, 0)
    u.order("resumed", "resumption", "2024-08-01", 0, 8)
    assert run(u, "zero_consumption").empty


def test_synthetic_utility_findings_are_well_formed():
    dataset = Dataset.from_frames(synth.generate(customers=800, districts=2, seed=3))
    findings = run_all(dataset)
    assert findings.duplicated(["rule_id", "customer_id"]).sum() == 0
    assert np.isin(findings["customer_id"], dataset.customers["customer_id"]).all()


def test_tariff_mismatch_where_the_schedule_has_no_better_tariff():
    u = Utility()
    # Commercial at 400 kVA: the schedule has no two-part commercial tariff, so COM is right.
    u.customer("big_shop", contract_capacity_kva=400.0, **COMMERCIAL)
    u.monthly("big_shop", flat(1000), tariff="COM")
    # A public-lighting account on COM: wrong, but the schedule has no public tariff to move it to.
    u.customer("lights", usage_type="public", tariff_category="COM")
    u.monthly("lights", flat(100), tariff="COM")
    findings = run(u, "tariff_mismatch")
    assert findings["customer_id"].tolist() == ["lights"]
    assert findings.iloc[0]["revenue_impact"] == 0
    assert findings.iloc[0]["evidence"] == (
        "public customer archived on tariff COM (for commercial); the schedule offers its usage "
        "no tariff at its voltage: not priced"
    )


def test_change_of_terms_across_months_with_no_bill_is_explained_by_an_order_in_the_gap():
    u = Utility()
    for cid in ("ordered", "silent"):
        u.customer(cid, **COMMERCIAL)
        u.monthly(cid, flat(100, 5), tariff=["COM"] * 3 + ["RES"] * 2, periods=GAP)
    u.order("ordered", "tariff_change", "2024-04-01", "COM", "RES")  # two months before June
    findings = run(u, "change_without_order")
    assert findings["customer_id"].tolist() == ["silent"]
    # COM's 0.8 was due: June on RES at 0.5, July at 0.6, 100 kWh each.
    assert findings.iloc[0]["evidence"] == (
        "billing changed with no work order within ±1 months: tariff COM→RES in 2024-06 "
        "(¥50.00 under-billed since)"
    )


def test_a_bill_lines_table_with_a_header_alone_skips_the_line_rules_as_absent():
    u = Utility()
    u.customer("A", **COMMERCIAL)
    u.monthly("A", flat(1000), tariff="COM")
    tables = u.dataset().tables()
    tables["customers"]["metering_mode"] = "high_low"  # charged its transformer's losses
    tables["bill_lines"] = pd.DataFrame(columns=list(TABLES["bill_lines"].column_names))
    notes: list[str] = []
    findings = run_all(Dataset.from_frames(tables), notes=notes)
    assert {note.replace("is absent", "has no rows") for note in NO_BILL_LINES} <= set(notes)
    assert "loss_not_charged" not in set(findings["rule_id"])  # no line billed is no loss missed
