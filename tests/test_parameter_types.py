"""A wrong type given to a public entry point is a ParameterError naming the parameter (one
line: what was expected, what was found), not a raw TypeError, AttributeError or KeyError from
deep inside."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from auditkit import crossaudit, data, rules, sampling, stats, synth
from auditkit.data import Dataset
from auditkit.errors import ParameterError, checked_names


@pytest.fixture(scope="module")
def utility() -> Dataset:
    return Dataset.from_frames(synth.generate(customers=60, districts=2, seed=1))


CALLS: dict[str, tuple[str, Callable[[Dataset], object]]] = {
    "load a number": ("path", lambda _: data.load(5)),
    "validate a number": ("path", lambda _: data.validate(3)),
    "frames as a list": ("tables", lambda ds: Dataset.from_frames([ds.customers, ds.bills])),
    "a table as text": (
        "tables['bills']",
        lambda ds: Dataset.from_frames(
            {"customers": ds.customers, "bills": "x", "tariffs": ds.tariffs}
        ),
    ),
    "months as text": ("months", lambda ds: stats.summarize(ds.bills, ds.customers, months="12")),
    "months a fraction": (
        "months",
        lambda ds: stats.summarize(ds.bills, ds.customers, months=12.5),
    ),
    "recent as text": (
        "recent",
        lambda ds: stats.anomaly_scores(ds.bills, ds.customers, recent="3"),
    ),
    "min_inspections as text": (
        "min_inspections",
        lambda ds: crossaudit.compare(ds.inspections, ds.customers, min_inspections="10"),
    ),
    "rules a number": ("rules", lambda ds: rules.run(ds, rules=3)),
    "params a file name": ("params", lambda ds: rules.run(ds, params="params/rules.yaml")),
    "strata a list": ("strata", lambda ds: sampling.select(ds.bills, 50, strata=["district"])),
    "field sheet of text": (
        "selection",
        lambda _: sampling.write_field_sheet("x", "never-written.xlsx"),
    ),
    "benford of a table": ("values", lambda ds: stats.benford(ds.bills[["amount"]])),
    "decompose a list": ("series", lambda _: stats.decompose([1, 2, 3])),
    "districts as a list": (
        "district",
        lambda ds: rules.of_district(rules.run(ds, rules=["zero_consumption"]), ["城东"]),
    ),
    "truth without labels": (
        "truth",
        lambda ds: rules.precision_recall(
            rules.run(ds, rules=["zero_consumption"]), pd.DataFrame()
        ),
    ),
}


@pytest.mark.parametrize("case", CALLS)
def test_a_wrong_type_is_refused_naming_the_parameter(case: str, utility: Dataset) -> None:
    name, call = CALLS[case]
    with pytest.raises(ParameterError) as raised:
        call(utility)
    assert raised.value.name == name


def test_the_right_types_pass_the_same_checks(utility: Dataset) -> None:
    """Near misses: a whole-number float for months, an array for Benford and a series indexed
    by 'YYYY-MM' for decompose reach the computation."""
    summary = stats.summarize(utility.bills, utility.customers, months=12.0)
    assert summary.summary()["kwh"] > 0
    assert stats.benford(np.array([12.0, 345.0, 67.0])).n == 3
    monthly = pd.Series(
        np.arange(24, dtype=float) % 12 + 100,
        index=[f"{2023 + m // 12}-{m % 12 + 1:02d}" for m in range(24)],
    )
    assert len(stats.decompose(monthly).frame) == 24


@pytest.mark.parametrize("given, found", [(5, "5"), (2.5, "2.5"), (None, "nothing")])
def test_names_of_a_wrong_type_show_the_value_given(given: object, found: str) -> None:
    """districts=5 said "found 'int'", as if the text 'int' had been typed; it shows 5, as
    every other wrong type does (`require_type`)."""
    with pytest.raises(ParameterError) as raised:
        checked_names(given, ["城东"], "districts")
    assert str(raised.value) == (
        f"parameter 'districts': expected a name or a list of names, found {found}"
    )
