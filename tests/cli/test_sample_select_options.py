"""`auditkit sample select --n N` refuses the planning options typed with it: they would plan
nothing, and `sample evaluate` would evaluate at 0.95 whatever --confidence was given."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from auditkit.cli import main


@pytest.fixture
def population(tmp_path: Path) -> Path:
    """Forty bills of 100 + 10·i yuan (i = 0..39): the amounts only need to be positive."""
    path = tmp_path / "bills.csv"
    pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(40)],
            "amount": [100 + 10 * i for i in range(40)],
        }
    ).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        (["--confidence", "0.9"], "--confidence"),
        (["--confidence", "0.95"], "--confidence"),  # the default typed is still typed
        (["--materiality", "0.05"], "--materiality"),
        (["--likelihood", "binomial"], "--likelihood"),
        (["--prior", "impartial"], "--prior"),
        (["--min-precision", "0.02"], "--min-precision"),
        (["--max-n", "30"], "--max-n"),
        (["--expected", "0"], "--expected"),
        (["--confidence", "0.9", "--max-n", "30"], "--confidence, --max-n"),
    ],
)
def test_select_with_n_refuses_the_planning_options_naming_them(
    population: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    typed: list[str],
    named: str,
) -> None:
    sheet = tmp_path / "sheet.xlsx"
    arguments = ["sample", "select", "--frame", str(population), "--units", "values"]
    arguments += ["--values", "amount", "--id", "customer_id", "--n", "5", "--seed", "1"]
    assert main([*arguments, *typed, "--output", str(sheet)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "parameter '--n'" in error
    assert f"found '--n with {named}'" in error
    assert not sheet.exists()


def test_select_with_n_alone_or_planned_without_it_is_drawn(
    population: Path, tmp_path: Path
) -> None:
    """Near misses: --n with no planning option, and a planned sample (no --n) with them."""
    arguments = ["sample", "select", "--frame", str(population), "--units", "values"]
    arguments += ["--values", "amount", "--id", "customer_id", "--seed", "1"]
    given = tmp_path / "given.xlsx"
    assert main([*arguments, "--n", "5", "--output", str(given)]) == 0
    planned = tmp_path / "planned.xlsx"
    planning = ["--materiality", "0.5", "--confidence", "0.9", "--max-n", "30"]
    assert main([*arguments, *planning, "--output", str(planned)]) == 0
    assert given.is_file() and planned.is_file()
