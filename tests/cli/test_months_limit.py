"""`--months` takes 1 to 600 in every command, the window the notebooks take
(`notebook_params.MOST_MONTHS`): more is refused naming the flag, not cut to the bills there are."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditkit.cli import main


@pytest.mark.parametrize(
    "command",
    [
        ["stats", "benford", "{data}"],
        ["sample", "select", "--data", "{data}", "--n", "1", "--output", "{out}"],
    ],
)
@pytest.mark.parametrize("months", ["0", "601", "100000"])
def test_months_outside_1_to_600_are_refused_naming_the_flag(
    tmp_path: Path,
    household_data: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    months: str,
) -> None:
    data = household_data
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
    tmp_path: Path, household_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Near miss: the limit itself runs, over the twelve months the bills hold."""
    data = household_data
    assert main(["stats", "benford", str(data), "--months", "600"]) == 0
    assert "12 of the 600 months asked" in capsys.readouterr().out
