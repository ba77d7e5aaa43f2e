"""`--lang` on run, run-all and demo: the whole run speaks it (every notebook's `lang`, the index,
the findings workbooks and field sheets), recorded in the manifest so a rerun speaks it too."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pipeline_helpers import write_notebook

from auditkit import cli, synth
from auditkit.cli import runs
from auditkit.paths import params_dir
from auditkit.pipeline import runs as pipeline_runs
from auditkit.pipeline.runs import RunOutcome

#: A run of Chinese characters (CJK punctuation and full-width forms included).
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


@pytest.fixture(scope="module")
def utility(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic utility: three districts, so that the cross-audit can assign."""
    config = synth.SynthConfig(customers=600, districts=3, months=24, seed=5)
    return Path(synth.write(synth.generate(config), tmp_path_factory.mktemp("u"), config=config))


@pytest.fixture
def auditkit(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], int]:
    """`auditkit.cli.main` with the run commands registered (however the CLI list is wired)."""
    if runs not in cli._COMMAND_MODULES:
        monkeypatch.setattr(cli, "_COMMAND_MODULES", (*cli._COMMAND_MODULES, runs))
    return cli.main


def _strings(value: object) -> Iterable[str]:
    """Every text inside a YAML value (mapping keys and values, list items)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _words_of_the_data(data_dir: Path) -> str:
    """Every text value of the dataset and of the rule thresholds file (industries the rules
    name), one a line: Chinese that may stay in an English run because it is data."""
    values: set[str] = set()
    for table in data_dir.glob("*.parquet"):
        frame = pd.read_parquet(table)
        for column in frame.columns:
            if not pd.api.types.is_numeric_dtype(frame[column]):
                values.update(frame[column].dropna().astype(str).unique())
    rules = yaml.safe_load((params_dir() / "rules.yaml").read_text(encoding="utf-8"))
    values.update(_strings(rules))
    return "\n".join(values)


def _chinese_labels(text: str, data_words: str) -> list[str]:
    """The runs of Chinese in `text` that are no part of a value of the data (masked names and
    addresses keep a part of the value)."""
    return sorted({run for run in CHINESE.findall(text) if run not in data_words})


def _page_text(page: Path) -> str:
    """A page's visible text and attribute values (alt, title, data-label), scripts and styles
    left out."""
    markup = page.read_text(encoding="utf-8")
    markup = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", " ", markup, flags=re.S)
    attributes = " ".join(re.findall(r'(?:alt|title|data-label|aria-label)="([^"]*)"', markup))
    return html.unescape(re.sub(r"<[^>]+>", " ", markup) + " " + attributes)


def _workbook_text(workbook: Path, leave_out: Sequence[str] = ()) -> str:
    """Every sheet's headings and cells as text, but the sheets named in `leave_out`."""
    sheets = pd.read_excel(workbook, sheet_name=None, header=None, dtype=str)
    return "\n".join(
        frame.fillna("").to_csv(index=False, header=False)
        for name, frame in sheets.items()
        if name not in leave_out
    )


@pytest.mark.slow
def test_run_all_in_english_writes_no_chinese_label_over_params_files_that_say_zh(
    utility: Path, tmp_path: Path
) -> None:
    outputs = tmp_path / "outputs"
    register = f"sqlite:///{tmp_path / 'register.sqlite'}"
    command = [sys.executable, "-m", "auditkit", "run-all", "--lang", "en",
               "-p", f"data_dir={utility}", "--db", register, "--outputs", str(outputs),
               "--jobs", "1", "--no-progress"]  # fmt: skip
    finished = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert finished.returncode == 0, finished.stderr
    run_dir = Path(finished.stdout.splitlines()[-1]).parent

    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lang"] == "en"
    files_say = {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8")).get("lang")
        for path in params_dir().glob("*.yaml")
    }
    assert files_say["district_audit"] == "zh"  # the near miss: the files ask for Chinese
    records = manifest["notebooks"]
    assert len(records) == 7  # three district audits and four studies
    assert {record["parameters"]["lang"] for record in records} == {"en"}

    data_words = _words_of_the_data(utility)
    pages = [run_dir / "index.html", *(run_dir / r["folder"] / r["report"] for r in records)]
    for page in pages:
        assert '<html lang="en">' in page.read_text(encoding="utf-8"), page
        assert _chinese_labels(_page_text(page), data_words) == [], page
    index = _page_text(run_dir / "index.html")
    assert index.count("all districts") == 3  # the studies of every district, named in English
    district_report = _page_text(run_dir / records[0]["folder"] / "report.html")
    assert "← Back to the run index" in district_report

    workbooks = sorted(run_dir.glob("*/findings.xlsx"))
    assert len(workbooks) == 3
    field_sheets = sorted(run_dir.glob("sampling_plan/field_sheet_*.xlsx"))
    assert field_sheets
    for workbook in workbooks:
        assert _chinese_labels(_workbook_text(workbook), data_words) == [], workbook
    for workbook in field_sheets:
        # the instructions list the answers a returned sheet may give (是/否 among them) on purpose
        text = _workbook_text(workbook, leave_out=("instructions",))
        assert _chinese_labels(text, data_words) == [], workbook
    for table in sorted(run_dir.glob("*/findings.csv")):
        assert _chinese_labels(table.read_text(encoding="utf-8-sig"), data_words) == [], table

    verified = subprocess.run(
        [sys.executable, "-m", "auditkit", "verify", str(run_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_the_checker_finds_a_chinese_label_beside_chinese_data() -> None:
    data_words = "城东\n城东区中山路12号\n王小明"
    text = "Subject 城东 · address 城东区中山路**** · name 王** · 全部供电单位 · ← 返回本次运行索引"
    assert _chinese_labels(text, data_words) == ["全部供电单位", "返回本次运行索引"]


SPEAKER_BODY = (
    "from auditkit import report\n"
    "report.headline({'findings': 1}, title='Speaker', subject='', lang=lang)",
)


@pytest.fixture
def speaker(tmp_path: Path) -> Path:
    """A notebook of one parameter, `lang` (reads no data), that records a headline."""
    return write_notebook(
        tmp_path / "notebooks" / "speaker.ipynb", 'lang: str = "zh"  # language\n', *SPEAKER_BODY
    )


@pytest.mark.slow
def test_a_run_in_english_is_rerun_in_english_from_its_manifest(
    auditkit: Callable[[list[str]], int],
    speaker: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    options = ["--outputs", str(tmp_path / "outputs"), "--jobs", "1", "--no-progress"]
    assert auditkit(["run", str(speaker), "--lang", "en", *options]) == 0
    first = Path(capsys.readouterr().out.splitlines()[-1]).parent
    assert auditkit(["rerun", str(first), "--notebooks-dir", str(speaker.parent), *options]) == 0
    second = Path(capsys.readouterr().out.splitlines()[-1]).parent
    assert second != first
    for run_dir in (first, second):
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["lang"] == "en"
        assert [record["parameters"] for record in manifest["notebooks"]] == [{"lang": "en"}]
        assert '<html lang="en">' in (run_dir / "index.html").read_text(encoding="utf-8")
        report = (run_dir / "speaker" / "report.html").read_text(encoding="utf-8")
        assert '<html lang="en">' in report and "← Back to the run index" in report

    assert auditkit(["run", str(speaker), *options]) == 0  # no --lang: the notebook's own
    chinese = Path(capsys.readouterr().out.splitlines()[-1]).parent
    manifest = json.loads((chinese / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lang"] == "zh" and manifest["notebooks"][0]["parameters"] == {"lang": "zh"}


def test_a_lang_flag_and_a_p_lang_that_disagree_are_refused_before_anything_runs(
    auditkit: Callable[[list[str]], int],
    speaker: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outputs = tmp_path / "outputs"
    arguments = ["run", str(speaker), "-p", "lang=zh", "--lang", "en", "--outputs", str(outputs)]
    assert auditkit(arguments) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        "auditkit run: error: parameter '--lang': expected the language of -p lang=zh (or only "
        "one of the two), found 'en'"
    ]
    assert not outputs.exists()


def test_demo_in_english_sets_every_notebooks_lang_and_the_index(
    auditkit: Callable[[list[str]], int],
    utility: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The demo's jobs and options as it hands them to the run (the run itself is tested above:
    executing the demo's 20,000 customers belongs to tests/report/test_demo_run.py)."""
    from auditkit import demo

    handed: dict[str, object] = {}

    def execute(jobs: list, options: object, command: str, recorded: object) -> RunOutcome:
        handed.update(jobs=jobs, options=options, command=command)
        return RunOutcome(tmp_path / "run", {"notebooks": []})

    monkeypatch.setattr(demo, "demo_data_dir", lambda: utility)
    monkeypatch.setattr(pipeline_runs, "execute_run", execute)
    monkeypatch.setattr(runs, "_recorded", lambda jobs, args, always=False: [])
    assert auditkit(["demo", "--lang", "en", "--outputs", str(tmp_path / "outputs")]) == 0
    capsys.readouterr()
    jobs = handed["jobs"]
    assert handed["command"] == "demo" and handed["options"].lang == "en"
    assert len(jobs) == 7 and {job.parameters["lang"] for job in jobs} == {"en"}
    assert {job.parameters["data_dir"] for job in jobs} == {str(utility)}

    assert auditkit(["demo", "--outputs", str(tmp_path / "outputs")]) == 0
    assert {job.parameters["lang"] for job in handed["jobs"]} == {"zh"}
    assert handed["options"].lang is None
