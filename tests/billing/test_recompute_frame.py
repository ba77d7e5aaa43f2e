"""recompute: the frame's shape and order, billed and due sides outer-joined, bills billed right,
line kinds not recomputed, and parameter errors naming the parameter."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from billing_builders import Billing, line_of

from auditkit.billing import RECOMPUTE_COLUMNS, load_billing_params, recompute
from auditkit.data import Dataset
from auditkit.errors import ParameterError

TWO_PART = {
    "usage_type": "industrial",
    "tariff_category": "IND2",
    "voltage_kv": 10.0,
    "basic_charge_basis": "capacity",
    "contract_capacity_kva": 315.0,
    "metering_mode": "high_high",
}


def _two_part(b: Billing, customer_id: str, *, lines: bool) -> None:
    """A two-part bill billed right: energy 10,000 × 0.60 = 6000.00, basic 315 kVA × 30 = 9450.00,
    funds 10,000 × 0.03 = 300.00; no power-factor standard, no losses (high_high)."""
    b.customer(customer_id, **TWO_PART)
    b.bill(
        customer_id,
        "2024-01",
        10000,
        0.60,
        tariff="IND2",
        capacity_billed_kva=315.0,
        basic_charge=9450.0,
        fund_charge=300.0,
        amount=15750.0,
    )
    if lines:
        b.line(customer_id, "2024-01", "energy", 10000, 0.60)
        b.line(customer_id, "2024-01", "basic", 315, 30.0)
        b.line(customer_id, "2024-01", "fund", 10000, 0.03)


def test_a_bill_billed_right_differs_by_nothing_on_every_line_with_or_without_lines():
    b = Billing()
    _two_part(b, "I1", lines=True)
    _two_part(b, "I2", lines=False)
    result = recompute(b.dataset())
    assert tuple(result.columns[: len(RECOMPUTE_COLUMNS)]) == RECOMPUTE_COLUMNS
    for customer in ("I1", "I2"):
        rows = result[result["customer_id"] == customer]
        assert rows["line_type"].tolist() == ["energy", "basic", "fund"]
        assert rows["amount_due"].tolist() == [6000.0, 9450.0, 300.0]
        assert rows["amount_billed"].tolist() == [6000.0, 9450.0, 300.0]
        assert rows["rate_due"].tolist() == [0.60, 30.0, 0.03]
        assert rows["rate_billed"].tolist() == pytest.approx([0.60, 30.0, 0.03], abs=1e-12)
        assert (rows["difference"] == 0).all()
        assert (rows["tariff_due"] == "IND2").all()


def test_lines_billed_and_not_due_and_due_and_not_billed_are_both_shown():
    b = Billing()
    b.customer("I3", **TWO_PART)
    b.bill("I3", "2024-01", 10000, 0.60, tariff="IND2", basic_charge=9450.0, fund_charge=0.0)
    b.line("I3", "2024-01", "energy", 10000, 0.60)
    b.line("I3", "2024-01", "basic", 315, 30.0)
    # A loss line on a customer metered on the high side: billed 50 × 0.60 = 30.00, not due.
    b.line("I3", "2024-01", "loss", 50, 0.60)
    # No fund line billed and fund_charge 0: 10,000 × 0.03 = 300.00 due.
    result = recompute(b.dataset())
    assert result["line_type"].tolist() == ["energy", "loss", "basic", "fund"]
    loss = line_of(result, "I3", "2024-01", "loss")
    assert (loss["quantity_billed"], loss["amount_billed"]) == (50.0, 30.0)
    assert (loss["quantity_due"], loss["amount_due"], loss["difference"]) == (0.0, 0.0, -30.0)
    assert pd.isna(loss["rate_due"])
    fund = line_of(result, "I3", "2024-01", "fund")
    assert (fund["quantity_billed"], fund["amount_billed"]) == (0.0, 0.0)
    assert pd.isna(fund["rate_billed"])
    assert (fund["amount_due"], fund["difference"]) == (300.0, 300.0)


def test_lines_of_one_kind_are_summed_and_rated_by_their_average():
    b = Billing()
    b.customer("C1")
    # Two billed energy lines of one kind: 400 × 0.80 = 320.00 and 600 × 0.90 = 540.00 → 1000 kWh,
    # 860.00, rate 0.86. Due (January, before the change): 1000 × 0.80 = 800.00.
    b.bill("C1", "2024-01", 1000, 0.86)
    b.line("C1", "2024-01", "energy", 400, 0.80)
    b.line("C1", "2024-01", "energy", 600, 0.90)
    row = line_of(recompute(b.dataset()), "C1", "2024-01")
    assert (row["quantity_billed"], row["amount_billed"]) == (1000.0, 860.0)
    assert row["rate_billed"] == pytest.approx(0.86, abs=1e-12)
    assert row["difference"] == -60.0


def test_rows_are_sorted_by_customer_period_and_line_kind():
    b = Billing()
    b.customer("B2")
    b.customer("A1")
    b.bill("B2", "2024-02", 10, 0.80)
    b.bill("B2", "2024-01", 10, 0.80)
    b.bill("A1", "2024-01", 10, 0.80)
    result = recompute(b.dataset())
    assert list(zip(result["customer_id"], result["period"], strict=True)) == [
        ("A1", "2024-01"),
        ("B2", "2024-01"),
        ("B2", "2024-02"),
    ]
    assert result.index.tolist() == [0, 1, 2]


def test_a_line_kind_whose_data_is_missing_is_not_recomputed_and_says_so():
    b = Billing()
    _two_part(b, "I1", lines=True)
    tables = b.tables()
    tables["tariffs"] = tables["tariffs"].drop(columns="fund_rate")
    result = recompute(Dataset.from_frames(tables))
    fund = line_of(result, "I1", "2024-01", "fund")
    assert fund["amount_billed"] == 300.0
    assert pd.isna(fund["amount_due"]) and pd.isna(fund["difference"])
    notes = {n.code: n for n in result.attrs["notes"]}
    assert notes["not_recomputed"].values == {"line_type": "fund", "missing": ["tariffs.fund_rate"]}
    assert "tariffs.fund_rate" in notes["not_recomputed"].text("en")
    assert "代征基金及附加" in notes["not_recomputed"].text("zh")
    # The energy and basic lines are recomputed as before.
    assert line_of(result, "I1", "2024-01", "basic")["difference"] == 0.0


def test_a_tariff_category_without_a_row_in_force_leaves_the_amount_due_empty():
    b = Billing()
    b.customer("X1", tariff_category="MKT")
    b.bill("X1", "2024-03", 100, 0.45, tariff="MKT")  # market rows stop in February
    result = recompute(b.dataset())
    assert pd.isna(line_of(result, "X1", "2024-03")["amount_due"])
    note = next(n for n in result.attrs["notes"] if n.code == "no_rate")
    assert note.values == {"count": 1, "categories": ["MKT"]}


@pytest.mark.parametrize("as_of", ["2024-13", "2024-1", "202401", 202401])
def test_as_of_must_be_a_month(as_of):
    b = Billing()
    b.customer("C1")
    b.bill("C1", "2024-01", 10, 0.80)
    with pytest.raises(ParameterError) as error:
        recompute(b.dataset(), as_of=as_of)
    assert error.value.name == "as_of"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"days_per_month": "thirty"}, "billing.days_per_month"),
        ({"tou_profile.peak": 0.9}, "billing.tou_profile"),
        ({"no_such_thing": 1}, "billing"),
        (42, "params"),
    ],
)
def test_bad_params_are_refused_by_name(params, name):
    b = Billing()
    b.customer("C1")
    b.bill("C1", "2024-01", 10, 0.80)
    with pytest.raises(ParameterError) as error:
        recompute(b.dataset(), params=params)
    assert error.value.name == name


def test_params_may_be_given_as_billing_params():
    b = Billing()
    b.customer("C1")
    b.bill("C1", "2024-01", 10, 0.80)
    params = load_billing_params(overrides={"days_per_month": 31})
    assert line_of(recompute(b.dataset(), params=params), "C1", "2024-01")["difference"] == 0.0


def _frame_types(result: pd.DataFrame) -> list[tuple[str, str]]:
    return [(name, str(dtype)) for name, dtype in result.dtypes.items()]


def test_no_bill_up_to_as_of_or_no_bill_at_all_gives_an_empty_frame_of_the_same_columns():
    b = Billing()
    _two_part(b, "I1", lines=True)
    b.customer("T1", tariff_category="TOU", voltage_kv=10.0, tou=True, usage_type="industrial")
    b.bill("T1", "2024-03", 100, 0.60, tariff="TOU", kwh_peak=30.0)
    b.line("T1", "2024-03", "energy", 30, 0.95, tou_period="peak")
    b.order("I1", "capacity_increase", "2024-01-10", 200, 315)
    dataset = b.dataset()
    full = recompute(dataset)
    assert len(full) > 0
    for empty in (
        recompute(dataset, as_of="2023-12"),
        recompute(replace(dataset, bills=dataset.bills.iloc[:0])),
        recompute(replace(dataset, bills=dataset.bills.iloc[:0], bill_lines=None)),
    ):
        assert len(empty) == 0
        assert _frame_types(empty) == _frame_types(full)
        assert isinstance(empty.attrs["notes"], list)
