"""Builders the sampling tests share: populations of accounts and bills, a synthetic utility."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from auditkit import synth
from auditkit.cli import sample
from auditkit.sampling.fieldsheet import header_columns


def run(argv: list[str]) -> int:
    """Run an `auditkit sample` command line in-process (parsed as the CLI parses it); its
    exit code."""
    parser = argparse.ArgumentParser(prog="auditkit")
    sample.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def accounts(count: int, district: str = "城南", prefix: str = "A") -> pd.DataFrame:
    """`count` accounts of one district, ids A0, A1 ... (a population to sample by items)."""
    return pd.DataFrame(
        {"customer_id": [f"{prefix}{i}" for i in range(count)], "district": district}
    )


def bills(
    amounts: Sequence[float],
    district: object = "城东",
    period: str = "2025-06",
    prefix: str = "C",
    width: int = 3,
) -> pd.DataFrame:
    """One bill per amount, ids C000, C001 ... (a population to sample by values)."""
    return pd.DataFrame(
        {
            "customer_id": [f"{prefix}{i:0{width}d}" for i in range(len(amounts))],
            "district": district,
            "period": period,
            "amount": [float(amount) for amount in amounts],
        }
    )


def fill_values(sheet: Path, changed: float = 1.2) -> None:
    """Fill a sheet by values: the first row audited at `changed` times its book value, the
    others at their book value, all inspected on 2025-06-30."""
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    for row in range(header_row + 1, rows.max_row + 1):
        book = rows.cell(row, columns["book_value"]).value
        rows.cell(row, columns["audited_value"]).value = book * (
            changed if row == header_row + 1 else 1
        )
        rows.cell(row, columns["inspected_at"]).value = "2025-06-30"
    workbook.save(sheet)


def fill_items(sheet: Path, errors: int = 0) -> None:
    """Fill a sheet by items: the first `errors` rows an error, the others none."""
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    for row in range(header_row + 1, rows.max_row + 1):
        rows.cell(row, columns["error_found"]).value = "是" if row - header_row <= errors else "否"
        rows.cell(row, columns["inspected_at"]).value = "2025-06-30"
    workbook.save(sheet)


def utility(folder: Path, customers: int, seed: int) -> Path:
    """A small synthetic utility (2 districts, 24 months) written as Parquet into `folder`, with
    10 % of its customers irregular so that each district has flagged accounts and misstated
    bills to sample."""
    config = synth.SynthConfig(
        customers=customers, districts=2, months=24, seed=seed, irregular_share=0.1
    )
    return Path(synth.write(synth.generate(config), folder, fmt="parquet", config=config))


def first_district(utility_dir: Path) -> str:
    """The first district (in sort order) of a utility written by `utility`."""
    return str(sorted(pd.read_parquet(utility_dir / "customers.parquet")["district"].unique())[0])
