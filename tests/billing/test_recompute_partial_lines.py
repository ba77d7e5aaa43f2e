"""recompute on exports that itemize only some line types: the bill's own columns carry the rest
(basic charge, power-factor adjustment, loss kWh, funds; an empty cell is nothing billed), a type
itemized elsewhere and not a column of the bills was billed 0, and a type neither itemized nor a
column of the bills is unknown, not 0."""

from __future__ import annotations

import pandas as pd
import pytest
from billing_builders import Billing, line_of

from auditkit.billing import recompute
from auditkit.data import Dataset

#: IND2: 0.60 yuan/kWh, 30 yuan per kVA-month, 40 per kW-month, funds 0.03 yuan/kWh.
TWO_PART = {
    "usage_type": "industrial",
    "tariff_category": "IND2",
    "voltage_kv": 10.0,
    "basic_charge_basis": "capacity",
    "contract_capacity_kva": 315.0,
    "metering_mode": "high_high",
}
#: The S11-630 transformer of tests/billing/test_losses.py: 180 000 kWh, 80 000 + 10 000 kvarh in
#: April (720 h) give 1462 loss kWh, × 0.60 = 877.20 yuan.
S11_630 = {"kva": 630, "no_load_loss_kw": 0.81, "load_loss_kw": 6.2}


def _notes(result: pd.DataFrame) -> dict[tuple[str, str | None], dict]:
    return {(n.code, n.values.get("line_type")): n.values for n in result.attrs["notes"]}


def test_basic_and_funds_come_from_the_bill_columns_where_only_energy_is_itemized():
    # 10 000 kWh × 0.60 = 6000.00 itemized; basic 315 kVA × 30 = 9450.00 and funds
    # 10 000 × 0.03 = 300.00 in the bill's columns. February's basic charge is 9000.00:
    # under-billed by 450.00 (not by 9450.00 as if nothing had been billed).
    b = Billing()
    b.customer("I1", **TWO_PART)
    for period, basic in (("2024-01", 9450.0), ("2024-02", 9000.0)):
        b.bill(
            "I1",
            period,
            10000,
            0.60,
            tariff="IND2",
            capacity_billed_kva=315.0,
            basic_charge=basic,
            fund_charge=300.0,
        )
        b.line("I1", period, "energy", 10000, 0.60)
    result = recompute(b.dataset())
    assert result["line_type"].tolist() == ["energy", "basic", "fund"] * 2
    basic = line_of(result, "I1", "2024-01", "basic")
    assert (basic["quantity_billed"], basic["amount_billed"]) == (315.0, 9450.0)
    assert basic["rate_billed"] == pytest.approx(30.0, abs=1e-12)
    assert basic["difference"] == 0.0
    assert line_of(result, "I1", "2024-02", "basic")["difference"] == 450.0
    fund = line_of(result, "I1", "2024-01", "fund")
    assert (fund["quantity_billed"], fund["amount_billed"], fund["difference"]) == (
        10000.0,
        300.0,
        0.0,
    )
    assert not any(code == "billed_unknown" for code, _ in _notes(result))


def test_a_demand_basis_basic_charge_in_the_bill_columns_is_quantified_by_the_maximum_demand():
    # Demand basis, 1000 kVA: 300 kW demanded → billed kW max(300, 0.40 × 1000) = 400 × 40 =
    # 16 000.00 due; the bill's basic charge 12 000.00 (300 kW × 40): under-billed 4000.00.
    b = Billing()
    b.customer(
        "D1", **{**TWO_PART, "basic_charge_basis": "demand", "contract_capacity_kva": 1000.0}
    )
    b.bill(
        "D1",
        "2024-01",
        10000,
        0.60,
        tariff="IND2",
        capacity_billed_kva=1000.0,
        max_demand_kw=300.0,
        basic_charge=12000.0,
        fund_charge=300.0,
    )
    b.line("D1", "2024-01", "energy", 10000, 0.60)
    basic = line_of(recompute(b.dataset()), "D1", "2024-01", "basic")
    assert (basic["quantity_billed"], basic["rate_billed"]) == (300.0, 40.0)
    assert (basic["quantity_due"], basic["amount_due"], basic["difference"]) == (
        400.0,
        16000.0,
        4000.0,
    )


def test_the_power_factor_adjustment_in_the_bill_columns_is_rated_on_the_billed_base():
    # Standard 0.90, 6000 kWh and 3500 kvarh: PF 6000 / √(6000² + 3500²) = 0.8638 → 0.86,
    # +0.5 × (90 − 86) = +2 % of 3600.00 energy + 9450.00 basic = 13 050.00 → 261.00.
    b = Billing()
    b.customer("P1", **TWO_PART, pf_standard=0.90)
    b.bill(
        "P1",
        "2024-01",
        6000,
        0.60,
        tariff="IND2",
        capacity_billed_kva=315.0,
        kvarh_import=3500.0,
        basic_charge=9450.0,
        pf_adjustment=261.0,
        fund_charge=180.0,
    )
    b.line("P1", "2024-01", "energy", 6000, 0.60)
    b.line("P1", "2024-01", "basic", 315, 30.0)
    result = recompute(b.dataset())
    pf = line_of(result, "P1", "2024-01", "pf_adjustment")
    assert (pf["quantity_billed"], pf["amount_billed"]) == (13050.0, 261.0)
    assert pf["rate_billed"] == pytest.approx(0.02, abs=1e-12)
    assert (pf["quantity_due"], pf["rate_due"], pf["amount_due"], pf["difference"]) == (
        13050.0,
        0.02,
        261.0,
        0.0,
    )
    assert line_of(result, "P1", "2024-01", "fund")["difference"] == 0.0


def _high_low(b: Billing, customer_id: str, *, energy_lines: list[tuple[float, float]] | None):
    """A 630 kVA high_low customer's April bill: 180 000 kWh, 1462 loss kWh, energy charge
    108 000.00 + 877.20 = 108 877.20 (the loss energy inside it, DATA.md), basic 630 × 30 =
    18 900.00, funds 181 462 × 0.03 = 5443.86; `energy_lines` (kWh, rate) itemized, or a basic
    line only where None."""
    b.customer(
        customer_id, **{**TWO_PART, "metering_mode": "high_low", "contract_capacity_kva": 630.0}
    )
    b.bill(
        customer_id,
        "2024-04",
        180_000,
        0.60,
        tariff="IND2",
        energy_charge=108_877.20,
        kvarh_import=80_000.0,
        kvarh_export=10_000.0,
        capacity_billed_kva=630.0,
        basic_charge=18_900.0,
        loss_kwh=1462.0,
        fund_charge=5443.86,
    )
    if energy_lines is None:
        b.line(customer_id, "2024-04", "basic", 630, 30.0)
    for kwh, rate in energy_lines or ():
        b.line(customer_id, "2024-04", "energy", kwh, rate)


def _with_transformers(b: Billing) -> Dataset:
    tables = b.tables()
    ids = sorted({row["customer_id"] for row in b.customers})
    tables["transformers"] = pd.DataFrame(
        [
            {"customer_id": c, "transformer_id": f"T-{c}", "status": "running", **S11_630}
            for c in ids
        ]
    )
    return Dataset.from_frames(tables)


def test_loss_kwh_in_the_bill_columns_is_charged_what_the_energy_charge_holds_beyond_its_lines():
    # L1 itemizes 180 000 kWh × 0.60 = 108 000.00: the loss charged is 108 877.20 − 108 000.00 =
    # 877.20 for 1462 kWh (0.60), as due. L2's energy line holds the loss kWh too (181 462 kWh,
    # 108 877.20): nothing is left for the loss row (billed 1462 kWh, 0.00, difference +877.20)
    # and its energy row is over-billed by as much (−877.20): the bill nets to 0.
    b = Billing()
    _high_low(b, "L1", energy_lines=[(180_000, 0.60)])
    _high_low(b, "L2", energy_lines=[(181_462, 0.60)])
    result = recompute(_with_transformers(b))
    loss = line_of(result, "L1", "2024-04", "loss")
    assert (loss["quantity_billed"], loss["amount_billed"], loss["quantity_due"]) == (
        1462.0,
        877.20,
        1462.0,
    )
    assert loss["rate_billed"] == pytest.approx(0.60, abs=1e-12)
    assert loss["difference"] == 0.0
    rows = result[result["customer_id"] == "L1"]
    assert rows["line_type"].tolist() == ["energy", "loss", "basic", "fund"]
    assert (rows["difference"] == 0).all()
    assert line_of(result, "L1", "2024-04", "fund")["quantity_billed"] == 181_462.0
    loss = line_of(result, "L2", "2024-04", "loss")
    assert (loss["quantity_billed"], loss["amount_billed"], loss["difference"]) == (
        1462.0,
        0.0,
        877.20,
    )
    assert line_of(result, "L2", "2024-04")["difference"] == -877.20
    assert result.loc[result["customer_id"] == "L2", "difference"].sum() == pytest.approx(0.0)


def test_energy_not_itemized_takes_the_bill_columns_with_the_loss_at_the_energy_rate():
    # Only the basic line is itemized: energy and loss as a bill without lines reads them —
    # loss 1462 × 0.60 = 877.20, energy 108 877.20 − 877.20 = 108 000.00 for 180 000 kWh.
    b = Billing()
    _high_low(b, "L3", energy_lines=None)
    result = recompute(_with_transformers(b))
    energy = line_of(result, "L3", "2024-04")
    assert (energy["quantity_billed"], energy["amount_billed"], energy["difference"]) == (
        180_000.0,
        108_000.0,
        0.0,
    )
    loss = line_of(result, "L3", "2024-04", "loss")
    assert (loss["amount_billed"], loss["difference"]) == (877.20, 0.0)
    assert (result["difference"] == 0).all()


def _fund_bills(b: Billing) -> None:
    """I2 itemizes its funds (10 000 × 0.03 = 300.00); I3 and I4 itemize energy only, I3's
    fund_charge empty, I4's 0."""
    for customer in ("I2", "I3", "I4"):
        b.customer(customer, **TWO_PART)
        b.line(customer, "2024-01", "energy", 10000, 0.60)
    b.bill("I2", "2024-01", 10000, 0.60, tariff="IND2", basic_charge=9450.0, fund_charge=300.0)
    b.line("I2", "2024-01", "fund", 10000, 0.03)
    b.bill("I3", "2024-01", 10000, 0.60, tariff="IND2", basic_charge=9450.0, fund_charge=None)
    b.bill("I4", "2024-01", 10000, 0.60, tariff="IND2", basic_charge=9450.0, fund_charge=0.0)


def test_a_type_not_itemized_on_a_bill_whose_column_is_empty_or_0_was_billed_nothing():
    b = Billing()
    _fund_bills(b)
    result = recompute(b.dataset())
    for customer in ("I3", "I4"):
        fund = line_of(result, customer, "2024-01", "fund")
        assert (fund["amount_billed"], fund["amount_due"], fund["difference"]) == (
            0.0,
            300.0,
            300.0,
        )
    assert line_of(result, "I2", "2024-01", "fund")["difference"] == 0.0


def test_a_type_neither_itemized_nor_a_filled_cell_of_the_bills_is_unknown_not_billed_nothing():
    # Without I2's fund line no bill itemizes funds. With the fund_charge column, I4's 0 says
    # nothing was billed; I3's empty cell says nothing, as the column missing says nothing (its
    # amount may hold the funds): its difference empty, and a note. Without the column, what
    # was billed is unknown: amount_billed and difference empty on every fund line due.
    b = Billing()
    _fund_bills(b)
    b.lines = [line for line in b.lines if line["line_type"] != "fund"]
    result = recompute(b.dataset())
    assert line_of(result, "I4", "2024-01", "fund")["difference"] == 300.0
    blank = line_of(result, "I3", "2024-01", "fund")
    assert blank["amount_due"] == 300.0 and pd.isna(blank["difference"])
    assert _notes(result)[("billed_unknown", "fund")]["count"] == 1
    tables = b.tables()
    tables["bills"] = tables["bills"].drop(columns="fund_charge")
    result = recompute(Dataset.from_frames(tables))
    for customer in ("I2", "I3", "I4"):
        unknown = line_of(result, customer, "2024-01", "fund")
        assert unknown["amount_due"] == 300.0
        assert pd.isna(unknown["amount_billed"]) and pd.isna(unknown["quantity_billed"])
        assert pd.isna(unknown["rate_billed"]) and pd.isna(unknown["difference"])
    assert line_of(result, "I2", "2024-01", "basic")["difference"] == 0.0
    note = _notes(result)[("billed_unknown", "fund")]
    assert note == {"line_type": "fund", "count": 3, "column": "bills.fund_charge"}
    text = next(n for n in result.attrs["notes"] if n.code == "billed_unknown")
    assert "bills.fund_charge" in text.text("en") and "代征基金及附加" in text.text("zh")


def test_a_type_itemized_elsewhere_and_not_a_column_of_the_bills_was_billed_nothing():
    # I2 itemizes its funds; the bills have no fund_charge column: I3 and I4 were billed none.
    b = Billing()
    _fund_bills(b)
    tables = b.tables()
    tables["bills"] = tables["bills"].drop(columns="fund_charge")
    result = recompute(Dataset.from_frames(tables))
    for customer in ("I3", "I4"):
        assert line_of(result, customer, "2024-01", "fund")["difference"] == 300.0
    assert line_of(result, "I2", "2024-01", "fund")["difference"] == 0.0
    assert ("billed_unknown", "fund") not in _notes(result)


def test_a_type_itemized_only_on_a_line_of_no_known_bill_is_itemized_all_the_same():
    # The only fund line is of a month no bill has (I2's bill of 2024-02 is missing): the export
    # still itemizes funds, so I3 and I4, without the fund_charge column, were billed none.
    b = Billing()
    _fund_bills(b)
    for line in b.lines:
        if line["line_type"] == "fund":
            line["period"] = "2024-02"
    tables = b.tables()
    tables["bills"] = tables["bills"].drop(columns="fund_charge")
    result = recompute(Dataset.from_frames(tables))
    for customer in ("I2", "I3", "I4"):
        assert line_of(result, customer, "2024-01", "fund")["amount_billed"] == 0.0
    assert ("billed_unknown", "fund") not in _notes(result)
