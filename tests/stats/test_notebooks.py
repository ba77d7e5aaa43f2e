"""Both statistics notebooks run top to bottom with papermill, also on awkward districts."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill
import pytest
from stats_builders import DROP_CUSTOMER

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
STUDIES = ("consumption_statistics", "cross_audit")


def run(name: str, out: Path, **parameters: object) -> nbformat.NotebookNode:
    return papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out / f"{name}.ipynb"),
        parameters=parameters,
        progress_bar=False,
        cwd=str(NOTEBOOKS),
    )


def shown(notebook: nbformat.NotebookNode, kind: str = "text/html") -> str:
    return "\n".join(
        json.dumps(output["data"][kind], ensure_ascii=False)
        if kind.endswith("json")
        else "".join(output["data"][kind])
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if kind in output.get("data", {})
    )


def errors(notebook: nbformat.NotebookNode) -> list[str]:
    return [
        "".join(output.get("text", ""))
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("name") == "stderr" or output.get("output_type") == "error"
    ]


@pytest.mark.slow
@pytest.mark.parametrize("name", STUDIES)
def test_committed_without_outputs_and_with_annotated_parameters(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert 'data_dir: str = ""' in code[0].source and 'lang: str = "zh"' in code[0].source
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in code)


@pytest.mark.slow
def test_consumption_statistics_for_all_districts(small_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDITKIT_REPORT_DIR", str(tmp_path / "files"))
    notebook = run("consumption_statistics", tmp_path, data_dir=str(small_folder), lang="en")
    html = shown(notebook)
    assert "Conclusions" in html and "highest line loss is 甲" in html
    assert DROP_CUSTOMER in html
    assert "丁: no bills in the period." in html
    assert "nan" not in html.lower()
    assert "image/png" in json.dumps([o for c in notebook.cells for o in c.get("outputs", [])])
    assert '"theft_suspects": 1.0' in shown(notebook, "application/vnd.auditkit.headline+json")
    assert (tmp_path / "files" / "theft_scores.csv").is_file()
    assert not errors(notebook)


@pytest.mark.slow
@pytest.mark.parametrize("district", ["丁", "乙", "丙"])
def test_consumption_statistics_for_awkward_districts(
    district, small_folder, tmp_path, monkeypatch
):
    monkeypatch.setenv("AUDITKIT_REPORT_DIR", str(tmp_path / "files"))
    notebook = run(
        "consumption_statistics", tmp_path, data_dir=str(small_folder), district=district
    )
    html = shown(notebook)
    assert "主要结论" in html and not errors(notebook)
    assert "nan" not in html.lower()


@pytest.mark.slow
def test_cross_audit_with_capacity_and_a_focus(small_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDITKIT_REPORT_DIR", str(tmp_path / "files"))
    notebook = run(
        "cross_audit",
        tmp_path,
        data_dir=str(small_folder),
        lang="en",
        district="甲",
        capacity={"甲": 3, "乙": 1, "丙": 1, "丁": 1},
        seed=5,
    )
    html = shown(notebook)
    assert "甲 (by field inspections): self-audits found errors in 10.0%" in html
    assert "Share of capacity" in html and "Next round" in html
    assert "nan" not in html.lower()
    assert (tmp_path / "files" / "next_round.csv").is_file()
    assert not errors(notebook)
