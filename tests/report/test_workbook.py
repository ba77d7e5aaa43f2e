"""The findings workbook read back with openpyxl: text stays text, amounts are numbers, in lang."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from auditkit.errors import ParameterError
from auditkit.report.workbook import write_findings_workbook
from auditkit.rules import catalog

RULE = catalog()["rule_id"].iloc[0]
TITLES = catalog().set_index("rule_id")


@pytest.fixture
def findings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule_id": [RULE, RULE, RULE],
            "area": ["metering", "metering", "metering"],
            "severity": ["high", "medium", "low"],
            "customer_id": ["000123", "=SUM(1+2)", "4500"],
            "district": ["城东", "+86 城西", "@cmd"],
            "period_from": ["2023-01", "2024-12", "2023-01"],
            "period_to": ["2023-03", "2025-01", "2023-01"],
            "evidence": ["-3 kWh 读数倒走", '=HYPERLINK("http://x","y")', "正常"],
            "revenue_impact": [1234.5, 0.0, 99999.987],
            "score": [0.9, 0.5, 0.25],
            "name": ["张三丰", "李四", "王五"],
            "phone": ["13812345678", "13912345678", "13712345678"],
        }
    )


def cells(path: Path) -> list[list]:
    return [list(row) for row in load_workbook(path).active.iter_rows()]


def test_text_is_never_a_formula_and_ids_and_periods_stay_text(
    findings: pd.DataFrame, tmp_path: Path
) -> None:
    path = write_findings_workbook(findings, tmp_path / "findings.xlsx")
    rows = cells(path)
    assert [c.coordinate for row in rows for c in row if c.data_type == "f"] == []
    header = [c.value for c in rows[0]]
    column = {name: header.index(name) for name in header}
    body = rows[1:]
    assert [r[column["户号"]].value for r in body] == ["000123", "=SUM(1+2)", "4500"]
    assert [r[column["供电单位"]].value for r in body] == ["城东", "+86 城西", "@cmd"]
    assert [r[column["起始年月"]].value for r in body] == ["2023-01", "2024-12", "2023-01"]
    assert all(r[column["起始年月"]].data_type == "s" for r in body)
    assert all(r[column["户号"]].number_format == "@" for r in body)
    assert [r[column["依据"]].value for r in body] == list(findings["evidence"])


def test_amounts_are_numbers_with_a_money_format(findings: pd.DataFrame, tmp_path: Path) -> None:
    rows = cells(write_findings_workbook(findings, tmp_path / "findings.xlsx"))
    header = [c.value for c in rows[0]]
    money = [r[header.index("涉及电费 (元)")] for r in rows[1:]]
    assert [c.value for c in money] == [1234.5, 0.0, 99999.987]
    assert {c.data_type for c in money} == {"n"} and {c.number_format for c in money} == {
        "#,##0.00"
    }


def test_headers_rule_titles_and_severity_follow_lang(
    findings: pd.DataFrame, tmp_path: Path
) -> None:
    zh = cells(write_findings_workbook(findings, tmp_path / "zh.xlsx", lang="zh"))
    en = cells(write_findings_workbook(findings, tmp_path / "en.xlsx", lang="en"))
    zh_header, en_header = [c.value for c in zh[0]], [c.value for c in en[0]]
    assert zh_header[:4] == ["规则编号", "稽查规则", "稽查领域", "风险等级"]
    assert en_header[:4] == ["Rule id", "Rule", "Area", "Severity"]
    assert zh[1][1].value == TITLES.at[RULE, "title_zh"]
    assert en[1][1].value == TITLES.at[RULE, "title_en"]
    assert [r[3].value for r in zh[1:]] == ["高", "中", "低"]
    assert load_workbook(tmp_path / "zh.xlsx").active.title == "疑点清单"


def test_personal_fields_masked_unless_turned_off(findings: pd.DataFrame, tmp_path: Path) -> None:
    masked = cells(write_findings_workbook(findings, tmp_path / "masked.xlsx"))
    header = [c.value for c in masked[0]]
    assert [r[header.index("户名")].value for r in masked[1:]] == ["张**", "李*", "王*"]
    assert masked[1][header.index("联系电话")].value == "138****5678"
    plain = cells(write_findings_workbook(findings, tmp_path / "plain.xlsx", mask=False))
    assert plain[1][header.index("户名")].value == "张三丰"


def test_frozen_header_filters_widths_and_print_setup(
    findings: pd.DataFrame, tmp_path: Path
) -> None:
    sheet = load_workbook(write_findings_workbook(findings, tmp_path / "f.xlsx")).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}4"
    widths = {
        sheet.cell(1, c).value: sheet.column_dimensions[sheet.cell(1, c).column_letter].width
        for c in range(1, sheet.max_column + 1)
    }
    assert widths["依据"] > widths["户号"] >= 8 and max(widths.values()) <= 80
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.fitToWidth) == 1
    assert sheet.print_title_rows == "$1:$1"


def test_same_findings_give_the_same_bytes(findings: pd.DataFrame, tmp_path: Path) -> None:
    first = write_findings_workbook(findings, tmp_path / "a.xlsx").read_bytes()
    second = write_findings_workbook(findings, tmp_path / "b.xlsx").read_bytes()
    assert first == second


def test_empty_findings_and_bad_arguments(tmp_path: Path, findings: pd.DataFrame) -> None:
    empty = findings.iloc[0:0]
    rows = cells(write_findings_workbook(empty, tmp_path / "empty.xlsx"))
    assert len(rows) == 1 and rows[0][0].value == "规则编号"
    with pytest.raises(ParameterError, match="'lang'"):
        write_findings_workbook(findings, tmp_path / "x.xlsx", lang="fr")
    with pytest.raises(ParameterError, match="'path'"):
        write_findings_workbook(findings, tmp_path / "x.csv")


def test_real_findings_evidence_in_lang_and_no_machine_columns(tmp_path: Path) -> None:
    from auditkit import rules, synth
    from auditkit.data import load

    config = synth.SynthConfig(customers=300, districts=2, months=24, seed=5, irregular_share=0.06)
    folder = synth.write(synth.generate(config), tmp_path / "utility", fmt="parquet", config=config)
    findings = rules.run(load(folder))
    assert len(findings) > 0
    rows = cells(write_findings_workbook(findings, tmp_path / "findings.xlsx", lang="zh"))
    header = [c.value for c in rows[0]]
    assert "evidence_code" not in header and len(rows) == len(findings) + 1
    evidence = [r[header.index("依据")].value for r in rows[1:]]
    assert evidence == rules.evidence_text(findings, "zh").tolist()
    periods = [r[header.index("起始年月")].value for r in rows[1:]]
    assert periods == findings["period_from"].astype(str).tolist()
