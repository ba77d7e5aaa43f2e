"""`auditkit crossaudit assign` weighs districts as the cross_audit report does."""

from __future__ import annotations

import argparse
import dataclasses

import pandas as pd
import pytest

from auditkit.cli import stats as stats_cli
from auditkit.crossaudit import assign
from auditkit.crossaudit.study import build
from auditkit.data import Dataset
from auditkit.data.intake import TableSource
from auditkit.errors import ParameterError

#: Customers per district: 城东 is three times the size of the others.
SIZES = {"城东": 30, "城北": 10, "城南": 10, "城西": 10}
CAPACITY = {"城东": 4, "城西": 2, "城南": 1}


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="auditkit")
    stats_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


def _dataset() -> Dataset:
    names = [name for name, size in SIZES.items() for _ in range(size)]
    customers = pd.DataFrame(
        {"customer_id": [f"C{i:03d}" for i in range(len(names))], "district": names}
    )
    return Dataset(customers=customers)


@pytest.fixture
def capacity_file(tmp_path):
    path = tmp_path / "capacity.yaml"
    path.write_text("".join(f"{name}: {value}\n" for name, value in CAPACITY.items()), "utf-8")
    return path


def test_assign_from_the_data_weighs_districts_by_customers_as_the_report_does(
    monkeypatch, tmp_path, capacity_file
):
    """The CLI weighed every district 1, the notebook by its customers: the same data, seed and
    capacity gave two different rounds. By customers (60 in all), capacity 4:2:1 of 7 targets
    城东 60 × 4/7 = 34.3, 城西 60 × 2/7 = 17.1, 城南 60 × 1/7 = 8.6; the round 城东 → 城北, 城南
    (10 + 10 = 20), 城西 → 城东 (30), 城南 → 城西 (10) is off by 14.3² + 12.9² + 1.4² = 372.
    Weighing each 1 (4 in all: targets 2.3, 1.1, 0.6), 城东 audits two and the others one."""
    monkeypatch.setattr("auditkit.data.load", lambda folder: _dataset())
    out = tmp_path / "round.csv"
    flags = ["--data", "data", "--seed", "1", "--capacity", str(capacity_file)]
    assert run("crossaudit", "assign", *flags, "--out", str(out)) == 0
    written = pd.read_csv(out, encoding="utf-8-sig")
    report = build(_dataset(), seed=1, capacity=CAPACITY).assignment.pairs
    assert written.equals(report)
    assert list(written.itertuples(index=False, name=None)) == [
        ("城东", "城北"),
        ("城东", "城南"),
        ("城南", "城西"),
        ("城西", "城东"),
    ]
    # near miss: weighing every district 1 gives another round here
    assert not written.equals(assign(list(SIZES), 1, workload=CAPACITY))


def test_assign_from_named_districts_weighs_each_the_same(tmp_path, capacity_file):
    out = tmp_path / "round.csv"
    names = ",".join(SIZES)
    flags = ["--districts", names, "--seed", "1", "--capacity", str(capacity_file)]
    assert run("crossaudit", "assign", *flags, "--out", str(out)) == 0
    written = pd.read_csv(out, encoding="utf-8-sig")
    assert written.equals(assign(list(SIZES), 1, workload=CAPACITY))


def test_the_help_says_how_each_source_weighs_its_districts(capsys):
    with pytest.raises(SystemExit):
        run("crossaudit", "assign", "--help")
    shown = " ".join(capsys.readouterr().out.split())
    assert "each weighing its number of customers under --capacity" in shown
    assert "each weighing the same under --capacity" in shown


@pytest.mark.parametrize(
    ("inspections", "said"),
    [
        (None, "expected a dataset with an inspections table, found 'data'"),
        (
            pd.DataFrame(columns=["customer_id", "audit_kind"]),
            "expected an inspections table with rows, found 'data/inspections.csv: no rows'",
        ),
    ],
    ids=["none", "header"],
)
def test_compare_without_inspections_says_so_in_one_line(monkeypatch, capsys, inspections, said):
    """An inspections table of its header alone printed pandas' 'Empty DataFrame' and exited 0,
    then was said to be no inspections table though the folder has one: now the file is named
    as having no rows; a dataset without the table is still said to lack it."""
    sources = (
        {"inspections": TableSource("inspections.csv", "csv")} if inspections is not None else {}
    )
    monkeypatch.setattr(
        "auditkit.data.load",
        lambda folder: dataclasses.replace(_dataset(), inspections=inspections, sources=sources),
    )
    with pytest.raises(ParameterError) as caught:
        run("crossaudit", "compare", "data")
    assert str(caught.value) == f"parameter 'DATA_DIR': {said}"
    assert "Empty DataFrame" not in capsys.readouterr().out
