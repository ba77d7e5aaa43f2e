"""What a run checks around its kernels, with no kernel (the pool is replaced by one that
only changes files): inputs changed while the notebooks ran are hashed again at the end, and a
notebook whose data changed is not ok, so neither its manifest nor `latest` passes its report off
as coming from the data the manifest names; and `--seed` a notebook's own seed overrides is said,
with the seed each notebook ran with in the manifest."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pipeline_helpers import two_districts, write_notebook

from auditkit.cli import runs as runs_cli
from auditkit.pipeline import manifest as run_manifest
from auditkit.pipeline import runs
from auditkit.pipeline.jobs import jobs_for_notebook
from auditkit.pipeline.pool import Task
from auditkit.pipeline.runs import RunOptions, execute_run, latest_run_id, verify_run


def _pool_that(change: Callable[[], None]) -> Callable[..., dict[str, dict[str, Any]]]:
    """A `run_tasks` that runs no kernel: it makes `change` while "the notebooks run", then
    reports every notebook ok."""

    def run_tasks(
        tasks: Sequence[Task], _parallel: int, report_done: Callable[..., None], _spec_dir: Path
    ) -> dict[str, dict[str, Any]]:
        change()
        results = {}
        for task in tasks:
            results[task.name] = {"status": "ok", "seconds": 0.0}
            report_done(task, results[task.name])
        return results

    return run_tasks


def _options(outputs: Path) -> RunOptions:
    return RunOptions(outputs=outputs, parallel=1, time_limit=60, progress=False)


def test_a_data_file_replaced_during_the_run_fails_its_notebook_and_leaves_latest(
    tmp_path: Path,
    tiny_notebook: Path,
    tiny_data: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other_data = tmp_path / "other"
    shutil.copytree(tiny_data, other_data)
    jobs = jobs_for_notebook(
        tiny_notebook, {"district": "*", "data_dir": str(tiny_data)}, districts_of=two_districts
    )
    on_the_copy = jobs[0].parameters | {"data_dir": str(other_data)}
    jobs.append(replace(jobs[0], name="C", parameters=on_the_copy))
    replaced = tiny_data / "values.csv"
    monkeypatch.setattr(
        runs,
        "run_tasks",
        _pool_that(lambda: replaced.write_text("customer_id,district,amount\nc9,A,1\n")),
    )
    outputs = tmp_path / "outputs"

    outcome = execute_run(jobs, _options(outputs), "run-all")

    status = {record["name"]: record["status"] for record in outcome.manifest["notebooks"]}
    assert status == {"A": "failed", "B": "failed", "C": "ok"}  # C reads the untouched copy
    assert outcome.manifest["status"] == "failed"
    assert latest_run_id(outputs) is None
    error = outcome.manifest["notebooks"][0]["error"]
    assert error.endswith(f"{tiny_data}/values.csv: changed")
    assert outcome.manifest["notebooks"][0]["reason"]["kind"] == "inputs_changed"
    assert f"{tiny_data}/values.csv: changed" in verify_run(outcome.run_dir, registers=False)

    assert runs_cli._finish(outcome, "run-all") == 1
    said = capsys.readouterr().err.splitlines()
    assert said[0] == (
        f"auditkit run-all: A (tiny.ipynb) failed: inputs changed during the run, so the report "
        f"may come from other data than the manifest records: {tiny_data}/values.csv: changed - "
        f"see {outcome.run_dir / 'A'}"
    )


def test_a_run_whose_inputs_stay_as_hashed_is_ok_and_becomes_latest(
    tmp_path: Path, tiny_notebook: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = jobs_for_notebook(
        tiny_notebook, {"district": "*", "data_dir": str(tiny_data)}, districts_of=two_districts
    )
    rewritten = tiny_data / "values.csv"
    same_text = rewritten.read_text(encoding="utf-8")
    # near miss: the file is written again with the same bytes (a copy over itself)
    monkeypatch.setattr(
        runs, "run_tasks", _pool_that(lambda: rewritten.write_text(same_text, encoding="utf-8"))
    )
    outputs = tmp_path / "outputs"

    outcome = execute_run(jobs, _options(outputs), "run-all")

    assert outcome.manifest["status"] == "ok" and outcome.failed == []
    assert latest_run_id(outputs) == outcome.run_dir.name


def test_a_parameter_file_changed_during_the_run_fails_every_notebook_that_read_it(
    tmp_path: Path,
    tiny_notebook: Path,
    tiny_data: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params = tmp_path / "params"
    shutil.copytree(Path(runs.project_root()) / "params", params)
    monkeypatch.setenv("AUDITKIT_PARAMS", str(params))
    jobs = jobs_for_notebook(
        tiny_notebook, {"district": "*", "data_dir": str(tiny_data)}, districts_of=two_districts
    )
    rules = params / "rules.yaml"
    monkeypatch.setattr(
        runs, "run_tasks", _pool_that(lambda: rules.write_text(rules.read_text() + "\n# edited\n"))
    )

    outcome = execute_run(jobs, _options(tmp_path / "outputs"), "run-all")

    assert outcome.failed == ["A", "B"]
    assert all(
        record["error"].endswith(f"{rules.resolve()}: changed")
        for record in outcome.manifest["notebooks"]
    )


def test_a_seed_set_in_a_parameter_file_is_said_to_win_over_seed_and_recorded(
    tmp_path: Path,
    tiny_data: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def notebook(stem: str) -> Path:
        return write_notebook(tmp_path / "notebooks" / f"{stem}.ipynb", "seed: int = 1\n", "seed")

    jobs = [
        *jobs_for_notebook(notebook("sampling_plan"), {"seed": 20240601}, seed=99),
        *jobs_for_notebook(notebook("given"), {}, seed=99),
        # near miss: a file setting the very seed given is no seed ignored
        *jobs_for_notebook(notebook("same"), {"seed": 99}, seed=99),
    ]
    monkeypatch.setattr(runs, "run_tasks", _pool_that(lambda: None))
    options = replace(_options(tmp_path / "outputs"), seed=99)

    outcome = execute_run(jobs, options, "run-all")

    assert capsys.readouterr().err == (
        "auditkit run-all: --seed 99 not used by sampling_plan (seed 20240601): a seed set in "
        "the notebook's parameter file or by -p wins over --seed\n"
    )
    assert outcome.manifest["seed"] == 99  # what --seed said, as rerun reads it
    assert _seeds_ran(outcome.manifest) == {"sampling_plan": 20240601, "given": 99, "same": 99}


def test_a_run_without_seed_says_nothing_of_seeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = write_notebook(tmp_path / "notebooks" / "own.ipynb", "seed: int = 1\n", "seed")
    jobs = jobs_for_notebook(notebook, {"seed": 7})
    monkeypatch.setattr(runs, "run_tasks", _pool_that(lambda: None))

    outcome = execute_run(jobs, _options(tmp_path / "outputs"), "run-all")

    assert capsys.readouterr().err == ""
    assert outcome.manifest["seed"] is None and _seeds_ran(outcome.manifest) == {"own": 7}


def _pool_changing_after_first(change: Callable[[], None]) -> Callable[..., dict[str, Any]]:
    """A `run_tasks` that runs no kernel: the first notebook finishes, then `change` is made,
    then the others finish, all ok."""

    def run_tasks(
        tasks: Sequence[Task], _parallel: int, report_done: Callable[..., None], _spec_dir: Path
    ) -> dict[str, dict[str, Any]]:
        results = {}
        for number, task in enumerate(tasks):
            if number == 1:
                change()
            results[task.name] = {"status": "ok", "seconds": 0.0}
            report_done(task, results[task.name])
        return results

    return run_tasks


def test_a_notebook_finished_before_its_data_changed_stays_ok_the_later_ones_fail(
    tmp_path: Path, tiny_notebook: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = jobs_for_notebook(
        tiny_notebook, {"district": "*", "data_dir": str(tiny_data)}, districts_of=two_districts
    )
    replaced = tiny_data / "values.csv"
    monkeypatch.setattr(
        runs,
        "run_tasks",
        _pool_changing_after_first(lambda: replaced.write_text("customer_id\nc9\n")),
    )

    outcome = execute_run(jobs, _options(tmp_path / "outputs"), "run-all")

    status = {record["name"]: record["status"] for record in outcome.manifest["notebooks"]}
    assert status == {"A": "ok", "B": "failed"}  # A read values.csv as hashed, B may not have
    assert outcome.manifest["notebooks"][1]["error"].endswith(f"{tiny_data}/values.csv: changed")
    assert outcome.manifest["status"] == "failed"


def test_a_change_of_many_files_names_the_first_five_and_counts_the_rest(
    tmp_path: Path, tiny_notebook: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = jobs_for_notebook(
        tiny_notebook, {"district": "*", "data_dir": str(tiny_data)}, districts_of=two_districts
    )

    def parts_added(count: int) -> Callable[[], None]:
        return lambda: [
            (tiny_data / f"part-{number}.parquet").write_bytes(b"PAR1") for number in range(count)
        ]

    monkeypatch.setattr(runs, "run_tasks", _pool_that(parts_added(7)))

    outcome = execute_run(jobs, _options(tmp_path / "outputs"), "run-all")

    named = "; ".join(f"{tiny_data}/part-{number}.parquet: new file" for number in range(5))
    assert outcome.manifest["notebooks"][0]["reason"]["detail"] == f"{named}; and 2 more"
    # near miss: five changes are all named, with no count
    for number in range(7):
        (tiny_data / f"part-{number}.parquet").unlink()
    monkeypatch.setattr(runs, "run_tasks", _pool_that(parts_added(5)))
    outcome = execute_run(jobs, _options(tmp_path / "outputs"), "run-all")
    assert outcome.manifest["notebooks"][0]["reason"]["detail"] == named


def test_a_data_file_gone_between_listing_and_hashing_fails_the_notebooks_and_is_published(
    tmp_path: Path, tiny_notebook: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = jobs_for_notebook(
        tiny_notebook, {"district": "*", "data_dir": str(tiny_data)}, districts_of=two_districts
    )
    values = tiny_data / "values.csv"
    running = []
    hashed = run_manifest.file_sha256

    def gone_when_read(path: Path) -> str:  # a copy replacing values.csv, caught mid-way
        if running and path == values:
            path.unlink(missing_ok=True)
        return hashed(path)

    monkeypatch.setattr(run_manifest, "file_sha256", gone_when_read)
    # touched (a new state), so the check lists it and then finds it gone as it hashes it
    monkeypatch.setattr(
        runs, "run_tasks", _pool_that(lambda: running.append(values.write_text("x\n")))
    )

    outcome = execute_run(jobs, _options(tmp_path / "outputs"), "run-all")

    assert outcome.run_dir.is_dir() and outcome.failed == ["A", "B"]
    assert outcome.manifest["notebooks"][0]["error"].endswith(f"{tiny_data}/values.csv: missing")


def _seeds_ran(manifest: dict) -> dict[str, int]:
    """The seed each notebook ran with, as its record's parameters hold it."""
    return {
        record["name"]: record["parameters"]["seed"]
        for record in manifest["notebooks"]
        if "seed" in record["parameters"]
    }
