"""Bad input told where it is: a parameter file no notebook reads and a district listed twice
stop run-all before any kernel starts, and a notebook's error keeps its problem lines (a field
sheet's row and column) on stderr, in the manifest and in the index."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pipeline_helpers import TINY_PARAMETERS, write_notebook

from auditkit import cli
from auditkit.cli import runs
from auditkit.pipeline.execute import error_parts


@pytest.fixture
def auditkit(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], int]:
    """`auditkit.cli.main` with the run commands registered (however the CLI list is wired)."""
    if runs not in cli._COMMAND_MODULES:
        monkeypatch.setattr(cli, "_COMMAND_MODULES", (*cli._COMMAND_MODULES, runs))
    return cli.main


def _run_all(
    auditkit: Callable[[list[str]], int], notebooks: Path, params: Path, outputs: Path
) -> int:
    arguments = ["run-all", "--notebooks-dir", str(notebooks), "--params-dir", str(params)]
    return auditkit([*arguments, "--outputs", str(outputs), "--no-progress"])


def test_run_all_refuses_a_misspelt_parameter_file_before_any_kernel(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sampling_pln.yaml` was ignored: the notebook ran on the demo utility and run-all
    exited 0."""
    notebooks, params, outputs = tmp_path / "nbd", tmp_path / "pd2", tmp_path / "ra2"
    write_notebook(notebooks / "sampling_plan.ipynb", "lang: str = 'zh'  # language\n")
    params.mkdir()
    (params / "sampling_pln.yaml").write_text("lang: en\n", encoding="utf-8")
    assert _run_all(auditkit, notebooks, params, outputs) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"auditkit run-all: error: {params / 'sampling_pln.yaml'}: expected the parameter file "
        "of a notebook of the run (sampling_plan.yaml) or a file the run reads by name "
        "(billing.yaml, rules.yaml), found sampling_pln.yaml, which no notebook reads: did you "
        "mean sampling_plan.yaml?"
    ]
    assert not outputs.exists()


def test_run_all_refuses_a_district_listed_twice_naming_the_file(
    auditkit: Callable[[list[str]], int],
    tmp_path: Path,
    tiny_data: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`district: [城东, 城东]` was "output folder '城东' (for '城东'): expected one job per
    folder, found district_audit.ipynb and district_audit.ipynb"."""
    notebooks, params, outputs = tmp_path / "nbd", tmp_path / "pd", tmp_path / "out"
    write_notebook(notebooks / "district_audit.ipynb", TINY_PARAMETERS)
    params.mkdir()
    (params / "district_audit.yaml").write_text(
        f"data_dir: {tiny_data}\ndistrict: [城东, 城东]\n", encoding="utf-8"
    )
    assert _run_all(auditkit, notebooks, params, outputs) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"auditkit run-all: error: district_audit.ipynb: {params / 'district_audit.yaml'}: "
        "parameter 'district': expected each district once in the list, found '城东' 2 times "
        "(items 1 and 2)"
    ]
    assert not outputs.exists()


SHEET = "field sheet 'sdb.xlsx', sheet 'field_sheet'"


def _sheet_error(count: int) -> str:
    """A FieldSheetError's message: its headline, then one line per problem."""
    problems = [
        f"{SHEET}, row {row}, column G (inspected_at): expected a date up to today, "
        f"found 2031-01-0{row - 3}"
        for row in range(4, 4 + count)
    ]
    return "\n".join([f"{SHEET}: {count} problems to correct", *problems])


def test_a_field_sheet_error_is_recorded_with_its_rows_and_columns() -> None:
    assert error_parts(_sheet_error(2)) == (
        f"{SHEET}: 2 problems to correct: row 4, column G (inspected_at): expected a date up to "
        "today, found 2031-01-01; row 5, column G (inspected_at): expected a date up to today, "
        "found 2031-01-02",
        0,
    )


def test_a_long_list_of_problems_keeps_five_and_counts_the_others() -> None:
    text, more = error_parts(_sheet_error(8))
    assert text.startswith(f"{SHEET}: 8 problems to correct: row 4, column G")
    assert [part.split(",")[0] for part in text.split("; ")[1:]] == [
        "row 5",
        "row 6",
        "row 7",
        "row 8",
    ]
    assert more == 3 and "\n" not in text


def test_a_one_line_error_is_kept_as_it_is_and_blank_lines_and_long_lines_are_not() -> None:
    assert error_parts("  division by zero \n") == ("division by zero", 0)
    assert error_parts("") == ("", 0)
    assert error_parts("three problems:\n\n  first\nsecond\n") == (
        "three problems: first; second",
        0,
    )
    (cut,) = error_parts("x" * 1000)[0].splitlines()
    assert len(cut) == 300 and cut.endswith("…")


def test_run_prints_and_records_the_problem_lines_of_a_notebook_error(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "notebooks" / "sheet.ipynb",
        "n: int = 1  # problems\n",
        "from auditkit.sampling.errors import FieldSheetError\n"
        f"sheet = {SHEET!r}\n"
        "lines = [f'{sheet}, row {4 + i}, column G (inspected_at): expected a date up to today, '\n"
        "         f'found 2031-01-01' for i in range(n)]\n"
        "raise FieldSheetError(f'{sheet}: {n} problem to correct', lines)",
    )
    outputs = tmp_path / "outputs"
    code = "import sys, auditkit.cli as c\nsys.exit(c.main(sys.argv[1:]))"
    command = ["run", str(notebook), "--outputs", str(outputs), "--no-progress"]
    finished = subprocess.run(
        [sys.executable, "-c", code, *command],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert finished.returncode == 1, finished.stderr
    recorded = (
        f"cell 3: FieldSheetError: {SHEET}: 1 problem to correct: row 4, column G "
        "(inspected_at): expected a date up to today, found 2031-01-01"
    )
    run_dir = Path(finished.stdout.splitlines()[-1]).parent
    assert f"auditkit run: sheet (sheet.ipynb) failed: {recorded} - see " in finished.stderr
    (record,) = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["notebooks"]
    assert record["error"] == recorded
    assert record["reason"] == {
        "kind": "cell_error",
        "cell": 3,
        "detail": recorded.removeprefix("cell 3: "),
    }
    index = html.unescape((run_dir / "index.html").read_text("utf-8"))
    # the zh index frames the quoted error in its own words ("cell 3: ..." before)
    assert f"第 3 个单元格出错：{recorded.removeprefix('cell 3: ')}" in index
    assert "cell 3" not in index
