"""`auditkit sample` refusals name the flag the user typed, not the Python parameter behind it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sampling_builders import accounts, fill_items, run

from auditkit.errors import ParameterError


@pytest.fixture
def frame(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.csv"
    accounts(40).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--n", "0"], "--n"),
        (["--n", "5", "--seed", "-1"], "--seed"),
        (["--n", "5", "--strata", "tariff"], "--strata"),
        (["--n", "5", "--start", "-1"], "--start"),
    ],
)
def test_a_select_refusal_names_the_flag(
    frame: Path, tmp_path: Path, flags: list[str], named: str
) -> None:
    select = ["sample", "select", "--frame", str(frame), "--output", str(tmp_path / "s.xlsx")]
    with pytest.raises(ParameterError) as refused:
        run([*select, *flags])
    assert refused.value.name == named


def test_select_from_the_demo_names_months_and_district(tmp_path: Path) -> None:
    select = [
        "sample",
        "select",
        "--data",
        "demo",
        "--n",
        "5",
        "--output",
        str(tmp_path / "s.xlsx"),
    ]
    with pytest.raises(ParameterError) as months:
        run([*select, "--district", "城东", "--units", "values", "--months", "0"])
    assert months.value.name == "--months"
    with pytest.raises(ParameterError) as district:
        run([*select, "--district", "火星"])
    assert district.value.name == "--district"


def test_an_evaluate_refusal_names_the_flag(frame: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "s.xlsx"
    assert run(["sample", "select", "--frame", str(frame), "--n", "5", "--output", str(sheet)]) == 0
    fill_items(sheet)
    with pytest.raises(ParameterError) as auditor:
        run(["sample", "evaluate", "--sheet", str(sheet), "--audit-kind", "cross"])
    assert auditor.value.name == "--auditing-district"
    with pytest.raises(ParameterError) as taints:  # Stringer needs a sheet's taints
        run(["sample", "evaluate", "--x", "2", "--n", "100", "--method", "stringer"])
    assert taints.value.name == "--sheet"
    # near miss: the same counts by the binomial are evaluated
    assert run(["sample", "evaluate", "--x", "2", "--n", "100", "--method", "binomial"]) == 0
