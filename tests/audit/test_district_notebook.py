"""The district audit notebook run top to bottom with papermill on a small synthetic utility, in
Chinese and in English: its headline records revenue proved and estimated apart, and it narrates
them apart in the report's language."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from auditkit import i18n, synth
from auditkit.report.notebook import REPORT_DIR_ENV, read_headline

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "district_audit.ipynb"
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def utility(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small synthetic utility as Parquet, and its first district."""
    config = synth.SynthConfig(customers=1500, districts=2, months=24, seed=7)
    folder = Path(synth.write(synth.generate(config), tmp_path_factory.mktemp("u"), config=config))
    customers = pd.read_parquet(folder / "customers.parquet")
    return folder, str(sorted(customers["district"].unique())[0])


def execute(utility: tuple[Path, str], out: Path, lang: str) -> nbformat.NotebookNode:
    """Run the notebook as `auditkit run` does: its report folder (AUDITKIT_REPORT_DIR) is `out`."""
    folder, district = utility
    out.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get(REPORT_DIR_ENV)
    os.environ[REPORT_DIR_ENV] = str(out)
    try:
        return papermill.execute_notebook(
            str(NOTEBOOK),
            str(out / "run.ipynb"),
            parameters={"data_dir": str(folder), "district": district, "lang": lang},
            progress_bar=False,
            cwd=str(out),
        )
    finally:
        if previous is None:
            os.environ.pop(REPORT_DIR_ENV)
        else:
            os.environ[REPORT_DIR_ENV] = previous


def shown(notebook: nbformat.NotebookNode, kind: str) -> str:
    return "\n".join(
        output["data"][kind]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if kind in output.get("data", {})
    )


def test_committed_thin_without_outputs_and_with_a_parameters_cell() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in code)
    assert "revenue_impact" not in "".join(cell.source for cell in code)  # sums live in auditkit


def test_the_notebooks_appendix_says_whether_personal_fields_are_masked() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    source = "".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "audit.methodology(lang, mask=mask_personal)" in source


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_notebook_shows_proved_and_estimated_revenue_apart(
    utility: tuple[Path, str], tmp_path: Path, lang: str
) -> None:
    ran = execute(utility, tmp_path, lang)
    figures = read_headline(ran)["figures"]
    findings = pd.read_csv(tmp_path / "findings.csv", encoding="utf-8-sig")
    by_kind = findings.groupby("revenue_kind")["revenue_impact"].sum()
    assert figures["revenue_proved"] == pytest.approx(by_kind.get("proved", 0.0), abs=0.005)
    assert figures["revenue_estimated"] == pytest.approx(by_kind.get("estimated", 0.0), abs=0.005)
    assert figures["penalties"] == pytest.approx(findings["penalty"].sum(), abs=0.005)
    assert "revenue_at_stake" not in figures
    page = shown(ran, "text/html")
    for key in ("report.figure.revenue_proved", "report.figure.revenue_estimated"):
        assert i18n.text(key, lang) in page
    assert f"{figures['revenue_proved']:,.2f}" in page
    assert f"{figures['revenue_estimated']:,.2f}" in page
    combined = figures["revenue_proved"] + figures["revenue_estimated"]
    assert f"{combined:,.2f}" not in page
    other = "zh" if lang == "en" else "en"
    assert i18n.text("report.figure.revenue_proved", other) not in page
    assert (CHINESE.search(i18n.text("report.revenue_kind.estimated", lang)) is None) == (
        lang == "en"
    )
