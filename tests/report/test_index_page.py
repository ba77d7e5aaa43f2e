"""The run index in a real browser: its table's tools sized alike on a wide screen and a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_chromium import find_chromium

from auditkit.pipeline.index import render_index

#: The width of each of the table's tools (search box, filters), by its label.
TOOLS_PROBE = """Object.fromEntries([...document.querySelectorAll(".ak-table-tools input, .ak-table-tools select")]
  .map(tool => [tool.getAttribute("aria-label"), Math.round(tool.getBoundingClientRect().width)]))"""
LONG_FILE = "field_sheet_values_seed20240601_simulated_with_a_long_name.xlsx"


def _run_of_twelve_notebooks() -> dict:
    """A manifest of twelve notebooks (the tables script enhances tables of ten rows or more)
    whose links repeat in two kinds: with the findings files, and with a long-named sheet."""
    records = []
    for number in range(12):
        files = ["findings.csv", "findings.parquet", "findings.xlsx"] if number % 2 else [LONG_FILE]
        records.append(
            {
                "name": f"district {number}",
                "notebook": "notebooks/district_audit.ipynb",
                "status": "ok",
                "error": "",
                "seconds": 10.0 + number,
                "report": "report.html",
                "executed": "district_audit.ipynb",
                "files": files,
                "headline": {"subject": f"district {number}", "figures": {"findings": number}},
            }
        )
    return {
        "run_id": "RUN-12",
        "started_at": "2026-01-05T01:30:00+00:00",
        "finished_at": "2026-01-05T01:32:05+00:00",
        "status": "ok",
        "notebooks": records,
    }


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
def test_the_links_filter_is_sized_like_the_others_not_by_its_longest_choice(
    tmp_path: Path,
) -> None:
    from report_chromium import offline_chromium, visit

    page = tmp_path / "index.html"
    page.write_text(render_index(_run_of_twelve_notebooks(), "en"), encoding="utf-8")
    with offline_chromium(find_chromium()) as browser:
        wide = visit(browser, page, probe=TOOLS_PROBE, width=1400, settle=0)
        phone = visit(browser, page, probe=TOOLS_PROBE, width=390, settle=0)
    assert wide.script_errors == [] and set(wide.probed) == {"Search", "Links"}
    # the search box has its own minimum; no filter is wider, whatever its choices say
    assert wide.probed["Links"] <= wide.probed["Search"] < 300
    assert phone.probed["Links"] <= phone.probed["Search"] < 390
