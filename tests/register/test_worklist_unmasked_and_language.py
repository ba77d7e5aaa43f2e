"""An English worklist speaks English in every sentence it writes (the Chinese is left to data
values such as a district's name)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from worklist_builders import finding, findings

from auditkit.register import select_worklist, write_worklist
from auditkit.register.sheet import INSTRUCTIONS_SHEETS, WORKLIST_SHEETS

CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
PERSON = {"name": "张三丰", "address": "城东区中山路1号", "phone": "13812345678"}


@pytest.fixture
def with_names() -> pd.DataFrame:
    rows = findings(finding("a", 500, **PERSON), finding("b", 300, **PERSON))
    return select_worklist(rows, by="revenue", top=2)


def instruction_lines(path: Path, lang: str) -> list[str]:
    sheet = load_workbook(path)[INSTRUCTIONS_SHEETS[lang]]
    return [str(row[0]) for row in sheet.iter_rows(values_only=True) if row[0] is not None]


def test_an_english_worklist_has_no_chinese_sentence_and_a_chinese_one_keeps_its_words(
    with_names: pd.DataFrame, tmp_path: Path
) -> None:
    english = load_workbook(write_worklist(with_names, tmp_path / "en.xlsx", lang="en"))
    written = [*instruction_lines(tmp_path / "en.xlsx", "en")]
    page = english[WORKLIST_SHEETS["en"]]
    for validation in page.data_validations.dataValidation:
        written += [validation.prompt or "", validation.error or ""]
    assert written and not [text for text in written if CHINESE.search(text)]
    # near miss: the Chinese worklist still names the penalty 违约使用电费
    assert any("违约使用电费" in line for line in instruction_lines(
        write_worklist(with_names, tmp_path / "zh.xlsx", lang="zh"), "zh"
    ))  # fmt: skip
