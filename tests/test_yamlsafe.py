"""yamlsafe refuses alias bombs, recursive aliases and deep nesting; every YAML entry point of the
command line refuses them with one line and exit status 2, long before any memory is spent."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from auditkit import synth, yamlsafe
from auditkit.errors import AuditkitError, ParameterError
from auditkit.paths import project_root

# Nine levels of nine aliases: 9**9 = 387,420,489 strings once expanded, in under 400 bytes.
BOMB = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
AUDITKIT = str(Path(sys.executable).with_name("auditkit"))
# A bound on a whole command against a hang, not a timing test: loading the bomb took 30 s
# into a MemoryError; refused, the command ends with its one-line message (checked by each test).
TIMEOUT_SECONDS = 120


def test_the_bomb_is_a_small_file_standing_for_hundreds_of_millions_of_values() -> None:
    assert len(BOMB.encode()) <= 400
    assert yaml.compose(BOMB) is not None  # valid YAML: only its expansion is hostile


def test_an_alias_bomb_is_refused_with_the_line_where_it_explodes() -> None:
    with pytest.raises(yamlsafe.AliasExpansionError) as refused:
        yamlsafe.safe_load(BOMB)
    assert (
        str(refused.value)
        == "aliases that expand to more than 10,000 values (an alias bomb) (line 5)"
    )
    assert refused.value.expected == "YAML whose aliases expand to at most 10,000 values"
    assert refused.value.line == 5


def test_a_refusal_is_a_yaml_error_so_every_reader_reports_it_as_bad_yaml() -> None:
    with pytest.raises(yaml.YAMLError):
        yamlsafe.safe_load(BOMB.encode())


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(yamlsafe.AliasExpansionError) as refused:
        yamlsafe.safe_load("rules: &loop\n  - 1\n  - *loop\n")
    assert str(refused.value) == "an alias inside its own anchor (a recursive alias) (line 1)"


def test_deep_nesting_is_refused_instead_of_a_recursion_error() -> None:
    with pytest.raises(yamlsafe.NestingError) as refused:
        yamlsafe.safe_load("[" * 5000 + "]" * 5000)
    assert str(refused.value) == "collections nested more than 100 levels deep (line 1)"


def test_nesting_up_to_the_limit_loads() -> None:
    depth = yamlsafe.MAX_DEPTH - 1  # the mapping holding `a` is one level
    value = yamlsafe.safe_load("a: " + "[" * depth + "]" * depth)["a"]
    for _ in range(depth - 1):
        value = value[0]
    assert value == []


def test_small_aliases_and_merge_keys_still_load() -> None:
    text = (
        "common: &common {lookback_months: 12, min_months: 3}\n"
        "zero_consumption: {<<: *common, min_months: 4}\n"
        "districts: &districts [城东, 城西]\n"
        "compare: *districts\n"
    )
    assert yamlsafe.safe_load(text) == {
        "common": {"lookback_months": 12, "min_months": 3},
        "zero_consumption": {"lookback_months": 12, "min_months": 4},
        "districts": ["城东", "城西"],
        "compare": ["城东", "城西"],
    }


def test_expansion_up_to_the_limit_loads_and_past_it_is_refused() -> None:
    def aliases(count: int) -> str:
        # one anchored list of 100 values, then `count` aliases to it: 101 nodes added per alias
        return (
            "base: &base ["
            + ", ".join(["1"] * 100)
            + "]\n"
            + "".join(f"copy{index}: *base\n" for index in range(count))
        )

    fits = yamlsafe.MAX_ALIAS_EXPANSION // 101
    assert len(yamlsafe.safe_load(aliases(fits))) == fits + 1
    with pytest.raises(yamlsafe.AliasExpansionError):
        yamlsafe.safe_load(aliases(fits + 1))


# ------------------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small valid synthetic dataset (CSV)."""
    folder = tmp_path_factory.mktemp("yaml") / "data"
    synth.write(synth.generate(customers=50, districts=2, months=24), folder, fmt="csv")
    return folder


def run_auditkit(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [AUDITKIT, *arguments],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        env={**os.environ, **(env or {})},
    )


def assert_one_line_refusal(finished: subprocess.CompletedProcess, command: str) -> None:
    assert finished.returncode == 2, finished.stderr
    assert "Traceback" not in finished.stderr
    [line] = finished.stderr.strip().splitlines()
    assert line.startswith(f"auditkit {command}: error: ")
    assert "aliases that expand to more than 10,000 values (an alias bomb) (line 5)" in line


def test_run_refuses_a_bomb_in_its_params_file(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    finished = run_auditkit(
        "run",
        "district_audit",
        "--params",
        str(tmp_path / "bomb.yaml"),
        "--outputs",
        str(tmp_path / "outputs"),
        "--no-progress",
    )
    assert_one_line_refusal(finished, "run")
    assert "bomb.yaml" in finished.stderr


def test_run_all_refuses_a_bomb_in_a_params_file_of_its_folder(tmp_path: Path) -> None:
    params = tmp_path / "params"
    shutil.copytree(project_root() / "params", params)
    (params / "district_audit.yaml").write_text(BOMB, encoding="utf-8")
    finished = run_auditkit(
        "run-all",
        "--params-dir",
        str(params),
        "--outputs",
        str(tmp_path / "outputs"),
        "--no-progress",
    )
    assert_one_line_refusal(finished, "run-all")
    assert "district_audit.yaml" in finished.stderr


def test_rules_refuses_a_bomb_in_its_overrides(tmp_path: Path, dataset: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    finished = run_auditkit(
        "rules",
        str(dataset),
        "--params",
        str(tmp_path / "bomb.yaml"),
        "--out",
        str(tmp_path / "findings"),
    )
    assert_one_line_refusal(finished, "rules")
    assert not (tmp_path / "findings").exists()


def test_rules_refuses_a_bomb_in_the_thresholds_file(tmp_path: Path, dataset: Path) -> None:
    params = tmp_path / "params"
    shutil.copytree(project_root() / "params", params)
    (params / "rules.yaml").write_text(BOMB, encoding="utf-8")
    finished = run_auditkit(
        "rules",
        str(dataset),
        "--out",
        str(tmp_path / "findings"),
        env={"AUDITKIT_PARAMS": str(params)},
    )
    assert_one_line_refusal(finished, "rules")
    assert "rules.yaml" in finished.stderr


def test_crossaudit_assign_refuses_a_bomb_as_capacity(tmp_path: Path) -> None:
    (tmp_path / "capacity.yaml").write_text(BOMB, encoding="utf-8")
    finished = run_auditkit(
        "crossaudit",
        "assign",
        "--districts",
        "城东,城西,城南",
        "--seed",
        "1",
        "--capacity",
        str(tmp_path / "capacity.yaml"),
    )
    assert_one_line_refusal(finished, "crossaudit assign")


def test_a_bomb_in_columns_yaml_is_one_problem_of_the_dataset(
    dataset: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    shutil.copytree(dataset, folder)
    (folder / "columns.yaml").write_text(BOMB, encoding="utf-8")
    validated = run_auditkit("validate", str(folder))
    assert validated.returncode == 1  # `validate`: 1 when the dataset has errors
    shown = [line for line in validated.stdout.splitlines() if " read from " not in line]
    assert shown == [
        "columns.yaml row 5: expected YAML whose aliases expand to at most 10,000 values, "
        "found aliases that expand to more than 10,000 values (an alias bomb)",
        "1 error, 0 warnings (columns.yaml: 1 error, 0 warnings)",
    ]
    loaded = run_auditkit("rules", str(folder), "--out", str(tmp_path / "findings"))
    assert loaded.returncode == 2
    assert "columns.yaml row 5: expected YAML whose aliases expand" in loaded.stderr
    assert "Traceback" not in loaded.stderr


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ('key: "unclosed', "unexpected end of stream (line 1, column 15)"),
        ("a: 1\n---\nb: 2", "another document (line 2, column 1)"),
    ],
)
def test_a_yaml_error_follows_found_without_saying_found_twice(text: str, described: str):
    with pytest.raises(yaml.YAMLError) as caught:
        yamlsafe.safe_load(text.encode())
    assert yamlsafe.describe(caught.value) == described


# --------------------------------------------------------------------------------- duplicate keys


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "lang: zh\nseed: 1\nlang: en\n",
            "the key 'lang' twice in one mapping (line 3; first on line 1)",
        ),
        ("a:\n  b: 1\n  b: 2\n", "the key 'b' twice in one mapping (line 3; first on line 2)"),
        ("{x: 1, x: 2}", "the key 'x' twice in one mapping (line 1; first on line 1)"),
        (
            "true: 1\nyes: 2\n",
            "the key 'yes' (the same key as 'true') twice in one mapping (line 2; first on line 1)",
        ),
    ],
)
def test_a_duplicate_key_is_refused_naming_the_key_and_both_lines(text: str, message: str) -> None:
    with pytest.raises(yamlsafe.DuplicateKeyError) as refused:
        yamlsafe.safe_load(text.encode())
    assert str(refused.value) == message
    assert yamlsafe.describe(refused.value) == message
    assert refused.value.expected == "YAML with each key once in a mapping"


def test_the_same_key_in_different_mappings_and_a_merged_key_overridden_still_load() -> None:
    text = "base: &base {lang: zh, seed: 1}\nreport: {<<: *base, lang: en}\nother: {lang: zh}\n"
    assert yamlsafe.safe_load(text) == {
        "base": {"lang": "zh", "seed": 1},
        "report": {"lang": "en", "seed": 1},
        "other": {"lang": "zh"},
    }


DUPLICATE = "lang: zh\nlang: en\n"


def test_a_params_file_with_a_duplicate_key_is_refused_naming_it(tmp_path: Path) -> None:
    from auditkit import notebook_params

    path = tmp_path / "district_audit.yaml"
    path.write_text(DUPLICATE, encoding="utf-8")
    with pytest.raises(AuditkitError) as refused:
        notebook_params.load_params_file(path)
    assert str(refused.value) == (
        f"parameter file {str(path)!r}: expected YAML, found the key 'lang' twice in one mapping "
        "(line 2; first on line 1)"
    )


def test_the_rules_and_billing_files_refuse_a_duplicate_key_naming_the_file(
    tmp_path: Path,
) -> None:
    from auditkit.billing.params import billing_params_of
    from auditkit.rules.params import load_defaults

    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text("common:\n  lookback_months: 12\n  lookback_months: 6\n", "utf-8")
    with pytest.raises(ParameterError) as refused:
        load_defaults(rules_file)
    assert refused.value.name == str(rules_file)
    assert refused.value.found == (
        "the key 'lookback_months' twice in one mapping (line 3; first on line 2)"
    )
    billing_file = tmp_path / "billing.yaml"
    with pytest.raises(ParameterError) as refused:
        billing_params_of(b"loss_method: table\nloss_method: formula\n", billing_file)
    assert refused.value.name == str(billing_file)
    assert "the key 'loss_method' twice in one mapping (line 2; first on line 1)" in str(
        refused.value
    )


def test_the_shipped_parameter_files_still_load() -> None:
    from auditkit.billing.params import default_billing_params
    from auditkit.rules.params import load_defaults

    assert load_defaults(project_root() / "params" / "rules.yaml")
    assert default_billing_params()
    for path in sorted((project_root() / "params").glob("*.yaml")):
        assert isinstance(yamlsafe.safe_load(path.read_bytes()), dict), path


def test_columns_yaml_with_a_duplicate_key_is_one_problem_naming_its_line(tmp_path: Path) -> None:
    from auditkit.data.mapping import read_columns

    (tmp_path / "columns.yaml").write_text(
        "customers:\n  customer_id: 户号\n  customer_id: 用户编号\n", encoding="utf-8"
    )
    _, [problem] = read_columns(tmp_path)
    assert problem.row == 3
    assert "the key 'customer_id' twice in one mapping" in problem.found


def test_a_capacity_file_with_a_duplicate_district_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditkit.cli import main

    path = tmp_path / "capacity.yaml"
    path.write_text("城东: 2\n城西: 1\n城东: 3\n", encoding="utf-8")
    code = main(
        [
            "crossaudit",
            "assign",
            "--districts",
            "城东,城西,城南",
            "--seed",
            "1",
            "--capacity",
            str(path),
        ]
    )
    assert code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(path) in line
    assert "the key '城东' twice in one mapping (line 3; first on line 1)" in line


# ------------------------------------------------------------------ dates and values that are none


@pytest.mark.parametrize(
    ("text", "found", "expected", "line", "column"),
    [
        (
            "common: {penalty_regime_date: 2024-13-01}\n",
            "'2024-13-01'",
            "a real date YYYY-MM-DD",
            1,
            31,
        ),
        (
            "common:\n  penalty_regime_date: 2024-06-31\n",
            "'2024-06-31'",
            "a real date YYYY-MM-DD",
            2,
            24,
        ),
        ("as_of: 2023-02-29\n", "'2023-02-29'", "a real date YYYY-MM-DD", 1, 8),
        (
            "at: 2024-06-30 25:00:00\n",
            "'2024-06-30 25:00:00'",
            "a real date and time YYYY-MM-DD HH:MM:SS",
            1,
            5,
        ),
        ("at: !!timestamp soon\n", "'soon'", "a real date YYYY-MM-DD", 1, 5),
        ("n: !!int abc\n", "'abc'", "an integer", 1, 4),
        ("x: !!float abc\n", "'abc'", "a number", 1, 4),
        ("b: !!bool maybe\n", "'maybe'", "true or false", 1, 4),
    ],
)
def test_a_date_that_does_not_exist_is_refused_with_its_line_and_column(
    text: str, found: str, expected: str, line: int, column: int
) -> None:
    with pytest.raises(yamlsafe.NotAValueError) as refused:
        yamlsafe.safe_load(text.encode())
    error = refused.value
    assert isinstance(error, yaml.MarkedYAMLError)  # callers read its problem_mark
    assert isinstance(error, yamlsafe.RefusedYAMLError)  # `-p` refuses it, never takes it as text
    assert (error.expected, error.found) == (expected, found)
    assert (error.problem_mark.line + 1, error.problem_mark.column + 1) == (line, column)
    assert str(error) == f"{found} (line {line}, column {column})"
    assert yamlsafe.describe(error) == (
        f"{found}, which is not {expected} (line {line}, column {column})"
    )


@pytest.mark.parametrize("loader", [yamlsafe.TextKeysLoader, yamlsafe.PlainNumbersLoader])
def test_every_loader_refuses_a_date_that_does_not_exist(loader: type) -> None:
    with pytest.raises(yamlsafe.NotAValueError):
        yamlsafe.safe_load("城东: 2024-13-01\n", loader)


def test_real_dates_and_times_still_load_and_a_text_key_stays_text() -> None:
    import datetime as dt

    assert yamlsafe.safe_load("a: 2024-02-29\nb: 2024-06-30 23:59:59\nc: !!int 0x10\n") == {
        "a": dt.date(2024, 2, 29),
        "b": dt.datetime(2024, 6, 30, 23, 59, 59),
        "c": 16,
    }
    assert yamlsafe.safe_load("2024-13-01: 1\n", yamlsafe.TextKeysLoader) == {"2024-13-01": 1}


BAD_DATE = "common:\n  penalty_regime_date: 2024-06-31\n"
BAD_DATE_FOUND = "'2024-06-31', which is not a real date YYYY-MM-DD (line 2, column 24)"


def test_rules_refuses_a_date_that_does_not_exist_in_its_overrides_in_one_line(
    tmp_path: Path, dataset: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditkit.cli import main

    path = tmp_path / "f.yaml"
    path.write_text("common: {penalty_regime_date: 2024-13-01}\n", encoding="utf-8")
    code = main(["rules", str(dataset), "--params", str(path), "--out", str(tmp_path / "out")])
    assert code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "auditkit rules: error: parameter '--params': expected valid YAML, found "
        f"\"{path}: '2024-13-01', which is not a real date YYYY-MM-DD (line 1, column 31)\""
    )


def test_the_rules_thresholds_file_refuses_a_date_that_does_not_exist_naming_file_and_line(
    tmp_path: Path,
) -> None:
    from auditkit.rules.params import load_defaults

    path = tmp_path / "rules.yaml"
    path.write_text(BAD_DATE, encoding="utf-8")
    with pytest.raises(ParameterError) as refused:
        load_defaults(path)
    assert refused.value.name == str(path)
    assert refused.value.found == BAD_DATE_FOUND


def test_a_params_file_with_a_date_that_does_not_exist_is_refused_naming_it(
    tmp_path: Path,
) -> None:
    from auditkit import notebook_params

    path = tmp_path / "district_audit.yaml"
    path.write_text("as_of: 2024-13-01\n", encoding="utf-8")
    with pytest.raises(AuditkitError) as refused:
        notebook_params.load_params_file(path)
    assert str(refused.value) == (
        f"parameter file {str(path)!r}: expected YAML, found '2024-13-01', which is not a real "
        "date YYYY-MM-DD (line 1, column 8)"
    )


def test_a_capacity_file_with_a_date_that_does_not_exist_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditkit.cli import main

    path = tmp_path / "capacity.yaml"
    path.write_text("城东: 2\n城西: 2024-13-01\n", encoding="utf-8")
    code = main(
        ["crossaudit", "assign", "--districts", "城东,城西", "--seed", "1", "--capacity", str(path)]
    )
    assert code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "auditkit crossaudit assign: error: parameter '--capacity': expected a readable YAML "
        f"mapping, found \"{path}: '2024-13-01', which is not a real date YYYY-MM-DD "
        '(line 2, column 5)"'
    )


def test_columns_yaml_with_a_date_that_does_not_exist_is_one_problem_naming_its_line(
    tmp_path: Path,
) -> None:
    from auditkit.data.mapping import read_columns

    (tmp_path / "columns.yaml").write_text("customers:\n  户号: 2024-13-01\n", encoding="utf-8")
    _, [problem] = read_columns(tmp_path)
    assert (problem.file, problem.row) == ("columns.yaml", 2)
    assert (problem.expected, problem.found) == ("a real date YYYY-MM-DD", "'2024-13-01'")
