"""The run index in a real browser: its table's tools sized alike on a wide screen and a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from report_chromium import find_chromium

from auditkit import i18n
from auditkit.pipeline.index import render_index

#: The width of each of the table's tools (search box, filters), by its label.
TOOLS_PROBE = """Object.fromEntries([...document.querySelectorAll(".ak-table-tools input, .ak-table-tools select")]
  .map(tool => [tool.getAttribute("aria-label"), Math.round(tool.getBoundingClientRect().width)]))"""
LONG_FILE = "field_sheet_values_seed20240601_simulated_with_a_long_name.xlsx"


def _run_of_twelve_notebooks() -> dict:
    """A manifest of twelve notebooks (the tables script enhances tables of ten rows or more) of
    two studies, one with a long name, whose links repeat in two kinds: with the findings files,
    and with a long-named sheet. Their elapsed times run from 10 s to 21 s."""
    records = []
    for number in range(12):
        files = ["findings.csv", "findings.parquet", "findings.xlsx"] if number % 2 else [LONG_FILE]
        notebook = "district_audit" if number % 2 else Path(LONG_FILE).stem
        records.append(
            {
                "name": f"district {number}",
                "notebook": f"notebooks/{notebook}.ipynb",
                "status": "ok",
                "error": "",
                "seconds": 10.0 + number,
                "report": "report.html",
                "executed": f"{notebook}.ipynb",
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
def test_a_filter_is_sized_like_the_others_not_by_its_longest_choice(tmp_path: Path) -> None:
    from report_chromium import offline_chromium, visit

    page = tmp_path / "index.html"
    page.write_text(render_index(_run_of_twelve_notebooks(), "en"), encoding="utf-8")
    with offline_chromium(find_chromium()) as browser:
        wide = visit(browser, page, probe=TOOLS_PROBE, width=1400, settle=0)
        phone = visit(browser, page, probe=TOOLS_PROBE, width=390, settle=0)
    assert wide.script_errors == [] and set(wide.probed) == {"Search", "Notebook"}
    # the search box has its own minimum; no filter is wider, whatever its choices say
    assert wide.probed["Notebook"] <= wide.probed["Search"] < 300
    assert phone.probed["Notebook"] <= phone.probed["Search"] < 390


def test_a_run_index_offers_filters_only_on_columns_whose_words_group_the_rows() -> None:
    page = render_index(_run_of_twelve_notebooks(), "en")
    headers = page.split("<thead>")[1].split("</thead>")[0]
    assert '<th class="" data-ak-filter>Notebook</th>' in headers  # two studies, six rows each
    # near misses: links repeat in two kinds but group nothing a reviewer asks for, every
    # subject differs, and every status is the same
    assert headers.count("data-ak-filter") == 1


#: The elapsed-time column's texts after one click on its header (the longest first) and after
#: a second click.
SORT_PROBE = """(() => {
  const table = document.querySelector("table.ak-index"), headers = [...table.tHead.rows[0].cells];
  const column = headers.findIndex(header => header.textContent === "%s");
  const texts = () => [...table.tBodies[0].rows].map(row => row.cells[column].textContent);
  headers[column].click();
  const descending = texts();
  headers[column].click();
  return {descending, ascending: texts()};
})()"""


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
@pytest.mark.parametrize(("lang", "minute", "longest_in_seconds"), [
    ("zh", "1 分 05 秒", "39.8 秒"), ("en", "1 min 05 s", "39.8 s"),
])  # fmt: skip
def test_a_sort_by_elapsed_time_puts_a_minute_above_every_time_in_seconds(
    tmp_path: Path, lang: str, minute: str, longest_in_seconds: str
) -> None:
    from report_chromium import offline_chromium, visit

    run = _run_of_twelve_notebooks()
    run["notebooks"][0]["seconds"] = 65.0  # 1 min 05 s: read as "1" by its text alone
    run["notebooks"][1]["seconds"] = 39.8
    run["notebooks"][2]["seconds"] = 7.25  # the shortest, 7.2 s (7.25 rounds half to even)
    page = tmp_path / "index.html"
    page.write_text(render_index(run, lang), encoding="utf-8")
    with offline_chromium(find_chromium()) as browser:
        seen = visit(browser, page, probe=SORT_PROBE % i18n.text("pipeline.duration", lang))
    assert seen.script_errors == []
    assert seen.probed["descending"][:2] == [minute, longest_in_seconds]
    assert seen.probed["ascending"][0].startswith("7.2") and seen.probed["ascending"][-1] == minute


def test_an_elapsed_time_cell_carries_its_seconds_for_sorting_and_none_when_unrecorded() -> None:
    run = _run_of_twelve_notebooks()
    run["notebooks"][0]["seconds"] = 65.0
    run["notebooks"][1]["seconds"] = None  # a record from before times were kept
    page = render_index(run, "zh")
    assert '<td class="ak-num" data-sort="65.0" data-label="耗时">1 分 05 秒</td>' in page
    assert '<td class="ak-num" data-label="耗时"></td>' in page


def _run_with_four_failed_notebooks() -> dict:
    """The twelve notebooks, four of them (3, 6, 9, 12) failed, each with an error line of its own."""
    run = _run_of_twelve_notebooks()
    for number in (2, 5, 8, 11):
        run["notebooks"][number].update(
            status="failed", error=f"ValueError: district {number} has no bills"
        )
    return run


def test_a_failed_notebooks_status_filters_by_its_status_words_not_its_error_line() -> None:
    """The status column was marked as a filter on the bare words (ok / failed: two values in
    twelve rows) while the tables script offered each cell's text, a failed row's holding its
    error line too: each failed row was a choice of its own (five choices, not two). Each status
    cell now names the words it filters by (`data-ak-value`), the ones the filter was chosen on."""
    page = render_index(_run_with_four_failed_notebooks(), "en")
    headers = page.split("<thead>")[1].split("</thead>")[0]
    assert '<th class="" data-ak-filter>Status</th>' in headers
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    values = re.findall(r'<td class="ak-status-\w+" data-ak-value="([^"]*)"', rows)
    assert sorted(set(values)) == ["failed", "ok"] and len(values) == 12
    assert rows.count("has no bills</small>") == 4  # the error lines are still shown
    # near miss: a subject's or notebook's text is its words; they carry no separate value
    assert rows.count("data-ak-value") == 12


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
def test_the_status_filter_offers_each_status_once_and_shows_every_failed_row(
    tmp_path: Path,
) -> None:
    from report_chromium import offline_chromium, visit

    page = tmp_path / "index.html"
    page.write_text(render_index(_run_with_four_failed_notebooks(), "en"), encoding="utf-8")
    with offline_chromium(find_chromium()) as browser:
        seen = visit(browser, page, probe=STATUS_FILTER_PROBE, settle=0)
    assert seen.script_errors == []
    assert seen.probed["choices"] == ["Status: All", "failed", "ok"]
    assert seen.probed["failed"] == 4 and seen.probed["ok"] == 8


#: The status filter's choices, and the rows shown with each status chosen.
STATUS_FILTER_PROBE = """(() => {
  const select = document.querySelector('.ak-table-tools select[aria-label="Status"]');
  const shown = value => {
    select.value = value;
    select.dispatchEvent(new Event("change", {bubbles: true}));
    return [...document.querySelector("table.ak-index").tBodies[0].rows]
      .filter(row => !row.hidden).length;
  };
  return {choices: [...select.options].map(o => o.text), failed: shown("failed"), ok: shown("ok")};
})()"""
