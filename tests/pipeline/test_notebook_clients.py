"""The project's notebooks as papermill, JupyterLab (a kernel with the defaults) and auditkit see them.

papermill reads the `parameters` cell with its own line-based parser and passes `-p` values as it
guesses their types; the cell after the parameters cell checks the values inside the kernel, so
every client gets the same one-line error as `auditkit run`.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

from auditkit import notebook_params
from auditkit.report import kernel_params

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb"))
PAPERMILL = str(Path(sys.executable).with_name("papermill"))
# `  name: type (default value)`, the help after two or more spaces or alone on the next line
DEFINITION = re.compile(
    r"^  (?P<name>\w+): (?P<type>.+?) \(default (?P<default>.*?)\)(?:\s{2,}(?P<help>.*))?$"
)
HELP_ALONE = " " * 34
PAPERMILL_WARNINGS = ("Unable to parse", "Passed unknown parameter")


def notebook_path(name: str) -> Path:
    return NOTEBOOKS / f"{name}.ipynb"


def listed_by_papermill(output: str) -> dict[str, dict[str, str]]:
    """The parameters `papermill --help-notebook` printed: type, default and help as shown."""
    listed: dict[str, dict[str, str]] = {}
    for line in output.splitlines():
        if line.startswith(HELP_ALONE) and listed:
            listed[list(listed)[-1]]["help"] = line.strip()
        elif match := DEFINITION.match(line):
            listed[match["name"]] = {
                "type": match["type"],
                "default": match["default"],
                "help": (match["help"] or "").strip(),
            }
    return listed


def run_papermill(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PAPERMILL, *arguments], capture_output=True, text=True, timeout=300, check=False
    )


def parameters_cell_source(name: str) -> str:
    notebook = nbformat.read(notebook_path(name), as_version=4)
    return next(c.source for c in notebook.cells if "parameters" in c.metadata.get("tags", []))


def kernel_namespace(name: str, **injected: Any) -> dict[str, Any]:
    """A namespace as a kernel has it after the parameters cell (and papermill's injected cell)."""
    namespace: dict[str, Any] = {}
    exec(compile(parameters_cell_source(name), name, "exec"), namespace)  # the notebook's own cell
    namespace.update(injected)
    return namespace


@pytest.mark.parametrize("name", NAMES)
def test_papermill_help_lists_every_parameter_with_its_type_default_and_help(name: str) -> None:
    schema = notebook_params.read_schema(notebook_path(name))
    shown = run_papermill("--help-notebook", str(notebook_path(name)), "--log-level", "WARNING")
    assert shown.returncode == 0, shown.stderr
    listed = listed_by_papermill(shown.stdout)
    assert list(listed) == list(schema)
    for parameter in schema.values():
        entry = listed[parameter.name]
        assert entry["type"] == parameter.type_name
        assert ast.literal_eval(entry["default"]) == parameter.default
        assert entry["help"] == parameter.help != ""
    assert not [word for word in PAPERMILL_WARNINGS if word in shown.stderr], shown.stderr


@pytest.mark.parametrize("name", NAMES)
def test_papermill_takes_every_declared_parameter_without_warnings(
    name: str, tmp_path: Path
) -> None:
    schema = notebook_params.read_schema(notebook_path(name))
    defaults = {key: parameter.default for key, parameter in schema.items()}
    out = tmp_path / f"{name}.ipynb"
    prepared = run_papermill(
        str(notebook_path(name)),
        str(out),
        "--prepare-only",
        "-y",
        yaml.safe_dump(defaults, allow_unicode=True),
        "-p",
        "data_dir",
        str(tmp_path),
    )
    assert prepared.returncode == 0, prepared.stderr
    assert not [word for word in PAPERMILL_WARNINGS if word in prepared.stderr], prepared.stderr
    injected = next(
        cell
        for cell in nbformat.read(out, as_version=4).cells
        if "injected-parameters" in cell.metadata.get("tags", [])
    )
    assert f"data_dir = {str(tmp_path)!r}" in injected.source.replace('"', "'")


@pytest.mark.parametrize("name", NAMES)
def test_the_kernel_reads_the_same_schema_as_auditkit(name: str) -> None:
    schema = notebook_params.read_schema(notebook_path(name))
    namespace = kernel_namespace(name)
    assert kernel_params.declared_types(namespace) == {
        key: parameter.type_name for key, parameter in schema.items()
    }
    kernel_params.check_parameters(namespace)  # the defaults pass, unchanged
    assert {key: namespace[key] for key in schema} == {
        key: parameter.default for key, parameter in schema.items()
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        *((word, False) for word in ("false", "False", "NO", "off", "0", 0)),
        *((word, True) for word in ("true", "Yes", "ON", " 1 ", 1, True)),
    ],
)
def test_the_kernel_converts_the_usual_spellings_of_booleans(given: object, expected: bool) -> None:
    namespace = kernel_namespace("district_audit", mask_personal=given)
    kernel_params.check_parameters(namespace)
    assert namespace["mask_personal"] is expected


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "flag", "line"),
    [
        # the demo's districts: 城东, 城北, 城南, 城西, 江北, 高新
        (
            "audit_cycle",
            ("district", "火星"),
            "parameter 'district': expected one of 城东, 城北, 城南, 城西, 江北, 高新, found '火星'",
        ),
        (
            "sampling_plan",
            ("district", "火星"),
            "parameter 'district': expected one of 城东, 城北, 城南, 城西, 江北, 高新, found '火星'",
        ),
        # the demo's bills run 2023-01..2025-12
        (
            "district_audit",
            ("as_of", "2030-01"),
            "parameter 'as_of': expected a month within the bills' periods 2023-01..2025-12, "
            "found '2030-01'",
        ),
    ],
)
def test_a_value_the_data_lacks_is_refused_by_hand_in_one_line_before_any_folder_is_made(
    name: str, flag: tuple[str, str], line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The study refuses it on the data the notebook loads (no second reading in the check)."""
    monkeypatch.delenv("AUDITKIT_REPORT_DIR", raising=False)
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))
    out = tmp_path / "out.ipynb"
    ran = run_papermill(str(notebook_path(name)), str(out), "-p", *flag, "--cwd", str(tmp_path))
    assert ran.returncode == 1
    executed = nbformat.read(out, as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [error.traceback for error in errors] == [[f"ParameterError: {line}"]]
    assert not (tmp_path / "outputs" / "interactive").exists()  # no stray report folder


def test_a_month_written_as_a_number_is_told_how_to_write_it() -> None:
    with pytest.raises(kernel_params.NotebookParameterError) as caught:
        kernel_params.check_parameters(kernel_namespace("audit_cycle", as_of=202506))
    assert str(caught.value) == (
        "parameter 'as_of': expected a value of type str (a month is text 'YYYY-MM', "
        "e.g. '2025-06'), found 202506"
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_seed_a_notebook_declares_is_its_params_file_s_too(name: str) -> None:
    """JupyterLab runs the notebook's default; `auditkit run` the params file's value."""
    schema = notebook_params.read_schema(notebook_path(name))
    if "seed" not in schema:
        return
    in_file = yaml.safe_load((NOTEBOOKS.parent / "params" / f"{name}.yaml").read_text("utf-8"))
    assert in_file.get("seed") == schema["seed"].default  # cross_audit: 2026 both


@pytest.mark.parametrize("name", NAMES)
def test_the_data_dir_help_names_the_data_contract(name: str) -> None:
    help_text = notebook_params.read_schema(notebook_path(name))["data_dir"].help
    assert "DATA.md" not in help_text  # the contract is docs/data.md


def test_the_kernel_refuses_a_name_papermill_injected_that_the_notebook_does_not_declare() -> None:
    """papermill only warns about `-p distrct 城南` and runs on the default district."""
    namespace = kernel_namespace("district_audit", distrct="城南")
    namespace["In"] = ["", "data_dir: str = ''", '# Parameters\ndistrct = "城南"\n', "check"]
    with pytest.raises(kernel_params.NotebookUnknownParameterError) as caught:
        kernel_params.check_parameters(namespace)
    assert str(caught.value).startswith(
        "unknown parameter 'distrct' for this notebook: expected one of data_dir, district, "
    )
    assert caught.value._render_traceback_() == [f"ParameterError: {caught.value}"]


def test_the_kernel_takes_declared_injected_names_and_an_analyst_s_own_cells() -> None:
    """Near misses: a declared name injected, and names a cell of the analyst's assigns."""
    namespace = kernel_namespace("district_audit", district="城南", scratch=1)
    namespace["In"] = ["", '# Parameters\ndistrict = "城南"\n', "scratch = 1", "check"]
    kernel_params.check_parameters(namespace)
    assert namespace["district"] == "城南"


def test_the_kernel_takes_the_paths_papermill_injects_itself() -> None:
    """`papermill --inject-paths` adds PAPERMILL_INPUT_PATH / PAPERMILL_OUTPUT_PATH to its cell;
    before, the kernel refused them as unknown parameters and the notebook stopped."""
    paths = {"PAPERMILL_INPUT_PATH": "in.ipynb", "PAPERMILL_OUTPUT_PATH": "out.ipynb"}
    namespace = kernel_namespace("district_audit", district="城南", **paths)
    namespace["In"] = [
        "",
        '# Parameters\ndistrict = "城南"\nPAPERMILL_INPUT_PATH = "in.ipynb"\n'
        'PAPERMILL_OUTPUT_PATH = "out.ipynb"\n',
        "check",
    ]
    kernel_params.check_parameters(namespace)
    assert namespace["district"] == "城南"


def test_the_kernel_still_refuses_a_name_only_like_papermill_s_own() -> None:
    """Near miss: a lower-case `papermill_input_path` is a name the user typed with -p."""
    namespace = kernel_namespace("district_audit", papermill_input_path="x")
    namespace["In"] = ["", '# Parameters\npapermill_input_path = "x"\n', "check"]
    with pytest.raises(kernel_params.NotebookUnknownParameterError):
        kernel_params.check_parameters(namespace)


def test_the_kernel_forgets_an_injected_cell_the_parameters_cell_ran_after() -> None:
    """An analyst deleted papermill's cell and ran the parameters cell again: IPython's history
    still holds the stale cell; before, its misspelt `distrct` stopped the notebook."""
    namespace = kernel_namespace("district_audit")
    namespace["In"] = [
        "",
        '# Parameters\ndistrct = "城南"\n',
        "check",
        parameters_cell_source("district_audit"),
        "check",
    ]
    kernel_params.check_parameters(namespace)


def test_the_kernel_still_refuses_an_injected_cell_run_after_the_parameters_cell() -> None:
    """Near miss: papermill's order, the parameters cell and then its injected cell."""
    namespace = kernel_namespace("district_audit", distrct="城南")
    namespace["In"] = [
        "",
        parameters_cell_source("district_audit"),
        '# Parameters\ndistrct = "城南"\n',
        "check",
    ]
    with pytest.raises(kernel_params.NotebookUnknownParameterError):
        kernel_params.check_parameters(namespace)


def test_the_kernel_checks_the_sampling_words_only_in_the_notebook_that_owns_them() -> None:
    """An analyst's own notebook with `units: str = "kWh"` stopped in its check cell; the shipped
    sampling notebook, which names itself, still refuses it."""
    namespace: dict[str, Any] = {}
    exec('units: str = "kWh"\nmethod: str = "regression"\n', namespace)
    kernel_params.check_parameters(namespace)
    assert namespace["units"] == "kWh"
    sampling = kernel_namespace("sampling_plan", units="kWh")
    with pytest.raises(kernel_params.NotebookParameterError, match="'units'"):
        kernel_params.check_parameters(sampling, "sampling_plan")


@pytest.mark.slow
def test_a_misspelt_papermill_parameter_stops_the_notebook_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out.ipynb"
    ran = run_papermill(
        str(notebook_path("district_audit")),
        str(out),
        "-p",
        "distrct",
        "城南",
        "--cwd",
        str(tmp_path),
    )
    assert ran.returncode == 1
    executed = nbformat.read(out, as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].traceback[0].startswith(
        "ParameterError: unknown parameter 'distrct' for this notebook: expected one of "
    )
