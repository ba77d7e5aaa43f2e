"""The field loop on the command line: `auditkit worklist` writes the sheets and records them as
sent, the field fills them, `auditkit register import` records the outcomes (SQLite)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import worklist_builders as builders
from lock_files import excel_owner_file
from openpyxl import load_workbook
from openpyxl.utils.datetime import to_excel

from auditkit.atomic import locked_while_written
from auditkit.cli import main
from auditkit.cycle import study_of_register
from auditkit.pipeline.partials import STAGED_QUIET_SECONDS
from auditkit.register import Register, select_worklist, write_worklist
from auditkit.register import sheet as sheet_module
from auditkit.register.keys import finding_keys
from auditkit.register.sheet import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    WORKLIST_SHEETS,
    canonical_column,
    worklist_source,
)
from auditkit.register.store import OutcomeConflict
from auditkit.register.worklist_sent import record_sent
from auditkit.rules import RULES

#: The day checks are dated: worklists are recorded as sent today, and a check cannot precede it.
TODAY = f"{dt.date.today():%Y-%m-%d}"


@pytest.fixture(scope="module")
def utility(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic utility of two districts, written once for the module."""
    folder = tmp_path_factory.mktemp("utility") / "data"
    args = ["synth", "--customers", "300", "--districts", "2", "--months", "24", "--seed", "6"]
    assert main([*args, "--out", str(folder)]) == 0
    return folder


@pytest.fixture
def recorded(utility: Path, tmp_path: Path) -> tuple[str, Path]:
    """The utility's rule run recorded in a fresh register; its URL and the findings folder."""
    db, findings = f"sqlite:///{tmp_path / 'register.sqlite'}", tmp_path / "findings"
    assert main(["rules", str(utility), "--out", str(findings), "--register", "--db", db]) == 0
    return db, findings


def sheets(folder: Path) -> list[Path]:
    return sorted(folder.glob("worklist-*.xlsx"))


def fill(sheet: Path, answers: dict[int, dict[str, object]], target: Path) -> Path:
    """Fill rows (Excel numbering) of a worklist as an inspector would, save as `target`."""
    workbook = load_workbook(sheet)
    page = workbook.worksheets[0]  # the worklist, named in the sheet's language
    columns = {canonical_column(cell.value): cell.column for cell in page[HEADER_ROW]}
    for row, values in answers.items():
        for column, value in values.items():
            page.cell(row, columns[column]).value = value
    workbook.save(target)
    return target


def key_at(sheet: Path, row: int) -> str:
    return str(load_workbook(sheet).worksheets[0].cell(row, 1).value)


def sent_name(db: str, sheet: Path) -> str:
    """The worklist `sheet` as messages name it to its users (`Register.worklist_names`: the
    district it was sent for, when and by whom)."""
    source = worklist_source(sheet)
    with Register.open(db) as register:
        return register.worklist_names([source])[source]


def amounts(db: str, key: str | None = None) -> list[float]:
    """The amounts of the live outcome events the register holds (of finding `key`, or all)."""
    with Register.open(db) as register:
        return register.outcomes(key)["amount"].dropna().tolist()


def correct(db: str, sheet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Import `sheet` with --correct, which records its one changed row as a correction."""
    assert main(["register", "import", str(sheet), "--db", db, "--correct"]) == 0
    assert "1 outcome events recorded, 1 of them corrections" in capsys.readouterr().out


def first_keys(sheet: Path, count: int) -> list[str]:
    """The finding keys of the sheet's first `count` rows, in order."""
    return [key_at(sheet, FIRST_DATA_ROW + row) for row in range(count)]


def test_the_field_loop_sends_the_worklist_and_records_what_the_field_found(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    db, _ = recorded
    out = tmp_path / "worklists"
    capsys.readouterr()
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(out), "--sent-by", "王工"]) == 0
    printed = capsys.readouterr().out
    written = sheets(out)
    assert [path.name for path in written] == ["worklist-城东.xlsx", "worklist-城西.xlsx"]
    assert "4 findings recorded as sent, already recorded 0" in printed
    for district in ("城东", "城西"):  # each sheet's line names its own district
        assert re.search(
            rf"^{district}: 2 of \d+ findings: .*worklist-{district}\.xlsx$", printed, re.M
        )
    with Register.open(db) as register:
        trail = register.outcomes()
    assert (trail["event"] == "sent").sum() == 4 and set(trail["actor"]) == {"王工"}
    assert set(trail["source_row"]) == {FIRST_DATA_ROW, FIRST_DATA_ROW + 1}

    east = written[0]
    checked = dt.datetime.combine(dt.date.today(), dt.time())  # checked the day it was sent
    first, second = key_at(east, FIRST_DATA_ROW), key_at(east, FIRST_DATA_ROW + 1)
    recovered_row = {"outcome": "已追补", "amount_recovered": 1234.5, "checked_by": "李四"}
    rejected_row = {"outcome": "误报", "checked_by": "李四", "checked_on": f"{checked:%Y-%m-%d}"}
    answers = {FIRST_DATA_ROW: {**recovered_row, "checked_on": checked},
               FIRST_DATA_ROW + 1: rejected_row}  # fmt: skip
    returned = fill(east, answers, tmp_path / "returned.xlsx")
    assert main(["register", "import", str(returned), "--db", db]) == 0
    assert "2 outcome events recorded, already recorded 0" in capsys.readouterr().out
    with Register.open(db) as register:
        recovered = register.outcomes(first)
        rejected = register.outcomes(second)
    assert recovered["event"].tolist() == ["sent", "recovered"]
    assert recovered["amount"].iloc[-1] == 1234.5 and recovered["actor"].iloc[-1] == "李四"
    assert rejected["event"].tolist() == ["sent", "false_alarm"]
    assert rejected["happened_at"].iloc[-1] == checked


def test_a_worklist_open_in_an_office_program_is_not_written_over_nor_any_other_sheet(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    db, _ = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "1", "--out", str(out)]) == 0
    written = {path: path.read_bytes() for path in sheets(out)}
    west = sheets(out)[1]  # 城西's: the sheets are checked before any is written
    lock = excel_owner_file(out / f"~${west.name}")  # the field has it open in Excel
    sent = len(Register.open(db).outcomes())
    capsys.readouterr()
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "auditkit worklist: error: parameter '--out': expected a folder whose sheets no office "
        f"program has open, found '{west}, open in Excel or WPS (~${west.name} beside it): save "
        "and close it first (or delete the lock file if no program has it open)'\n"
    )
    assert {path: path.read_bytes() for path in sheets(out)} == written
    assert len(Register.open(db).outcomes()) == sent  # nothing recorded as sent either
    lock.unlink()  # closed: its outcomes, none, are all recorded, so it may be written over
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(out)]) == 0
    assert all(path.read_bytes() != written[path] for path in sheets(out))


def test_writing_or_importing_the_same_worklist_again_records_nothing_new(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    db, findings = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--by", "high", "--out", str(out)]) == 0
    first = {path.name: path.read_bytes() for path in sheets(out)}
    sent = len(Register.open(db).outcomes())
    assert sent > 0
    capsys.readouterr()
    assert main(["worklist", "--db", db, "--by", "high", "--out", str(out)]) == 0
    assert f"0 findings recorded as sent, already recorded {sent}" in capsys.readouterr().out
    assert {path.name: path.read_bytes() for path in sheets(out)} == first
    # the same findings from the run's file, with --register: the same worklist, nothing new
    again = ["worklist", str(findings), "--register", "--db", db, "--by", "high"]
    assert main([*again, "--out", str(tmp_path / "from-file")]) == 0
    assert f"0 findings recorded as sent, already recorded {sent}" in capsys.readouterr().out
    from_file = {path.name: path.read_bytes() for path in sheets(tmp_path / "from-file")}
    assert from_file == first  # the data's month (checks cannot precede it) and seal included

    sheet = sheets(out)[0]
    done = {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}
    returned = fill(sheet, {FIRST_DATA_ROW: done}, tmp_path / "returned.xlsx")
    copy = fill(sheet, {FIRST_DATA_ROW: done}, tmp_path / "returned (1).xlsx")
    assert main(["register", "import", str(returned), "--db", db]) == 0
    assert main(["register", "import", str(returned), str(copy), "--db", db]) == 0
    printed = capsys.readouterr().out
    assert "0 outcome events recorded, already recorded 1" in printed
    assert len(Register.open(db).outcomes()) == sent + 1
    # Every finding drawn at random (a share of 1): the same rows chosen another way are a new
    # sending, recorded as selected by sampling (what the rules' sampled precision counts).
    high = set(Register.open(db).outcomes()["finding_key"])
    drawn = ["worklist", "--db", db, "--by", "sample", "--share", "1", "--recheck"]
    assert main([*drawn, "--out", str(tmp_path / "drawn")]) == 0
    trail = Register.open(db).outcomes()
    sampled = trail[trail["selected_by"] == "sample"]
    assert high <= set(sampled["finding_key"]) and len(trail) == sent + 1 + len(sampled)


def test_a_corrected_sheet_is_refused_naming_the_cell_and_recorded_with_correct(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """The inspector typed 300 for 280 and returned the sheet again: imported as is it added a
    second recovery (580 yuan); it is refused, then recorded as a correction."""
    db, _ = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(out)]) == 0
    east, today = sheets(out)[0], f"{dt.date.today():%Y-%m-%d}"
    first = key_at(east, FIRST_DATA_ROW)
    row = {"outcome": "已追补", "checked_by": "李四", "checked_on": today}
    typo = fill(east, {FIRST_DATA_ROW: {**row, "amount_recovered": 300}}, tmp_path / "a.xlsx")
    fixed = fill(east, {FIRST_DATA_ROW: {**row, "amount_recovered": 280}}, tmp_path / "b.xlsx")
    assert main(["register", "import", str(typo), "--db", db]) == 0
    capsys.readouterr()
    assert main(["register", "import", str(fixed), "--db", db]) == 2
    error = capsys.readouterr().err
    assert (
        f"worklist 'b.xlsx', sheet '核查工单', row {FIRST_DATA_ROW}, column amount_recovered: "
        "recorded 300.0 (imported before), found 280.0: import with --correct"
    ) in error
    assert amounts(db, first) == [300.0]
    correct(db, fixed, capsys)
    with Register.open(db) as register:
        assert register.outcomes(first)["amount"].dropna().tolist() == [280.0]
        assert register.outcomes(first, superseded=True)["amount"].dropna().tolist() == [
            300.0,
            280.0,
        ]
    # the sheet as corrected may now be written over: every outcome of it is recorded
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(tmp_path / "next")]) == 0


def test_an_amount_in_fen_is_refused_and_a_checked_large_recovery_imported_with_large_amounts(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    db, _ = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "1", "--out", str(out)]) == 0
    east, today = sheets(out)[0], f"{dt.date.today():%Y-%m-%d}"
    row = {"outcome": "已追补", "checked_by": "李四", "checked_on": today}
    typed = fill(east, {FIRST_DATA_ROW: {**row, "amount_recovered": 99_999_999}}, east)
    capsys.readouterr()
    assert main(["register", "import", str(typed), "--db", db]) == 2
    error = capsys.readouterr().err
    assert f"row {FIRST_DATA_ROW}, column " in error and "found 99,999,999.00" in error
    with Register.open(db) as register:
        assert not (register.outcomes()["event"] == "recovered").any()
    assert main(["register", "import", str(typed), "--db", db, "--large-amounts"]) == 0
    assert amounts(db) == [99_999_999.0]
    # Imported, the sheet may be written over: its large amount is recorded, not lost.
    assert main(["worklist", "--db", db, "--top", "1", "--recheck", "--out", str(out)]) == 0


def test_a_check_dated_before_the_sheet_was_sent_is_refused_naming_row_and_column(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    db, _ = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "1", "--out", str(out)]) == 0  # sent today
    east, today = sheets(out)[0], dt.date.today()
    day_before = f"{today - dt.timedelta(days=1):%Y-%m-%d}"
    row = {"outcome": "已整改", "checked_by": "李四", "checked_on": day_before}
    slipped = fill(east, {FIRST_DATA_ROW: row}, tmp_path / "slipped.xlsx")
    capsys.readouterr()
    assert main(["register", "import", str(slipped), "--db", db]) == 2
    header = load_workbook(east).worksheets[0][HEADER_ROW]
    letter = next(c.column_letter for c in header if canonical_column(c.value) == "checked_on")
    assert (
        f"worklist 'slipped.xlsx', sheet '核查工单', row {FIRST_DATA_ROW}, column {letter} "
        "(checked_on): "
        f"expected a date on or after {today:%Y-%m-%d} (the day this worklist was recorded as "
        f"sent), found {day_before}"
    ) in capsys.readouterr().err
    with Register.open(db) as register:
        assert set(register.outcomes()["event"]) == {"sent"}


def test_a_date_cell_with_a_time_of_day_is_refused_and_a_whole_serial_number_imported(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    db, _ = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "1", "--out", str(out)]) == 0  # sent today
    east = sheets(out)[0]
    serial = to_excel(dt.datetime.combine(dt.date.today(), dt.time()))  # today in Excel's days
    row = {"outcome": "已整改", "checked_by": "李四"}
    fraction = fill(
        east, {FIRST_DATA_ROW: {**row, "checked_on": serial + 0.9}}, tmp_path / "f.xlsx"
    )
    capsys.readouterr()
    assert main(["register", "import", str(fraction), "--db", db]) == 2
    assert (
        f"worklist 'f.xlsx', sheet '核查工单', row {FIRST_DATA_ROW}, column N (checked_on): "
        "expected a date YYYY-MM-DD between 2000 and 2100 (a whole day), found the serial number "
        f"{serial + 0.9!r} in a date cell: {TODAY} at 21:36:00"
    ) in capsys.readouterr().err
    whole = fill(east, {FIRST_DATA_ROW: {**row, "checked_on": serial}}, tmp_path / "w.xlsx")
    assert main(["register", "import", str(whole), "--db", db]) == 0
    with Register.open(db) as register:
        trail = register.outcomes()
    assert trail.loc[trail["event"] == "rectified", "happened_at"].tolist() == [pd.Timestamp(TODAY)]


def test_an_auditor_that_is_no_district_is_refused_before_any_sheet(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """A typo ('城西区' for 城西) would record a phantom cross-audit bureau with every outcome."""
    db, findings = recorded
    out = tmp_path / "worklists"
    args = ["--district", "城东", "--by", "sample", "--share", "0.3", "--out", str(out)]
    with Register.open(db) as register:
        before = len(register.outcomes())
    capsys.readouterr()
    assert main(["worklist", "--db", db, "--auditor", "城西区", *args]) == 2
    error = capsys.readouterr().err
    assert "parameter '--auditor': expected a district of the register" in error
    assert "one of 城东, 城西, found '城西区'" in error
    assert main(["worklist", str(findings), "--auditor", "城西区", *args]) == 2
    assert "expected a district of the findings, one of 城东, 城西, found '城西区'" in (
        capsys.readouterr().err
    )
    assert not out.exists() or not sheets(out)
    with Register.open(db) as register:
        assert len(register.outcomes()) == before  # nothing recorded as sent
    assert main(["worklist", "--db", db, "--auditor", "城西", *args]) == 0


def test_text_in_the_amount_column_refuses_the_sheet_with_one_line(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    db, _ = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(out)]) == 0
    good_sheet, bad_sheet = sheets(out)
    good = fill(
        good_sheet,
        {FIRST_DATA_ROW: {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}},
        tmp_path / "good.xlsx",
    )
    bad = fill(
        bad_sheet,
        {FIRST_DATA_ROW: {"outcome": "已追补", "amount_recovered": "约两千元",
                          "checked_by": "张三", "checked_on": TODAY},
         FIRST_DATA_ROW + 1: {"outcome": "属实", "checked_by": "张三",
                              "checked_on": TODAY}},
        tmp_path / "bad.xlsx",
    )  # fmt: skip
    before = len(Register.open(db).outcomes())
    capsys.readouterr()
    assert main(["register", "import", str(good), str(bad), "--db", db]) == 2
    captured = capsys.readouterr()
    problems = [line for line in captured.err.splitlines() if "'bad.xlsx'" in line]
    assert problems == [
        f"worklist 'bad.xlsx', sheet '核查工单', row {FIRST_DATA_ROW}, column "
        "K (amount_recovered): expected a number of at least 0 (yuan), found '约两千元'"
    ]
    assert "1 of 2 sheets refused" in captured.err
    assert "1 outcome events recorded" in captured.out  # the good sheet is recorded
    assert len(Register.open(db).outcomes()) == before + 1  # nothing of the bad sheet


def test_a_sheet_of_findings_the_register_does_not_know_is_refused(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    _, findings = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", str(findings), "--top", "1", "--out", str(out)]) == 0
    returned = fill(
        sheets(out)[0],
        {FIRST_DATA_ROW: {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}},
        tmp_path / "returned.xlsx",
    )
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    Register.open(other).close()  # another team's register, holding none of these findings
    capsys.readouterr()
    assert main(["register", "import", str(returned), "--db", other]) == 2
    error = capsys.readouterr().err
    key = key_at(returned, FIRST_DATA_ROW)
    assert (
        f"worklist 'returned.xlsx', sheet '核查工单', row {FIRST_DATA_ROW}, column finding_key: "
        f"expected a finding of the register sqlite+pysqlite:///{tmp_path / 'other.sqlite'}, "
        f"found '{key}'"
    ) in error
    assert Register.open(other).outcomes().empty
    # nor is a worklist of findings the register does not hold sent from it
    assert main(["worklist", str(findings), "--db", other, "--top", "1", "--out", str(out)]) == 2
    assert "are not in the register" in capsys.readouterr().err


def test_parameters_are_checked_with_their_name(recorded: tuple[str, Path], tmp_path: Path, capsys):
    db, _ = recorded
    out = str(tmp_path / "worklists")
    assert main(["worklist", "--db", db, "--by", "sample", "--out", out]) == 2
    assert "parameter '--share'" in capsys.readouterr().err
    # --top is needed by revenue (the default): said with its flag before the register is read
    assert main(["worklist", "--db", db, "--out", out]) == 2
    said = capsys.readouterr()
    assert "error: parameter '--top': expected how many findings per district" in said.err
    assert said.out == "" and not (tmp_path / "worklists").exists()
    assert (
        main(
            ["worklist", "--db", db, "--by", "sample", "--share", "0.1", "--top", "3", "--out", out]
        )
        == 2
    )
    assert "parameter '--top': expected nothing with by='sample'" in capsys.readouterr().err
    assert main(["worklist", "--db", db, "--top", "2", "--district", "x", "--out", out]) == 2
    assert "parameter '--district'" in capsys.readouterr().err
    assert main(["worklist", str(tmp_path), "--top", "2", "--out", out]) == 2
    assert "parameter 'FINDINGS'" in capsys.readouterr().err
    _, findings = recorded
    assert main(["worklist", str(findings), "--top", "2", "--recheck", "--out", out]) == 2
    assert "parameter '--recheck'" in capsys.readouterr().err


def test_a_district_name_never_chooses_the_path(recorded: tuple[str, Path], tmp_path: Path):
    _, findings = recorded
    frame = pd.read_parquet(findings / "findings.parquet")
    frame["district"] = np.where(frame["district"] == "城东", "../../escape", "a/b")
    frame.to_parquet(tmp_path / "findings.parquet")
    out = tmp_path / "deep" / "worklists"
    assert (
        main(["worklist", str(tmp_path / "findings.parquet"), "--top", "1", "--out", str(out)]) == 0
    )
    assert sorted(path.name for path in out.iterdir()) == [
        "worklist-%2E%2E%2F%2E%2E%2Fescape.xlsx",
        "worklist-a%2Fb.xlsx",
    ]
    assert not list(tmp_path.glob("*.xlsx")) and not (tmp_path / "deep" / "escape.xlsx").exists()


def test_next_worklist_leaves_out_what_the_field_decided_and_recheck_sends_it_again(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    db, _ = recorded
    first_out = tmp_path / "first"
    assert main(["worklist", "--db", db, "--top", "3", "--out", str(first_out)]) == 0
    east = sheets(first_out)[0]
    confirmed, false_alarm, pending = first_keys(east, 3)
    answers = {
        FIRST_DATA_ROW: {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY},
        FIRST_DATA_ROW + 1: {"outcome": "误报", "checked_by": "张三", "checked_on": TODAY},
    }
    assert main(["register", "import", str(fill(east, answers, tmp_path / "back.xlsx")),
                 "--db", db]) == 0  # fmt: skip
    capsys.readouterr()

    again = tmp_path / "again"
    assert main(["worklist", "--db", db, "--top", "3", "--out", str(again)]) == 0
    printed = capsys.readouterr().out
    assert (
        "2 findings already decided in the field left out (confirmed 1, false alarm 1); "
        "--recheck sends them again"
    ) in printed
    resent = set(first_keys(sheets(again)[0], 3))
    assert pending in resent and not {confirmed, false_alarm} & resent

    rechecked = tmp_path / "rechecked"
    assert main(["worklist", "--db", db, "--top", "3", "--recheck", "--out", str(rechecked)]) == 0
    assert "left out" not in capsys.readouterr().out
    assert set(first_keys(sheets(rechecked)[0], 3)) == {confirmed, false_alarm, pending}


@pytest.mark.parametrize("source", ["register", "file"])
def test_a_decided_finding_found_again_after_it_was_gone_goes_out_again(
    recorded: tuple[str, Path], tmp_path: Path, capsys, source: str
) -> None:
    db, findings = recorded
    first_out = tmp_path / "first"
    assert main(["worklist", "--db", db, "--top", "1", "--out", str(first_out)]) == 0
    east = sheets(first_out)[0]
    (confirmed,) = first_keys(east, 1)
    answers = {FIRST_DATA_ROW: {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}}
    assert main(["register", "import", str(fill(east, answers, tmp_path / "back.xlsx")),
                 "--db", db]) == 0  # fmt: skip
    run = pd.read_parquet(findings / "findings.parquet")
    with Register.open(db) as register:
        # gone last month, back this month: the verdict (today) was on the earlier occurrence
        later = [str(month) for month in pd.period_range(end=TODAY, periods=2, freq="M")]
        gone = finding_keys(run) == confirmed
        register.record_run(run[~gone], run_id="gone", as_of=later[0], district=None)
        register.record_run(run, run_id="back", as_of=later[1], district=None)
        assert register.findings().set_index("finding_key").loc[confirmed, "status"] == "reopened"
    capsys.readouterr()

    given = [] if source == "register" else [str(findings)]
    again = tmp_path / "again"
    args = ["worklist", *given, "--db", db, "--top", "10", "--district", "城东"]
    assert main([*args, "--out", str(again)]) == 0
    assert "already decided" not in capsys.readouterr().out
    keys = {key_at(sheets(again)[0], row) for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 10)}
    assert confirmed in keys
    # found again next month too, persisting now: still undecided (before, the verdict on the
    # earlier occurrence kept it out from the month its status stopped saying reopened)
    following = str(pd.Period(TODAY, freq="M") + 1)
    with Register.open(db) as register:
        register.record_run(run, run_id="still", as_of=following, district=None)
        assert register.findings().set_index("finding_key").loc[confirmed, "status"] == (
            "persisting"
        )
    still = tmp_path / "still"
    assert main([*args, "--out", str(still)]) == 0
    assert "already decided" not in capsys.readouterr().out
    keys = {key_at(sheets(still)[0], row) for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 10)}
    assert confirmed in keys


def test_a_findings_file_without_its_columns_names_each_one_with_the_register(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    db, _ = recorded
    path = tmp_path / "findings.csv"
    path.write_text("customer_id,rule_id,district\nC1,r1,城东\n", "utf-8")
    args = ["worklist", str(path), "--db", db, "--top", "1", "--out", str(tmp_path / "w")]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert (
        f"{path}, column period_from: expected a column period_from, as `auditkit rules` writes "
        "it, found no such column in the header"
    ) in error.splitlines()
    assert f"{path} row 2, column rule_id: expected the id of one of the" in error
    assert not (tmp_path / "w").exists()


def test_a_new_worklist_does_not_overwrite_a_filled_sheet_not_yet_imported(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    db, _ = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(out)]) == 0
    east = sheets(out)[0]
    today = dt.datetime.combine(dt.date.today(), dt.time())
    answer = {"outcome": "误报", "checked_by": "李工", "checked_on": today}
    fill(east, {FIRST_DATA_ROW: answer}, east)  # returned into the same folder
    before = east.read_bytes()
    capsys.readouterr()
    assert main(["worklist", "--db", db, "--top", "2", "--recheck", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "worklist-城东.xlsx with 1 outcome(s) not in the register: import it first" in error
    assert east.read_bytes() == before  # the field's answer is still there
    assert main(["register", "import", str(east), "--db", db]) == 0
    assert main(["worklist", "--db", db, "--top", "2", "--recheck", "--out", str(out)]) == 0


def test_without_a_register_any_filled_sheet_is_kept(recorded, tmp_path: Path, capsys) -> None:
    _, findings = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", str(findings), "--top", "2", "--out", str(out)]) == 0
    east = sheets(out)[0]
    # Written again with nothing filled: allowed.
    assert main(["worklist", str(findings), "--top", "2", "--out", str(out)]) == 0
    today = dt.datetime.combine(dt.date.today(), dt.time())
    fill(
        east, {FIRST_DATA_ROW: {"outcome": "误报", "checked_by": "李工", "checked_on": today}}, east
    )
    capsys.readouterr()
    assert main(["worklist", str(findings), "--top", "2", "--out", str(out)]) == 2
    assert "1 outcome(s) not in the register" in capsys.readouterr().err


def test_a_findings_file_with_broken_evidence_is_refused_before_any_sheet(
    recorded, tmp_path: Path, capsys
) -> None:
    _, findings = recorded
    table = pd.read_csv(findings / "findings.csv", dtype=str, keep_default_na=False)
    table.loc[3, "evidence_code"] = "not json"
    broken = tmp_path / "findings.csv"
    table.to_csv(broken, index=False)
    out = tmp_path / "worklists"
    capsys.readouterr()
    assert main(["worklist", str(broken), "--top", "5", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert (
        f"{broken} row 5, column evidence_code: expected evidence_code as `auditkit rules` writes "
        "it (its clauses as JSON), found 'not json'"
    ) in error.splitlines()
    assert not out.exists() or not sheets(out)


@pytest.mark.parametrize(
    ("column", "value", "by"),
    [
        ("revenue_impact", "562,823.15", "revenue"),
        ("score", "", "score"),
        ("penalty", "n/a", "revenue"),
    ],
)
def test_a_findings_csv_with_an_amount_that_is_no_number_is_refused_before_any_sheet(
    recorded, tmp_path: Path, capsys, column: str, value: str, by: str
) -> None:
    """A findings.csv saved by a spreadsheet ('562,823.15') or with a blank score: ranked as text
    it chose the wrong findings, then failed half way through the districts' sheets."""
    _, findings = recorded
    table = pd.read_csv(findings / "findings.csv", dtype=str, keep_default_na=False)
    table.loc[3, column] = value
    edited = tmp_path / "findings-edited.csv"
    table.to_csv(edited, index=False)
    out = tmp_path / "worklists"
    capsys.readouterr()
    assert main(["worklist", str(edited), "--by", by, "--top", "30", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert (  # the header is row 1: .loc[3] is row 5
        f"{edited} row 5, column {column}: expected a number (digits and a decimal point, no "
        "thousands separators, as `auditkit rules` writes it), found "
        f"{repr(value) if value else 'an empty cell'}"
    ) in error.splitlines()
    assert "Traceback" not in error
    assert not out.exists() or not sheets(out)


def test_a_findings_csv_ranks_its_amounts_as_numbers(recorded, tmp_path: Path) -> None:
    """The same findings from the CSV and the Parquet file make the same sheets."""
    _, findings = recorded
    for name in ("findings.csv", "findings.parquet"):
        out = tmp_path / name
        assert main(["worklist", str(findings / name), "--top", "3", "--out", str(out)]) == 0
    from_csv, from_parquet = (
        sheets(tmp_path / "findings.csv"),
        sheets(tmp_path / "findings.parquet"),
    )
    assert [p.name for p in from_csv] == [p.name for p in from_parquet]
    for csv_sheet, parquet_sheet in zip(from_csv, from_parquet, strict=True):
        assert first_keys(csv_sheet, 3) == first_keys(parquet_sheet, 3)


def test_a_findings_csv_reads_back_the_text_its_formula_guard_wrote(tmp_path: Path) -> None:
    from auditkit.cli.register import _findings_file
    from auditkit.formulas import csv_bytes
    from auditkit.rules import RULES
    from auditkit.rules.evidence import clause, encode

    # An apostrophe of the data's own before formula-like text is kept ('=1+1 is not =1+1).
    texts = ["=1+1", " =1+1", "＝HYPERLINK(1)", "-3", "plain", "'quoted", "'=1+1", "'-城西", "'"]
    evidence = encode([clause("archive.no_capacity")])
    area = RULES["archive_defect"].area
    written = builders.findings(
        *(
            builders.finding(text, 0.0, rule_id="archive_defect", area=area, evidence_code=evidence)
            for text in texts
        )
    )
    path = tmp_path / "findings.csv"
    path.write_bytes(csv_bytes(written))
    assert _findings_file(path)["customer_id"].tolist() == texts


@pytest.fixture(scope="module")
def ran(utility: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The utility's findings folder of `auditkit rules` (no register), written once."""
    folder = tmp_path_factory.mktemp("ran") / "findings"
    assert main(["rules", str(utility), "--out", str(folder)]) == 0
    return folder


def _edited(findings: Path, target: Path, edit) -> Path:
    """findings.csv edited by hand (`edit` changes the table read as text) and saved."""
    table = pd.read_csv(findings / "findings.csv", dtype=str, keep_default_na=False)
    edit(table)
    table.to_csv(target, index=False)
    return target


def _set(column: str, value: str):
    def edit(table: pd.DataFrame) -> None:
        table.loc[1, column] = value

    return edit


def _copy_row(table: pd.DataFrame) -> None:
    table.loc[len(table)] = table.loc[1]


def _drop_evidence_code(table: pd.DataFrame) -> None:
    del table["evidence_code"]


@pytest.mark.parametrize(
    ("edit", "where", "said"),
    [
        (_set("rule_id", "bogus"), "row 3, column rule_id", "found 'bogus'"),
        (_set("customer_id", ""), "row 3, column customer_id", "expected a value, found an empty"),
        (_set("period_from", "2024/01"), "row 3, column period_from", "found '2024/01'"),
        (_set("severity", "critical"), "row 3, column severity", "found 'critical'"),
        (_set("revenue_impact", "-5"), "row 3, column revenue_impact", "found -5.0"),
        (_drop_evidence_code, ", column evidence_code", "found no such column in the header"),
        (_copy_row, "column customer_id, rule_id and period_from",
         "found the finding of row 3 again (finding_key "),
    ],
)  # fmt: skip
def test_a_hand_edited_findings_file_is_refused_naming_file_row_and_column_before_any_sheet(
    ran: Path, tmp_path: Path, capsys, edit, where: str, said: str
) -> None:
    """The reviewer's one-row edits each wrote sheets without a word (a raw `bogus` rule, a row
    with no account, `2024/01 至 2024-12`); a copied row was refused only after the choice,
    with no file nor row."""
    path = _edited(ran, tmp_path / "findings.csv", edit)
    out = tmp_path / "worklists"
    capsys.readouterr()
    assert main(["worklist", str(path), "--top", "20", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert lines[0] == (
        f"auditkit worklist: error: {path}: 1 error against the findings contract (what "
        "`auditkit rules` writes, docs/worklist.md); nothing chosen, no sheet written"
    )
    assert len(lines) == 2 and lines[1].startswith(str(path))
    assert where in lines[1] and said in lines[1]
    assert captured.out == ""  # nothing read, chosen nor written
    assert not out.exists()


def test_a_district_the_findings_file_does_not_have_is_refused(ran: Path, tmp_path: Path, capsys):
    out = tmp_path / "worklists"
    capsys.readouterr()
    assert (
        main(["worklist", str(ran), "--district", "城西区", "--top", "5", "--out", str(out)]) == 2
    )
    assert capsys.readouterr().err == (
        "auditkit worklist: error: parameter '--district': expected a district of the findings, "
        "one of 城东, 城西, found '城西区'\n"
    )
    assert not out.exists()


def test_data_of_the_findings_adds_masked_names_and_another_dataset_is_refused(
    utility: Path, ran: Path, tmp_path: Path, capsys
) -> None:
    """A dataset that is not the findings' wrote sheets with empty name, address and phone
    cells (or another person's, where the ids happen to match), without a word."""
    out = tmp_path / "worklists"
    assert (
        main(["worklist", str(ran), "--data", str(utility), "--top", "20", "--out", str(out)]) == 0
    )
    page = load_workbook(sheets(out)[0])[WORKLIST_SHEETS["zh"]]
    columns = {canonical_column(cell.value): cell.column for cell in page[HEADER_ROW]}
    names = [
        page.cell(row, columns["name"]).value for row in range(FIRST_DATA_ROW, page.max_row + 1)
    ]
    assert names and all(isinstance(name, str) and "*" in name for name in names)  # masked

    other = tmp_path / "other"
    args = ["synth", "--customers", "100", "--districts", "2", "--months", "24", "--seed", "9"]
    assert main([*args, "--out", str(other)]) == 0
    findings = pd.read_parquet(ran / "findings.parquet")
    held = pd.read_parquet(other / "customers.parquet").set_index("customer_id")["district"]
    customers = sorted(set(findings["customer_id"]))
    missing = [customer for customer in customers if customer not in held.index]
    assert missing  # the other utility has 100 customers: ids above SY00000100 are not its
    elsewhere = sorted(
        f"{customer} in {held[customer]}, not {district}"
        for customer, district in set(
            zip(findings["customer_id"], findings["district"], strict=True)
        )
        if customer in held.index and held[customer] != district
    )
    refused_out = tmp_path / "refused"
    capsys.readouterr()
    args = ["worklist", str(ran), "--data", str(other), "--top", "20", "--out", str(refused_out)]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert error.startswith(
        "auditkit worklist: error: parameter '--data': expected the dataset the findings were "
        "made from, holding the customer of every finding in its district"
    )
    assert (
        f"found '{other}, which lacks {len(missing)} of the {len(customers)} customers of the "
        f"findings ({'; '.join(missing[:5])}"
    ) in error
    if elsewhere:
        assert f"in another district than their findings name ({'; '.join(elsewhere[:5])}" in error
    assert not refused_out.exists()


def two_worklists(db: str, tmp_path: Path) -> tuple[Path, Path, str]:
    """The same undecided finding sent on two worklists (the second in English: another
    worklist), as next month's sheet sends again what the field has not decided yet: both
    sheets of 城东, and the finding's key (their first row)."""
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(tmp_path / "wl1")]) == 0
    second = ["worklist", "--db", db, "--top", "2", "--lang", "en", "--out", str(tmp_path / "wl2")]
    assert main(second) == 0
    one, two = sheets(tmp_path / "wl1")[0], sheets(tmp_path / "wl2")[0]
    key = key_at(one, FIRST_DATA_ROW)
    assert key_at(two, FIRST_DATA_ROW) == key
    return one, two, key


def test_a_recovery_reported_on_two_worklists_is_counted_once_naming_the_other_worklist(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """The inspector filled 已追补 280 on both sheets holding the finding: recorded it counted the
    280 yuan twice; the second is the same event, counted as already recorded. The other
    worklist is named as the user knows it: its file in this import, else its district and the
    day it was sent; before, by its internal id ('worklist:1f5642fe8e3e8438 row 3')."""
    db, _ = recorded
    one, two, key = two_worklists(db, tmp_path)
    row = {"outcome": "已追补", "amount_recovered": 280, "checked_by": "李四", "checked_on": TODAY}
    a = fill(one, {FIRST_DATA_ROW: row}, tmp_path / "wl1-filled.xlsx")
    b = fill(two, {FIRST_DATA_ROW: row}, tmp_path / "wl2-filled.xlsx")
    capsys.readouterr()
    assert main(["register", "import", str(a), str(b), "--db", db]) == 0
    printed = capsys.readouterr().out
    assert f"{a}: 1 outcome events recorded, already recorded 0" in printed
    assert f"{b}: 0 outcome events recorded, already recorded 1" in printed
    with Register.open(db) as register:
        trail = register.outcomes(key)
    assert (
        f"  row {FIRST_DATA_ROW}: the same outcome (recovered 280.0 by 李四 on {TODAY}) is "
        f"recorded from another worklist already, worklist {str(a)!r} row "
        f"{FIRST_DATA_ROW}: counted once, not recorded again"
    ) in printed
    assert "worklist:" not in printed
    assert trail.loc[trail["event"] == "recovered", "amount"].tolist() == [280.0]
    # imported again, in the other order: nothing new
    assert main(["register", "import", str(b), str(a), "--db", db]) == 0
    assert amounts(db, key) == [280.0]
    # the second sheet on its own: the first is no file of this import, named by the register
    capsys.readouterr()
    assert main(["register", "import", str(b), "--db", db]) == 0
    printed = capsys.readouterr().out
    assert (
        f"recorded from another worklist already, {sent_name(db, one)} row "
        f"{FIRST_DATA_ROW}: counted once"
    ) in printed
    assert "worklist:" not in printed


def test_another_amount_for_the_same_finding_and_day_on_another_worklist_is_refused_then_corrects(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    db, _ = recorded
    one, two, key = two_worklists(db, tmp_path)
    row = {"outcome": "已追补", "checked_by": "李四", "checked_on": TODAY}
    a = fill(one, {FIRST_DATA_ROW: {**row, "amount_recovered": 280}}, tmp_path / "a.xlsx")
    b = fill(two, {FIRST_DATA_ROW: {**row, "amount_recovered": 300}}, tmp_path / "b.xlsx")
    assert main(["register", "import", str(a), "--db", db]) == 0
    capsys.readouterr()
    assert main(["register", "import", str(b), "--db", db]) == 2
    error = capsys.readouterr().err
    assert (
        f"worklist 'b.xlsx', sheet 'worklist', row {FIRST_DATA_ROW}, column amount_recovered: "
        f"recorded 280.0 on another worklist ({sent_name(db, one)} row "
        f"{FIRST_DATA_ROW}, checked {TODAY} by 李四), found 300.0: a finding is checked once a day: import with --correct if this "
        "sheet corrects the other; a further recovery or a later outcome is dated the day it "
        "happened"
    ) in error
    assert amounts(db, key) == [280.0]
    correct(db, b, capsys)
    with Register.open(db) as register:
        assert register.outcomes(key)["amount"].dropna().tolist() == [300.0]
        trail = register.outcomes(key, superseded=True)
    assert trail.loc[trail["event"] == "recovered", "superseded"].tolist() == [True, False]
    # both sheets imported again as they are: nothing new, nothing refused
    assert main(["register", "import", str(a), str(b), "--db", db, "--correct"]) == 0
    assert set(recorded_counts(capsys.readouterr().out)) == {(0, 1)}


def recorded_counts(printed: str) -> list[tuple[int, int]]:
    """(recorded, already recorded) of each sheet an import printed."""
    pattern = r"(\d+) outcome events recorded(?:, [^,\n]*)?, already recorded (\d+)"
    return [(int(a), int(b)) for a, b in re.findall(pattern, printed)]


def test_a_row_imported_and_left_blank_since_is_kept_with_a_note_and_withdrawn_when_asked(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """属实 typed on the first row and imported; then a sheet with the first row blank and the
    second typed: another copy of the worklist (two inspectors) looks the same as the row
    emptied. It was refused as "the row was emptied", advising --correct, which withdrew the
    first inspector's verdict; now its rows are recorded, the blank one kept with a note, and a
    withdrawal takes --withdraw-emptied (--correct alone withdraws nothing)."""
    db, _ = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(out)]) == 0
    east = sheets(out)[0]
    first, second = first_keys(east, 2)
    done = {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}
    cleared = dict.fromkeys(done)
    typed = fill(east, {FIRST_DATA_ROW: done}, tmp_path / "typed.xlsx")
    moved = fill(east, {FIRST_DATA_ROW: cleared, FIRST_DATA_ROW + 1: done}, tmp_path / "moved.xlsx")
    assert main(["register", "import", str(typed), "--db", db]) == 0
    capsys.readouterr()
    assert main(["register", "import", str(moved), "--db", db]) == 0
    printed = capsys.readouterr().out
    assert recorded_counts(printed) == [(1, 0)]
    assert (
        f"  row {FIRST_DATA_ROW}: blank on this sheet; the outcome recorded for it (confirmed by "
        f"张三 on {TODAY}, from row {FIRST_DATA_ROW} of this worklist: another copy of it, or "
        "this sheet before the row was emptied) is kept"
    ) in printed
    assert "import with --correct" not in printed
    with Register.open(db) as register:
        assert register.outcomes(first)["event"].tolist() == ["sent", "confirmed"]
        assert register.outcomes(second)["event"].tolist() == ["sent", "confirmed"]
    # near miss: --correct corrects changed rows, it withdraws nothing
    assert main(["register", "import", str(moved), "--db", db, "--correct"]) == 0
    with Register.open(db) as register:
        assert register.outcomes(first)["event"].tolist() == ["sent", "confirmed"]
    capsys.readouterr()
    assert main(["register", "import", str(moved), "--db", db, "--withdraw-emptied"]) == 0
    assert (
        "1 outcome events recorded, 1 of them withdrawals of the outcome of a row emptied (the "
        "finding is undecided again), already recorded 1"
    ) in capsys.readouterr().out
    with Register.open(db) as register:
        assert register.outcomes(first)["event"].tolist() == ["sent"]
        assert register.outcomes(second)["event"].tolist() == ["sent", "confirmed"]
        trail = register.outcomes(first, superseded=True)
    assert trail["event"].tolist() == ["sent", "confirmed", "withdrawn"]
    assert trail["superseded"].tolist() == [False, True, False]
    # imported again: nothing new; the finding is undecided again and goes out on a worklist
    assert main(["register", "import", str(moved), "--db", db]) == 0
    assert recorded_counts(capsys.readouterr().out) == [(0, 1)]
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(tmp_path / "next")]) == 0
    next_keys = first_keys(sheets(tmp_path / "next")[0], 2)
    assert first in next_keys and second not in next_keys
    # typed again on the first row: refused naming the withdrawal, re-entered with --correct
    again = fill(east, {FIRST_DATA_ROW: done, FIRST_DATA_ROW + 1: done}, tmp_path / "again.xlsx")
    capsys.readouterr()
    assert main(["register", "import", str(again), "--db", db]) == 2
    assert (
        f"worklist 'again.xlsx', sheet '核查工单', row {FIRST_DATA_ROW}: the outcome of this "
        "check was withdrawn ("
    ) in capsys.readouterr().err
    assert main(["register", "import", str(again), "--db", db, "--correct"]) == 0
    with Register.open(db) as register:
        assert register.outcomes(first)["event"].tolist() == ["sent", "sent", "confirmed"]


@pytest.mark.parametrize("command", ["import", "worklist"])
def test_a_db_naming_a_sqlite_file_that_is_not_there_is_refused_and_nothing_created(
    recorded: tuple[str, Path], tmp_path: Path, capsys, command: str
) -> None:
    db, _ = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "1", "--out", str(out)]) == 0
    row = {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}
    returned = fill(sheets(out)[0], {FIRST_DATA_ROW: row}, tmp_path / "clean.xlsx")
    typo = tmp_path / "other.sqlite"
    argv = {
        "import": ["register", "import", str(returned)],
        "worklist": ["worklist", "--top", "1", "--out", str(tmp_path / "next")],
    }[command]
    capsys.readouterr()
    assert main([*argv, "--db", f"sqlite:///{typo}"]) == 2
    error = capsys.readouterr().err
    assert (
        "parameter '--db': expected the URL of an existing findings register (a SQLite file that "
        "is there; it is not created here: record a run into it first, auditkit rules DATA_DIR "
        f"--db URL), found 'sqlite:///{typo}, where no register is'"
    ) in error
    assert not typo.exists() and not (tmp_path / "next").exists()


def live_recoveries(db: str, key: str) -> list[float]:
    """The recovered amounts of a finding that every total reads (not superseded)."""
    with Register.open(db) as register:
        trail = register.outcomes(key)
    return trail.loc[trail["event"] == "recovered", "amount"].tolist()


@pytest.mark.parametrize("order", ["A B", "B A"])
def test_a_correction_typed_on_both_worklists_leaves_one_recovery_in_either_import_order(
    recorded: tuple[str, Path], tmp_path: Path, capsys, order: str
) -> None:
    """30000 counted once from two sheets, then 28000 typed on both and imported with --correct:
    B then A recorded A's row as a second correction, 56000 live (28000 the other way)."""
    db, _ = recorded
    one, two, key = two_worklists(db, tmp_path)
    row = {"outcome": "已追补", "checked_by": "李四", "checked_on": TODAY}
    a = fill(one, {FIRST_DATA_ROW: {**row, "amount_recovered": 30000}}, tmp_path / "A.xlsx")
    b = fill(two, {FIRST_DATA_ROW: {**row, "amount_recovered": 30000}}, tmp_path / "B.xlsx")
    assert main(["register", "import", str(a), str(b), "--db", db, "--large-amounts"]) == 0
    assert live_recoveries(db, key) == [30000.0]
    fixed = {FIRST_DATA_ROW: {**row, "amount_recovered": 28000}}
    sheets_fixed = {"A": fill(one, fixed, tmp_path / "A6.xlsx"),
                    "B": fill(two, fixed, tmp_path / "B6.xlsx")}  # fmt: skip
    ordered = [str(sheets_fixed[name]) for name in order.split()]
    capsys.readouterr()
    assert main(["register", "import", "--correct", *ordered, "--db", db, "--large-amounts"]) == 0
    assert recorded_counts(capsys.readouterr().out) == [(1, 0), (0, 1)]
    assert live_recoveries(db, key) == [28000.0]
    # both imported again in the other order: nothing new
    assert (
        main(["register", "import", "--correct", *reversed(ordered), "--db", db, "--large-amounts"])
        == 0
    )
    assert recorded_counts(capsys.readouterr().out) == [(0, 1), (0, 1)]
    assert live_recoveries(db, key) == [28000.0]
    # the row emptied on the sheet imported first withdraws the one live recovery
    first = order.split()[0]
    other = {"outcome": "误报", "checked_by": "李四", "checked_on": TODAY}  # a returned sheet
    emptied = fill(one if first == "A" else two,
                   {FIRST_DATA_ROW: dict.fromkeys(row), FIRST_DATA_ROW + 1: other},
                   tmp_path / "emptied.xlsx")  # fmt: skip
    assert (
        main(["register", "import", "--withdraw-emptied", str(emptied), "--db", db,
              "--large-amounts"])
        == 0
    )  # fmt: skip
    assert "1 of them withdrawals" in capsys.readouterr().out
    assert live_recoveries(db, key) == []
    with Register.open(db) as register:
        assert register.outcomes(key)["event"].tolist() == ["sent", "sent"]


@pytest.mark.parametrize("emptied", ["A", "B"])
def test_a_withdrawal_on_either_worklist_holds_against_the_other_until_re_entered_with_correct(
    recorded: tuple[str, Path], tmp_path: Path, capsys, emptied: str
) -> None:
    """属实 on both sheets (B counted through A). Emptying A and --correct withdrew it, then
    importing B again decided it again without a word; emptying B did nothing at all."""
    db, _ = recorded
    one, two, key = two_worklists(db, tmp_path)
    done = {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}
    a = fill(one, {FIRST_DATA_ROW: done}, tmp_path / "A.xlsx")
    b = fill(two, {FIRST_DATA_ROW: done}, tmp_path / "B.xlsx")
    # a second row filled, so that the sheet with the first emptied is a returned sheet
    other = {FIRST_DATA_ROW + 1: {**done, "outcome": "误报"}}
    a2 = fill(one, {FIRST_DATA_ROW: dict.fromkeys(done), **other}, tmp_path / "A2.xlsx")
    b2 = fill(two, {FIRST_DATA_ROW: dict.fromkeys(done), **other}, tmp_path / "B2.xlsx")
    assert main(["register", "import", str(a), str(b), "--db", db]) == 0
    cleared, kept = (a2, b) if emptied == "A" else (b2, a)
    tab = WORKLIST_SHEETS["en" if kept == b else "zh"]  # B is the English worklist
    capsys.readouterr()
    assert main(["register", "import", str(cleared), "--db", db]) == 0
    assert "blank on this sheet; the outcome recorded for it" in capsys.readouterr().out
    with Register.open(db) as register:
        assert register.outcomes(key)["event"].tolist() == ["sent", "sent", "confirmed"]
    assert main(["register", "import", "--withdraw-emptied", str(cleared), "--db", db]) == 0
    assert "1 of them withdrawals" in capsys.readouterr().out
    with Register.open(db) as register:
        assert register.outcomes(key)["event"].tolist() == ["sent", "sent"]
    # the other sheet, still 属实, is refused naming the withdrawal, in either order
    for argv in ([str(cleared), str(kept)], [str(kept), str(cleared)]):
        assert main(["register", "import", *argv, "--db", db]) == 2
        error = capsys.readouterr().err
        assert (
            f"worklist {kept.name!r}, sheet {tab!r}, row {FIRST_DATA_ROW}: the outcome of "
            "this check was withdrawn ("
        ) in error
        assert f"found confirmed by 张三 on {TODAY}: import with --correct to enter it" in error
        with Register.open(db) as register:
            assert register.outcomes(key)["event"].tolist() == ["sent", "sent"]
    # --correct re-enters it: decided once again
    assert main(["register", "import", "--correct", str(kept), "--db", db]) == 0
    with Register.open(db) as register:
        assert register.outcomes(key)["event"].tolist() == ["sent", "sent", "confirmed"]


@pytest.mark.parametrize("order", ["A B2", "B2 A"])
def test_withdraw_emptied_keeps_an_outcome_another_worklist_of_the_import_fills(
    recorded: tuple[str, Path], tmp_path: Path, capsys, order: str
) -> None:
    """属实 on both worklists (B's counted through A's). A imported with B emptied there and
    --withdraw-emptied withdrew the outcome A fills (B2 first), or left it (A first)."""
    db, _ = recorded
    one, two, key = two_worklists(db, tmp_path)
    done = {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}
    other = {FIRST_DATA_ROW + 1: {**done, "outcome": "误报"}}
    sheets_filled = {
        "A": fill(one, {FIRST_DATA_ROW: done}, tmp_path / "A.xlsx"),
        "B": fill(two, {FIRST_DATA_ROW: done}, tmp_path / "B.xlsx"),
        "B2": fill(two, {FIRST_DATA_ROW: dict.fromkeys(done), **other}, tmp_path / "B2.xlsx"),
    }
    assert main(["register", "import", str(sheets_filled["A"]), str(sheets_filled["B"]),
                 "--db", db]) == 0  # fmt: skip
    ordered = [str(sheets_filled[name]) for name in order.split()]
    capsys.readouterr()
    assert main(["register", "import", "--withdraw-emptied", *ordered, "--db", db]) == 0
    printed = capsys.readouterr().out
    assert "withdrawals" not in printed
    assert (
        f"  row {FIRST_DATA_ROW}: blank on this sheet, filled on {sheets_filled['A']} in this "
        "import (another worklist of the finding): not withdrawn"
    ) in printed
    with Register.open(db) as register:
        assert register.outcomes(key)["event"].tolist() == ["sent", "sent", "confirmed"]
    # near miss: B2 on its own, --withdraw-emptied, withdraws it
    assert main(["register", "import", "--withdraw-emptied", ordered[order.split().index("B2")],
                 "--db", db]) == 0  # fmt: skip
    assert "1 of them withdrawals" in capsys.readouterr().out
    with Register.open(db) as register:
        assert register.outcomes(key)["event"].tolist() == ["sent", "sent"]


def test_a_blank_row_whose_outcome_another_worklist_recorded_names_that_worklist_as_users_know_it(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """属实 on both worklists (B's counted through A's), then B returned with the row emptied,
    imported on its own: the outcome kept, then withdrawn, came from A, named by its district
    and the day it was sent; before, by its internal id ('another worklist, worklist:1f56… row
    3'), on no sheet."""
    db, _ = recorded
    one, two, _key = two_worklists(db, tmp_path)
    done = {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}
    a = fill(one, {FIRST_DATA_ROW: done}, tmp_path / "A.xlsx")
    b = fill(two, {FIRST_DATA_ROW: done}, tmp_path / "B.xlsx")
    assert main(["register", "import", str(a), str(b), "--db", db]) == 0
    emptied = {FIRST_DATA_ROW: dict.fromkeys(done),
               FIRST_DATA_ROW + 1: {**done, "outcome": "误报"}}  # fmt: skip
    b2 = fill(two, emptied, tmp_path / "B2.xlsx")
    capsys.readouterr()
    assert main(["register", "import", str(b2), "--db", db]) == 0
    kept = capsys.readouterr().out
    assert (
        f"  row {FIRST_DATA_ROW}: blank on this sheet; the outcome recorded for it (confirmed by "
        f"张三 on {TODAY}, from another worklist, {sent_name(db, one)} row "
        f"{FIRST_DATA_ROW}) is kept"
    ) in kept
    assert main(["register", "import", "--withdraw-emptied", str(b2), "--db", db]) == 0
    withdrawn = capsys.readouterr().out
    assert (
        f"  row {FIRST_DATA_ROW}: emptied on this sheet; the outcome recorded for it (confirmed "
        f"by 张三 on {TODAY}, from another worklist, {sent_name(db, one)} row "
        f"{FIRST_DATA_ROW}) is withdrawn"
    ) in withdrawn
    assert "worklist:" not in kept + withdrawn


def test_worklist_refuses_to_overwrite_a_returned_sheet_with_a_recorded_row_emptied_since(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """Both rows imported, then the sheet returned into --out with row 4 emptied (to withdraw
    it) and not imported: the next worklist replaced it without a word, and the finding stayed
    decided. Refused until imported with --withdraw-emptied; the sheet as sent, whose rows a
    returned copy filled, is still overwritten."""
    db, _ = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(out)]) == 0
    east = sheets(out)[0]
    done = {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}
    typed = fill(east, {FIRST_DATA_ROW: done, FIRST_DATA_ROW + 1: done}, tmp_path / "t.xlsx")
    assert main(["register", "import", str(typed), "--db", db]) == 0
    # near miss: the sheet as sent (no outcome filled) goes, whatever its copies recorded
    argv = ["worklist", "--db", db, "--top", "2", "--recheck", "--out", str(out)]
    assert main(argv) == 0
    fill(typed, {FIRST_DATA_ROW + 1: dict.fromkeys(done)}, east)  # returned, row 4 emptied
    before = east.read_bytes()
    capsys.readouterr()
    assert main(argv) == 2
    assert (
        f"{east}, whose row(s) {FIRST_DATA_ROW + 1} are blank but have an outcome recorded "
        "(emptied by the field?): import it with --withdraw-emptied if they were emptied on "
        "purpose (auditkit register import), or move it away first"
    ) in capsys.readouterr().err
    assert east.read_bytes() == before
    with Register.open(db) as register:
        assert (register.outcomes()["event"] == "confirmed").sum() == 2
    assert main(["register", "import", "--withdraw-emptied", str(east), "--db", db]) == 0
    assert main(argv) == 0
    assert east.read_bytes() != before
    with Register.open(db) as register:
        assert (register.outcomes()["event"] == "confirmed").sum() == 1


def test_the_api_refusing_an_emptied_row_says_it_is_withdrawn_with_withdraw_emptied(
    recorded: tuple[str, Path], tmp_path: Path
) -> None:
    """The OutcomeConflict of a row emptied since said `register import --correct` withdraws
    it; --correct withdraws nothing since blank rows are kept, --withdraw-emptied does."""
    db, _ = recorded
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "1", "--out", str(out)]) == 0
    done = {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}
    typed = fill(sheets(out)[0], {FIRST_DATA_ROW: done}, tmp_path / "t.xlsx")
    assert main(["register", "import", str(typed), "--db", db]) == 0
    emptied = sheet_module.read_worklist(sheets(out)[0])
    with Register.open(db) as register, pytest.raises(OutcomeConflict) as raised:
        register.record_outcomes(emptied, blank_rows=emptied.attrs["blank_rows"])
    assert raised.value.reasons == ["emptied"]
    message = str(raised.value).splitlines()[0]
    assert "a row emptied on purpose is withdrawn with `--withdraw-emptied`" in message
    assert "an emptied row withdraws its outcome" not in message


def test_a_self_audit_named_as_its_own_district_is_the_same_check_as_one_without_auditor(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """--auditor 城东 on 城东's own findings is a self-audit, as no --auditor is: the same
    recovery on both sheets was recorded twice (10,000 for 5,000)."""
    db, _ = recorded
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(tmp_path / "A")]) == 0
    argv = ["worklist", "--db", db, "--top", "2", "--district", "城东", "--auditor", "城东"]
    assert main([*argv, "--out", str(tmp_path / "C")]) == 0
    one = next(path for path in sheets(tmp_path / "A") if "城东" in path.name)
    own = sheets(tmp_path / "C")[0]
    key = key_at(one, FIRST_DATA_ROW)
    assert key_at(own, FIRST_DATA_ROW) == key
    row = {"outcome": "已追补", "amount_recovered": 5000, "checked_by": "李四",
           "checked_on": TODAY}  # fmt: skip
    a = fill(one, {FIRST_DATA_ROW: row}, tmp_path / "A5.xlsx")
    c = fill(own, {FIRST_DATA_ROW: row}, tmp_path / "C.xlsx")
    capsys.readouterr()
    assert main(["register", "import", str(a), str(c), "--db", db, "--large-amounts"]) == 0
    printed = capsys.readouterr().out
    assert recorded_counts(printed) == [(1, 0), (0, 1)]
    assert live_recoveries(db, key) == [5000.0]
    with Register.open(db) as register:
        trail = register.outcomes(key)
    assert trail.loc[trail["event"] == "recovered", "auditor"].isna().all()


def test_a_month_one_district_recorded_names_the_districts_left_though_the_register_has_none(
    utility: Path, tmp_path: Path, capsys
) -> None:
    db = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    first = ["rules", str(utility), "--district", "城东", "--register", "--db", db]
    assert main([*first, "--out", str(tmp_path / "east")]) == 0
    with Register.open(db) as register:
        assert set(register.findings(columns=["district"])["district"]) == {"城东"}
    capsys.readouterr()
    every = ["rules", str(utility), "--register", "--db", db, "--out", str(tmp_path / "all")]
    assert main(every) == 2
    error = capsys.readouterr().err
    assert "which is recorded for 城东 already" in error
    assert "run the other districts one by one (--district 城西), " in error


def test_a_register_written_by_an_older_auditkit_gives_a_worklist_its_evidence_as_far_as_it_goes(
    tmp_path: Path, capsys
) -> None:
    """An older auditkit wrote this clause before its template named `billed` (the tariff the
    bills still use): the worklist shows that value as empty, invents none, and goes out."""
    from register_builders import finding, findings

    old_clause = (
        '{"code":"order_not_applied.tariff","order":"WO0007","type":"tariff_change",'
        '"old":"resident","new":"commercial","effective":"2024-03",'
        '"months":["2024-03","2024-05"],"bills":3'
    )
    older = {**finding("C1", rule_id="order_not_applied"), "evidence_code": f"[{old_clause}}}]"}
    current = {  # near miss: a clause of today's auditkit, every argument there
        **finding("C2", rule_id="order_not_applied"),
        "evidence_code": f'[{old_clause},"billed":"resident"}}]',
    }
    db = f"sqlite:///{tmp_path / 'register.sqlite'}"
    with Register.open(db) as register:
        register.record_run(findings(older, current), run_id="r", as_of="2024-07", district=None)
    out = tmp_path / "worklists"
    code = main(["worklist", "--district", "north", "--by", "revenue", "--top", "5",
                 "--lang", "en", "--db", db, "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    page = load_workbook(sheets(out)[0]).worksheets[0]
    columns = {canonical_column(cell.value): cell.column for cell in page[HEADER_ROW]}
    shown = {
        page.cell(row, columns["customer_id"]).value: page.cell(row, columns["evidence"]).value
        for row in (FIRST_DATA_ROW, FIRST_DATA_ROW + 1)
    }
    took_effect = (
        "order WO0007 (tariff_change resident→commercial) took effect in 2024-03, yet 3 bills "
        "2024-03..2024-05 still use"
    )
    assert shown == {"C1": f"{took_effect} (empty)", "C2": f"{took_effect} resident"}


def test_a_worklist_the_register_cannot_record_as_sent_leaves_no_sheet(
    recorded: tuple[str, Path], tmp_path: Path, capsys, monkeypatch
) -> None:
    """Another import holds the register's write lock past the wait: recording `sent` fails,
    and no sheet is left that the register does not know was sent."""
    import sqlite3

    from auditkit.register import store

    db, _ = recorded
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 1)
    out = tmp_path / "worklists"
    holder = sqlite3.connect(db.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    capsys.readouterr()
    try:
        assert main(["worklist", "--db", db, "--by", "high", "--out", str(out)]) == 2
    finally:
        holder.rollback()
        holder.close()
    printed = capsys.readouterr()
    assert "another import" in printed.err and ".xlsx" not in printed.out
    assert list(out.iterdir()) == []  # no sheet, no hidden folder of sheets being written
    assert Register.open(db).outcomes().empty
    # near miss: the lock free again, the same command writes the sheets and records them
    assert main(["worklist", "--db", db, "--by", "high", "--out", str(out)]) == 0
    assert sheets(out) and [path.name for path in out.iterdir() if path.name.startswith(".")] == []
    sent = Register.open(db).outcomes()
    assert not sent.empty and set(sent["event"]) == {"sent"}


def test_ctrl_c_while_the_sheets_recorded_as_sent_are_put_in_place_puts_them_all(
    recorded: tuple[str, Path], tmp_path: Path, monkeypatch
) -> None:
    """Ctrl-C after the first of two sheets was renamed into place left the second, recorded
    as sent, nowhere; now it is handled once every sheet is in place."""
    import os
    import signal

    db, _ = recorded
    out = tmp_path / "worklists"
    replace = os.replace

    def renamed_then_interrupted(source, target) -> None:
        replace(source, target)
        if Path(target).parent == out:  # a sheet put in place, not one written in the staging
            monkeypatch.setattr(os, "replace", replace)
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(os, "replace", renamed_then_interrupted)
    assert main(["worklist", "--db", db, "--by", "high", "--out", str(out)]) == 130
    sent = Register.open(db).outcomes()
    assert len(sheets(out)) == 2 and sent["source"].nunique() == 2
    assert [path.name for path in out.iterdir() if path.name.startswith(".")] == []


#: `auditkit worklist` killed outright (SIGKILL, a power cut) once its first sheet is staged.
KILLED_WORKLIST = (
    "import os, sys\n"
    "import auditkit.register as register\n"
    "staged = register.write_worklist\n"
    "def killed(sheet, path, **options):\n"
    "    staged(sheet, path, **options)\n"
    "    os._exit(9)\n"
    "register.write_worklist = killed\n"
    "from auditkit.cli import main\n"
    "main(sys.argv[1:])\n"
)


def _left_unchanged(folder: Path, seconds: float) -> None:
    """Date `folder` and everything in it `seconds` ago, as a folder left that long."""
    then = time.time() - seconds
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (then, then))


def test_clean_finds_the_sheets_a_killed_worklist_left_staged_and_removes_them_once_dead(
    tmp_path: Path, capsys
) -> None:
    """Before, `auditkit clean` searched only the outputs folder: the `.worklists.*.partial` a
    killed worklist left in its --out stayed there, to find and delete by hand."""
    findings = tmp_path / "findings.parquet"
    builders.findings(builders.finding("C1", 500.0), builders.finding("C2", 300.0)).to_parquet(
        findings
    )
    month = tmp_path / "worklists" / "2025-06"
    argv = ["worklist", str(findings), "--top", "1", "--out", str(month)]
    ended = subprocess.run([sys.executable, "-c", KILLED_WORKLIST, *argv], check=False)
    assert ended.returncode == 9
    [staged] = month.glob(".worklists.*.partial")
    assert [path.name for path in staged.iterdir()] == ["worklist-城东.xlsx"]
    assert not sheets(month)  # none put in place
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    clean = ["clean", "--outputs", str(outputs), "--worklists", str(tmp_path / "worklists")]
    # Near miss: changed a minute ago (a worklist of an auditkit before the lock may still write).
    _left_unchanged(staged, 60)
    assert main([*clean, "--yes"]) == 0
    assert capsys.readouterr().out.split()[:2] == ["unknown", str(staged)]
    _left_unchanged(staged, STAGED_QUIET_SECONDS + 60)
    # The next worklist into the folder says so, and writes its sheet as ever.
    assert main(argv) == 0
    assert f"`auditkit clean --worklists {month}` lists them" in capsys.readouterr().err
    assert main(clean) == 0
    assert capsys.readouterr().out.split()[:2] == ["dead", str(staged)]
    assert main([*clean, "--yes"]) == 0
    assert capsys.readouterr().out.split()[:2] == ["removed", str(staged)]
    assert not staged.exists()
    assert [path.name for path in sheets(month)] == ["worklist-城东.xlsx"]  # the sheet stays
    # Near miss: a worklist still writing (its lock held) is live however long it was left.
    writing = month / ".worklists.abc123.partial"
    writing.mkdir()
    with locked_while_written(writing):
        _left_unchanged(writing, STAGED_QUIET_SECONDS * 24)
        assert main([*clean, "--yes"]) == 0
        assert capsys.readouterr().out.split()[:2] == ["live", str(writing)]
    assert writing.is_dir()


def test_one_recovery_typed_with_two_dates_on_two_worklists_is_refused_not_counted_twice(
    recorded: tuple[str, Path], tmp_path: Path, capsys, monkeypatch
) -> None:
    """The finding went out on two sheets ten days ago while undecided; the field filled
    已追补 280 on both, one dated five days ago, the other three: before, both were recorded,
    280 + 280 = 560 yuan recovered for one recovery of 280."""
    db, _ = recorded
    sent_on, first_day, second_day = (dt.date.today() - dt.timedelta(days=d) for d in (10, 5, 3))
    monkeypatch.setattr("auditkit.register.worklist_sent.today", lambda: sent_on)
    one, two, key = two_worklists(db, tmp_path)
    monkeypatch.undo()
    row = {"outcome": "已追补", "amount_recovered": 280, "checked_by": "李四"}
    a = fill(one, {FIRST_DATA_ROW: {**row, "checked_on": f"{first_day}"}}, tmp_path / "a.xlsx")
    b = fill(two, {FIRST_DATA_ROW: {**row, "checked_on": f"{second_day}"}}, tmp_path / "b.xlsx")
    assert main(["register", "import", str(a), "--db", db]) == 0
    capsys.readouterr()
    assert main(["register", "import", str(b), "--db", db]) == 2
    error = capsys.readouterr().err
    assert (
        f"worklist 'b.xlsx', sheet 'worklist', row {FIRST_DATA_ROW}, column checked_on: recorded "
        f"'{first_day}' on another worklist ({sent_name(db, one)} row "
        f"{FIRST_DATA_ROW}, recovered 280.0 by "
        f"李四 on {first_day}), found '{second_day}': the same outcome and amount sent on two "
        "worklists, dated otherwise, would count its money twice: put the other sheet's date if "
        "it is one recovery, or import with --correct if this sheet's date is right; a further "
        "recovery of the same amount goes on a later worklist (auditkit worklist --recheck)"
    ) in error
    assert amounts(db, key) == [280.0]  # 280, not 280 + 280 = 560
    # This sheet's date is the right one: --correct records one recovery of 280, dated so.
    correct(db, b, capsys)
    with Register.open(db) as register:
        trail = register.outcomes(key)
    recovered = trail[trail["event"] == "recovered"]
    assert recovered["amount"].tolist() == [280.0]
    assert [f"{day:%Y-%m-%d}" for day in recovered["happened_at"]] == [f"{second_day}"]
    # Near miss: a further recovery of the same 280 on a worklist sent after the first was
    # recorded (--recheck) is its own event: 280 + 280 = 560.
    recheck = ["worklist", "--db", db, "--top", "3", "--recheck", "--out", str(tmp_path / "wl3")]
    assert main(recheck) == 0
    three = sheets(tmp_path / "wl3")[0]
    assert key_at(three, FIRST_DATA_ROW) == key
    later = {**row, "checked_on": TODAY}
    c = fill(three, {FIRST_DATA_ROW: later}, tmp_path / "c.xlsx")
    assert main(["register", "import", str(c), "--db", db]) == 0
    assert sorted(amounts(db, key)) == [280.0, 280.0]


def month_findings(as_of: str) -> pd.DataFrame:
    """Two findings of 城东 as `rules.run` gives them for month `as_of`."""
    frame = builders.findings(builders.finding("a", 500), builders.finding("b", 300))
    frame.attrs["as_of"] = as_of
    return frame


def test_a_sheet_of_a_month_the_register_has_not_recorded_and_never_sent_is_refused(
    tmp_path: Path, capsys
) -> None:
    """The register holds 2025-06; a worklist of 2025-08 made from a findings file and never
    recorded as sent named findings the register has (the same keys), so it imported without a
    word: its checks counted in a month the register has no run of. Refused, naming the month;
    the register's own month, and a sheet of 2025-08 recorded as sent, still import."""
    db = f"sqlite:///{tmp_path / 'register.sqlite'}"
    with Register.open(db) as register:
        register.record_run(month_findings("2025-06"), run_id="2025-06", as_of="2025-06",
                            district=None)  # fmt: skip
    answer = {"outcome": "误报", "checked_by": "李四", "checked_on": TODAY}
    written = {}
    for month, top in (
        ("2025-08", 2),
        ("2025-06", 1),
    ):  # two sheets, b checked on one, a on the other
        worklist = select_worklist(month_findings(month), by="revenue", top=top)
        written[month] = write_worklist(worklist, tmp_path / f"sent-{month}.xlsx")
        row = FIRST_DATA_ROW + top - 1
        fill(written[month], {row: answer}, tmp_path / f"back-{month}.xlsx")
    assert main(["register", "import", str(tmp_path / "back-2025-08.xlsx"), "--db", db]) == 2
    shown = Register.open(db).url
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"worklist 'back-2025-08.xlsx': expected a worklist of a month the register {shown} has "
        "recorded (its latest is 2025-06) or one recorded as sent, found a worklist of 2025-08 "
        "never sent: record the run of 2025-08 first (auditkit rules --register), then import it"
    ]
    assert amounts(db) == [] and field_events(db) == 0
    # near misses: the register's own month imports; so does 2025-08 once recorded as sent
    assert main(["register", "import", str(tmp_path / "back-2025-06.xlsx"), "--db", db]) == 0
    assert field_events(db) == 1
    with Register.open(db) as register:
        sent_08 = select_worklist(month_findings("2025-08"), by="revenue", top=2)
        assert record_sent(register, [(written["2025-08"], sent_08)], sent_by="王工") == 2
    capsys.readouterr()
    assert main(["register", "import", str(tmp_path / "back-2025-08.xlsx"), "--db", db]) == 0
    assert "1 outcome events recorded" in capsys.readouterr().out


def field_events(db: str) -> int:
    """How many live outcome events besides `sent` the register holds."""
    with Register.open(db) as register:
        return int((register.outcomes()["event"] != "sent").sum())


def penalty_findings() -> pd.DataFrame:
    """A reduction_without_drop finding with a penalty (39,820 back-billing, 2 × = 79,640) and
    a zero_consumption one without, as `rules.run` gives them for 2025-06."""
    reduction = builders.finding(
        "p", 39_820, rule_id="reduction_without_drop", revenue_kind="proved",
        area=RULES["reduction_without_drop"].area, penalty=79_640.0,
    )  # fmt: skip
    frame = builders.findings(reduction, builders.finding("q", 500))
    frame.attrs["as_of"] = "2025-06"
    return frame


def test_the_penalty_assessed_is_shown_and_the_penalty_collected_is_recorded_apart(
    tmp_path: Path, capsys
) -> None:
    """The sheet had no penalty column, so the field typed back-billing + penalty (39,820 +
    79,640 = 119,460) into amount_recovered, and the audit cycle counted 119,460 as revenue
    recovered. Now the sheet shows the penalty assessed (blank where none) and takes the
    penalty collected in penalty_recovered: 39,820 recovered, 79,640 penalty, never added."""
    db = f"sqlite:///{tmp_path / 'register.sqlite'}"
    with Register.open(db) as register:
        register.record_run(penalty_findings(), run_id="2025-06", as_of="2025-06", district=None)
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(out), "--sent-by", "王工"]) == 0
    sheet = sheets(out)[0]
    page = load_workbook(sheet).worksheets[0]
    columns = {canonical_column(cell.value): cell.column for cell in page[HEADER_ROW]}
    assert page.cell(HEADER_ROW, columns["penalty"]).value == "违约使用电费（核定） penalty"
    assert page.cell(HEADER_ROW, columns["penalty_recovered"]).value == (
        "违约使用电费实收（元） penalty_recovered"
    )
    assert page.cell(FIRST_DATA_ROW, columns["penalty"]).value == 79_640  # p: most revenue
    assert page.cell(FIRST_DATA_ROW + 1, columns["penalty"]).value is None  # q: none assessed
    assert page.cell(FIRST_DATA_ROW, columns["penalty"]).protection.locked
    recovered = {"outcome": "已追补", "checked_by": "李四", "checked_on": TODAY,
                 "amount_recovered": 39_820}  # fmt: skip
    # near misses, refused one line each: a penalty with another outcome, one typed in fen
    # (7,964,000.00 > 10 × 79,640.00 = 796,400.00), one below 0
    wrong = fill(sheet, {FIRST_DATA_ROW: {**recovered, "penalty_recovered": 7_964_000},
                         FIRST_DATA_ROW + 1: {"outcome": "误报", "checked_by": "李四",
                                              "checked_on": TODAY, "penalty_recovered": 100}},
                 tmp_path / "wrong.xlsx")  # fmt: skip
    capsys.readouterr()
    assert main(["register", "import", str(wrong), "--db", db]) == 2
    where = "worklist 'wrong.xlsx', sheet '核查工单'"
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"{where}, row {FIRST_DATA_ROW + 1}, column L (penalty_recovered): an amount is recorded "
        "only with the outcome 已追补/recovered, found 100 with '误报'",
        f"{where}, row {FIRST_DATA_ROW}, column L (penalty_recovered): expected at most "
        "796,400.00 yuan (10 × the larger of the penalty assessed and the revenue at stake "
        "79,640.00, or 1,000), found 7,964,000.00: an amount in fen or a pasted number? A "
        "recovery checked to be that large is imported with --large-amounts",
    ]
    negative = fill(sheet, {FIRST_DATA_ROW: {**recovered, "penalty_recovered": -79_640}},
                    tmp_path / "negative.xlsx")  # fmt: skip
    assert main(["register", "import", str(negative), "--db", db]) == 2
    assert "column L (penalty_recovered): expected a number of at least 0 (yuan), found -79640" in (
        capsys.readouterr().err
    )
    right = fill(sheet, {FIRST_DATA_ROW: {**recovered, "penalty_recovered": 79_640}},
                 tmp_path / "right.xlsx")  # fmt: skip
    assert main(["register", "import", str(right), "--db", db]) == 0
    with Register.open(db) as register:
        trail = register.outcomes()
        recovery = trail[trail["event"] == "recovered"]
        assert recovery[["amount", "penalty"]].values.tolist() == [[39_820.0, 79_640.0]]
        study = study_of_register(register, as_of="2025-06", months=1)
    total = study.total.iloc[0]
    # revenue recovered is the back-billing alone; the penalty is its own figure
    assert total["recovered_proved"] == 39_820.0 and total["recovered_estimated"] == 0.0
    assert total["penalty_recovered"] == 79_640.0
    assert study.table("district_recovery", "en")["Penalty collected (yuan)"].tolist() == [
        "79,640.00",  # 城东
        "79,640.00",  # the total
    ]
    assert (
        "Penalties collected with them: 79,640.00 yuan, shown apart and never counted as revenue "
        "recovered."
    ) in study.conclusions("en")
    # a penalty corrected on the sheet is a changed row: refused, then recorded with --correct
    fixed = fill(sheet, {FIRST_DATA_ROW: {**recovered, "penalty_recovered": 79_000}},
                 tmp_path / "fixed.xlsx")  # fmt: skip
    capsys.readouterr()
    assert main(["register", "import", str(fixed), "--db", db]) == 2
    assert (
        f"worklist 'fixed.xlsx', sheet '核查工单', row {FIRST_DATA_ROW}, column penalty_recovered: "
        "recorded 79640.0 (imported before), found 79000.0: import with --correct"
    ) in capsys.readouterr().err
    correct(db, fixed, capsys)
    with Register.open(db) as register:
        trail = register.outcomes()
    assert trail.loc[trail["event"] == "recovered", "penalty"].tolist() == [79_000.0]


def test_a_sheet_written_before_the_penalty_column_still_imports(
    tmp_path: Path, monkeypatch
) -> None:
    """A worklist sent before penalty_recovered existed (its inputs outcome, amount_recovered,
    checked_by, checked_on) is read as it was: no penalty, the amount as typed."""
    db = f"sqlite:///{tmp_path / 'register.sqlite'}"
    with Register.open(db) as register:
        register.record_run(penalty_findings(), run_id="2025-06", as_of="2025-06", district=None)
    worklist = select_worklist(penalty_findings().drop(columns="penalty"), by="revenue", top=2)
    monkeypatch.setattr(sheet_module, "INPUT_COLUMNS", sheet_module.INPUTS_WITHOUT_PENALTY)
    old = write_worklist(worklist, tmp_path / "old.xlsx")
    monkeypatch.undo()
    headers = [
        canonical_column(cell.value) for cell in load_workbook(old).worksheets[0][HEADER_ROW]
    ]
    assert "penalty" not in headers and "penalty_recovered" not in headers
    row = {
        "outcome": "已追补",
        "checked_by": "李四",
        "checked_on": TODAY,
        "amount_recovered": 39_820,
    }
    returned = fill(old, {FIRST_DATA_ROW: row}, tmp_path / "old-back.xlsx")
    assert main(["register", "import", str(returned), "--db", db]) == 0
    assert amounts(db) == [39_820.0]
    with Register.open(db) as register:
        assert register.outcomes()["penalty"].isna().all()
        study = study_of_register(register, as_of="2025-06", months=1)
    assert study.total.iloc[0]["penalty_recovered"] == 0.0
    assert not any("Penalties collected" in line for line in study.conclusions("en"))


def test_a_same_import_sheet_is_named_by_its_path_as_given_and_the_row_the_finding_is_in_now(
    recorded: tuple[str, Path], tmp_path: Path, capsys
) -> None:
    """Two worklists of 城东 returned as wl1-back/worklist-城东.xlsx and
    wl2-back/worklist-城东.xlsx (the name `auditkit worklist` always writes), the first sorted
    so the finding is now in its second row. Before: "worklist 'worklist-城东.xlsx' row 3",
    which names both sheets, at the row the finding was written in; now the first's path as
    given and the row it is in now."""
    db, _ = recorded
    one, two, key = two_worklists(db, tmp_path)
    row = {"outcome": "已追补", "amount_recovered": 280, "checked_by": "李四", "checked_on": TODAY}
    (tmp_path / "wl1-back").mkdir()
    (tmp_path / "wl2-back").mkdir()
    a = fill(one, {FIRST_DATA_ROW: row}, tmp_path / "wl1-back" / "worklist-城东.xlsx")
    workbook = load_workbook(a)
    page = workbook.worksheets[0]
    first, second = ([cell.value for cell in page[n]] for n in (FIRST_DATA_ROW, FIRST_DATA_ROW + 1))
    for column, (upper, lower) in enumerate(zip(second, first, strict=True), start=1):
        page.cell(FIRST_DATA_ROW, column).value = upper
        page.cell(FIRST_DATA_ROW + 1, column).value = lower
    workbook.save(a)
    b = fill(two, {FIRST_DATA_ROW: row}, tmp_path / "wl2-back" / "worklist-城东.xlsx")
    capsys.readouterr()
    assert main(["register", "import", str(a), str(b), "--db", db]) == 0
    printed = capsys.readouterr().out
    assert (
        f"recorded from another worklist already, worklist {str(a)!r} row {FIRST_DATA_ROW + 1}: "
        "counted once"
    ) in printed
    # near miss: the sheet being imported is never named as the other
    assert f"worklist {str(b)!r} row" not in printed
    assert amounts(db, key) == [280.0]
