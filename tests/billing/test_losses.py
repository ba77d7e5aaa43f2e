"""Transformer losses of high_low customers (DL/T 686 average load), to the kWh and the fen."""

from __future__ import annotations

import numpy as np
import pandas as pd
from billing_builders import Billing
from charges_builders import TWO_PART, bills, dataset, line, rates, recompute_row

from auditkit.billing import recompute
from auditkit.billing.losses import loss_lines, losses_unknown
from auditkit.billing.params import load_billing_params
from auditkit.data import Dataset

PARAMS = load_billing_params()
S11_630 = {"kva": 630, "no_load_loss_kw": 0.81, "load_loss_kw": 6.2}
S11_400 = {"kva": 400, "no_load_loss_kw": 0.57, "load_loss_kw": 4.52}


def unit(transformer_id: str, status: str = "running", since: str | None = None, **size) -> dict:
    return {
        "customer_id": "C1",
        "transformer_id": transformer_id,
        "status": status,
        "status_since": since,
        **(size or S11_630),
    }


def test_one_630_kva_transformer_over_30_days():
    # T = 24 × 30 = 720 h; Ap = 180 000 kWh, Aq = 80 000 + 10 000 = 90 000 kvarh.
    # P0·T = 0.81 × 720 = 583.2
    # Pk·(Ap² + Aq²)/(Sn²·T) = 6.2 × (3.24e10 + 8.1e9)/(630² × 720) = 6.2 × 4.05e10/285 768 000
    #                        = 6.2 × 141.72336 = 878.68481
    # loss = 583.2 + 878.68481 = 1461.88 → 1462 kWh; × 0.6152 = 899.4224 → 899.42 yuan.
    frame = bills(
        {
            "metering_mode": "high_low",
            "kwh_due": 180_000,
            "kvarh_import": 80_000,
            "kvarh_export": 10_000,
        }
    )
    lines = loss_lines(frame, rates({"flat_rate": 0.6152}), dataset([unit("T1")]), PARAMS)
    found = line(lines)
    assert found["line_type"] == "loss"
    assert found["quantity"] == 1462
    assert found["rate"] == 0.6152
    assert found["amount"] == 899.42
    assert not found["estimated"]


def test_two_running_transformers_share_the_load_by_kva():
    # 31 days: T = 744 h; Ap = 200 000 kWh, Aq = 0; Sn 400 + 630 = 1030 kVA.
    # Unit 400 carries 200 000 × 400/1030 = 77 669.9 kWh: Pk term 4.52 × 77 669.9²/(400² × 744)
    #   = 4.52 × 50.67720 = 229.0609; unit 630 carries 122 330.1 kWh: 6.2 × 122 330.1²/(630² × 744)
    #   = 6.2 × 50.67720 = 314.1987 (each unit at the same load factor).
    # No-load: (0.57 + 0.81) × 744 = 1026.72. Loss = 1026.72 + 229.0609 + 314.1987 = 1569.98 → 1570.
    # × 0.5 = 785.00 yuan.
    frame = bills(
        {"period": "2024-05", "metering_mode": "high_low", "kwh_due": 200_000, "kvarh_import": 0}
    )
    units = [unit("T1", **S11_400), unit("T2")]
    found = line(loss_lines(frame, rates({"flat_rate": 0.5}), dataset(units), PARAMS))
    assert found["quantity"] == 1570
    assert found["amount"] == 785.00


def test_a_sealed_transformer_carries_no_loss():
    # T1 (400 kVA) sealed on 2024-05-20, before the read period ends: only T2 runs and carries all
    # the load. 0.81 × 744 + 6.2 × 200 000²/(630² × 744) = 602.64 + 6.2 × 135.45688 = 1442.48
    # → 1442 kWh; × 0.5 = 721.00 yuan. Sealed on 2024-06-01 (after the read period) it still runs:
    # 1570 kWh as with two running transformers.
    frame = bills(
        {"period": "2024-05", "metering_mode": "high_low", "kwh_due": 200_000, "kvarh_import": 0}
    )
    for sealed_on, loss in (("2024-05-20", 1442), ("2024-06-01", 1570)):
        units = [
            unit("T1", since="2023-01-01", **S11_400),
            unit("T1", "sealed", since=sealed_on, **S11_400),
            unit("T2"),
        ]
        found = line(loss_lines(frame, rates({"flat_rate": 0.5}), dataset(units), PARAMS))
        assert found["quantity"] == loss
        assert found["amount"] == loss * 0.5


def test_only_high_low_bills_and_only_running_transformers():
    # High-high metering has no loss line; a customer whose transformers are all cold standby or
    # not yet installed on the last read day has none either (no loss, nothing unknown).
    frame = bills(
        {"metering_mode": "high_high", "kwh_due": 1000, "kvarh_import": 0},
        {"customer_id": "C2", "metering_mode": "high_low", "kwh_due": 1000, "kvarh_import": 0},
        {"customer_id": "C3", "metering_mode": "high_low", "kwh_due": 1000, "kvarh_import": 0},
    )
    units = [
        unit("T1"),
        {**unit("T2", "cold_standby"), "customer_id": "C2"},
        {**unit("T3", since="2024-05-01"), "customer_id": "C3"},
    ]
    dataset_ = dataset(units)
    assert loss_lines(frame, rates({}, {}, {}), dataset_, PARAMS).empty
    assert not losses_unknown(frame, dataset_, PARAMS).any()


def test_loss_table_without_transformers_and_the_table_method():
    # No transformers table: the contract capacity (630 kVA) with the loss table's 630 entry gives
    # the 630 kVA case above, 1462 kWh. Without a table entry: no line, losses unknown.
    frame = bills(
        {
            "metering_mode": "high_low",
            "contract_capacity_kva": 630,
            "kwh_due": 180_000,
            "kvarh_import": 90_000,
        },
        {"metering_mode": "high_low", "contract_capacity_kva": 500, "kwh_due": 1000},
    )
    table = {630: {"no_load_loss_kw": 0.81, "load_loss_kw": 6.2}}
    params = load_billing_params(overrides={"loss_table": table})
    lines = loss_lines(frame, rates({"flat_rate": 0.6152}, {"flat_rate": 0.6}), dataset(), params)
    assert lines["bill"].tolist() == [0]
    assert line(lines)["quantity"] == 1462
    assert losses_unknown(frame, dataset(), params).tolist() == [False, True]
    # The second bill has no reactive registers: its losses, once known, are estimated (Aq = 0).
    # 500 kVA at P0 0.68, Pk 5.1 over 720 h: 489.6 + 5.1 × 1000²/(500² × 720) = 489.63 → 490.
    table[500] = {"no_load_loss_kw": 0.68, "load_loss_kw": 5.1}
    params = load_billing_params(overrides={"loss_table": table})
    found = line(
        loss_lines(frame, rates({"flat_rate": 0.6}, {"flat_rate": 0.6}), dataset(), params), 1
    )
    assert found["quantity"] == 490
    assert found["amount"] == 294.00
    assert found["estimated"]
    # loss_method "table" prefers the table to the nameplate: a nameplate P0 of 2.0 kW is ignored;
    # by default the nameplate holds: 2.0 × 720 + 878.68481 = 2318.68 → 2319 kWh.
    tabled = load_billing_params(overrides={"loss_table": table, "loss_method": "table"})
    nameplate = dataset([{**unit("T1"), "no_load_loss_kw": 2.0}])
    first = frame.iloc[[0]]
    assert line(loss_lines(first, rates({"flat_rate": 0.6}), nameplate, tabled))["quantity"] == 1462
    assert line(loss_lines(first, rates({"flat_rate": 0.6}), nameplate, PARAMS))["quantity"] == 2319


def test_missing_nameplate_losses_fall_back_to_the_table_else_unknown():
    frame = bills({"metering_mode": "high_low", "kwh_due": 180_000, "kvarh_import": 90_000})
    bare = dataset([{**unit("T1"), "no_load_loss_kw": np.nan, "load_loss_kw": np.nan}])
    assert loss_lines(frame, rates({"flat_rate": 0.6}), bare, PARAMS).empty
    assert losses_unknown(frame, bare, PARAMS).tolist() == [True]
    table = load_billing_params(
        overrides={"loss_table": {630: {"no_load_loss_kw": 0.81, "load_loss_kw": 6.2}}}
    )
    assert line(loss_lines(frame, rates({"flat_rate": 0.6}), bare, table))["quantity"] == 1462


def test_recompute_finds_losses_not_charged():
    # The 630 kVA high_low customer above, billed 180 000 kWh without losses (loss_kwh 0): the
    # loss row shows 1462 kWh due × 0.60 (IND2's flat rate) = 877.20 yuan, nothing billed,
    # difference 877.20.
    b = Billing()
    b.customer("I1", **{**TWO_PART, "metering_mode": "high_low"}, contract_capacity_kva=630.0)
    b.bill(
        "I1",
        "2024-04",
        180_000,
        0.60,
        tariff="IND2",
        kvarh_import=80_000,
        kvarh_export=10_000,
        loss_kwh=0.0,
    )
    tables = b.tables()
    tables["transformers"] = pd.DataFrame(
        [{"customer_id": "I1", "transformer_id": "T1", "status": "running", **S11_630}]
    )
    result = recompute(Dataset.from_frames(tables))
    found = recompute_row(result, "loss", "2024-04")
    assert (found["quantity_due"], found["rate_due"], found["amount_due"]) == (1462, 0.60, 877.20)
    assert found["amount_billed"] == 0
    assert found["difference"] == 877.20


def test_losses_are_unknown_where_the_contract_capacity_is_unknown():
    """A high_low customer without transformer rows is one transformer of its contract capacity:
    before an increase to 630 kVA from 2024-05-20 that records no old capacity, that capacity is
    unknown, so April has no loss line and counts in the note losses_unknown (nothing raises);
    June is the 630 kVA case above, 1462 kWh × 0.60 = 877.20."""
    b = Billing()
    b.customer("I1", **{**TWO_PART, "metering_mode": "high_low"}, contract_capacity_kva=630.0)
    b.order("I1", "capacity_increase", "2024-05-20", old="", new=630)
    for period in ("2024-04", "2024-06"):
        b.bill(
            "I1",
            period,
            180_000,
            0.60,
            tariff="IND2",
            kvarh_import=80_000,
            kvarh_export=10_000,
            loss_kwh=0.0,
        )
    table = {630: {"no_load_loss_kw": 0.81, "load_loss_kw": 6.2}}
    result = recompute(b.dataset(), params={"loss_table": table})
    losses = result[result["line_type"] == "loss"]
    assert losses["period"].tolist() == ["2024-06"]
    june = recompute_row(result, "loss", "2024-06")
    assert (june["quantity_due"], june["amount_due"]) == (1462, 877.20)
    notes = [(note.code, note.values) for note in result.attrs["notes"]]
    assert ("losses_unknown", {"count": 1}) in notes
