"""The sampling notebook runs top to bottom with papermill on a small synthetic utility."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest
from sampling_builders import first_district, utility

from auditkit.report.notebook import REPORT_DIR_ENV, read_headline

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "sampling_plan.ipynb"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    # Seed 7: about 15 % of the first district's billed yuan is in misstated bills, so a
    # monetary-unit sample of a few dozen bills finds some and the report has a misstatement table.
    folder = utility(tmp_path_factory.mktemp("utility"), customers=400, seed=7)
    return folder, first_district(folder)


def execute(dataset: tuple[Path, str], out: Path, **parameters: object) -> nbformat.NotebookNode:
    """Run the notebook as `auditkit run` does: its report folder (AUDITKIT_REPORT_DIR) is `out`."""
    folder, district = dataset
    out.mkdir(parents=True, exist_ok=True)
    values = {"data_dir": str(folder), "district": district, "lang": "en", **parameters}
    previous = os.environ.get(REPORT_DIR_ENV)
    os.environ[REPORT_DIR_ENV] = str(out)
    try:
        return papermill.execute_notebook(
            str(NOTEBOOK),
            str(out / "run.ipynb"),
            parameters=values,
            progress_bar=False,
            cwd=str(out),
        )
    finally:
        if previous is None:
            os.environ.pop(REPORT_DIR_ENV)
        else:
            os.environ[REPORT_DIR_ENV] = previous


def outputs(notebook: nbformat.NotebookNode, kind: str) -> list[str]:
    return [
        output["data"][kind]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if kind in output.get("data", {})
    ]


@pytest.mark.slow
def test_committed_without_outputs_and_with_a_parameters_cell() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in code)


@pytest.mark.slow
def test_values_loop_simulated_then_from_the_returned_sheet(
    dataset: tuple[Path, str], tmp_path: Path
) -> None:
    first = execute(dataset, tmp_path / "one", units="values", materiality=0.1)
    html = "\n".join(outputs(first, "text/html"))
    assert "SIMULATION" in html and "<strong>Conclusion.</strong>" in html
    assert len(outputs(first, "image/png")) == 2
    simulated = next((tmp_path / "one").glob("*_simulated.xlsx"))
    # The filled sheet goes back in: same seed, same selection, same conclusion, no simulation.
    second = execute(
        dataset, tmp_path / "two", units="values", materiality=0.1, field_sheet=str(simulated)
    )
    conclusion = [text for text in outputs(second, "text/html") if "Conclusion.</strong>" in text]
    assert conclusion and conclusion[0] in html
    assert "SIMULATION" not in "\n".join(outputs(second, "text/html"))
    # Another seed draws another sample, which the returned sheet does not match.
    with pytest.raises(papermill.PapermillExecutionError, match="not this selection"):
        execute(
            dataset,
            tmp_path / "three",
            units="values",
            materiality=0.1,
            seed=1,
            field_sheet=str(simulated),
        )


@pytest.mark.slow
def test_items_loop_in_chinese(dataset: tuple[Path, str], tmp_path: Path) -> None:
    notebook = execute(
        dataset, tmp_path, units="items", method="random", lang="zh", materiality=0.2, expected=0.05
    )
    html = "\n".join(outputs(notebook, "text/html"))
    assert "模拟演示" in html and "<strong>结论：</strong>" in html
    assert not (tmp_path / "results.csv").exists()  # its 核查结果 are shown whole: no file


@pytest.mark.slow
def test_chinese_report_speaks_chinese_links_its_sheet_and_feeds_the_index(
    dataset: tuple[Path, str], tmp_path: Path
) -> None:
    before = sorted(p.name for p in NOTEBOOK.parent.iterdir())
    notebook = execute(dataset, tmp_path, units="values", lang="zh", materiality=0.1)
    sheet = tmp_path / "field_sheet_values_seed20240601.xlsx"
    assert (
        sheet.is_file() and (tmp_path / "field_sheet_values_seed20240601_simulated.xlsx").is_file()
    )
    assert sorted(p.name for p in NOTEBOOK.parent.iterdir()) == before  # nothing in notebooks/
    html = "\n".join(outputs(notebook, "text/html"))
    assert f'<a href="{sheet.name}">{sheet.name}</a>' in html  # a relative link, not a path
    assert str(tmp_path) not in html
    record = read_headline(notebook)
    assert (record["subject"], record["title"], record["lang"]) == (
        dataset[1],
        "统计抽样稽查报告",
        "zh",
    )
    assert {"sample_size", "sample_errors", "upper_limit_pct", "projected_misstatement"} <= set(
        record["figures"]
    )
    # One language: no method codes, API hints or English column names in the zh report.
    for leftover in ("stringer", "poisson", "select(", "sample_no", "book_value", "Population"):
        assert leftover not in html, leftover
    assert ">序号</th>" in html and "Stringer 上限（泊松系数）" in html
    headings = re.findall(r"<h2[^>]*>([^<]*)</h2>", html)
    assert headings and not [h for h in headings if re.match(r"\d", h)]
    intro = nbformat.read(NOTEBOOK, as_version=4).cells[0]
    assert "remove-cell" in intro.metadata.get("tags", [])  # the title block is the only title


@pytest.mark.slow
def test_the_results_table_cut_to_15_rows_links_its_whole_file(
    dataset: tuple[Path, str], tmp_path: Path
) -> None:
    """核查结果 showed 15 of its rows (15 of 26 in the review's run) and no file of the run held
    the others, unlike the other cut tables. It now links results.csv, saved whole. Near miss:
    the items run above shows its results whole and saves no file."""
    notebook = execute(dataset, tmp_path, units="values", materiality=0.1)
    html = "\n".join(outputs(notebook, "text/html"))
    assert "Showing 15 of 17 rows" in html
    assert '<a href="results.csv">Full data: results.csv</a>' in html
    saved = pd.read_csv(tmp_path / "results.csv")
    assert len(saved) == 17 and saved["Sample no."].is_unique
    assert (tmp_path / "results.parquet").is_file()
