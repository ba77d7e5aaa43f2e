"""The demo run end to end: every notebook, offline reports in a real browser, reproducibility."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from report_chromium import (
    PRINT_WIDTH,
    TABLE_LAYOUT_PROBE,
    find_chromium,
    offline_chromium,
    visit,
)
from report_pages import normalized_report

from auditkit import cli
from auditkit.cli import runs as run_commands
from auditkit.paths import project_root
from auditkit.pipeline.runs import RunOptions, execute_run, jobs_from_manifest

pytestmark = pytest.mark.slow
SCREENSHOTS = project_root() / ".ci" / "artifacts" / "screenshots"
MAX_REPORT_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`auditkit demo` into a temporary output root; returns the run folder."""
    outputs = tmp_path_factory.mktemp("outputs")
    modules = cli._COMMAND_MODULES
    if run_commands not in modules:
        cli._COMMAND_MODULES = (*modules, run_commands)
    try:
        code = cli.main(["demo", "--outputs", str(outputs), "--no-progress", "--timeout", "600"])
    finally:
        cli._COMMAND_MODULES = modules
    run_dir = (outputs / "latest").resolve()
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    failed = [(n["name"], n["error"]) for n in manifest["notebooks"] if n["status"] != "ok"]
    assert code == 0 and not failed, failed
    return run_dir


def test_demo_covers_every_district_and_study(demo_run: Path) -> None:
    manifest = json.loads((demo_run / "manifest.json").read_text(encoding="utf-8"))
    names = [n["name"] for n in manifest["notebooks"]]
    assert {"城东", "城北", "城南", "城西", "江北", "高新"} <= set(names)
    studies = {p.stem for p in (project_root() / "notebooks").glob("*.ipynb")} - {"district_audit"}
    assert studies <= set(names)
    index = (demo_run / "index.html").read_text(encoding="utf-8")
    totals = 1  # the district audit's total row (each figure summed apart)
    assert index.count("<tr>") + index.count('<tr class="ak-total">') == len(names) + 1 + totals
    for record in manifest["notebooks"]:
        every_district = record["parameters"]["district"] == ""
        code = "all_districts" if every_district else ""
        assert record["headline"]["subject_code"] == code, record["name"]
        report = demo_run / record["name"] / "report.html"
        assert report.stat().st_size < MAX_REPORT_BYTES, (record["name"], report.stat().st_size)
        images = re.findall(r"<img [^>]*>", report.read_text(encoding="utf-8"))
        alts = [re.search(r"""alt=(["'])(.*?)\1""", image) for image in images]
        assert images and all(alt and alt.group(2) for alt in alts), record["name"]
        assert not [alt.group(2) for alt in alts if not re.search(r"[\u4e00-\u9fff]", alt.group(2))]
        if record["notebook"].endswith("district_audit.ipynb"):
            findings = pd.read_csv(demo_run / record["name"] / "findings.csv", encoding="utf-8-sig")
            figures = record["headline"]["figures"]
            assert figures["findings"] == len(findings)
            by_kind = findings.groupby("revenue_kind")["revenue_impact"].sum()
            page = report.read_text(encoding="utf-8")
            for kind in ("proved", "estimated"):
                figure = figures[f"revenue_{kind}"]
                assert figure == pytest.approx(by_kind.get(kind, 0.0), abs=0.01)
                assert f"{figure:,.2f}" in page
            assert "revenue_at_stake" not in figures
            names_in_page = re.findall(r"<td class=\"[^\"]*\"[^>]*>(\w)\*+</td>", page)
            assert names_in_page, "personal names are shown masked"


def test_district_report_is_reproducible(demo_run: Path, tmp_path: Path) -> None:
    jobs, _ = jobs_from_manifest(demo_run)
    chosen = [job for job in jobs if job.name == "城东"]
    again = execute_run(chosen, RunOptions(outputs=tmp_path, parallel=1, progress=False), "rerun")
    for name in ("findings.csv", "findings.parquet"):
        assert (demo_run / "城东" / name).read_bytes() == (
            again.run_dir / "城东" / name
        ).read_bytes()
    first = (demo_run / "城东" / "report.html").read_text(encoding="utf-8")
    second = (again.run_dir / "城东" / "report.html").read_text(encoding="utf-8")
    assert normalized_report(first, demo_run.name) == normalized_report(second, again.run_dir.name)


def test_reports_open_offline_in_chromium(demo_run: Path) -> None:
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (the setup script installs Debian's chromium)")
        pytest.skip("chromium not installed: apt-get install chromium to run the browser test")
    pages = [demo_run / "index.html", *sorted(demo_run.glob("*/report.html"))]
    problems = []
    with offline_chromium(executable) as browser:
        for page in pages:
            name = "index" if page.name == "index.html" else page.parent.name
            seen = visit(browser, page, SCREENSHOTS / f"{name}.png")
            outside = [url for url in seen.requests if not url.startswith(("file:", "data:"))]
            if (
                not seen.loaded
                or seen.failed_requests
                or seen.script_errors
                or seen.console_errors
                or outside
            ):
                problems.append((name, seen))
            assert seen.title
            assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
    assert problems == []


def test_no_table_of_a_report_hides_text_on_screen_or_on_paper(demo_run: Path) -> None:
    """Every table of every page fits its frame or scrolls in a marked frame, long text keeps a
    readable width and numbers stay whole (`TABLE_LAYOUT_PROBE`), in a 1,280-pixel window and
    printed on A4 landscape."""
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (the setup script installs Debian's chromium)")
        pytest.skip("chromium not installed: apt-get install chromium to run the browser test")
    pages = [demo_run / "index.html", *sorted(demo_run.glob("*/report.html"))]
    hidden: dict[str, list[str]] = {}
    with offline_chromium(executable) as browser:
        for page in pages:
            name = "index" if page.name == "index.html" else page.parent.name
            screen = visit(browser, page, probe=TABLE_LAYOUT_PROBE, settle=0)
            paper = visit(
                browser, page, probe=TABLE_LAYOUT_PROBE, width=PRINT_WIDTH, media="print", settle=0
            )
            if screen.probed or paper.probed:
                hidden[name] = screen.probed + [f"on paper: {p}" for p in paper.probed]
    assert hidden == {}
