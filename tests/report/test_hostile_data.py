"""A real run on a dataset whose every name is a payload: no script runs, no personal data leaks.

Every notebook runs through the pipeline on `hostile_data`; every HTML page of the run is opened in
headless Chromium (network cut off) and its DOM checked, and every file of the run is scanned for
the unmasked names, addresses and phone numbers of the customers.
"""

from __future__ import annotations

import html
import json
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hostile_data import PAYLOADS, HostileDataset, write_hostile_dataset
from report_chromium import find_chromium, offline_chromium, visit
from report_pages import live_markup

from auditkit.paths import notebooks_dir, project_root
from auditkit.pipeline.jobs import jobs_for_notebook
from auditkit.pipeline.runs import RunOptions, execute_run

pytestmark = pytest.mark.slow
SCREENSHOTS = project_root() / ".ci" / "artifacts" / "screenshots" / "hostile"

# What a payload would leave behind in the page if it had become markup or run.
PROBE = """JSON.stringify({
  pwned: window.__pwned === undefined ? null : window.__pwned,
  title: document.title,
  scripts: [...document.scripts].filter(s => s.id !== "ak-tables-script").length,
  handlers: [...document.querySelectorAll("*")].flatMap(e => [...e.attributes]
    .filter(a => a.name.startsWith("on")).map(a => e.tagName + " " + a.name)),
  embedded: document.querySelectorAll("svg, iframe, object, embed").length,
  jsLinks: [...document.querySelectorAll("[href], [src]")]
    .map(e => e.getAttribute("href") || e.getAttribute("src"))
    .filter(v => /^\\s*javascript:/i.test(v)),
  text: document.body.innerText,
})"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[HostileDataset, Path]:
    """The hostile dataset and a run of every notebook on it (each district's audit included)."""
    root = tmp_path_factory.mktemp("hostile")
    dataset = write_hostile_dataset(root)
    data_dir = str(dataset.folder)
    notebooks = notebooks_dir()
    jobs = [
        *jobs_for_notebook(
            notebooks / "district_audit.ipynb", {"district": "*", "data_dir": data_dir}
        ),
        *jobs_for_notebook(notebooks / "consumption_statistics.ipynb", {"data_dir": data_dir}),
        *jobs_for_notebook(notebooks / "cross_audit.ipynb", {"data_dir": data_dir}),
        *jobs_for_notebook(
            notebooks / "sampling_plan.ipynb",
            {"data_dir": data_dir, "district": dataset.districts[0]},
        ),
    ]
    options = RunOptions(outputs=root / "outputs", parallel=2, time_limit=600, progress=False)
    outcome = execute_run(jobs, options, "run")
    failed = [(n["name"], n["error"]) for n in outcome.manifest["notebooks"] if n["status"] != "ok"]
    assert not failed, failed
    return dataset, outcome.run_dir


def _pages(run_dir: Path) -> list[Path]:
    return sorted(run_dir.rglob("*.html"))


def test_every_page_of_the_run_has_no_markup_from_the_data(
    hostile: tuple[HostileDataset, Path],
) -> None:
    _, run_dir = hostile
    pages = _pages(run_dir)
    assert len(pages) == 1 + 3 + 3  # index, three districts, three studies
    assert {
        str(page.relative_to(run_dir)): live_markup(page.read_text("utf-8")) for page in pages
    } == {str(page.relative_to(run_dir)): [] for page in pages}


def test_payloads_are_shown_as_text_and_none_runs_in_chromium(
    hostile: tuple[HostileDataset, Path],
) -> None:
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (the setup script installs Debian's chromium)")
        pytest.skip("chromium not installed: apt-get install chromium to run the browser test")
    dataset, run_dir = hostile
    seen_text = ""
    problems = {}
    with offline_chromium(executable) as browser:
        for number, page in enumerate(_pages(run_dir)):
            seen = visit(browser, page, SCREENSHOTS / f"page-{number}.png", probe=PROBE)
            found = json.loads(seen.probed)
            seen_text += found.pop("text")
            expected = {"pwned": None, "scripts": 0, "handlers": [], "embedded": 0, "jsLinks": []}
            if found.pop("title") == "pwned" or {k: found[k] for k in expected} != expected:
                problems[str(page.relative_to(run_dir))] = found
            if seen.script_errors:
                problems[f"{page.relative_to(run_dir)} script errors"] = seen.script_errors
    assert problems == {}
    for district in dataset.districts:
        assert district in seen_text
    for payload in PAYLOADS:
        assert payload in seen_text


def _text_of(path: Path) -> str:
    """Everything a file says, decoded: Parquet values, workbook XML, JSON without escapes."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype(str).to_csv()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as workbook:
            return "".join(
                workbook.read(member).decode("utf-8", "replace")
                for member in workbook.namelist()
                if member.endswith(".xml")
            )
    text = path.read_bytes().decode("utf-8", "replace")
    if path.suffix in (".ipynb", ".json"):
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text)


def test_no_file_of_the_run_holds_an_unmasked_personal_field(
    hostile: tuple[HostileDataset, Path],
) -> None:
    dataset, run_dir = hostile
    # The personal part of each value (the payload after it is shared with other columns).
    personal = [
        value.split("<")[0].split('"')[0].split("javascript:")[0]
        for value in (*dataset.names, *dataset.addresses)
    ] + list(dataset.phones)
    personal = [value for value in personal if len(value) >= 3]
    leaks = {}
    for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        text = _text_of(path)
        found = [value for value in personal if value in text]
        if found:
            leaks[str(path.relative_to(run_dir))] = found[:3]
    assert leaks == {}
