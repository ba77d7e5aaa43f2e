"""`sample evaluate --audit-kind cross` takes as auditor a district of the data other than the
one audited: its own inspectors make a self-audit, and counted as cross it would skew the
self- versus cross-audit comparison."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sampling_builders import accounts, fill_items, run

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
