"""Text auditkit's CSV writer guarded against formulas (a leading apostrophe) loads as it was
written, in CSV and .xlsx text columns; any other leading apostrophe stays."""

from __future__ import annotations

import itertools
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from sample_dataset import load_errors, write_dataset

from auditkit.data import load
from auditkit.formulas import GUARDED_PATTERN, csv_bytes, defuse, needs_apostrophe


def write_as_auditkit(frame: pd.DataFrame, path: Path) -> None:
    """`frame` as auditkit writes a CSV (the formula guard, UTF-8 with a BOM)."""
    path.write_bytes(csv_bytes(frame))


def test_an_inspections_file_auditkit_wrote_loads_its_bureaus_and_customers_as_they_were(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """`'-审计组` loaded as a bureau that does not exist, and `'@SUM(1)` was refused as no
    customer in customers."""
    for frame in tables.values():
        if "customer_id" in frame:
            frame["customer_id"] = frame["customer_id"].replace("C003", "@SUM(1)")
    tables["inspections"]["customer_id"] = ["C001", "@SUM(1)"]
    tables["inspections"]["auditing_district"] = ["-审计组", "=1+1"]
    for table, frame in tables.items():
        write_as_auditkit(frame, dataset_dir / f"{table}.csv")
    assert "'-审计组" in (dataset_dir / "inspections.csv").read_text(encoding="utf-8-sig")

    dataset = load(dataset_dir)

    assert dataset.inspections["auditing_district"].tolist() == ["-审计组", "=1+1"]
    assert dataset.inspections["customer_id"].tolist() == ["C001", "@SUM(1)"]
    assert dataset.customers["customer_id"].tolist() == ["C001", "C002", "@SUM(1)"]


GUARDED_TEXTS = [
    "-审计组",
    "=1+1",
    "+86 571",
    "@SUM(1)",
    "＝城西",
    "  -城西",
    "\u3000＠城西",
    "'城西",
    "''城西",
    "'-城西",
]


def test_every_text_the_guard_writes_reads_back_as_it_was(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """`defuse` doubles a leading apostrophe too, so `'城西` is written `''城西` and reads back
    `'城西`. (Texts with leading spaces read trimmed, as any cell does.)"""
    count = len(GUARDED_TEXTS)
    tables["inspections"] = pd.concat([tables["inspections"].iloc[[0]]] * count, ignore_index=True)
    tables["inspections"]["auditing_district"] = GUARDED_TEXTS
    write_dataset(tables, dataset_dir)
    write_as_auditkit(tables["inspections"], dataset_dir / "inspections.csv")

    read = load(dataset_dir).inspections["auditing_district"].tolist()

    assert read == [text.strip() for text in GUARDED_TEXTS]


def test_an_apostrophe_before_anything_else_stays(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """Written by another program (not through the guard), `'城西` and `'00123` are the text."""
    tables["inspections"]["auditing_district"] = ["'城西", "'00123"]
    write_dataset(tables, dataset_dir)

    read = load(dataset_dir).inspections["auditing_district"].tolist()

    assert read == ["'城西", "'00123"]


def test_an_xlsx_saved_from_a_guarded_csv_reads_the_text_without_the_guard(
    tables: dict[str, pd.DataFrame], make_dataset
) -> None:
    """Excel opens auditkit's CSV with the apostrophe in the cell, and saves it so."""
    tables["inspections"]["auditing_district"] = ["'-审计组", "''城西"]
    folder = make_dataset(tables, "xlsx")
    sheet = openpyxl.load_workbook(folder / "inspections.xlsx").active
    assert sheet["D2"].value == "'-审计组"

    read = load(folder).inspections["auditing_district"].tolist()

    assert read == ["-审计组", "'城西"]


def test_a_parquet_file_keeps_its_apostrophes(
    tables: dict[str, pd.DataFrame], make_dataset
) -> None:
    """auditkit's Parquet is not guarded: a leading apostrophe there is the text's own."""
    tables["inspections"]["auditing_district"] = ["'-审计组", "''城西"]

    read = load(make_dataset(tables, "parquet")).inspections["auditing_district"].tolist()

    assert read == ["'-审计组", "''城西"]


def test_a_guarded_cell_in_a_number_column_is_not_unguarded_but_refused(
    dataset_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """The guard is for text: auditkit writes numbers as numbers, never `'-5`."""
    tables["inspections"]["book_value"] = ["'-5", "10"]
    write_dataset(tables, dataset_dir)

    assert load_errors(dataset_dir) == [
        'inspections.csv row 2, column book_value: expected a number, found "\'-5"'
    ]


def test_the_pattern_matches_exactly_what_the_guard_makes() -> None:
    """The loader's RE2 pattern and `defuse` agree on every text of up to three characters
    from the guard's alphabet (apostrophe, formula starts, whitespace, other text)."""
    alphabet = ["'", "=", "+", "-", "@", "\t", "\r", "\n", " ", "\u3000", "\xa0", "＝", "a", "城"]
    texts = ["".join(chars) for n in (1, 2, 3) for chars in itertools.product(alphabet, repeat=n)]
    guarded = pc.match_substring_regex(pa.array(texts), GUARDED_PATTERN).to_pylist()

    made_by_the_guard = [text.startswith("'") and needs_apostrophe(text[1:]) for text in texts]

    assert guarded == made_by_the_guard
    assert all(
        matched == (defuse(text[1:]) == text)
        for text, matched in zip(texts, guarded, strict=True)
        if text.startswith("'")
    )


@pytest.mark.parametrize("text", ["'", "'城西", "'0", "' ", "'\u3000"])
def test_an_apostrophe_alone_or_before_plain_text_is_not_taken_for_the_guard(text: str) -> None:
    assert not pc.match_substring_regex(pa.array([text]), GUARDED_PATTERN)[0].as_py()
