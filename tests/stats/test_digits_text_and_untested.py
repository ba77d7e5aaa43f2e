"""Digit tests refuse an amount written as text by its row (an infinite one too), read the usual
texts for a missing amount as missing, and speak of tested readers only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit.errors import ParameterError
from auditkit.stats import benford
from auditkit.stats.benford import benford_by_group
from auditkit.stats.digits import adjustment_benford, last_digit_test

CUSTOMERS = pd.DataFrame({"customer_id": ["E1", "W1"], "district": ["城东", "城西"]})


@pytest.mark.parametrize("text", ["1,234.50", "abc", "12 元"])
def test_an_amount_that_is_text_but_no_number_is_refused_naming_its_row(text: str):
    amounts = pd.Series([12.5, 345.0, text, 78.0], dtype=object)
    found = f"found \"'{text}' in row 3\"$"
    with pytest.raises(ParameterError, match=f"^parameter 'values': expected numbers .*{found}"):
        benford(amounts)  # before: left out as missing, n 3 and n_excluded 1
    with pytest.raises(ParameterError, match=f"^parameter 'values': .*{found}"):
        benford_by_group(amounts, pd.Series(["a", "a", "b", "b"]))


def test_an_empty_amount_and_a_number_written_as_text_are_read_as_before():
    amounts = pd.Series(["12.5", None, " ", np.nan, "345"], dtype=object)
    result = benford(amounts)
    assert result.n == 2 and result.n_excluded == 3  # 12.5 and 345 tested; three missing


@pytest.mark.parametrize("missing", ["nan", "NaN", "None", "NULL", "N/A", "-", " null "])
def test_a_usual_text_for_a_missing_amount_is_read_as_missing(missing: str):
    amounts = pd.Series(["12.5", missing, "345"], dtype=object)
    result = benford(amounts)  # before: refused as a text that is no number
    assert result.n == 2 and result.n_missing == 1 and result.n_excluded == 1


@pytest.mark.parametrize("text", ["inf", "-Infinity", " INF"])
def test_an_infinite_amount_written_as_text_is_refused_naming_its_row(text: str):
    amounts = pd.Series(["12.5", "345", text], dtype=object)
    found = f'found "{text!r} in row 3"$'
    with pytest.raises(ParameterError, match=f"^parameter 'values': expected numbers .*{found}"):
        benford(amounts)  # before: read as missing without a word


def test_near_misses_a_negative_text_a_float_infinity_and_an_exponent_are_read_as_before():
    amounts = pd.Series(["12.5", "-50", "1e3", np.inf], dtype=object)
    result = benford(amounts)
    # 12.5 and 1e3 = 1000 tested; -50 non-positive and the float inf missing, as before.
    assert result.n == 2 and result.n_nonpositive == 1 and result.n_missing == 1


def test_an_adjustment_amount_that_is_no_number_is_refused_by_its_row_in_the_table():
    adjustments = pd.DataFrame(
        {
            "customer_id": ["E1", "W1", "E1"],
            "amount": [120.0, 45.5, "1,234.50"],
            "kind": ["refund", "backbill", "backbill"],
        }
    )
    expected = (
        "^parameter 'adjustments.amount': expected a number of yuan, found \"'1,234.50' in row 3\"$"
    )
    with pytest.raises(ParameterError, match=expected):
        adjustment_benford(adjustments, CUSTOMERS)
    with pytest.raises(ParameterError, match=expected):  # row 3 of the table, not of the kind kept
        adjustment_benford(adjustments, CUSTOMERS, kinds="backbill")


def _reads(reader: str, last_digits: list[int]) -> pd.DataFrame:
    """Hand reads whose registers end in `last_digits` (each moved by 123.4 units)."""
    end = 10_000.0 + 10 * np.arange(len(last_digits)) + np.asarray(last_digits) + 0.4
    return pd.DataFrame(
        {
            "customer_id": "E1",
            "register_start": end - 123.4,
            "register_end": end,
            "read_type": "actual",
            "reader_id": reader,
        }
    )


def test_the_sentence_counts_the_reads_of_tested_readers_and_an_untested_one_is_not_judged():
    honest = _reads("R01", list(range(10)) * 30)  # 300 reads, 30 of each digit
    also = _reads("R02", list(range(10)) * 30)  # 300
    few = _reads("R03", [0] * 50)  # 50 reads, below min_reads 100: not tested
    result = last_digit_test(pd.concat([honest, also, few], ignore_index=True), min_reads=100)
    # 300 + 300 = 600 registers tested (before: 650, R03's 50 counted too)
    assert result.summary()["reads"] == 600
    assert "2 meter readers, 600 registers;" in result.explain("en")
    assert "2 名抄表员、600 个示数" in result.explain("zh")
    shown = result.to_table("en").set_index("Meter reader")
    assert shown.loc["R03", "Not uniform"] == ""  # before: "no"
    assert (shown.loc[["R01", "R02"], "Not uniform"] == "no").all()
    assert result.to_table("zh").set_index("抄表员").loc["R03", "末位不均匀"] == ""  # before: 否
