"""Bad input told where it is: a notebook's error keeps its problem lines (a field sheet's row
and column) on stderr, in the manifest and in the index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline_helpers import write_notebook

from auditkit.pipeline.execute import error_text

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
    assert error_text(_sheet_error(2)) == (
        f"{SHEET}: 2 problems to correct: row 4, column G (inspected_at): expected a date up to "
        "today, found 2031-01-01; row 5, column G (inspected_at): expected a date up to today, "
        "found 2031-01-02"
    )


def test_a_long_list_of_problems_keeps_five_and_counts_the_others() -> None:
    text = error_text(_sheet_error(8))
    assert text.startswith(f"{SHEET}: 8 problems to correct: row 4, column G")
    assert [part.split(",")[0] for part in text.split("; ")[1:]] == [
        "row 5",
        "row 6",
        "row 7",
        "row 8",
        "and 3 more",
    ]
    assert "\n" not in text


def test_a_one_line_error_is_kept_as_it_is_and_blank_lines_and_long_lines_are_not() -> None:
    assert error_text("  division by zero \n") == "division by zero"
    assert error_text("") == ""
    assert error_text("three problems:\n\n  first\nsecond\n") == ("three problems: first; second")
    (cut,) = error_text("x" * 1000).splitlines()
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
    assert "row 4, column G (inspected_at)" in (run_dir / "index.html").read_text("utf-8")
