"""`--months` takes 1 to 600 in every command, the window the notebooks take
(`notebook_params.MOST_MONTHS`): more is refused naming the flag, not cut to the bills there are."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from auditkit.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "rules"))
from rule_builder import Utility, flat  # the rules tests' builder


def _dataset(folder: Path) -> Path:
    """One household in 城东, twelve months of 100 kWh."""
    utility = Utility()
    utility.customer("A")
    utility.monthly("A", flat(100))
    return utility.write(folder)


@pytest.mark.parametrize(
    "command",
    [
        ["stats", "benford", "{data}"],
        ["sample", "select", "--data", "{data}", "--n", "1", "--output", "{out}"],
    ],
)
@pytest.mark.parametrize("months", ["0", "601", "100000"])
def test_months_outside_1_to_600_are_refused_naming_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], months: str
) -> None:
    data = _dataset(tmp_path / "data")
    out = tmp_path / "sheet.xlsx"
    arguments = [part.format(data=data, out=out) for part in command]
    assert main([*arguments, "--months", months]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert (
        f"parameter '--months': expected a number of months from 1 to 600, found {months}" in error
    )
    assert not out.exists()


def test_600_months_is_taken_and_said_cut_to_the_bills_there_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Near miss: the limit itself runs, over the twelve months the bills hold."""
    data = _dataset(tmp_path / "data")
    assert main(["stats", "benford", str(data), "--months", "600"]) == 0
    assert "12 of the 600 months asked" in capsys.readouterr().out
