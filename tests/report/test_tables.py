"""Reviewer tables: masking, number and money formats, row limits with a link to the full data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from report_chromium import find_chromium

from auditkit import formatting
from auditkit.report import tables
from auditkit.results import with_total


def test_personal_fields_are_masked() -> None:
    frame = pd.DataFrame(
        {
            "name": ["张三丰", None],
            "phone": ["13812345678", "110"],
            "address": ["城东区中山路831号", "x"],
        }
    )
    masked = tables.mask_personal(frame)
    assert masked["name"].tolist()[0] == "张**"
    assert pd.isna(masked["name"].tolist()[1])
    assert masked["phone"].tolist() == ["138****5678", "***"]
    assert masked["address"].tolist() == ["城东区中山路****", "x****"]
    assert frame["name"].tolist()[0] == "张三丰"  # the input is left alone


def test_numbers_money_and_missing_values_are_formatted_as_everywhere() -> None:
    frame = pd.DataFrame(
        {
            "amount": [1234.5, "合计", None],
            "kwh": [1234567.0, 0.125, float("nan")],
            "note": ["a", None, "c"],
        }
    )
    shown = tables.format_frame(frame, money_columns=["amount"])
    assert shown["amount"].tolist() == ["1,234.50", "合计", formatting.MISSING]
    assert shown["kwh"].tolist() == ["1,234,567", "0.12", formatting.MISSING]
    assert shown["note"].tolist() == ["a", formatting.MISSING, "c"]


def test_customer_columns_keep_their_names_and_are_shown_in_words() -> None:
    assert tables.personal_labels("en") == {
        "customer_id": "Customer",
        "name": "Name",
        "address": "Address",
        "phone": "Phone",
    }


def test_table_html_limits_rows_links_full_data_and_aligns_numbers() -> None:
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(30)], "amount": range(30)})
    page = tables.table_html(
        frame,
        lang="en",
        money_columns=["amount"],
        max_rows=5,
        full_data="findings.csv",
        column_labels={"amount": "Amount (yuan)"},
    )
    assert page.count("<tr>") == 6  # header + 5 rows
    assert "Showing 5 of 30 rows" in page
    assert '<a href="findings.csv">Full data: findings.csv</a>' in page
    assert '<th class="ak-num">Amount (yuan)</th>' in page
    assert '<td class="ak-num">4.00</td>' in page and "c5" not in page


def test_a_total_row_of_text_keeps_numeric_columns_numeric() -> None:
    frame = pd.DataFrame({"rule": ["a", "Total"], "findings": [3, ""], "amount": [1.5, 1.5]})
    shown = tables.format_frame(frame, money_columns=["amount"])
    assert shown["findings"].tolist() == ["3", ""]
    assert tables.is_numeric_column(frame["findings"])
    assert not tables.is_numeric_column(frame["rule"])
    assert "<script>" not in tables.table_html(pd.DataFrame({"x": ["<script>"]}))


def test_short_text_columns_do_not_wrap_and_long_ones_may() -> None:
    frame = pd.DataFrame(
        {
            "rule": ["倍率错误", "容量少计"],
            "evidence": ["按合同容量 630 kVA 每月少计基本电费" * 2] * 2,
        }
    )
    page = tables.table_html(frame)
    assert '<td class="ak-short">倍率错误</td>' in page
    assert '<td class="ak-long">按合同容量' in page


def test_the_full_data_link_is_a_relative_quoted_path() -> None:
    frame = pd.DataFrame({"x": [1]})
    page = tables.table_html(frame, full_data="javascript:alert(1)", lang="en")
    assert 'href="javascript%3Aalert%281%29"' in page


def test_numbers_formatted_as_text_upstream_are_aligned_right() -> None:
    frame = pd.DataFrame(
        {
            "district": ["城东", "城北"],
            "kwh": ["305,735,964", "193,584,933"],
            "yoy": ["+4.8%", None],
        }
    )
    page = tables.table_html(frame)
    assert '<td class="ak-num">305,735,964</td>' in page and '<td class="ak-num">+4.8%</td>' in page
    assert '<td class="ak-short">城东</td>' in page
    assert not tables.is_number_text_column(pd.Series(["2023-01", "2024-02"]))


def _areas_with_total(rows: int) -> pd.DataFrame:
    """`rows` rules in two areas with their findings, then their total row."""
    table = pd.DataFrame(
        {
            "区域": ["计量装置" if i % 2 else "电价执行" for i in range(rows)],
            "疑点数": [i + 1 for i in range(rows)],
        }
    )
    return with_total(table, {"区域": "合计", "疑点数": sum(range(1, rows + 1))})


def test_a_total_row_is_shown_in_the_table_foot_even_when_rows_are_cut() -> None:
    page = tables.table_html(_areas_with_total(30), lang="en", max_rows=5)
    body, foot = page.split("<tbody>")[1].split("</tbody>")
    assert body.count("<tr>") == 5 and "合计" not in body
    assert foot.startswith("<tfoot><tr><td") and "合计" in foot and "465" in foot
    assert "Showing 5 of 30 rows" in page  # data rows only


def test_a_table_without_a_total_row_has_no_foot() -> None:
    assert "<tfoot>" not in tables.table_html(pd.DataFrame({"x": [1, 2]}))


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
def test_the_table_script_sorts_filters_and_counts_the_data_rows_only(tmp_path: Path) -> None:
    from report_chromium import offline_chromium, visit

    from auditkit.pipeline.render import tables_script

    page = tmp_path / "table.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><body>'
        + tables.table_html(_areas_with_total(12), lang="zh")
        + tables_script("zh")
        + "</body></html>",
        encoding="utf-8",
    )
    probe = """(() => {
      const errors = [];
      window.addEventListener("error", event => errors.push(event.message));
      const rows = () => [...document.querySelectorAll("table tr")].map(r => r.cells[0].textContent);
      const [area, findings] = document.querySelectorAll("thead th");
      findings.click();
      const byFindings = rows();
      area.click();
      const byArea = rows();
      const select = document.querySelector(".ak-table-tools select");
      return {errors, byFindings, byArea, choices: [...select.options].map(o => o.value),
              count: document.querySelector(".ak-table-count").textContent};
    })()"""
    with offline_chromium(find_chromium()) as browser:
        seen = visit(browser, page, tmp_path / "table.png", probe=probe)
    assert seen.script_errors == [] and seen.probed["errors"] == []
    assert seen.probed["byFindings"][-1] == "合计" and seen.probed["byArea"][-1] == "合计"
    assert seen.probed["byFindings"][1] == "计量装置"  # 12 findings, the most, first
    assert seen.probed["choices"] == ["", "电价执行", "计量装置"]
    assert seen.probed["count"] == "显示 12 / 12 行"


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
def test_a_column_whose_every_row_differs_gets_no_filter(tmp_path: Path) -> None:
    from report_chromium import offline_chromium, visit

    from auditkit.pipeline.render import tables_script

    table = pd.DataFrame(
        {
            "区域": ["计量装置", "电价执行", "计量装置", "电价执行"] * 3,
            "链接": [f"报告 {row}" for row in range(12)],  # a link per row: nothing to group
        }
    )
    page = tmp_path / "table.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><body>'
        + tables.table_html(table, lang="zh")
        + tables_script("zh")
        + "</body></html>",
        encoding="utf-8",
    )
    probe = """[...document.querySelectorAll(".ak-table-tools select")].map(
      s => s.getAttribute("aria-label"))"""
    with offline_chromium(find_chromium()) as browser:
        seen = visit(browser, page, tmp_path / "table.png", probe=probe)
    assert seen.script_errors == []
    assert seen.probed == ["区域"]
