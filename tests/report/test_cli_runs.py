"""The run commands: help on each, bad input as one clear line and a non-zero exit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from report_helpers import write_notebook

from auditkit import cli
from auditkit.cli import runs


@pytest.fixture
def auditkit(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], int]:
    """`auditkit.cli.main` with the run commands registered (however the CLI list is wired)."""
    if runs not in cli._COMMAND_MODULES:
        monkeypatch.setattr(cli, "_COMMAND_MODULES", (*cli._COMMAND_MODULES, runs))
    return cli.main


@pytest.mark.parametrize("command", ["run", "run-all", "verify", "rerun", "demo"])
def test_every_command_has_help(
    auditkit: Callable[[list[str]], int], command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        auditkit([command, "--help"])
    assert exited.value.code == 0
    assert f"usage: auditkit {command}" in capsys.readouterr().out


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_bad_parameters_are_one_line_each(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = write_notebook(tmp_path / "n.ipynb", 'top_n: int = 3  # rows\nlang: str = "zh"\n')
    assert auditkit(["run", str(notebook), "-p", "colour=red", "--outputs", str(tmp_path)]) == 2
    assert "unknown parameter 'colour' for n.ipynb" in _one_error_line(capsys)
    assert auditkit(["run", str(notebook), "-p", "top_n=lots", "--outputs", str(tmp_path)]) == 2
    assert "parameter 'top_n': expected a value of type int, found 'lots'" in _one_error_line(
        capsys
    )
    params = tmp_path / "p.yaml"
    params.write_text("lang: fr\n", encoding="utf-8")
    assert (
        auditkit(["run", str(notebook), "--params", str(params), "--outputs", str(tmp_path)]) == 2
    )
    assert "p.yaml: parameter 'lang'" in _one_error_line(capsys)
    assert auditkit(["run", "no_such_notebook", "--outputs", str(tmp_path)]) == 2
    assert "'NOTEBOOK'" in _one_error_line(capsys)
    assert auditkit(["verify", str(tmp_path)]) == 2
    assert "expected a folder with manifest.json" in _one_error_line(capsys)
    assert list(tmp_path.iterdir()) == [notebook, params]  # nothing ran, nothing written


def test_unknown_district_names_the_parameter(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditkit.demo import demo_data_dir

    code = auditkit(
        [
            "run",
            "district_audit",
            "-p",
            "district=火星",
            "-p",
            f"data_dir={demo_data_dir()}",
            "--outputs",
            str(tmp_path),
        ]
    )
    assert code == 2
    line = _one_error_line(capsys)
    assert "parameter 'district'" in line and "城东" in line and "'火星'" in line


def test_jobs_must_be_positive(
    auditkit: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        auditkit(["run-all", "--jobs", "0"])
    assert exited.value.code == 2
    assert "expected a whole number >= 1, found '0'" in capsys.readouterr().err
