"""The run index: one row per notebook with status, headline figures and links."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from report_pages import live_markup

from auditkit.pipeline.index import render_index


def _manifest() -> dict:
    ok = {
        "name": "城东",
        "notebook": "notebooks/district_audit.ipynb",
        "status": "ok",
        "error": "",
        "seconds": 12.34,
        "report": "report.html",
        "executed": "district_audit.ipynb",
        "files": ["findings.csv", "findings.parquet"],
        "headline": {
            "figures": {"findings": 233, "revenue_at_stake": 1234567.891, "customers": 4457}
        },
    }
    failed = {
        "name": "sampling_plan",
        "notebook": "notebooks/sampling_plan.ipynb",
        "status": "failed",
        "error": "cell 3: KeyError: 'x'",
        "seconds": 3.0,
        "report": None,
        "executed": "sampling_plan.ipynb",
        "files": [],
        "headline": None,
    }
    return {
        "run_id": "RUN-9",
        "started_at": "2026-01-05T01:30:00+00:00",
        "finished_at": "2026-01-05T01:32:05+00:00",
        "status": "failed",
        "notebooks": [ok, failed],
    }


def test_index_rows_status_figures_and_links() -> None:
    page = render_index(_manifest(), "zh")
    assert live_markup(page) == [] and "http:" not in page and "https:" not in page
    assert page.count("<tr>") == 3
    assert '<a href="%E5%9F%8E%E4%B8%9C/report.html">报告</a>' in page
    assert "1,234,567.89" in page and "233" in page and "用户数: 4,457" in page
    assert '<a href="sampling_plan/sampling_plan.ipynb">已执行的笔记本 (.ipynb)</a>' in page
    assert "失败" in page and "KeyError: &#x27;x&#x27;" in page
    assert "sampling_plan/report.html" not in page


def test_index_names_studies_in_words_and_formats_times_alike() -> None:
    page = render_index(_manifest(), "zh")
    assert ">营销稽查报告</td>" in page and ">统计抽样稽查</td>" in page
    assert "district_audit<" not in page and ">sampling_plan<" not in page
    assert ">12.3 秒</td>" in page and ">3.0 秒</td>" in page
    local = dt.datetime(2026, 1, 5, 1, 30, tzinfo=dt.UTC).astimezone()
    offset = local.strftime("%z")
    assert f"{local:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})" in page
    assert 'data-label="链接"' in page  # each row a card on a phone, links labelled


@pytest.mark.parametrize(
    "name",
    [
        "<script>window.__pwned=1</script>",
        '"><svg onload=alert(1)>',
        "javascript:alert(1)",
        "</title><img src=x onerror=alert(1)>",
    ],
)
def test_names_and_files_from_the_data_stay_text(name: str) -> None:
    manifest = _manifest()
    record = manifest["notebooks"][0]
    record.update(name=name, folder="safe%3Cfolder", error=name, files=[f"{name}.csv"])
    record["headline"]["subject"] = name
    record["headline"]["figures"][name] = name
    page = render_index(manifest, "en")
    assert live_markup(page) == []
    assert html.escape(name) in page
    assert 'href="safe%253Cfolder/report.html"' in page
    assert not [href for href in re.findall(r'href="([^"]*)"', page) if ":" in href]


def test_index_in_english() -> None:
    page = render_index(_manifest(), "en")
    assert "Revenue at stake (yuan)" in page and ">failed<" in page.replace("<br>", "<")


def test_sampling_figures_are_named_in_words() -> None:
    manifest = _manifest()
    manifest["notebooks"][1]["headline"] = {
        "figures": {"sample_size": 93, "upper_limit_pct": 4.77, "projected_misstatement": 1234.5}
    }
    page = render_index(manifest, "zh")
    assert "样本量: 93" in page and "错报率上限 (%): 4.77" in page
    assert "推断错报 (元): 1,234.50" in page and "sample_size" not in page
