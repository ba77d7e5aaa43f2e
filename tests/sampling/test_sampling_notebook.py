"""The sampling notebook runs top to bottom with papermill on a small synthetic utility."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

from auditkit import synth

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "sampling_plan.ipynb"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    config = synth.SynthConfig(customers=400, districts=2, months=24, seed=11)
    folder = synth.write(
        synth.generate(config), tmp_path_factory.mktemp("utility"), fmt="parquet", config=config
    )
    district = sorted(synth.generate(config)["customers"]["district"].unique())[0]
    return Path(folder), district


def execute(dataset: tuple[Path, str], out: Path, **parameters: object) -> nbformat.NotebookNode:
    folder, district = dataset
    out.mkdir(parents=True, exist_ok=True)
    values = {
        "data_dir": str(folder),
        "district": district,
        "output_dir": str(out),
        "lang": "en",
        **parameters,
    }
    return papermill.execute_notebook(
        str(NOTEBOOK), str(out / "run.ipynb"), parameters=values, progress_bar=False
    )


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
    markdown = "\n".join(outputs(first, "text/markdown"))
    assert "SIMULATION" in markdown and "**Conclusion.**" in markdown
    assert len(outputs(first, "image/png")) == 2
    simulated = next((tmp_path / "one").glob("*_simulated.xlsx"))
    # The filled sheet goes back in: same seed, same selection, same conclusion, no simulation.
    second = execute(
        dataset, tmp_path / "two", units="values", materiality=0.1, field_sheet=str(simulated)
    )
    conclusion = [text for text in outputs(second, "text/markdown") if "**Conclusion.**" in text]
    assert conclusion and conclusion[0] in markdown
    assert "SIMULATION" not in "\n".join(outputs(second, "text/markdown"))
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
    markdown = "\n".join(outputs(notebook, "text/markdown"))
    assert "模拟演示" in markdown and "**结论：**" in markdown
