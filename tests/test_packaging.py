"""The project's own files: dependencies declared once and in step, notebooks committed clean."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Conda-forge spells a few PyPI names differently.
CONDA_NAMES = {"pyyaml": "pyyaml", "jinja2": "jinja2"}


def _normalise(requirement: str) -> str:
    name, bound = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement.strip()).groups()
    name = name.lower().replace("_", "-")
    return f"{CONDA_NAMES.get(name, name)}{bound.replace(' ', '')}"


def test_environment_yml_lists_exactly_the_pyproject_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        _normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]
    }
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    listed = [d for d in environment["dependencies"] if isinstance(d, str)]
    from_pip = [
        d
        for entry in environment["dependencies"]
        if isinstance(entry, dict)
        for d in entry.get("pip", [])
    ]
    conda = {_normalise(d) for d in listed + from_pip}
    conda -= {item for item in conda if item.startswith(("python>", "pip"))}
    assert conda == declared, (
        f"only in environment.yml: {conda - declared}; only in pyproject: {declared - conda}"
    )
    assert all(">=" in item for item in declared), "every dependency pins a tested lower bound"
    assert f"python>={project['requires-python'].removeprefix('>=')}" in environment["dependencies"]


def test_notebooks_are_committed_without_outputs_and_with_a_parameters_cell():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "the project ships notebooks"
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = [cell for cell in cells if cell["cell_type"] == "code"]
        assert all(
            not cell.get("outputs") and cell.get("execution_count") is None for cell in code
        ), path.name
        tagged = [cell for cell in code if "parameters" in cell.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: exactly one cell tagged 'parameters'"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 dev.py test" in readme and "python3 dev.py demo" in readme
    assert ci.strip().splitlines()[-1] == "python3 dev.py test"


def test_license_is_an_spdx_expression_that_the_pinned_setuptools_reads_without_warning():
    """A `license = {text = ...}` table makes every install print a setuptools deprecation warning;
    the SPDX string form needs setuptools 77 or newer at build time."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(pyproject["project"]["license"], str)
    (setuptools,) = [r for r in pyproject["build-system"]["requires"] if r.startswith("setuptools")]
    assert int(setuptools.split(">=")[1].split(".")[0]) >= 77


def test_test_files_have_unique_names():
    """Test folders are not packages: two test files of one name cannot both be collected."""
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({name for name in names if names.count(name) > 1}) == []
