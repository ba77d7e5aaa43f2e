"""What the data's warnings mean for a district's report: said beside its conclusion, in the
report's language, naming files, tables and columns only (`auditkit.audit.data_notes`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lock_files import libreoffice_lock

from auditkit import data, synth
from auditkit.audit import study
from auditkit.audit.data_notes import data_notes, district_warnings
from auditkit.data.intake import LOCK_SKIPPED, TABLE_CLOSED
from auditkit.data.problems import Problem

CHINESE = re.compile(r"[\u4e00-\u9fff]")
OPEN_ZH = (
    "读取数据时 bills.csv 正在办公软件中打开：按上次保存的内容读取，尚未保存的修改不在本报告中。"
)
OPEN_EN = (
    "bills.csv was open in an office program when the data was read: it was read as last saved, "
    "and edits not saved yet are not in this report."
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 synthetic customers in 城东 and 城西 as CSV files (no warning of their own), then two
    bills of one 城东 customer on a tariff the schedule lacks (a warning each) and the bills'
    file open in LibreOffice."""
    tables = synth.generate(customers=120, districts=2, seed=3)
    bills, customers = tables["bills"], tables["customers"]
    east = customers.loc[customers["district"] == "城东", "customer_id"].iloc[0]
    rows = bills.index[bills["customer_id"] == east][:2]
    tariffs = bills["tariff_billed"].astype(str)
    tariffs[rows] = "NO-SUCH-TARIFF"
    bills["tariff_billed"] = tariffs
    written = synth.write(tables, tmp_path_factory.mktemp("data") / "utility", "csv")
    libreoffice_lock(written / ".~lock.bills.csv#")
    return written


def test_a_table_read_while_open_and_the_districts_warnings_follow_the_conclusion(
    folder: Path,
) -> None:
    dataset = data.load(folder)
    assert len(dataset.problems) == 3  # the file open, and the two bills' tariffs

    audit = study.build(dataset, "城东")
    zh = audit.explain("zh").splitlines()
    assert zh[1:] == [
        OPEN_ZH,
        "读取数据时有 2 条提示（bills.tariff_billed 2 条），未阻止本次稽查，复核相关疑点时请一并考虑；"
        "逐条内容可用 auditkit validate 查看。",
    ]
    en = audit.explain("en").splitlines()
    assert en[1:] == [
        OPEN_EN,
        "Reading the data gave 2 warnings (bills.tariff_billed (2)): they did not stop the audit, "
        "but weigh them when reviewing its findings; auditkit validate lists each one.",
    ]
    assert not CHINESE.search("\n".join(en))


def test_another_districts_row_warnings_are_not_its_but_the_open_file_is(folder: Path) -> None:
    west = study.build(data.load(folder), "城西")

    assert west.explain("en").splitlines()[1:] == [OPEN_EN]


def test_data_without_warnings_adds_nothing_to_the_conclusion(tmp_path: Path) -> None:
    tables = synth.generate(customers=60, districts=2, seed=3)
    clean = data.load(synth.write(tables, tmp_path / "utility", "csv"))

    assert clean.problems == ()
    assert len(study.build(clean, "城东").explain("zh").splitlines()) == 1


def _warning(
    file: str = "bills.csv",
    column: str | None = "kwh_billed",
    expected: str = "kWh the registers give",
    customer_id: str | None = None,
    count: int = 1,
) -> Problem:
    return Problem(
        file, 5, column, expected, "…", "warning", file.split(".")[0], customer_id, count=count
    )


def test_warnings_are_counted_by_table_and_column() -> None:
    warnings = [
        _warning(customer_id="C1"),
        _warning(customer_id="C2"),
        _warning("tariffs.csv", "tier_from_kwh", "tiers that follow each other"),
        _warning("bills.csv", None, "a file of the period"),
    ]

    [sentence] = data_notes(warnings, "en")

    assert sentence.startswith(
        "Reading the data gave 4 warnings (bills.kwh_billed (2), tariffs.tier_from_kwh (1), "
        "bills (1)):"
    )


def test_a_district_keeps_its_customers_and_shared_warnings_not_skipped_locks_or_errors() -> None:
    own, other = _warning(customer_id="C1"), _warning(customer_id="C9")
    shared = _warning("tariffs.csv", "tier_from_kwh", "tiers that follow each other")
    opened = _warning("bills.xlsx", None, TABLE_CLOSED)
    stale_lock = _warning("~$说明.xlsx", None, LOCK_SKIPPED)
    error = Problem("bills.csv", 3, "period", "a month", "'13'", "error", "bills", "C1")

    kept = district_warnings([own, other, shared, opened, stale_lock, error], {"C1", "C2"})

    assert kept == [own, shared, opened]
    assert data_notes([opened], "zh") == [
        "读取数据时 bills.xlsx 正在办公软件中打开：按上次保存的内容读取，尚未保存的修改不在本报告中。"
    ]


def test_warnings_past_the_listing_limit_are_counted_apart_as_of_no_known_district() -> None:
    listed = _warning(customer_id="C1")
    past_limit = _warning(count=120_000)  # the one Problem counting the rows not listed

    assert district_warnings([listed, past_limit], {"C1"}) == [listed, past_limit]
    assert data_notes([listed, past_limit], "en")[1] == (
        "120,000 more warnings past the limit of those listed one by one (bills.kwh_billed "
        "(120,000)) name no customer and may concern this district; auditkit validate gives the "
        "row they start at."
    )
    assert data_notes([past_limit], "zh") == [
        "另有 120,000 条同类提示超出逐条列出的上限（bills.kwh_billed 120,000 条），未记录所属用户，"
        "可能涉及本单位；auditkit validate 可给出其起始行。"
    ]


def test_one_warning_is_said_in_the_singular() -> None:
    """`Reading the data gave 1 warnings: they did not ...` read as a slip in the report."""
    one = [_warning(customer_id="C1")]

    assert data_notes(one, "en") == [
        "Reading the data gave 1 warning (bills.kwh_billed (1)): it did not stop the audit, but "
        "weigh it when reviewing its findings; auditkit validate shows it."
    ]
    assert data_notes(one, "zh") == [
        "读取数据时有 1 条提示（bills.kwh_billed 1 条），未阻止本次稽查，复核相关疑点时请一并考虑；"
        "其内容可用 auditkit validate 查看。"
    ]
    assert data_notes(one * 2, "en")[0].startswith("Reading the data gave 2 warnings (")
