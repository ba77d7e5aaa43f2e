"""`auditkit validate DIR` through the real entry point, with the data commands registered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import auditkit.cli
from auditkit.cli import data as data_cli


@pytest.fixture(autouse=True)
def _validate_command_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the data commands as the lead's one-line wiring will (independent of it)."""
    modules = tuple(auditkit.cli._COMMAND_MODULES)
    if data_cli not in modules:
        monkeypatch.setattr(auditkit.cli, "_COMMAND_MODULES", (*modules, data_cli))


ROWS_READ = [
    "customers: 3 rows read from customers.csv",
    "bills: 6 rows read from bills.csv",
    "tariffs: 3 rows read from tariffs.csv",
    "work_orders: 2 rows read from work_orders.csv",
    "inspections: 2 rows read from inspections.csv",
    "district_supply: 4 rows read from district_supply.csv",
    "daily_reads: 3 rows read from daily_reads.csv",
    "truth: 1 row read from truth.csv",
]


def test_valid_folder_exits_zero_and_says_the_rows_read_per_table(
    dataset_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = auditkit.cli.main(["validate", str(dataset_dir)])

    assert status == 0
    assert capsys.readouterr().out.splitlines() == [*ROWS_READ, "0 errors, 0 warnings"]


def test_the_rows_read_show_a_table_whose_malformed_rows_were_not_read(
    dataset_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = dataset_dir / "bills.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert auditkit.cli.main(["validate", str(dataset_dir)]) == 1
    assert "bills: 5 rows read from bills.csv" in capsys.readouterr().out.splitlines()


def test_errors_are_listed_with_a_summary_and_exit_one(
    tables: dict[str, pd.DataFrame], make_dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    tables["bills"].loc[3, "period"] = "2024-13"
    tables["bills"].loc[0, "kwh_billed"] = 250.0
    folder = make_dataset(tables)

    status = auditkit.cli.main(["validate", str(folder)])

    assert status == 1
    assert capsys.readouterr().out.splitlines() == [
        "bills.csv row 5, column period: expected a month YYYY-MM (01-12), found '2024-13'",
        "warning: bills.csv row 2, column kwh_billed: expected kwh_billed = (register_end − "
        "register_start) × multiplier_billed within 0.5 kWh or 0.1%, found 250.0 kWh, while "
        "(1210.0 − 1000.0) × 1.0 = 210.0 kWh",
        *ROWS_READ,
        "1 error, 1 warning (bills: 1 error, 1 warning)",
    ]


def test_warnings_alone_exit_zero(
    tables: dict[str, pd.DataFrame], make_dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    tables["bills"].loc[0, "kwh_billed"] = 250.0

    assert auditkit.cli.main(["validate", str(make_dataset(tables))]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == "0 errors, 1 warning (bills: 0 errors, 1 warning)"
    )


def test_missing_folder_is_one_line_and_exit_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = auditkit.cli.main(["validate", str(tmp_path / "nope")])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err == (
        f"auditkit validate: error: parameter 'DIR': expected a dataset folder, "
        f"found '{tmp_path / 'nope'} (no such folder)'\n"
    )


def test_an_empty_folder_path_is_refused_not_read_as_the_current_folder(
    dataset_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(dataset_dir)  # a valid dataset here: "" must not validate it
    status = auditkit.cli.main(["validate", ""])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err == (
        "auditkit validate: error: parameter 'DIR': expected a dataset folder's path, not an "
        "empty one, found ''\n"
    )


def test_mass_problem_is_sampled_unless_all_is_asked(
    tables: dict[str, pd.DataFrame], make_dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    tables["bills"]["read_type"] = "手工"
    folder = make_dataset(tables)

    assert auditkit.cli.main(["validate", str(folder), "--limit", "2"]) == 1
    sampled = capsys.readouterr().out.splitlines()
    assert auditkit.cli.main(["validate", str(folder), "--all"]) == 1
    everything = capsys.readouterr().out.splitlines()

    assert sampled[:2] == everything[:2]
    assert sampled[2] == (
        "... and 4 more rows in bills.csv, column read_type (expected one of actual, estimated)"
    )
    assert (
        sampled[3:]
        == everything[6:]
        == [
            *ROWS_READ,
            "6 errors, 0 warnings (bills: 6 errors, 0 warnings)",
        ]
    )
    assert len(everything) == 6 + len(ROWS_READ) + 1


def test_a_gbk_export_cell_quoted_in_part_is_named_not_read_without_its_quotes(
    tables: dict[str, pd.DataFrame], make_dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_dataset(tables, "csv-gbk")
    path = folder / "bills.csv"
    text = path.read_bytes().decode("gb18030")
    path.write_bytes(text.replace("22000.0,大工业", '22000.0,"大工"业').encode("gb18030"))

    assert auditkit.cli.main(["validate", str(folder)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "bills.csv row 4, column tariff_billed: expected a cell quoted whole or not at all, each "
        'quote inside a quoted cell doubled ("新""华" reads 新"华), found \'"大工"业\', text after '
        "the quote that closes its quoted value, which CSV readers would read as '大工业' (if "
        'the quotes are part of the text, write the cell """大工""业")',
        *ROWS_READ,
        "1 error, 0 warnings (bills: 1 error, 0 warnings)",
    ]


def test_limit_must_be_positive(dataset_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert auditkit.cli.main(["validate", str(dataset_dir), "--limit", "0"]) == 2
    assert "parameter '--limit': expected a whole number ≥ 1, found 0" in capsys.readouterr().err


def test_output_read_only_in_part_stops_without_a_traceback(
    tables: dict[str, pd.DataFrame], make_dataset
) -> None:
    """`auditkit validate --all DIR | head -1`: the pipe closes, the command stops with 141
    (128 + SIGPIPE, as a tool the pipe stopped) and says nothing more."""
    bills = pd.concat([tables["bills"]] * 1000, ignore_index=True)
    bills["period"] = "2024-13"  # 6,000 errors: far more than a pipe holds
    folder = make_dataset({**tables, "bills": bills})
    command = [str(Path(sys.executable).with_name("auditkit")), "validate", "--all", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"bills.csv row 2, column period")
    process.stdout.close()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 141 and stderr == b""


def test_a_broken_pipe_that_is_not_the_output_stays_an_error(
    dataset_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's pipe breaking (it died) is no reader leaving: it is raised, not hidden."""

    def worker_gone(args: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(data_cli, "run_validate", worker_gone)
    with pytest.raises(BrokenPipeError):
        auditkit.cli.main(["validate", str(dataset_dir)])
