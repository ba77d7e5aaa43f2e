"""Parameter schema from the annotated `parameters` cell, and validation of values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from report_helpers import write_notebook

from auditkit.errors import AuditkitError, ParameterError
from auditkit.report import params

CELL = """data_dir: str = ""  # dataset folder
district: str = "城东"  # district to audit
top_n: int = 20  # rows listed
ratio: float = 0.5
mask_personal: bool = True  # mask names
districts: list[str] = []  # several districts
limit: int | None = None  # optional cap
seed = 7
"""


def test_schema_reads_names_types_defaults_and_help(tmp_path: Path) -> None:
    schema = params.read_schema(write_notebook(tmp_path / "n.ipynb", CELL, "x = 1"))
    assert list(schema) == [
        "data_dir",
        "district",
        "top_n",
        "ratio",
        "mask_personal",
        "districts",
        "limit",
        "seed",
    ]
    assert schema["district"] == params.NotebookParameter(
        "district", "str", "城东", "district to audit"
    )
    assert schema["data_dir"].help == "dataset folder"
    assert schema["limit"].type_name == "int | None"
    assert schema["seed"].type_name == "int"  # inferred from the default of a plain assignment
    assert schema["ratio"].help == ""


def test_schema_errors_name_the_notebook(tmp_path: Path) -> None:
    untagged = tmp_path / "untagged.ipynb"
    write_notebook(untagged, "x: int = 1")
    text = untagged.read_text().replace('"parameters"', '"other"')
    untagged.write_text(text)
    with pytest.raises(AuditkitError, match=r"untagged.ipynb.*tagged 'parameters'"):
        params.read_schema(untagged)
    computed = write_notebook(tmp_path / "computed.ipynb", "when: str = str(1)")
    with pytest.raises(AuditkitError, match=r"'when': expected a literal default"):
        params.read_schema(computed)
    with pytest.raises(AuditkitError, match=r"file not found"):
        params.read_schema(tmp_path / "absent.ipynb")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("top_n", 5, 5),
        ("ratio", 2, 2.0),
        ("mask_personal", False, False),
        ("districts", ["城东", "城西"], ["城东", "城西"]),
        ("limit", None, None),
        ("limit", 3, 3),
        ("district", dt.date(2024, 6, 30), "2024-06-30"),
    ],
)
def test_values_of_the_declared_type_pass(
    tmp_path: Path, name: str, value: object, expected: object
) -> None:
    schema = params.parse_parameters_source(CELL, "n")
    assert params.validate_values(schema, {name: value}, "n.ipynb") == {name: expected}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("top_n", "20"),
        ("top_n", True),
        ("top_n", 2.5),
        ("mask_personal", "yes"),
        ("districts", "城东"),
        ("districts", [1]),
        ("limit", "3"),
        ("ratio", "x"),
    ],
)
def test_wrong_types_raise_a_parameter_error_naming_it(name: str, value: object) -> None:
    schema = params.parse_parameters_source(CELL, "n")
    with pytest.raises(ParameterError) as caught:
        params.validate_values(schema, {name: value}, "n.ipynb")
    assert caught.value.name == name
    assert f"parameter {name!r}: expected a value of type" in str(caught.value)


def test_unknown_key_lists_the_known_ones() -> None:
    schema = params.parse_parameters_source(CELL, "n")
    with pytest.raises(params.UnknownParameterError) as caught:
        params.validate_values(schema, {"distrct": "城东"}, "notebooks/district_audit.ipynb")
    message = str(caught.value)
    assert message.startswith("unknown parameter 'distrct' for district_audit.ipynb")
    assert "data_dir, district, top_n" in message


def test_command_line_values_follow_the_declared_type() -> None:
    schema = params.parse_parameters_source(CELL, "n")
    assert params.parse_assignment(schema, "top_n=7", "n") == ("top_n", 7)
    assert params.parse_assignment(schema, "district=2024", "n") == ("district", "2024")
    assert params.parse_assignment(schema, "mask_personal=false", "n") == ("mask_personal", False)
    assert params.parse_assignment(schema, "districts=[城东, 城西]", "n") == (
        "districts",
        ["城东", "城西"],
    )
    with pytest.raises(ParameterError, match=r"'top_n'.*found 'seven'"):
        params.parse_assignment(schema, "top_n=seven", "n")
    with pytest.raises(ParameterError, match=r"key=value"):
        params.parse_assignment(schema, "top_n", "n")


def test_domain_of_shared_parameters(tmp_path: Path) -> None:
    params.check_domain("lang", "en")
    params.check_domain("as_of", "2024-06")
    params.check_domain("as_of", "")
    params.check_domain("data_dir", str(tmp_path))
    with pytest.raises(ParameterError, match=r"'lang'"):
        params.check_domain("lang", "fr")
    with pytest.raises(ParameterError, match=r"'as_of'.*YYYY-MM"):
        params.check_domain("as_of", "2024-13")
    with pytest.raises(ParameterError, match=r"'data_dir'.*existing dataset folder"):
        params.check_domain("data_dir", str(tmp_path / "absent"))


def test_params_file_must_be_a_mapping(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("district: '*'\ntop_n: 5\n", encoding="utf-8")
    assert params.load_params_file(good) == {"district": "*", "top_n": 5}
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert params.load_params_file(empty) == {}
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(AuditkitError, match=r"list.yaml.*expected a mapping.*found list"):
        params.load_params_file(listed)
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(AuditkitError, match=r"broken.yaml.*expected YAML"):
        params.load_params_file(broken)
