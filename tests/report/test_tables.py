"""Reviewer tables: masking, number and money formats, row limits with a link to the full data."""

from __future__ import annotations

import pandas as pd

from auditkit.report import tables


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


def test_numbers_money_and_blanks_are_formatted() -> None:
    assert tables.format_money(1234.5) == "1,234.50"
    assert tables.format_number(1234567.0) == "1,234,567"
    assert tables.format_number(0.125) == "0.12"
    assert tables.format_number(float("nan")) == ""
    assert tables.format_money("合计") == "合计"


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
