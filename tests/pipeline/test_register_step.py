"""Recording the district reports' findings before a run: once per district and month, into the
register the kernels are then pointed at, and refused cleanly before any notebook runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditkit import data, rules, synth
from auditkit.pipeline.jobs import Job
from auditkit.pipeline.register_step import record_findings, recording_jobs
from auditkit.register import Register, RegisterError
from auditkit.register.location import RUN_DB_ENV

DISTRICT_AUDIT = Path("notebooks/district_audit.ipynb")


@pytest.fixture(scope="module")
def utility(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = synth.SynthConfig(customers=600, districts=2, months=24, seed=3)
    return Path(synth.write(synth.generate(config), tmp_path_factory.mktemp("u"), config=config))


@pytest.fixture(autouse=True)
def no_run_register(monkeypatch: pytest.MonkeyPatch) -> None:
    """No register from the environment; what `record_findings` sets there is undone after
    each test (set first so monkeypatch remembers the variable even when it was unset)."""
    for name in (RUN_DB_ENV, "AUDITKIT_DB"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def _jobs(utility: Path, as_of: str = "") -> list[Job]:
    districts = data.load(utility).districts
    jobs = [
        Job(DISTRICT_AUDIT, district, {"data_dir": str(utility), "district": district,
                                       "as_of": as_of})
        for district in districts
    ]  # fmt: skip
    statistics = Path("notebooks/consumption_statistics.ipynb")
    return [*jobs, Job(statistics, "all", {"data_dir": str(utility), "district": ""})]


def test_only_district_reports_are_recorded(utility: Path) -> None:
    jobs = _jobs(utility)
    assert [job.notebook.stem for job in recording_jobs(jobs)] == ["district_audit"] * 2


def test_each_district_is_recorded_once_with_what_its_report_computes(
    utility: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    dataset = data.load(utility)
    first = record_findings(_jobs(utility, "2024-12"), url, tmp_path)
    assert [entry["district"] for entry in first] == sorted(dataset.districts)
    with Register.open(url) as register:
        for entry in first:
            expected = rules.run(dataset.for_district(entry["district"]), as_of="2024-12")
            assert entry["as_of"] == "2024-12" and not entry["already_recorded"]
            assert entry["counts"]["new"] == len(expected)
            recorded = register.findings(entry["district"])
            assert len(recorded) == len(expected)
        assert len(register.runs()) == 2
    again = record_findings(_jobs(utility, "2024-12"), url, tmp_path)
    assert all(entry["already_recorded"] for entry in again)
    assert [entry["run_id"] for entry in again] == [entry["run_id"] for entry in first]
    with Register.open(url) as register:
        assert len(register.runs()) == 2


def test_the_kernels_are_pointed_at_the_register_recorded_into(
    utility: Path, tmp_path: Path
) -> None:
    record_findings(_jobs(utility, "2024-12"), None, tmp_path)
    assert os.environ[RUN_DB_ENV] == f"sqlite:///{tmp_path / 'register.sqlite'}"
    assert (tmp_path / "register.sqlite").is_file()


def test_a_month_before_the_latest_recorded_is_refused_before_any_notebook(
    utility: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    record_findings(_jobs(utility, "2024-12"), url, tmp_path)
    with pytest.raises(RegisterError, match="expected a month from 2024-12 on"):
        record_findings(_jobs(utility, "2024-11"), url, tmp_path)


def test_a_register_in_a_chinese_folder_is_shown_and_recorded_as_the_file_system_spells_it(
    utility: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLAlchemy's rendering said `register sqlite+pysqlite:///…/%E5%AE%A1%E8%AE%A1 2026/…`."""
    outputs = tmp_path / "审计 2026"
    entries = record_findings(_jobs(utility, "2024-12"), None, outputs)
    shown = f"sqlite+pysqlite:///{outputs / 'register.sqlite'}"
    assert {entry["register"] for entry in entries} == {shown}
    assert capsys.readouterr().err.startswith(f"register {shown}: the findings of ")
    # A '%41' or '?' in the folder's name named another file (`…/A`, a query) in the URL.
    odd = tmp_path / "100%41?"
    monkeypatch.delenv(RUN_DB_ENV)  # the register the first call pointed the kernels at
    record_findings(_jobs(utility, "2024-12"), None, odd)
    assert (odd / "register.sqlite").is_file()
