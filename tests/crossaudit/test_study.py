"""The cross-audit study behind the notebook, on a Dataset built in memory."""

from __future__ import annotations

import pandas as pd
import pytest

from auditkit.crossaudit import presentation as view
from auditkit.crossaudit.study import cross_audit_study, read_round
from auditkit.data import Dataset
from auditkit.errors import ParameterError


def _dataset(with_inspections: bool = True) -> Dataset:
    customers = pd.DataFrame(
        {"customer_id": [f"{d}{i}" for d in "ABC" for i in range(10)],
         "district": [d for d in "ABC" for _ in range(10)]}
    )  # fmt: skip
    rows = []
    for district in "ABC":
        for index in range(12):
            for kind, auditor, found in (("self", district, index < 1), ("cross", "X", index < 4)):
                rows.append(
                    {"customer_id": f"{district}{index % 10}", "audit_kind": kind,
                     "auditing_district": auditor, "error_found": found,
                     "inspected_at": pd.Timestamp(f"2024-{index + 1:02d}-10"),
                     "book_value": 100.0, "audited_value": 150.0 if found else 100.0}
                )  # fmt: skip
    inspections = pd.DataFrame(rows) if with_inspections else None
    return Dataset(customers=customers, inspections=inspections)


def test_study_assigns_and_compares(tmp_path):
    dataset = _dataset()
    study = cross_audit_study(dataset, seed=4, lang="en")
    assert sorted(study.assignment["audited_district"]) == ["A", "B", "C"]
    figures = study.headline_figures("en")
    assert figures["Inspections"] == 72
    assert figures["Self-audit rate (%)"] == pytest.approx(100 / 12)
    previous = tmp_path / "round.csv"
    study.assignment.to_csv(previous, index=False, encoding="utf-8-sig")
    again = cross_audit_study(dataset, seed=4, previous_round=previous)
    assert not set(map(tuple, again.assignment.to_numpy())) & set(
        map(tuple, study.assignment.to_numpy())
    )
    assert read_round(previous).equals(study.assignment)


def test_as_of_capacity_and_focus():
    dataset = _dataset()
    study = cross_audit_study(
        dataset, district="B", as_of="2024-06", seed=1, capacity={"A": 2, "B": 1, "C": 1}
    )
    assert study.headline_figures("en")["Inspections"] == 12  # B's, January to June
    assert view.district_table(study.comparison, "en", "B")["District"].tolist() == ["B"]
    assert study.loads["capacity_share"].tolist() == [0.5, 0.25, 0.25]


def test_without_inspections_and_bad_parameters(tmp_path):
    study = cross_audit_study(_dataset(with_inspections=False), seed=1, lang="en")
    assert study.comparison is None and "no inspections" in study.notes[0]
    assert study.headline_figures("en") == {"Districts": 3.0}
    with pytest.raises(ParameterError, match="'district'"):
        cross_audit_study(_dataset(), district="Z")
    with pytest.raises(ParameterError, match="'as_of'"):
        cross_audit_study(_dataset(), as_of="June")
    with pytest.raises(ParameterError, match="'previous_round'"):
        cross_audit_study(_dataset(), previous_round=tmp_path / "missing.csv")
    before_any = cross_audit_study(_dataset(), as_of="2023-12", seed=1, lang="en")
    assert before_any.comparison.by_district.empty
    assert "Too few inspections" in before_any.comparison.conclusions("en")[0]


def test_formatted_tables_in_both_languages():
    study = cross_audit_study(_dataset(), seed=2, lang="zh")
    comparison = study.comparison
    assert list(view.assignment_table(study.assignment, "zh").columns) == ["检查单位", "被检查单位"]
    rates = view.rates_table(comparison, "en")
    assert rates.loc[0, "95 % interval"].endswith("%") and rates.loc[0, "Audit kind"] == "self"
    overall = view.overall_table(comparison, "zh")
    assert overall["检验"].tolist() == ["两比例 z 检验（单侧）", "Fisher 精确检验（单侧）"]
    model = view.model_table(comparison, "en")
    assert model.loc[0, "Term"] == "self vs cross"
    loads = view.loads_table(study.loads, "en")
    assert loads["Share of capacity"].tolist() == ["33.3%"] * 3
