"""The audit-cycle study read from a real register (SQLite), and the notebook run through the
pipeline as `auditkit run audit_cycle` runs it: on the hand-made register, on a register without
outcomes and without any register; hostile district and rule names stay text."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from cycle_builders import RECORDED, findings_frame, outcomes_frame, write_register

from auditkit import synth
from auditkit.cycle import build, study_of, study_of_register
from auditkit.errors import ParameterError
from auditkit.paths import notebooks_dir
from auditkit.pipeline.jobs import jobs_for_notebook
from auditkit.pipeline.runs import RunOptions, execute_run
from auditkit.register import Register
from auditkit.report.notebook import read_headline, save_table
from auditkit.report.tables import table_html

NOTEBOOK = notebooks_dir() / "audit_cycle.ipynb"
HOSTILE_DISTRICT = "<script>alert(1)</script>"
HOSTILE_RULE = '=HYPERLINK("http://x")<b>'


def test_the_register_gives_the_same_study_as_its_frames(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    write_register(url)
    with Register.open(url) as register:
        read = study_of_register(register, months=2)
    made = study_of(findings_frame(), outcomes_frame(), RECORDED, months=2)
    pd.testing.assert_frame_equal(read.by_rule, made.by_rule)
    pd.testing.assert_frame_equal(read.precision, made.precision)
    pd.testing.assert_frame_equal(read.self_cross.table, made.self_cross.table)
    assert read.explain("en") == made.explain("en")


def test_build_without_a_register_says_so_and_never_creates_one(tmp_path, monkeypatch) -> None:
    database = tmp_path / "none.sqlite"
    monkeypatch.setenv("AUDITKIT_DB", f"sqlite:///{database}")
    monkeypatch.delenv("AUDITKIT_RUN_DB", raising=False)
    study = build(str(tmp_path), months=3)
    assert study.conclusions("en")[0].startswith("There is no findings register yet")
    assert not database.exists()


def test_a_data_folder_that_does_not_exist_is_refused_not_read_as_the_teams(tmp_path) -> None:
    """build('/nope') read the team's register as if /nope were a dataset of it."""
    with pytest.raises(ParameterError, match="parameter 'data_dir': expected a dataset folder"):
        build(str(tmp_path / "nope"))
    with pytest.raises(ParameterError, match="parameter 'data_dir'"):
        build(5)


def test_a_district_neither_the_register_nor_the_data_knows_is_refused_a_clean_one_noted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """audit_cycle -p district 火星 ran to exit 0 with an empty report: a slip of the keyboard. A
    district of the data the register holds nothing of is no slip (run-all's `district: "*"`)."""
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    write_register(url)  # districts north and south
    monkeypatch.setenv("AUDITKIT_DB", url)
    monkeypatch.delenv("AUDITKIT_RUN_DB", raising=False)
    data = synth.write(synth.generate(customers=50, districts=2, seed=1), tmp_path / "data", "csv")
    with pytest.raises(ParameterError) as refused:
        build(data, "火星", months=2)
    assert str(refused.value) == "parameter 'district': expected one of 城东, 城西, found '火星'"
    assert build(data, "城西", months=2).notes[0].code == "no_district"  # of the data only
    assert build(data, "south", months=2).evaluated  # near miss: the register's


def test_hostile_district_and_rule_names_stay_text_in_tables_and_files(tmp_path) -> None:
    findings = findings_frame().replace({"north": HOSTILE_DISTRICT, "rate_mismatch": HOSTILE_RULE})
    study = study_of(findings, outcomes_frame(), RECORDED, months=2)
    pages = "".join(table_html(study.table(name, "en")) for name in study.table_names)
    assert "<script>" not in pages and html.escape(HOSTILE_DISTRICT) in pages
    assert "<b>" not in pages and html.escape(HOSTILE_RULE) in pages
    _, csv = save_table(study.frame("district_rules"), tmp_path, "district_rules")
    assert "\n=HYPERLINK" not in csv.read_text("utf-8-sig") and "HYPERLINK" in csv.read_text(
        "utf-8-sig"
    )
    assert study.figure("precision", "en") is not None  # names drawn as text, not mathtext


def run_notebook(tmp_path: Path, monkeypatch, database: Path, **parameters) -> tuple[Path, dict]:
    """The notebook run by the pipeline (as `auditkit run audit_cycle`) with the register in
    AUDITKIT_DB; the data folder only says whose register it is."""
    monkeypatch.setenv("AUDITKIT_DB", f"sqlite:///{database}")
    monkeypatch.delenv("AUDITKIT_RUN_DB", raising=False)
    data_dir = tmp_path / "utility"
    data_dir.mkdir(exist_ok=True)
    jobs = jobs_for_notebook(
        NOTEBOOK, {"data_dir": str(data_dir), **parameters}, districts_of=lambda _: ()
    )
    options = RunOptions(outputs=tmp_path / "outputs", parallel=1, time_limit=600, progress=False)
    outcome = execute_run(jobs, options, "run")
    assert outcome.failed == [], outcome.manifest["notebooks"]
    (entry,) = outcome.manifest["notebooks"]
    return outcome.run_dir, entry


@pytest.mark.slow
def test_the_notebook_runs_through_the_pipeline_and_shows_the_evaluation(
    tmp_path, monkeypatch
) -> None:
    database = tmp_path / "register.sqlite"
    write_register(f"sqlite:///{database}")
    run_dir, _ = run_notebook(tmp_path, monkeypatch, database, lang="en", months=2)
    (executed,) = run_dir.rglob("audit_cycle.ipynb")
    notebook = nbformat.read(executed, as_version=4)
    figures = read_headline(notebook)["figures"]
    assert figures["checked"] == 5 and figures["recovered_proved"] == 1400.0  # stable keys
    (page,) = [p for p in run_dir.rglob("*.html") if p.name != "index.html"]
    text = page.read_text("utf-8")
    assert "findings sent to the field 4, checked 5" in text
    assert "Confirmed by cross-audits, missed by self-audits" in text and "C-F7" in text
    # the self/cross tables: recovered per check proved and estimated apart, untested said so
    assert "Recovered per cross-audit, estimated (yuan)" in text and ">150.00<" in text
    cells = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", text)]
    assert "not tested" in cells  # a cell's words may each be kept whole for paper (ak-word)
    assert len(re.findall(r'<img[^>]+src="data:image/png', text)) == 3
    outputs = "".join(
        "".join(output["data"]["text/html"])
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "text/html" in output.get("data", {})
    )
    assert "nan" not in html.unescape(outputs).lower()
    assert (page.parent / "district_rules.csv").is_file()
    assert (page.parent / "under_reported.csv").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("outcomes", [True, False])
def test_the_notebook_without_outcomes_or_register_says_so_in_one_sentence(
    tmp_path, monkeypatch, outcomes
) -> None:
    database = tmp_path / "register.sqlite"
    if not outcomes:  # a register with runs but no outcome; else no register at all
        write_register(f"sqlite:///{database}", outcomes=False)
    run_dir, _ = run_notebook(tmp_path, monkeypatch, database, lang="en")
    (executed,) = run_dir.rglob("audit_cycle.ipynb")
    shown = [
        "".join(output["data"]["text/html"])
        for cell in nbformat.read(executed, as_version=4).cells
        for output in cell.get("outputs", [])
        if "text/html" in output.get("data", {}) and "<li>" in "".join(output["data"]["text/html"])
    ]
    (sentences,) = shown
    said = "no field outcome yet" if not outcomes else "There is no findings register yet"
    assert sentences.count("<li>") == 1 and said in sentences
    assert json.dumps(read_headline(nbformat.read(executed, as_version=4))["figures"]) == "{}"
