"""A SQLite register in a folder whose name is not ASCII is shown by its path as the file system
spells it, in every command's output: `rules --register`, `worklist`, `register import`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from auditkit.cli import main
from auditkit.register import Register
from auditkit.register.sheet import FIRST_DATA_ROW, HEADER_ROW, canonical_column
from auditkit.register.store import shown_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "rules"))
from rule_builder import Utility, flat  # the rules tests' builder

TODAY = f"{dt.date.today():%Y-%m-%d}"
ENCODED_FOLDER = "%E5%AE%A1%E8%AE%A1"  # 审计 as SQLAlchemy's rendering wrote it


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """One household billed at the wrong rate from July, one with an estimated streak."""
    u = Utility()
    u.customer("A")
    u.monthly("A", flat(100), rate=[None] * 6 + [0.55] * 6, estimated=[1, 2, 3])
    return u.write(tmp_path / "data")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The team's register folder, named in Chinese with a space."""
    path = tmp_path / "审计 2026"
    path.mkdir()
    return path


def test_a_register_in_a_chinese_folder_is_shown_by_its_path_and_opens_the_same_file(
    folder: Path,
) -> None:
    path = folder / "register.sqlite"
    with Register.open(f"sqlite:///{path}") as register:
        assert register.url == f"sqlite+pysqlite:///{path}"
        assert repr(register) == f"Register(sqlite+pysqlite:///{path})"
    assert shown_url(f"sqlite:///{path}") == f"sqlite+pysqlite:///{path}"
    # an older record's encoded text names the same file and is shown alike
    assert shown_url(f"sqlite:///{path}".replace("审计", ENCODED_FOLDER)) == shown_url(
        f"sqlite:///{path}"
    )


def test_a_percent_or_question_mark_in_a_folder_is_kept_encoded_so_the_text_reopens_the_file(
    tmp_path: Path,
) -> None:
    """Near miss: only '%' and '?' of the path itself stay encoded, else the text would name
    another file ('%41' read as 'A') or start a query."""
    folder = tmp_path / "100%41 审计?"
    folder.mkdir()
    with Register.open(
        f"sqlite:///{folder / 'register.sqlite'}".replace("%", "%25").replace("?", "%3F")
    ) as register:
        shown = register.url
    assert shown == f"sqlite+pysqlite:///{tmp_path}/100%2541 审计%3F/register.sqlite"
    with Register.open(shown) as again:
        assert again.url == shown
    assert [p.name for p in tmp_path.iterdir()] == ["100%41 审计?"]  # no second register


def test_rules_register_names_the_register_by_its_path(
    dataset: Path, folder: Path, tmp_path: Path, capsys
) -> None:
    path = folder / "register.sqlite"
    out = str(tmp_path / "out")
    assert (
        main(
            ["rules", str(dataset), "--out", out, "--as-of", "2024-11", "--db", f"sqlite:///{path}"]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert f"register sqlite+pysqlite:///{path}: run 'data 2024-11': 2 new" in printed
    assert ENCODED_FOLDER not in printed


def test_worklist_and_register_import_name_the_register_by_its_path(
    dataset: Path, folder: Path, tmp_path: Path, capsys
) -> None:
    db = f"sqlite:///{folder / 'register.sqlite'}"
    findings, out = tmp_path / "findings", tmp_path / "worklists"
    assert (
        main(["rules", str(dataset), "--out", str(findings), "--as-of", "2024-11", "--db", db]) == 0
    )
    assert main(["worklist", "--db", db, "--top", "2", "--out", str(out), "--sent-by", "王工"]) == 0
    printed = capsys.readouterr().out
    assert (
        f"register sqlite+pysqlite:///{folder / 'register.sqlite'}: 2 findings recorded as sent"
        in printed
    )
    assert ENCODED_FOLDER not in printed
    (sheet,) = out.glob("worklist-*.xlsx")
    workbook = load_workbook(sheet)
    page = workbook.worksheets[0]
    columns = {canonical_column(cell.value): cell.column for cell in page[HEADER_ROW]}
    for column, value in {"outcome": "属实", "checked_by": "张三", "checked_on": TODAY}.items():
        page.cell(FIRST_DATA_ROW, columns[column]).value = value
    workbook.save(tmp_path / "returned.xlsx")
    other = folder / "other.sqlite"
    Register.open(f"sqlite:///{other}").close()  # a register holding none of these findings
    assert (
        main(["register", "import", str(tmp_path / "returned.xlsx"), "--db", f"sqlite:///{other}"])
        == 2
    )
    error = capsys.readouterr().err
    assert f"expected a finding of the register sqlite+pysqlite:///{other}, found" in error
    assert ENCODED_FOLDER not in error
