"""Parameter schema from the annotated `parameters` cell, and validation of values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pipeline_helpers import write_notebook

from auditkit import notebook_params
from auditkit.errors import AuditkitError, ParameterError

CELL = """data_dir: str = ""  # dataset folder
district: str = "城东"  # district to audit
top_n: int = 20  # rows listed
ratio: float = 0.5
mask_personal: bool = True  # mask names
districts: list[str] = []  # several districts
limit: Optional[int] = None  # optional cap
capacity: dict[str, float] = {}  # by district
options: dict = {}  # anything plain
"""


def test_schema_reads_names_types_defaults_and_help(tmp_path: Path) -> None:
    schema = notebook_params.read_schema(write_notebook(tmp_path / "n.ipynb", CELL, "x = 1"))
    assert list(schema) == [
        "data_dir",
        "district",
        "top_n",
        "ratio",
        "mask_personal",
        "districts",
        "limit",
        "capacity",
        "options",
    ]
    assert schema["district"] == notebook_params.NotebookParameter(
        "district", "str", "城东", "district to audit"
    )
    assert schema["data_dir"].help == "dataset folder"
    assert schema["limit"].type_name == "Optional[int]"
    assert schema["capacity"] == notebook_params.NotebookParameter(
        "capacity", "dict[str, float]", {}, "by district"
    )
    assert schema["ratio"].help == ""


def test_schema_errors_name_the_notebook(tmp_path: Path) -> None:
    untagged = tmp_path / "untagged.ipynb"
    write_notebook(untagged, "x: int = 1")
    text = untagged.read_text().replace('"parameters"', '"other"')
    untagged.write_text(text)
    with pytest.raises(AuditkitError, match=r"untagged.ipynb.*tagged 'parameters'"):
        notebook_params.read_schema(untagged)
    computed = write_notebook(tmp_path / "computed.ipynb", "when: str = str(1)")
    with pytest.raises(AuditkitError, match=r"'when': expected a literal default"):
        notebook_params.read_schema(computed)
    with pytest.raises(AuditkitError, match=r"file not found"):
        notebook_params.read_schema(tmp_path / "absent.ipynb")


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
        ("capacity", {"城东": 4, "2024-01-01": 2.5}, {"城东": 4.0, "2024-01-01": 2.5}),
        ("capacity", {dt.date(2024, 1, 1): 1}, {"2024-01-01": 1.0}),
        ("options", {"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}),
    ],
)
def test_values_of_the_declared_type_pass(
    tmp_path: Path, name: str, value: object, expected: object
) -> None:
    schema = notebook_params.parse_parameters_source(CELL, "n")
    assert notebook_params.validate_values(schema, {name: value}, "n.ipynb") == {name: expected}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("top_n", "20"),
        ("top_n", True),
        ("top_n", 2.5),
        ("mask_personal", "maybe"),
        ("mask_personal", 2),
        ("districts", "城东"),
        ("districts", [1]),
        ("limit", "3"),
        ("ratio", "x"),
    ],
)
def test_wrong_types_raise_a_parameter_error_naming_it(name: str, value: object) -> None:
    schema = notebook_params.parse_parameters_source(CELL, "n")
    with pytest.raises(ParameterError) as caught:
        notebook_params.validate_values(schema, {name: value}, "n.ipynb")
    assert caught.value.name == name
    assert f"parameter {name!r}: expected a value of type" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("weights", {"a": 1, "b": "x"}, "expected a value of type int for 'b', found 'x'"),
        ("weights", {7: 1}, "expected a value of type str as a key, found 7"),
        ("districts", ["a", 2], "expected a value of type str at item 2, found 2"),
        ("districts", "a", "expected a value of type list[str], found 'a'"),
        # Keys are checked before values; a list inside a mapping is named by both.
        ("weights", {"a": "x", 7: 1}, "expected a value of type str as a key, found 7"),
        (
            "nested",
            {"a": [1], "b": [2, None]},
            "expected a value of type int for 'b' at item 2, found nothing",
        ),
        ("nested", {"a": "x"}, "expected a value of type list[int] for 'a', found 'x'"),
        # Of several types allowed, none is singled out: the whole value is shown.
        ("maybe", [1, "x"], "expected a value of type Optional[list[int]], found [1, 'x']"),
    ],
)
def test_a_wrong_entry_of_a_mapping_or_list_is_named(
    name: str, value: object, message: str
) -> None:
    schema = notebook_params.parse_parameters_source(
        "weights: dict[str, int] = {}  # w\ndistricts: list[str] = []  # d\n"
        "nested: dict[str, list[int]] = {}  # n\nmaybe: Optional[list[int]] = None  # m\n",
        "n",
    )
    with pytest.raises(ParameterError) as caught:
        notebook_params.validate_values(schema, {name: value}, "n.ipynb")
    assert caught.value.name == name
    assert str(caught.value) == f"parameter {name!r}: {message}"


def test_unknown_key_lists_the_known_ones() -> None:
    schema = notebook_params.parse_parameters_source(CELL, "n")
    with pytest.raises(notebook_params.UnknownParameterError) as caught:
        notebook_params.validate_values(
            schema, {"distrct": "城东"}, "notebooks/district_audit.ipynb"
        )
    message = str(caught.value)
    assert message.startswith("unknown parameter 'distrct' for district_audit.ipynb")
    assert "data_dir, district, top_n" in message


def test_command_line_values_follow_the_declared_type() -> None:
    schema = notebook_params.parse_parameters_source(CELL, "n")
    assert notebook_params.parse_assignment(schema, "top_n=7", "n") == ("top_n", 7)
    assert notebook_params.parse_assignment(schema, "district=2024", "n") == ("district", "2024")
    assert notebook_params.parse_assignment(schema, "mask_personal=false", "n") == (
        "mask_personal",
        False,
    )
    assert notebook_params.parse_assignment(schema, "districts=[城东, 城西]", "n") == (
        "districts",
        ["城东", "城西"],
    )
    with pytest.raises(ParameterError, match=r"'top_n'.*found 'seven'"):
        notebook_params.parse_assignment(schema, "top_n=seven", "n")
    with pytest.raises(ParameterError, match=r"key=value"):
        notebook_params.parse_assignment(schema, "top_n", "n")
    # A date that does not exist is the text typed, as any value no parameter type takes: said
    # as the type expected, not as YAML's date with a line and column of a one-line value.
    with pytest.raises(ParameterError) as caught:
        notebook_params.parse_assignment(schema, "top_n=2024-13-01", "n")
    assert str(caught.value) == (
        "parameter 'top_n': expected a value of type int, found '2024-13-01'"
    )


@pytest.mark.parametrize("text", ["top_n=5 # fewer", "districts=[城东, 城西] # two", "top_n=#5"])
def test_a_command_line_value_with_a_yaml_comment_is_refused_not_cut(text: str) -> None:
    schema = notebook_params.parse_parameters_source(CELL, "n")
    key, _, raw = text.partition("=")
    with pytest.raises(ParameterError) as caught:
        notebook_params.parse_assignment(schema, text, "n")
    assert str(caught.value) == (
        f"parameter {key!r}: expected a value without a YAML comment (quote text holding ' #'), "
        f"found {raw!r}"
    )


def test_a_hash_inside_quotes_or_a_word_is_no_comment() -> None:
    schema = notebook_params.parse_parameters_source(CELL, "n")
    assert notebook_params.parse_assignment(schema, "districts=['城东 #1', 城#2]", "n") == (
        "districts",
        ["城东 #1", "城#2"],
    )
    assert notebook_params.parse_assignment(schema, "district=城东 # 1", "n") == (
        "district",
        "城东 # 1",
    )


def test_a_command_line_value_with_a_key_twice_is_refused_naming_it() -> None:
    schema = notebook_params.parse_parameters_source("weights: dict[str, int] = {}  # w", "n")
    with pytest.raises(ParameterError) as caught:
        notebook_params.parse_assignment(schema, "weights={城东: 1, 城东: 2}", "n")
    assert str(caught.value) == (
        "parameter 'weights': expected YAML with each key once in a mapping, found "
        "\"the key '城东' twice in one mapping (line 1; first on line 1)\""
    )


def test_domain_of_shared_parameters(tmp_path: Path) -> None:
    notebook_params.check_domain("lang", "en")
    notebook_params.check_domain("as_of", "2024-06")
    notebook_params.check_domain("as_of", "")
    notebook_params.check_domain("data_dir", str(tmp_path))
    with pytest.raises(ParameterError, match=r"'lang'"):
        notebook_params.check_domain("lang", "fr")
    with pytest.raises(ParameterError, match=r"'as_of'.*YYYY-MM"):
        notebook_params.check_domain("as_of", "2024-13")
    with pytest.raises(ParameterError, match=r"'data_dir'.*existing dataset folder"):
        notebook_params.check_domain("data_dir", str(tmp_path / "absent"))
    notebook_params.check_domain("top_n", 1)
    notebook_params.check_domain("seed", 0)
    for name, value in (("top_n", -1), ("top_n", 0), ("top_n", True)):
        with pytest.raises(ParameterError, match=rf"'{name}'.*whole number ≥"):
            notebook_params.check_domain(name, value)
    notebook_params.check_domain("seed", 2**64 - 1)
    # One message for a seed, whatever is wrong with it: the range it must be in.
    for seed in (-1, 2**64, True, 1.5, "7"):  # 2^64: its sheet's file name would hold 20+ digits
        with pytest.raises(ParameterError, match=r"'seed'.*from 0 to 2\^64 − 1"):
            notebook_params.check_domain("seed", seed)


def test_params_file_must_be_a_mapping(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("district: '*'\ntop_n: 5\n", encoding="utf-8")
    assert notebook_params.load_params_file(good) == {"district": "*", "top_n": 5}
    defaults = tmp_path / "defaults.yaml"
    defaults.write_text("{}  # the notebook's defaults\n", encoding="utf-8")
    assert notebook_params.load_params_file(defaults) == {}
    for text in ("", "# data_dir: /data/2025-06\n"):  # emptied, or every line commented out
        empty = tmp_path / "empty.yaml"
        empty.write_text(text, encoding="utf-8")
        with pytest.raises(AuditkitError) as caught:
            notebook_params.load_params_file(empty)
        assert str(caught.value) == (
            f"parameter file {str(empty)!r}: expected a mapping of parameter names to values "
            "(write {} for the notebook's defaults), found a file with no values"
        )
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(AuditkitError, match=r"list.yaml.*expected a mapping.*found list"):
        notebook_params.load_params_file(listed)
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(AuditkitError, match=r"broken.yaml.*expected YAML"):
        notebook_params.load_params_file(broken)


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        (
            'data_dir: str = ""  # folder; empty = the demo',
            r"line 1: parameter 'data_dir': expected one '='.* found 2",
        ),
        (
            'lang: str = "zh"\nunits: str = (\n    "values"  # what is sampled\n)',
            r"line 2: parameter 'units'.*found it spread over 3 lines",
        ),
        (
            "limit: int | None = None  # cap",
            r"line 1: parameter 'limit': expected a type papermill can read.*found 'int \| None'",
        ),
        ('tag: str = "#1"  # tag', r"line 1: parameter 'tag': expected a default without '#'"),
        (
            "seed = 7  # seed",
            r"line 1: expected `name: type = literal  # help` on one line, found 'seed = 7  # seed'",
        ),
        (
            "lang: str = 'zh'\nimport os",
            r"line 2: expected `name: type = literal.*found 'import os'",
        ),
    ],
)
def test_cells_papermill_would_read_differently_are_refused_naming_the_line(
    tmp_path: Path, cell: str, says: str
) -> None:
    notebook = write_notebook(tmp_path / "odd.ipynb", cell, "x = 1")
    with pytest.raises(AuditkitError, match=rf"odd.ipynb: parameters cell {says}"):
        notebook_params.read_schema(notebook)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("yes", True),
        ("OFF", False),
        ("tRuE", True),
        ("0", False),
        (1, True),
        (0, False),
        (False, False),
    ],
)
def test_booleans_accept_the_usual_spellings(given: object, expected: bool) -> None:
    schema = notebook_params.parse_parameters_source(CELL, "n")
    assert notebook_params.validate_values(schema, {"mask_personal": given}, "n.ipynb") == {
        "mask_personal": expected
    }
    flag = notebook_params.parse_assignment(schema, f"mask_personal={given}", "n")
    assert flag == ("mask_personal", expected)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("options", {"since": dt.date(2024, 1, 1)}),  # a YAML date inside a mapping
        ("options", {1: "a"}),  # a key that is not text
        ("options", {"a": {2, 3}}),  # a YAML !!set
        ("capacity", {"城东": dt.date(2024, 1, 1)}),
        ("capacity", {"城东": [4]}),  # a nested list where a number is expected
        ("capacity", {101: 4}),
        ("capacity", {"城东": None}),
        ("districts", [["城东"]]),
    ],
)
def test_yaml_types_that_are_not_plain_data_are_refused(name: str, value: object) -> None:
    schema = notebook_params.parse_parameters_source(CELL, "n")
    with pytest.raises(ParameterError, match=rf"^parameter {name!r}: expected ") as caught:
        notebook_params.validate_values(schema, {name: value}, "n.ipynb")
    assert "\n" not in str(caught.value)


YAML_SURPRISES = [
    ("cross_audit", "capacity: {城东: 2024-01-01}\n", "parameter 'capacity'"),
    ("cross_audit", "capacity: {城东: [4]}\n", "parameter 'capacity'"),
    ("cross_audit", "capacity: {101: 4}\n", "parameter 'capacity'"),
    ("cross_audit", "capacity: {城东: 2024-01-01 08:00:00}\n", "parameter 'capacity'"),
    ("district_audit", "mask_personal: 2024-01-01\n", "parameter 'mask_personal'"),
]


@pytest.mark.parametrize(("notebook", "content", "says"), YAML_SURPRISES)
def test_yaml_surprises_in_a_params_file_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], notebook: str, content: str, says: str
) -> None:
    from auditkit import cli

    params_file = tmp_path / "p.yaml"
    params_file.write_text(content, encoding="utf-8")
    arguments = ["--params", str(params_file), "--outputs", str(tmp_path / "out")]
    assert cli.main(["run", notebook, *arguments]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"auditkit run: error: {params_file}: {says}: expected ")
    assert not (tmp_path / "out").exists()


def test_a_yaml_date_in_a_dict_is_one_line_under_run_all_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditkit import cli

    notebooks, params_dir = tmp_path / "notebooks", tmp_path / "params"
    notebooks.mkdir()
    params_dir.mkdir()
    source = Path(__file__).resolve().parents[2] / "notebooks" / "cross_audit.ipynb"
    (notebooks / "cross_audit.ipynb").write_bytes(source.read_bytes())
    (params_dir / "cross_audit.yaml").write_text("capacity: {城东: 2024-01-01}\n", "utf-8")
    code = cli.main(
        [
            "run-all",
            "--notebooks-dir",
            str(notebooks),
            "--params-dir",
            str(params_dir),
            "--outputs",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "cross_audit.ipynb" in line and "parameter 'capacity': expected " in line


def test_as_of_with_a_trailing_newline_is_not_a_period() -> None:
    """`re.match` with `$` accepted '2024-01\\n'; the one period pattern is anchored for good."""
    from auditkit.notebook_params import check_domain

    with pytest.raises(ParameterError, match="'as_of'"):
        check_domain("as_of", "2024-01\n")
    check_domain("as_of", "2024-01")


@pytest.mark.parametrize(
    ("notebook", "name", "value", "expected"),
    [
        ("sampling_plan", "units", "foo", "one of items, values"),
        ("sampling_plan", "method", "foo", "one of interval, cell, random, sieve"),
        ("sampling_plan", "stratum", "foo", "one of all, flagged, unflagged"),
        ("sampling_plan", "expected", -1.0, "expected errors ≥ 0"),
        ("sampling_plan", "field_sheet", "/nonexist.xlsx", "an existing file (or empty for none)"),
        ("cross_audit", "previous_round", "/nonexist.csv", "an existing file (or empty for none)"),
    ],
)
def test_the_sampling_words_and_input_files_are_checked_before_any_kernel(
    notebook: str, name: str, value: object, expected: str
) -> None:
    """Before, each of these stopped the sampling (or cross-audit) notebook in its kernel."""
    with pytest.raises(ParameterError) as caught:
        notebook_params.check_domain(name, value, notebook=notebook)
    assert caught.value.name == name and caught.value.expected.startswith(expected)


def test_the_values_the_notebooks_take_pass_the_new_checks(tmp_path: Path) -> None:
    """Near misses: every word, no expected errors, no file, and a file that is there."""
    for notebook, words in notebook_params.WORDS.items():
        for name, choices in words.items():
            for word in choices:
                notebook_params.check_domain(name, word, notebook=notebook)
    notebook_params.check_domain("expected", 0.0, notebook="sampling_plan")
    sheet = tmp_path / "filled.xlsx"
    sheet.write_bytes(b"")
    for notebook, names in notebook_params.FILES.items():
        for name in names:
            notebook_params.check_domain(name, "", notebook=notebook)
            notebook_params.check_domain(name, str(sheet), notebook=notebook)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("units", "kWh"),
        ("method", "regression"),
        ("stratum", "residential"),
        ("expected", -3.5),
        ("field_sheet", "not yet written.xlsx"),
        ("previous_round", "round 0"),
    ],
)
def test_an_analyst_s_own_notebook_may_use_the_sampling_names_for_its_own_ends(
    tmp_path: Path, name: str, value: object
) -> None:
    """The sampling checks are the shipped notebooks', not every notebook's: an analyst's own
    `units: str = "kWh"` was refused before any kernel (and in it); on main it ran."""
    notebook_params.check_domain(name, value)  # the kernel of a notebook naming no rules
    notebook_params.check_domain(name, value, notebook="my_study")
    own = write_notebook(tmp_path / "my_study.ipynb", f"{name}: {type(value).__name__} = {value!r}")
    schema = notebook_params.read_schema(own)
    assert notebook_params.validate_values(schema, {name: value}, str(own)) == {name: value}
