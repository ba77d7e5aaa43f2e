"""`sample evaluate --audit-kind cross` takes as auditor a district of the data other than the
one audited: its own inspectors make a self-audit, and counted as cross it would skew the
self- versus cross-audit comparison; one that is no district of the data is a slip."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sampling_builders import accounts, fill_items, first_district, run, utility

from auditkit.errors import ParameterError
from auditkit.sampling import read_field_sheet


@pytest.fixture
def filled_sheet(tmp_path: Path) -> Path:
    """A filled sheet of 10 of 城东's 40 accounts, none in error."""
    frame = tmp_path / "accounts.csv"
    accounts(40, district="城东").to_csv(frame, index=False)
    sheet = tmp_path / "sheet.xlsx"
    assert run(["sample", "select", "--frame", str(frame), "--n", "10", "--seed", "1",
                "--output", str(sheet)]) == 0  # fmt: skip
    fill_items(sheet)
    return sheet


def evaluate_cross(sheet: Path, auditor: str, *more: str) -> int:
    return run(["sample", "evaluate", "--sheet", str(sheet), "--audit-kind", "cross",
                "--auditing-district", auditor, *more])  # fmt: skip


def test_a_cross_audit_by_the_audited_district_is_refused_naming_the_flag(
    filled_sheet: Path, tmp_path: Path
) -> None:
    inspections = tmp_path / "inspections.csv"
    with pytest.raises(ParameterError) as refused:
        evaluate_cross(filled_sheet, "城东", "--inspections", str(inspections))
    assert refused.value.name == "--auditing-district" and refused.value.found == "城东"
    assert not inspections.exists()  # nothing counted
    with pytest.raises(ParameterError) as in_python:
        read_field_sheet(filled_sheet, audit_kind="cross", auditing_district="城东")
    assert in_python.value.name == "auditing_district"
    # near misses: another district cross-audits, 城东 self-audits
    assert evaluate_cross(filled_sheet, "城西", "--inspections", str(inspections)) == 0
    assert set(pd.read_csv(inspections)["auditing_district"]) == {"城西"}
    own = read_field_sheet(filled_sheet, audit_kind="self", auditing_district="城东")
    assert set(own.inspections["auditing_district"]) == {"城东"}


def test_an_auditor_the_appended_inspections_never_name_is_refused(
    filled_sheet: Path, tmp_path: Path
) -> None:
    inspections = tmp_path / "inspections.csv"
    pd.DataFrame(
        {
            "customer_id": ["X1", "X2"],
            "inspected_at": ["2025-05-01", "2025-05-02"],
            "audit_kind": ["self", "self"],
            "auditing_district": ["城东", "城西"],
            "error_found": [False, False],
        }
    ).to_csv(inspections, index=False)
    with pytest.raises(ParameterError) as refused:
        evaluate_cross(filled_sheet, "火星", "--inspections", str(inspections), "--append")
    assert refused.value.name == "--auditing-district" and refused.value.found == "火星"
    assert len(pd.read_csv(inspections)) == 2  # left as it was
    # near miss: 城西, a district the table records, is appended
    assert evaluate_cross(filled_sheet, "城西", "--inspections", str(inspections), "--append") == 0
    assert len(pd.read_csv(inspections)) == 12


def test_an_auditor_that_is_no_district_of_the_data_the_sheet_was_drawn_from_is_refused(
    tmp_path: Path,
) -> None:
    folder = utility(tmp_path / "utility", customers=60, seed=3)
    audited = first_district(folder)
    other = next(name for name in pd.read_parquet(folder / "customers.parquet")["district"].unique()
                 if name != audited)  # fmt: skip
    sheet = tmp_path / "sheet.xlsx"
    assert run(["sample", "select", "--data", str(folder), "--district", audited, "--n", "5",
                "--seed", "1", "--output", str(sheet)]) == 0  # fmt: skip
    fill_items(sheet)
    inspections = tmp_path / "inspections.csv"
    with pytest.raises(ParameterError) as refused:
        evaluate_cross(sheet, "火星", "--inspections", str(inspections))
    # Before: written as 火星's five cross-audits (caught only with --append, by the table).
    districts = ", ".join(sorted([audited, other]))
    assert str(refused.value) == (
        "parameter '--auditing-district': expected one of the districts of the data the sample "
        f"was drawn from ({districts}), found '火星'"
    )
    assert not inspections.exists()
    # near misses: the other district of the data cross-audits; a sheet of a population table
    # records no districts, so its auditor is taken as typed (--append checks it against the
    # table); and the audited district itself is still refused as its own cross-auditor
    assert evaluate_cross(sheet, other, "--inspections", str(inspections)) == 0
    assert set(pd.read_csv(inspections)["auditing_district"]) == {other}
    frame = tmp_path / "accounts.csv"
    accounts(40, district=audited).to_csv(frame, index=False)
    table_sheet = tmp_path / "table_sheet.xlsx"
    assert run(["sample", "select", "--frame", str(frame), "--n", "10", "--seed", "1",
                "--output", str(table_sheet)]) == 0  # fmt: skip
    fill_items(table_sheet)
    assert evaluate_cross(table_sheet, "火星") == 0
    with pytest.raises(ParameterError, match="other than the one audited"):
        evaluate_cross(sheet, audited)
