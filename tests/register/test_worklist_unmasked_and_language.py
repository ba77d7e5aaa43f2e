"""A worklist written with personal fields unmasked says so, on stderr and on its instructions
sheet, as `sample select --no-mask` does; an English worklist speaks English in every sentence
it writes (the Chinese is left to data values such as a district's name)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from worklist_builders import finding, findings

from auditkit.cli import main
from auditkit.register import read_worklist, select_worklist, write_worklist
from auditkit.register.sheet import INSTRUCTIONS_SHEETS, WORKLIST_SHEETS
from auditkit.register.worklist import unmasked_warning

CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
PERSON = {"name": "张三丰", "address": "城东区中山路1号", "phone": "13812345678"}


@pytest.fixture
def with_names() -> pd.DataFrame:
    rows = findings(finding("a", 500, **PERSON), finding("b", 300, **PERSON))
    return select_worklist(rows, by="revenue", top=2)


def instruction_lines(path: Path, lang: str) -> list[str]:
    sheet = load_workbook(path)[INSTRUCTIONS_SHEETS[lang]]
    return [str(row[0]) for row in sheet.iter_rows(values_only=True) if row[0] is not None]


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        # zh names the columns as its header does, not in English alone
        ("zh", "未脱敏写出的个人信息列：户名 name、用电地址 address、联系电话 phone（本工单含完整个人信息，"
               "请妥善保管）。"),
        ("en", "Personal columns written unmasked: name, address, phone (this worklist holds "
               "personal data in full: keep it safe)."),
    ],
)  # fmt: skip
def test_an_unmasked_worklist_says_so_on_its_instructions_sheet(
    with_names: pd.DataFrame, tmp_path: Path, lang: str, said: str
) -> None:
    unmasked = write_worklist(with_names, tmp_path / "unmasked.xlsx", lang=lang, mask=False)
    assert instruction_lines(unmasked, lang)[-1] == said
    assert read_worklist(unmasked).empty  # the line is the sheet's own: not typed over
    # near misses: masked, or unmasked with no personal column, the sheet says nothing of it
    masked = write_worklist(with_names, tmp_path / "masked.xlsx", lang=lang)
    no_names = with_names.drop(columns=list(PERSON))
    plain = write_worklist(no_names, tmp_path / "plain.xlsx", lang=lang, mask=False)
    for path in (masked, plain):
        assert not any(
            "unmasked" in line or "未脱敏" in line for line in instruction_lines(path, lang)
        )


def test_the_warning_names_the_personal_columns_in_the_worklists_language(
    with_names: pd.DataFrame,
) -> None:
    assert unmasked_warning(with_names, "zh") == (
        "因 --no-mask 未脱敏写出的个人信息列：户名 name、用电地址 address、联系电话 phone（核查工单含"
        "完整个人信息，请妥善保管）"
    )
    assert unmasked_warning(with_names[["finding_key", "phone"]], "en") == (
        "personal columns written unmasked on the worklist (--no-mask): phone (the worklist "
        "holds personal data in full: keep it safe)"
    )
    assert unmasked_warning(with_names.drop(columns=list(PERSON)), "zh") is None


def test_worklist_no_mask_warns_on_stderr_and_a_masked_one_does_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    args = ["synth", "--customers", "100", "--districts", "1", "--months", "24", "--seed", "3"]
    assert main([*args, "--out", str(data)]) == 0
    customers = pd.read_parquet(data / "customers.parquet")
    first = customers.iloc[:2]
    ours = findings(
        *(
            finding(customer, 100.0 * (number + 1), district=district)
            for number, (customer, district) in enumerate(
                zip(first["customer_id"], first["district"], strict=True)
            )
        )
    )
    source = tmp_path / "findings.csv"
    ours.to_csv(source, index=False)
    capsys.readouterr()

    command = ["worklist", str(source), "--data", str(data), "--top", "2", "--lang", "en"]
    assert main([*command, "--out", str(tmp_path / "masked")]) == 0
    assert "unmasked" not in capsys.readouterr().err  # near miss: masked by default
    assert main([*command, "--no-mask", "--out", str(tmp_path / "full")]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == (
        "auditkit worklist: personal columns written unmasked on the worklist (--no-mask): "
        "name, address, phone (the worklist holds personal data in full: keep it safe)"
    )


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
