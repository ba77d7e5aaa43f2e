"""A small synthetic utility whose every free-text value is an HTML/script payload.

Built on `auditkit.synth` (so the rules find real irregularities), then district names, customer
ids, names, addresses, tariff categories, order ids, meter readers, operators, transformer areas
and feeders are rewritten consistently across tables,
the dataset folder's name is a payload and an extra input file has a payload name. Each payload
marks its own success in the browser (`window.__pwned`, `document.title`), so a test can tell
"shown as text" from "ran".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from auditkit import synth

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
SVG = '"><svg onload="window.__pwned=3">'
TITLE = "</title><script>document.title='pwned'</script>"
LINK = "javascript:window.__pwned=5"
PAYLOADS = (SCRIPT, IMG, SVG, TITLE, LINK)


@dataclass(frozen=True)
class HostileDataset:
    """The folder, its district names and the personal values a masked report must not show."""

    folder: Path
    districts: tuple[str, ...]
    names: tuple[str, ...]
    addresses: tuple[str, ...]
    phones: tuple[str, ...]


def _renamed(series: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """`series` with the values in `mapping` replaced (others kept)."""
    return series.map(lambda value: mapping.get(value, value) if isinstance(value, str) else value)


def write_hostile_dataset(root: Path, customers: int = 400) -> HostileDataset:
    """Write the hostile utility into a folder under `root` whose name is itself a payload."""
    tables = synth.generate(customers=customers, districts=3, months=24)
    people = tables["customers"]
    districts = dict(
        zip(
            sorted(people["district"].unique()),
            # Each within the 64 characters a key-like text may hold (docs/data.md).
            (f"城{SCRIPT}", f"{SVG}{LINK}", f"{IMG}区"),
            strict=True,
        )
    )
    ids = {
        old: f"{old}{PAYLOADS[i % len(PAYLOADS)]}" for i, old in enumerate(people["customer_id"])
    }
    tariffs = {
        old: f"{old}{PAYLOADS[i % len(PAYLOADS)]}"
        for i, old in enumerate(sorted(tables["tariffs"]["tariff_category"].unique()))
    }
    tables["customers"] = people.assign(
        name=[f"{name}{PAYLOADS[i % len(PAYLOADS)]}" for i, name in enumerate(people["name"])],
        address=[
            f"{a}{PAYLOADS[(i + 1) % len(PAYLOADS)]}" for i, a in enumerate(people["address"])
        ],
    )
    # Meter readers, operators, transformer areas and feeders: payloads with a '$' that
    # mathtext would parse in a chart.
    readers, operators, units = (
        {
            old: f"{old}{PAYLOADS[i % len(PAYLOADS)]}$\\frac$"
            for i, old in enumerate(sorted(set(values.dropna()) - {""}))  # "" is remote: none
        }
        for values in (
            tables["bills"]["reader_id"],
            tables["adjustments"]["operator_id"],
            pd.concat([people["area_id"], people["feeder_id"]]),
        )
    )
    for frame in tables.values():
        for column, mapping in (
            ("district", districts),
            ("auditing_district", districts),
            ("customer_id", ids),
            ("tariff_category", tariffs),
            ("tariff_billed", tariffs),
            ("reader_id", readers),
            ("operator_id", operators),
            ("area_id", units),
            ("feeder_id", units),
            ("unit_id", units),
        ):
            if column in frame.columns:
                frame[column] = _renamed(frame[column], mapping)
    people = tables["customers"]
    orders = tables["work_orders"]
    orders["order_id"] = [
        f"{o}{PAYLOADS[i % len(PAYLOADS)]}" for i, o in enumerate(orders["order_id"])
    ]
    folder = synth.write(tables, root / f"data {IMG} {SVG}")
    (folder / f"notes {IMG}{SVG}.txt").write_text("payload in a file name\n", encoding="utf-8")
    return HostileDataset(
        folder=folder,
        districts=tuple(districts.values()),
        names=tuple(people["name"]),
        addresses=tuple(people["address"]),
        phones=tuple(people["phone"].dropna()),
    )
