"""Errors read as one line a user understands, whatever the value or the file's encoding."""

from __future__ import annotations

import datetime as dt
import pickle

import numpy as np
import pandas as pd
import pytest

from auditkit import yamlsafe
from auditkit.data.problems import DataValidationError, Problem
from auditkit.data.side_csv import SideTableError
from auditkit.errors import (
    AuditkitError,
    ParameterError,
    flags,
    parameters_named,
    require_frame_columns,
)
from auditkit.notebook_params import load_params_file
from auditkit.sampling.errors import FieldSheetError


def test_parameter_error_shows_a_yaml_date_as_the_date_not_python_repr():
    error = ParameterError("capacity", "a number", dt.date(2024, 1, 1))
    assert str(error) == "parameter 'capacity': expected a number, found the date 2024-01-01"


def test_parameter_error_quotes_text_it_found():
    assert str(ParameterError("lang", "'zh' or 'en'", "fr")).endswith("found 'fr'")


def test_parameter_error_cuts_a_text_of_over_1000_characters_and_says_its_length():
    long = ParameterError("--sent-by", "at most 100 characters", "王" * 1_001 + "\x1b")
    assert str(long).endswith(f"found {'王' * 80!r}… (1,002 characters)")
    whole = ParameterError("FINDINGS", "a findings file", "x" * 1_000)  # as long as may be
    assert str(whole).endswith(f"found {'x' * 1_000!r}")


def test_parameter_error_shows_a_numpy_number_as_the_number_it_is():
    assert str(ParameterError("x", "at most 5", np.float64(-20.0))).endswith("found -20.0")
    assert str(ParameterError("n", "at least 1", np.int64(0))).endswith("found 0")


def test_a_params_file_not_in_utf8_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "district_audit.yaml"
    path.write_bytes('district: "城东"\n'.encode("gbk"))
    with pytest.raises(AuditkitError) as caught:
        load_params_file(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and "not UTF-8" in message


def test_a_yaml_syntax_error_is_one_line_with_its_line_number(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("top_n: [1,\nlang: zh\n", encoding="utf-8")
    with pytest.raises(AuditkitError) as caught:
        load_params_file(path)
    assert "\n" not in str(caught.value) and "(line 3, column 1)" in str(caught.value)
    assert "<byte string>" not in str(caught.value)


def test_describe_keeps_a_refusal_of_an_alias_bomb_on_one_line():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(5)
    )
    with pytest.raises(yamlsafe.RefusedYAMLError) as caught:
        yamlsafe.safe_load(bomb)
    assert "\n" not in yamlsafe.describe(caught.value)


def test_a_table_without_its_columns_is_named_with_what_it_should_hold_and_what_it_lacks():
    frame = pd.DataFrame({"customer_id": ["a"], "score": [1.0]})
    require_frame_columns(frame, "findings", "findings of auditkit.rules.run", ["customer_id"])
    with pytest.raises(ParameterError) as caught:
        require_frame_columns(frame, "findings", "findings", ["customer_id", "rule_id", "period"])
    assert str(caught.value) == (
        "parameter 'findings': expected findings, with columns customer_id, rule_id, period, "
        "found 'no column rule_id, period'"
    )
    with pytest.raises(ParameterError, match=r"expected findings \(a table\), found 'list'"):
        require_frame_columns([("a", 1.0)], "findings", "findings", ["customer_id"])


def test_ipython_shows_an_auditkit_error_as_its_one_line():
    # IPython (JupyterLab, papermill) renders an exception with `_render_traceback_` by its lines.
    error = ParameterError("district", "one of 城东, 城西", "火星")
    assert error._render_traceback_() == [
        "ParameterError: parameter 'district': expected one of 城东, 城西, found '火星'"
    ]


@pytest.mark.parametrize(
    "error",
    [
        ParameterError("n", "a whole number of at least 1", 0),
        DataValidationError([Problem("bills.parquet", 3, "kwh", "a number", "'abc'")]),
        FieldSheetError("field sheet 'a.xlsx': 1 problem", ["row 4: expected yes or no"]),
        SideTableError(Problem("frame.csv", 2, None, "at most 2 fields", "3")),
    ],
    ids=lambda error: type(error).__name__,
)
def test_an_error_crosses_a_process_boundary_as_itself(error: AuditkitError) -> None:
    """A worker's error (a part of a run by parts) reaches the parent whole: pickle would call
    the class with the message alone, and the parent would see only that its worker died."""
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and str(copy) == str(error)
    assert vars(copy) == vars(error)


def test_a_number_too_long_to_read_is_shown_by_its_digits_never_a_traceback() -> None:
    """Python refuses to write an int of over 4,300 digits; a YAML or JSON value may hold one."""
    assert str(ParameterError("seed", "a whole number ≥ 0", 10**5000)) == (
        "parameter 'seed': expected a whole number ≥ 0, found a whole number of 5,001 digits"
    )
    assert str(ParameterError("top_n", "at most 100", 10**40 - 1)).endswith("of 40 digits")
    assert str(ParameterError("top_n", "at most 100", 12345)).endswith("found 12345")


def test_parameters_named_renames_the_names_it_knows_and_passes_the_others() -> None:
    assert flags("as_of", "population_size") == {
        "as_of": "--as-of",
        "population_size": "--population-size",
    }
    with pytest.raises(ParameterError) as caught, parameters_named(flags("as_of")):
        raise ParameterError("as_of", "a month YYYY-MM", "2024-13")
    assert str(caught.value) == "parameter '--as-of': expected a month YYYY-MM, found '2024-13'"
    with pytest.raises(ParameterError) as caught, parameters_named(flags("as_of")):
        raise ParameterError("seed", "a whole number", "x")
    assert caught.value.name == "seed"
