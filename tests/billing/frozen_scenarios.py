"""Small deterministic synthetic utilities on which the recomputation's output was frozen
(tests/billing/frozen/*.parquet), so a faster recomputation can be held to the very same lines.

The frozen frames were written by `write_frozen` with the recomputation of commit 78f97e6 (before
the integer-coded engine), and written again when kWh due were first rounded to 0.01 kWh (2026-12-07:
quantities moved by float noise below 10⁻⁷ kWh, and four amounts by the half fen that noise had
tipped down); the test compares today's output with them, column by column and fen by fen."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from auditkit.billing import recompute
from auditkit.data import Dataset
from auditkit.synth import generate

FROZEN = Path(__file__).with_name("frozen")
#: The six line rules' faults, injected often so a small utility has each several times.
LINE_FAULTS = (
    "tou_misapplied",
    "tier_misapplied",
    "basic_charge_error",
    "pf_adjustment_error",
    "loss_not_charged",
    "fund_charge_error",
)


def synth_tables() -> dict[str, pd.DataFrame]:
    """A 500-customer, 24-month utility with every line fault on 6 % of its eligible customers."""
    return generate(customers=500, months=24, seed=18, rates=dict.fromkeys(LINE_FAULTS, 0.06))


def scenarios(tables: dict[str, pd.DataFrame]) -> dict[str, tuple[Dataset, str | None]]:
    """Named datasets (and as_of) covering the recomputation's paths: fully itemized; energy lines
    only (the rest from bill columns); no bill lines, period registers nor pf_adjustment column
    (time-of-use split by the profile, billed sides unknown); funds and the time-of-use column
    missing (notes, empty due sides); bills up to a month."""
    energy_only = dict(tables)
    lines = tables["bill_lines"]
    energy_only["bill_lines"] = lines[lines["line_type"] == "energy"]
    bare = {name: frame for name, frame in tables.items() if name != "bill_lines"}
    registers = ["kwh_critical", "kwh_peak", "kwh_valley", "pf_adjustment"]
    bare["bills"] = tables["bills"].drop(columns=registers)
    missing = dict(tables)
    missing["tariffs"] = tables["tariffs"].drop(columns=["fund_rate"])
    missing["customers"] = tables["customers"].drop(columns=["tou"])
    return {
        "itemized": (Dataset.from_frames(tables), None),
        "energy_lines_only": (Dataset.from_frames(energy_only), None),
        "no_bill_lines": (Dataset.from_frames(bare), None),
        "missing_columns": (Dataset.from_frames(missing), None),
        "as_of": (Dataset.from_frames(tables), "2024-07"),
    }


def frozen(name: str) -> tuple[pd.DataFrame, list[dict]]:
    """The frozen frame of scenario `name` (text columns as object, as recompute gives them) and
    its notes (code and values)."""
    frame = pd.read_parquet(FROZEN / f"{name}.parquet")
    for column in ("customer_id", "period", "line_type", "tou_period", "tariff_due"):
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), None)
    frame["tier"] = frame["tier"].astype("Int64")
    notes = json.loads((FROZEN / f"{name}.notes.json").read_text(encoding="utf-8"))
    return frame, notes


def notes_of(frame: pd.DataFrame) -> list[dict]:
    """A recomputation's notes as plain data (code and values)."""
    return [{"code": note.code, "values": dict(note.values)} for note in frame.attrs["notes"]]


def write_frozen() -> None:
    """Write every scenario's recomputation to FROZEN (run once, with the reference code)."""
    FROZEN.mkdir(exist_ok=True)
    for name, (dataset, as_of) in scenarios(synth_tables()).items():
        frame = recompute(dataset, as_of=as_of)
        notes = notes_of(frame)
        frame.attrs = {}
        frame.to_parquet(FROZEN / f"{name}.parquet", index=False, compression="zstd")
        text = json.dumps(notes, ensure_ascii=False, indent=1, default=str)
        (FROZEN / f"{name}.notes.json").write_text(text + "\n", encoding="utf-8")
