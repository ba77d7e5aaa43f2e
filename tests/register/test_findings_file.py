"""A findings file read for a worklist is held to the findings contract of `auditkit rules`
(`register.findings_file`): every hand edit that breaks it is named by file, row and column,
what was expected and what was found, before anything is chosen or written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from worklist_builders import finding, findings

from auditkit.errors import ParameterError
from auditkit.formulas import csv_bytes
from auditkit.register.findings_file import FindingsFileError, read_findings_file
from auditkit.register.keys import finding_keys
from auditkit.register.worklist import select_worklist
from auditkit.rules import RULES


def run() -> pd.DataFrame:
    """Three findings as `auditkit rules` gives them: two in 城东, one in 城西."""
    return findings(
        finding("C1", 500.0),
        finding("C2", 300.0, rule_id="estimated_streak", area=RULES["estimated_streak"].area),
        finding("C3", 100.0, district="城西", period_from="2024-10"),
    )


def as_csv(frame: pd.DataFrame, path: Path) -> Path:
    """`frame` written as `auditkit rules` writes findings.csv (BOM, formula guard)."""
    path.write_bytes(csv_bytes(frame))
    return path


def edited(column: str, value: object, row: int = 1) -> pd.DataFrame:
    """The run with one cell (row `row`, 0-based) edited by hand, as text in a CSV."""
    frame = run().astype({"revenue_impact": object, "penalty": object, "score": object})
    frame.loc[row, column] = value
    return frame


def refused(path: Path) -> list[str]:
    with pytest.raises(FindingsFileError) as caught:
        read_findings_file(path)
    message = str(caught.value)
    assert "None" not in message and "[" not in message  # no Python wording
    return message.splitlines()


def test_findings_as_auditkit_rules_writes_them_are_read_with_numbers_as_numbers(tmp_path):
    path = as_csv(run(), tmp_path / "findings.csv")
    read = read_findings_file(path)
    assert read["revenue_impact"].tolist() == [500.0, 300.0, 100.0]
    assert read["customer_id"].tolist() == ["C1", "C2", "C3"]
    run().to_parquet(tmp_path / "findings.parquet")
    from_folder = read_findings_file(tmp_path)  # the folder: its Parquet file first
    assert from_folder["revenue_impact"].tolist() == [500.0, 300.0, 100.0]


@pytest.mark.parametrize(
    ("column", "value", "expected", "found"),
    [
        ("rule_id", "bogus", "the id of one of the", "'bogus'"),
        ("customer_id", "", "a value", "an empty cell"),
        ("customer_id", "  ", "a value", "an empty cell"),
        ("district", "", "a value", "an empty cell"),
        ("period_from", "2024/01", "a month YYYY-MM (01-12)", "'2024/01'"),
        ("period_to", "2024-13", "a month YYYY-MM (01-12)", "'2024-13'"),
        ("period_to", "2024-01", "a month on or after the row's period_from",
         "'2024-01' (period_from is '2024-09')"),
        ("severity", "critical", "one of high, medium, low", "'critical'"),
        ("revenue_kind", "guessed", "one of proved, estimated", "'guessed'"),
        ("area", "metering", "the area of the row's rule in the rule catalog",
         f"'metering' (rule estimated_streak is in {RULES['estimated_streak'].area})"),
        ("revenue_impact", "-5", "an amount of at least 0", "-5.0"),
        ("penalty", "-0.01", "an amount of at least 0", "-0.01"),
        ("score", "1.5", "a score from 0 to 1", "1.5"),
        ("revenue_impact", "562,823.15", "a number (digits and a decimal point", "'562,823.15'"),
        ("score", "", "a number (digits and a decimal point", "an empty cell"),
        ("evidence_code", "not json", "evidence_code as `auditkit rules` writes it",
         "'not json'"),
    ],
)  # fmt: skip
def test_a_cell_edited_by_hand_is_named_by_file_row_and_column(
    tmp_path, column: str, value: str, expected: str, found: str
) -> None:
    path = as_csv(edited(column, value), tmp_path / "findings.csv")
    lines = refused(path)
    assert lines[0] == (
        f"{path}: 1 error against the findings contract (what `auditkit rules` writes, "
        "docs/worklist.md); nothing chosen, no sheet written"
    )
    # the second finding: row 3 of the CSV, whose header is row 1
    assert lines[1].startswith(f"{path} row 3, column {column}: expected {expected}")
    assert lines[1].endswith(f", found {found}")
    assert len(lines) == 2


def test_a_column_removed_is_named(tmp_path) -> None:
    path = as_csv(run().drop(columns=["evidence_code"]), tmp_path / "findings.csv")
    assert refused(path)[1:] == [
        f"{path}, column evidence_code: expected a column evidence_code, as `auditkit rules` "
        "writes it, found no such column in the header"
    ]


def test_a_row_copied_is_named_with_the_row_it_repeats(tmp_path) -> None:
    frame = run()
    path = as_csv(pd.concat([frame, frame.iloc[[1]]], ignore_index=True), tmp_path / "f.csv")
    key = finding_keys(frame).iloc[1]
    assert refused(path)[1:] == [
        f"{path} row 5, column customer_id, rule_id and period_from: expected each finding "
        "once: one row per customer, rule and start period, found the finding of row 3 again "
        f"(finding_key {key})"
    ]


def test_every_problem_is_listed_together_in_row_order(tmp_path) -> None:
    frame = edited("severity", "critical", row=2)
    frame.loc[0, "rule_id"] = "bogus"
    frame.loc[2, "period_from"] = "2024/10"
    path = as_csv(frame, tmp_path / "findings.csv")
    lines = refused(path)
    assert lines[0].startswith(f"{path}: 3 errors against the findings contract")
    assert [line.split(":")[0] for line in lines[1:]] == [
        f"{path} row 2, column rule_id",
        f"{path} row 4, column severity",
        f"{path} row 4, column period_from",
    ]


def test_rows_are_the_files_rows_blank_lines_and_line_breaks_in_cells_included(tmp_path):
    """As `auditkit validate` counts: a blank line is a row of the file, a quoted line break
    in a cell is not; rows of empty fields are no findings and are left out."""
    frame = edited("severity", "critical", row=2)
    frame.loc[0, "evidence"] = "two\nlines"
    text = csv_bytes(frame).decode("utf-8-sig").splitlines(keepends=True)
    # header, row 2 (its evidence over two lines), a blank line, `,,,`, rows 5 and 6
    blank = "," * (len(frame.columns) - 1) + "\n"
    path = tmp_path / "findings.csv"
    path.write_text("".join([*text[:3], "\n", blank, *text[3:]]), encoding="utf-8")
    assert refused(path)[1].startswith(f"{path} row 6, column severity:")
    frame.loc[2, "severity"] = "high"
    path.write_text(
        "".join([*csv_bytes(frame).decode("utf-8-sig").splitlines(keepends=True), "\n", blank]),
        encoding="utf-8",
    )
    assert len(read_findings_file(path)) == 3  # the blank rows are no findings


def test_a_parquet_file_counts_its_first_record_as_row_1(tmp_path) -> None:
    frame = run()
    frame.loc[1, "customer_id"] = None
    frame.loc[2, "score"] = np.nan
    frame.insert(0, "finding_key", finding_keys(run()).to_numpy())
    frame.loc[0, "finding_key"] = "0000000000000000"
    path = tmp_path / "findings.parquet"
    frame.to_parquet(path)
    assert refused(path)[1:] == [
        f"{path} row 1, column finding_key: expected the key of the row's customer_id, rule_id "
        f"and period_from, found '0000000000000000' (their key is {finding_keys(run()).iloc[0]})",
        f"{path} row 2, column customer_id: expected a value, found an empty cell",
        f"{path} row 3, column score: expected a number (digits and a decimal point, no "
        "thousands separators, as `auditkit rules` writes it), found an empty cell",
    ]


def test_many_problems_of_a_kind_are_shown_ten_and_counted(tmp_path) -> None:
    frame = pd.concat([run()] * 8, ignore_index=True)
    frame["customer_id"] = [f"C{number}" for number in range(len(frame))]
    frame["severity"] = "critical"
    lines = refused(as_csv(frame, tmp_path / "findings.csv"))
    assert lines[0].split(": ")[1].startswith("24 errors")
    assert len(lines) == 1 + 10 + 1
    assert lines[-1] == (
        f"... and 14 more rows in {tmp_path / 'findings.csv'}, column severity "
        "(expected one of high, medium, low)"
    )


def test_no_findings_file_is_a_parameter_error(tmp_path) -> None:
    with pytest.raises(ParameterError, match="parameter 'FINDINGS': expected a folder holding"):
        read_findings_file(tmp_path)


def test_select_worklist_refuses_a_finding_given_twice_naming_its_rows() -> None:
    frame = run()
    twice = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    key = finding_keys(frame).iloc[0]
    with pytest.raises(ParameterError) as caught:
        select_worklist(twice, by="revenue", top=5)
    assert str(caught.value) == (
        "parameter 'findings': expected each finding once: one row per customer_id, rule_id and "
        f"period_from, found 'rows 1 and 4 with finding_key {key}'"
    )
