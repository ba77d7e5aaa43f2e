"""The run index: one row per notebook with status, headline figures and links."""

from __future__ import annotations

from auditkit.report.index import render_index


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
        "started_at": "s",
        "finished_at": "f",
        "status": "failed",
        "notebooks": [ok, failed],
    }


def test_index_rows_status_figures_and_links() -> None:
    page = render_index(_manifest(), "zh")
    assert "<script" not in page and "http" not in page
    assert page.count("<tr>") == 3
    assert '<a href="%E5%9F%8E%E4%B8%9C/report.html">报告</a>' in page
    assert "1,234,567.89" in page and "233" in page and "用户数: 4,457" in page
    assert '<a href="sampling_plan/sampling_plan.ipynb">执行后的 notebook</a>' in page
    assert "失败" in page and "KeyError: &#x27;x&#x27;" in page
    assert "sampling_plan/report.html" not in page


def test_index_in_english() -> None:
    page = render_index(_manifest(), "en")
    assert "Revenue at stake (yuan)" in page and ">failed<" in page.replace("<br>", "<")
