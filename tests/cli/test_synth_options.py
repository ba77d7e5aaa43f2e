"""`auditkit synth` refuses a seed or a first month it cannot honour, naming the flag, before
any table is built or any folder written."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditkit.cli import main


@pytest.mark.parametrize("seed", ["-1", str(2**64)])
def test_synth_refuses_a_seed_outside_0_to_2_64_as_every_command_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: str
) -> None:
    out = tmp_path / "data"
    assert main(["synth", "--customers", "50", "--seed", seed, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert "parameter '--seed': expected a whole number from 0 to 2^64 − 1" in error
    assert f"found {seed}" in error and not out.exists()


@pytest.mark.parametrize("start", ["2010-01", "2018-01"])
def test_synth_refuses_a_start_the_tariffs_cannot_price_naming_the_earliest_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start: str
) -> None:
    """The schedule starts 2018-01-01; a 2018-01 bill read on the 25th reads from 2017-12-25."""
    out = tmp_path / "data"
    assert main(["synth", "--customers", "50", "--start", start, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "parameter '--start': expected a month from 2018-02 on" in error
    assert f"found '{start}'" in error and not out.exists()


@pytest.mark.parametrize("start", ["2262-01", "9990-01"])
def test_synth_refuses_a_start_past_the_latest_month_naming_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start: str
) -> None:
    """Before, 2262-01 wrote a dataset with 2,569 validate errors (exit 0) and 9990-01 was a
    NotImplementedError traceback."""
    out = tmp_path / "data"
    assert main(["synth", "--customers", "50", "--start", start, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert "parameter '--start': expected a month up to 2199-01" in error  # 24 months end 2200-12
    assert f"found '{start}'" in error and not out.exists()


def test_synth_refuses_months_that_run_past_the_latest_month_naming_months(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2199-01 + 25 months ends 2201-01, past 2200-12: 24 months at most (2199-01 .. 2200-12)."""
    out = tmp_path / "data"
    argv = ["synth", "--customers", "50", "--start", "2199-01", "--months", "25"]
    assert main([*argv, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "parameter '--months': expected at most 24 months from --start 2199-01" in error
    assert "found 25" in error and not out.exists()


def test_the_edges_synth_takes_are_checked_as_valid(tmp_path: Path) -> None:
    """Near misses: seed 2^64 − 1 and start 2018-02 pass the check (no dataset is built here)."""
    from auditkit.synth import SynthConfig

    SynthConfig(customers=50, seed=2**64 - 1, start="2018-02").check()
    SynthConfig(customers=50, seed=0).check()
    SynthConfig(customers=50, start="2199-01", months=24).check()  # its last month is 2200-12
