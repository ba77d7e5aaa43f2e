"""`auditkit convert SRC DST` names what the user typed (DST, --customers-per-part,
--batch-rows) and says a file is a file; it never writes over one."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditkit.cli import main


def test_convert_onto_a_file_is_refused_as_a_file_naming_dst(
    tmp_path: Path, household_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = household_data
    hostname = tmp_path / "hostname"
    hostname.write_text("auditbox\n", encoding="utf-8")
    assert main(["convert", str(data), str(hostname)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "parameter 'DST': expected a new folder" in error
    assert f"found '{hostname}, a file'" in error
    assert hostname.read_text(encoding="utf-8") == "auditbox\n"


@pytest.mark.parametrize(
    ("flag", "named"),
    [("--customers-per-part", "'--customers-per-part'"), ("--batch-rows", "'--batch-rows'")],
)
def test_convert_names_its_flags_as_typed(
    tmp_path: Path, household_data: Path, capsys: pytest.CaptureFixture[str], flag: str, named: str
) -> None:
    data = household_data
    assert main(["convert", str(data), str(tmp_path / "out"), flag, "0"]) == 2
    assert f"parameter {named}: expected a whole number ≥ 1, found 0" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_convert_into_its_source_names_dst(
    tmp_path: Path, household_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = household_data
    assert main(["convert", str(data), str(data / "sub")]) == 2
    assert "parameter 'DST': expected a folder outside the source dataset" in (
        capsys.readouterr().err
    )


def test_convert_to_a_new_folder_is_written(tmp_path: Path, household_data: Path) -> None:
    """Near miss: a new folder beside the source."""
    data = household_data
    assert main(["convert", str(data), str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "customers").is_dir()
