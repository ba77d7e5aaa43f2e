"""A rule's raw findings finished into worklist rows: names from the archive, text columns."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from auditkit.data.column_typing import TEXT_DTYPE
from auditkit.rules.evidence import clause
from auditkit.rules.findings import FINDING_COLUMNS, empty_raw, raw
from auditkit.rules.library import RULES
from auditkit.rules.worklist import _finish

COMMON = {"severity_high_yuan": 1000.0, "penalty_regime_date": "2024-03-01"}
TEXT_COLUMNS = ("rule_id", "area", "customer_id", "district", "evidence", "evidence_code")


def _archive(text_dtype: object) -> SimpleNamespace:
    return SimpleNamespace(
        customers=pd.DataFrame(
            {
                "customer_id": pd.Series(["C0", "C1", "C2"], dtype=text_dtype),
                "district": pd.Series(["东区", "西区", "东区"], dtype=text_dtype),
            }
        )
    )


def _two_findings() -> pd.DataFrame:
    evidence = [[clause("revenue", amount=1500.0)], [clause("revenue", amount=20.0)]]
    return raw(
        np.array([2, 0]), np.array([24290, 24291]), np.array([24292, 24291]), evidence,
        np.array([1500.0, 20.0]), np.array([0.9, 0.4]),
    )  # fmt: skip


def test_findings_name_their_customers_and_keep_their_texts_as_text():
    for archive_dtype in (TEXT_DTYPE, object):  # an archive held as objects: texts inferred
        finished = _finish(
            _two_findings(), RULES["fund_charge_error"], _archive(archive_dtype), COMMON
        )
        assert list(finished.columns) == list(FINDING_COLUMNS)
        assert finished["customer_id"].tolist() == ["C2", "C0"]
        assert finished["district"].tolist() == ["东区", "东区"]
        assert finished["severity"].tolist() == ["high", "medium"]  # from 1,000 yuan: high
        assert finished["period_from"].tolist() == ["2024-03", "2024-04"]
        assert finished["evidence_code"].iloc[1] == '[{"code":"revenue","amount":20.0}]'
        for column in TEXT_COLUMNS:
            assert finished[column].dtype == TEXT_DTYPE, column


def test_a_rule_without_findings_keeps_the_empty_columns_it_always_had():
    finished = _finish(empty_raw(), RULES["fund_charge_error"], _archive(TEXT_DTYPE), COMMON)
    assert finished.empty
    assert list(finished.columns) == list(FINDING_COLUMNS)
    for column in ("customer_id", "district", "evidence", "evidence_code"):
        assert finished[column].dtype == object, column
    assert finished["rule_id"].dtype == TEXT_DTYPE


def test_a_finding_may_carry_its_own_revenue_kind_and_only_a_known_one():
    rule = RULES["loss_not_charged"]  # proved, unless a finding says otherwise
    found = _two_findings()
    assert _finish(found, rule, _archive(TEXT_DTYPE), COMMON)["revenue_kind"].tolist() == [
        "proved",
        "proved",
    ]
    found["revenue_kind"] = np.array(["estimated", "proved"], dtype=object)
    finished = _finish(found, rule, _archive(TEXT_DTYPE), COMMON)
    assert finished["revenue_kind"].tolist() == ["estimated", "proved"]
    found["revenue_kind"] = np.array(["estimated", "guessed"], dtype=object)
    with pytest.raises(ValueError, match="loss_not_charged: unknown revenue kind"):
        _finish(found, rule, _archive(TEXT_DTYPE), COMMON)
