"""Runs end to end: jobs -> execute in parallel -> index and manifest -> publish atomically.

A run is written into `<outputs>/.<run-id>.partial/` and renamed to `<outputs>/<run-id>/` only once
its index and manifest are written, then `<outputs>/latest` is pointed at it when every notebook
succeeded: a failed run is published for inspection (its index and manifest say failed) but
`latest` stays on the last good run, which is what a reader of `latest` expects. A rerun never
moves `latest`: it repeats an earlier run (maybe months old) to check it, and is not the newest
run of the data (its manifest names the run it repeats, `rerun_of`). An interrupted run
stays a hidden `.partial` folder (its owner record tells `auditkit clean` when it is dead); earlier
runs are never touched. Each job writes into its `folder` (`safe_name` of its name); every path
is checked to resolve inside the run folder before anything is written there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import auditkit
from auditkit import i18n, notebook_params, paths
from auditkit.atomic import write_text_atomic
from auditkit.errors import AuditkitError, ParameterError, shown
from auditkit.paths import project_root
from auditkit.pipeline import manifest as run_manifest
from auditkit.pipeline.index import render_index
from auditkit.pipeline.jobs import Job, check_outputs_outside_data, check_unique_names
from auditkit.pipeline.partials import OWNER_NAME, holding, owned_partial
from auditkit.pipeline.pool import Task, run_tasks
from auditkit.pipeline.reasons import failure_fields, reason
from auditkit.pipeline.register_step import compare_registers, reads_register, registers_read
from auditkit.pipeline.run_ids import run_order
from auditkit.pipeline.run_paths import inside, job_folder

if TYPE_CHECKING:
    from auditkit.register.store import Fingerprint

INDEX_NAME = "index.html"
OUTPUT_DIR = "output_dir"
MASK_PERSONAL = "mask_personal"  # on unless a notebook declares it and it is turned off
LATEST_NAME = "latest"
HARD_LIMIT_GRACE = 60.0
#: Locations kernels read from their environment. Kernels run in the notebook's folder, so a
#: relative value would name another place there than here.
LOCATION_VARIABLES = ("AUDITKIT_OUTPUTS", "AUDITKIT_PARAMS", "AUDITKIT_DATA")


@dataclass(frozen=True)
class RunOptions:
    """How to run: parallel workers, per-notebook time limit (s), output root, seed, kernel."""

    outputs: Path
    parallel: int = field(default_factory=lambda: os.cpu_count() or 1)
    time_limit: float = 1800.0
    seed: int | None = None  # --seed, when given; None: each notebook's own
    kernel_name: str = "python3"
    progress: bool = True
    lang: str | None = None  # of the index (recorded); None: the notebooks' `lang` when shared
    scheduler: str | None = None  # a dask.distributed scheduler address: run there, not locally


def absolute_locations() -> None:
    """Make the location variables (and a SQLite `AUDITKIT_DB`) absolute in this process's
    environment, which the workers and their kernels inherit, before anything reads them."""
    from auditkit.pipeline.register_step import absolute_sqlite

    for name in LOCATION_VARIABLES:
        value = os.environ.get(name)
        if value and not Path(value).is_absolute():
            os.environ[name] = str(Path(value).resolve())
    if os.environ.get("AUDITKIT_DB"):
        os.environ["AUDITKIT_DB"] = absolute_sqlite(os.environ["AUDITKIT_DB"])


def index_language(jobs: Sequence[Job]) -> str:
    """The language of the run's index: the one the notebooks report in, when they share one
    (`auditkit run ... -p lang=en` gives an English index too), else the default."""
    languages = {job.parameters["lang"] for job in jobs if "lang" in job.parameters}
    return languages.pop() if len(languages) == 1 else i18n.DEFAULT_LANG


@dataclass(frozen=True)
class RunOutcome:
    """A finished run: its folder, its manifest and the names of the notebooks that failed."""

    run_dir: Path
    manifest: dict[str, Any]

    @property
    def failed(self) -> list[str]:
        """Names of the jobs whose status is not `ok`."""
        return [n["name"] for n in self.manifest["notebooks"] if n["status"] != "ok"]

    @property
    def index(self) -> Path:
        """The run's index page."""
        return self.run_dir / INDEX_NAME


def new_run_id(now: dt.datetime) -> str:
    """A unique run id: UTC time to the microsecond plus a random suffix, so runs started in
    the same second still sort by when they started (`point_latest` orders ids by
    `run_ids.run_order`)."""
    return f"{now.strftime('%Y%m%dT%H%M%S.%fZ')}-{secrets.token_hex(3)}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _relative_to_root(path: Path) -> str:
    """A notebook path relative to the project root when inside it (portable manifests)."""
    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return str(path.resolve())


#: Signals that stop a run like Ctrl-C: a scheduler or systemd stopping it, its terminal closing
#: (SIGHUP, where the platform has it).
STOPPING_SIGNALS = tuple(
    number for number in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if number is not None
)


@contextlib.contextmanager
def stops_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM and SIGHUP like Ctrl-C, so cleanup runs the same way and the run ends
    'interrupted' (exit 130), whichever phase it is in (the run commands hold it from their
    first step, the register step included)."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = {number: signal.signal(number, interrupt) for number in STOPPING_SIGNALS}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def execute_run(
    jobs: Sequence[Job],
    options: RunOptions,
    command: str,
    register_runs: Sequence[dict[str, Any]] = (),
    registers_taken: Sequence[Fingerprint] = (),
    rerun_of: Path | None = None,
) -> RunOutcome:
    """Run the jobs and publish the run folder; notebook failures are recorded, never raised.

    `rerun_of` is the run folder a rerun repeats: recorded in the manifest, and `latest` is
    left where it is (a rerun of an old run is no newer run of the data).

    `register_runs` (what `register_step.record_findings` recorded before the run) goes into
    the manifest under `register`; the registers the reports read, with their content
    fingerprints taken now (after that recording, before any kernel), under `registers_read`:
    those of `registers_taken` (fingerprints the caller took, of registers nothing recorded into
    since: a rerun's, compared with its manifest) as they were taken, the others hashed here.

    Every job writes into `<run>/<job.folder>` (checked to resolve inside the run folder). When
    the run stops with an exception before any notebook wrote a file (a scheduler that does not
    answer, say), its partial folder is removed; otherwise it stays for `auditkit clean`.
    """
    if not jobs:
        raise AuditkitError("jobs: expected one notebook to run or more, found none")
    check_unique_names(jobs)
    check_latest(options.outputs)
    check_outputs_outside_data(jobs, options.outputs)
    absolute_locations()
    if rerun_of is None:
        say_own_seeds(jobs, options.seed, command)
    parameter_files = run_manifest.parameter_files()
    single_files = [*parameter_files, *(path for job in jobs for path in job.input_files)]
    check = _InputsCheck(parameter_files, run_manifest.file_states(single_files))
    input_files = check.input_files = run_manifest.hash_files(single_files)
    registers = registers_read(jobs, registers_taken)
    lang = options.lang or index_language(jobs)
    started = _now()
    run_id = new_run_id(started)
    root = options.outputs
    root.mkdir(parents=True, exist_ok=True)
    with stops_as_interrupt(), owned_partial(root, run_id) as work_dir:
        try:
            records, commit, versions, inputs = _execute_jobs(
                jobs, options, work_dir, run_id, check
            )
        except BaseException:
            if not any(path.is_file() for path in _job_files(work_dir)):
                shutil.rmtree(work_dir, ignore_errors=True)
            raise
        finished = _now()
        manifest = {
            "format": run_manifest.FORMAT_VERSION,
            "run_id": run_id,
            "command": command,
            "status": "ok" if all(r["status"] == "ok" for r in records) else "failed",
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": finished.isoformat(timespec="seconds"),
            "seconds": round((finished - started).total_seconds(), 3),
            "seed": options.seed,
            "parallel": options.parallel,
            "scheduler": options.scheduler,
            "time_limit": options.time_limit,
            "kernel_name": options.kernel_name,
            "lang": lang,
            "auditkit": {"version": auditkit.__version__, "commit": commit},
            "packages": versions,
            "inputs": inputs,
            "input_files": input_files,
            "notebooks": records,
        }
        if rerun_of is not None:
            manifest["rerun_of"] = str(rerun_of)
        if register_runs:
            manifest["register"] = list(register_runs)
        manifest["registers_read"] = registers
        write_text_atomic(
            inside(work_dir, work_dir / INDEX_NAME),
            render_index(manifest, lang),
        )
        # Hash what the run wrote, index included, then write the manifest, the one file that
        # cannot hash itself, while the owner record still says whose the folder is: a disk
        # full or a stop here leaves a partial `clean` knows to be dead.
        manifest["outputs"] = run_manifest.hash_outputs(work_dir, leave_out=(OWNER_NAME,))
        run_manifest.write_manifest(work_dir, manifest)
    run_dir = root / run_id
    os.rename(work_dir, run_dir)  # the owner record went at the end of the block, just before
    if manifest["status"] == "ok" and rerun_of is None:
        point_latest(root, run_id)
    return RunOutcome(run_dir, manifest)


def say_own_seeds(jobs: Sequence[Job], seed: int | None, command: str) -> None:
    """One line on stderr naming the notebooks that do not take `--seed` because their
    parameter file or `-p` sets their own, so a run does not pass their sample off as seeded
    with it."""
    if seed is None:
        return
    own = {
        f"{job.notebook.stem} (seed {job.parameters['seed']})": None
        for job in jobs
        if "seed" in job.parameters and job.parameters["seed"] != seed
    }
    if own:
        print(
            f"auditkit {command}: --seed {seed} not used by {', '.join(own)}: a seed set in "
            "the notebook's parameter file or by -p wins over --seed",
            file=sys.stderr,
        )


@dataclass
class _InputsCheck:
    """What a run hashed before its kernels, to check a notebook's inputs as it finishes: the
    parameter files every notebook reads, the single files' and data folders' hashes, and the
    state of each file when hashed (a file in the same state is not hashed again)."""

    parameter_files: Sequence[Path]
    states: dict[str, run_manifest.FileState]
    input_files: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def hash_data(self, data_dirs: Sequence[Path]) -> dict[str, dict[str, str]]:
        """Hash the data folders (their files' states taken first) and keep the hashes."""
        for data_dir in data_dirs:
            if not data_dir.is_dir():
                self.inputs[str(data_dir)] = run_manifest.hash_inputs(data_dir)  # refuses it
                continue
            files = run_manifest.dataset_files(data_dir)  # walked once: states, then hashes
            self.states |= run_manifest.file_states(data_dir / name for name in files)
            self.inputs[str(data_dir)] = {
                name: run_manifest.file_sha256(data_dir / name) for name in files
            }
        return self.inputs

    def finished(self, job: Job) -> list[str]:
        """The inputs of `job` changed since they were hashed, checked now it has finished: a
        notebook done before a change read the data the manifest names."""
        folder = str(job.data_dir) if job.data_dir else ""
        read = {str(path) for path in [*self.parameter_files, *job.input_files]}
        single = {name: digest for name, digest in self.input_files.items() if name in read}
        data = {folder: self.inputs[folder]} if folder in self.inputs else {}
        return [
            *run_manifest.compare_inputs(data, self.states),
            *run_manifest.compare_files(single, self.states),
        ]


def _execute_jobs(
    jobs: Sequence[Job], options: RunOptions, work_dir: Path, run_id: str, check: _InputsCheck
) -> tuple[list[dict[str, Any]], str, dict[str, str], dict[str, dict[str, str]]]:
    """Write the job specs, run them, keep the logs; the manifest records, commit, versions,
    inputs. Each notebook that succeeds has its inputs checked as it finishes (`check`)."""
    spec_dir = work_dir / ".specs"
    spec_dir.mkdir()
    jobs_by_name = {job.name: job for job in jobs}
    try:
        inputs = check.hash_data(sorted({job.data_dir for job in jobs if job.data_dir}))
        versions = run_manifest.package_versions()
        commit = run_manifest.source_commit(project_root())
        run_dir = options.outputs / run_id
        tasks = []
        for number, job in enumerate(jobs):
            job_dir = job_folder(work_dir, job.folder)
            spec = {
                "name": job.name,
                "folder": job.folder,
                "notebook": str(job.notebook),
                "run_dir": str(work_dir),
                "parameters": _with_output_dir(job, work_dir).parameters,
                "time_limit": options.time_limit,
                "kernel_name": options.kernel_name,
                "mask_personal": bool(job.parameters.get(MASK_PERSONAL, True)),
                "run_id": run_id,
                "report": {
                    "parameters": _with_output_dir(job, run_dir).parameters,
                    "input_hashes": inputs.get(str(job.data_dir), {}),
                    "versions": versions,
                    "commit": commit,
                    "auditkit_version": auditkit.__version__,
                },
            }
            spec_path = spec_dir / f"{number:04d}.json"
            write_text_atomic(spec_path, json.dumps(spec, ensure_ascii=False))
            tasks.append(Task(job.name, spec_path, job_dir, options.time_limit + HARD_LIMIT_GRACE))
        with _progress(len(tasks), options.progress) as report_done:

            def checked_done(task: Task, result: dict[str, Any]) -> None:
                if result["status"] == "ok":
                    changes = check.finished(jobs_by_name[task.name])
                    if changes:
                        result |= _changed_inputs_failure(changes)
                report_done(task, result)

            if options.scheduler:
                from auditkit.pipeline.cluster import run_notebooks_on_cluster

                results = run_notebooks_on_cluster(tasks, options.scheduler, checked_done, spec_dir)
            else:
                results = run_tasks(tasks, options.parallel, checked_done, spec_dir)
    finally:
        _keep_nonempty_logs(spec_dir, work_dir / "logs")
    records = [
        _record(_with_output_dir(job, run_dir), results[job.name], job_folder(work_dir, job.folder))
        for job in jobs
    ]
    return records, commit, versions, inputs


#: The changed inputs a failure names; the others are counted ("and 395 more").
CHANGES_NAMED = 5


def _changed_inputs_failure(changes: Sequence[str]) -> dict[str, Any]:
    """The failure fields of a notebook whose inputs changed: the first CHANGES_NAMED changes
    and how many more (a converted dataset replaced whole changes hundreds of parts)."""
    detail = "; ".join(changes[:CHANGES_NAMED])
    if len(changes) > CHANGES_NAMED:
        detail += f"; and {len(changes) - CHANGES_NAMED} more"
    return {"status": "failed", **failure_fields(reason("inputs_changed", detail=detail))}


def _job_files(work_dir: Path) -> list[Path]:
    """Everything under a partial run folder but its bookkeeping (specs, owner record, logs)."""
    bookkeeping = {".specs", OWNER_NAME, "logs"}
    return [
        path
        for path in work_dir.rglob("*")
        if path.relative_to(work_dir).parts[0] not in bookkeeping
    ]


def _with_output_dir(job: Job, run_dir: Path) -> Job:
    """Point a notebook's `output_dir` parameter (if it declares one) at its folder in the run.

    Notebooks write their own files there; the kernel works in the temporary run folder, the
    manifest records the final one.
    """
    if OUTPUT_DIR not in job.parameters:
        return job
    return replace(job, parameters=job.parameters | {OUTPUT_DIR: str(run_dir / job.folder)})


def _keep_nonempty_logs(spec_dir: Path, logs_dir: Path) -> None:
    """Move worker logs that say something to `logs/`, then drop the specs folder."""
    for log in spec_dir.glob("*.log"):
        if log.stat().st_size:
            logs_dir.mkdir(exist_ok=True)
            os.replace(log, inside(logs_dir.parent, logs_dir / log.name))
    shutil.rmtree(spec_dir, ignore_errors=True)


def _record(job: Job, result: dict[str, Any], job_dir: Path) -> dict[str, Any]:
    """The manifest entry of one job: what ran with which parameters, and how it ended."""
    own_files = sorted(
        path.name
        for path in job_dir.glob("*")
        if path.is_file() and path.suffix in (".csv", ".parquet", ".xlsx")
    )
    return {
        "name": job.name,
        "folder": job.folder,
        "notebook": _relative_to_root(job.notebook),
        "notebook_sha256": run_manifest.file_sha256(job.notebook),
        "parameters": job.parameters,
        "status": result["status"],
        "error": result.get("error", ""),
        "reason": result.get("reason"),
        "seconds": result.get("seconds", 0.0),
        "execute_seconds": result.get("execute_seconds"),
        "render_seconds": result.get("render_seconds"),
        "peak_rss_mb": result.get("peak_rss_mb"),
        "headline": result.get("headline"),
        "executed": result.get("executed"),
        "report": result.get("report"),
        "files": own_files,
    }


@contextlib.contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Any]:
    """One line per finished notebook on stderr, plus a progress bar when stderr is a terminal.

    A bar redrawn into a file (a cron log) is only noise, so it is drawn on a TTY only; the
    lines are written either way unless progress is off (`--no-progress`).
    """
    from tqdm import tqdm

    bar_shown = enabled and sys.stderr.isatty()
    with tqdm(total=total, unit="notebook", disable=not bar_shown, file=sys.stderr) as bar:

        def done(task: Task, result: dict[str, Any]) -> None:
            mark = "ok" if result["status"] == "ok" else result["status"].upper()
            detail = f" - {result['error']}" if result.get("error") else ""
            name = task.name if task.name.isprintable() else repr(task.name)
            line = f"{mark:>7}  {name}  ({result.get('seconds', 0):.1f} s){detail}"
            if bar_shown:
                bar.write(line, file=sys.stderr)
            elif enabled:
                print(line, file=sys.stderr, flush=True)
            bar.update(1)

        yield done


def check_latest(root: Path) -> None:
    """Refuse an outputs folder whose `latest` is a real folder, before anything runs: the run
    could never point it at itself (os.replace cannot put a link over a folder)."""
    latest = root / LATEST_NAME
    if latest.is_dir() and not latest.is_symlink():
        raise AuditkitError(f"{latest}: expected a link or pointer file, found a folder")


def point_latest(root: Path, run_id: str) -> Path:
    """Point `<root>/latest` at a run: a relative symlink, or a pointer file where links fail.

    `latest` is the newest good run: run ids are ordered by the time they started
    (`run_ids.run_order`, not as text, so an id of the old form, to the second, too), so a run
    that finishes after a later one (two at once: a scheduled month and an analyst's run)
    leaves `latest` on the later one. The look and the move are one step under a lock on `root`
    (`holding`, where the platform and the folder allow one); a pointer that names no run here
    (a folder without a run's manifest, removed, or not one `point_latest` wrote) is
    replaced."""
    check_latest(root)
    latest = root / LATEST_NAME
    with holding(root):
        try:
            current = latest_run_id(root)
        except AuditkitError:
            current = None
        newer = current is not None and run_order(current) > run_order(run_id)
        if newer and (root / current / run_manifest.MANIFEST_NAME).is_file():
            return latest
        temporary = root / f".{LATEST_NAME}.{os.getpid()}.partial"
        temporary.unlink(missing_ok=True)
        try:
            temporary.symlink_to(run_id, target_is_directory=True)
        except OSError:
            temporary.write_text(run_id + "\n", encoding="utf-8")
        os.replace(temporary, latest)
    return latest


def latest_run_id(root: Path) -> str | None:
    """The run id `<root>/latest` points at (link or pointer file), None when there is none.

    It names a run folder directly inside `root`, as `point_latest` writes it: a pointer that
    is not UTF-8, or names another place (`../elsewhere`, `/some/run`, a link out of `root`),
    is refused in one line rather than followed."""
    latest = root / LATEST_NAME
    if latest.is_symlink():
        target = Path(os.path.realpath(latest))
        if target.parent != Path(os.path.realpath(root)):
            raise AuditkitError(
                f"{latest}: expected a link to a run folder in {root}, found one to {target}"
            )
        return target.name
    if not latest.is_file():
        return None
    data = latest.read_bytes()
    try:
        name = data.decode("utf-8").strip()
    except UnicodeDecodeError as error:
        raise AuditkitError(
            f"{latest}: expected the name of a run folder in {root} (UTF-8 text), found the "
            f"byte {data[error.start]:#04x} at offset {error.start}"
        ) from None
    if name and (name in (".", "..") or any(mark in name for mark in ("/", "\\", "\0"))):
        raise AuditkitError(
            f"{latest}: expected the name of a run folder in {root}, found {shown(name)}"
        )
    return name or None


def resolve_run_dir(path: str | Path) -> Path:
    """A run folder from a path, following `latest` (link or pointer file) only to a run folder
    directly inside its outputs folder (`latest_run_id`)."""
    candidate = Path(path)
    if candidate.name == LATEST_NAME and (candidate.is_symlink() or candidate.is_file()):
        candidate = candidate.parent / (latest_run_id(candidate.parent) or "")
    if not (candidate / run_manifest.MANIFEST_NAME).is_file():
        raise AuditkitError(f"run folder {str(path)!r}: expected a folder with manifest.json")
    return candidate.resolve()


def verify_run(
    run_dir: Path,
    registers: bool = True,
    db: str | None = None,
    manifest: dict[str, Any] | None = None,
) -> list[str]:
    """What changed since the run: input files, auditkit's code and the packages that shape
    results (`compare_code`), notebook sources, the run's own output files and
    (with `registers`) the findings registers its reports read, one whose password the manifest
    masks opened through `db` when it names it (`compare_registers`). `manifest` is the run's,
    when the caller has read it already.

    Outputs are checked when the manifest recorded them (format 2 and later), the rule and
    billing parameter files when it recorded them (`input_files`), registers when it recorded
    them (`registers_read`).
    """
    if manifest is None:
        manifest = run_manifest.read_manifest(run_dir)
    changes = run_manifest.compare_inputs(manifest["inputs"])
    changes.extend(
        run_manifest.compare_code(
            manifest,
            run_manifest.source_commit(project_root()),
            run_manifest.package_versions(),
        )
    )
    if registers:
        changes.extend(compare_registers(manifest.get("registers_read", {}), db))
    changes.extend(run_manifest.compare_files(manifest.get("input_files", {})))
    if "outputs" in manifest:
        changes.extend(run_manifest.compare_outputs(Path(run_dir), manifest["outputs"]))
    for record in manifest["notebooks"]:
        notebook = _notebook_path(record["notebook"])
        if not notebook.is_file():
            changes.append(f"{record['notebook']}: notebook missing")
        elif run_manifest.file_sha256(notebook) != record["notebook_sha256"]:
            changes.append(f"{record['notebook']}: notebook changed")
    return sorted(set(changes))


def parameter_files_moved(manifest: dict[str, Any]) -> list[str]:
    """The rule and billing parameter files a rerun would read now that the run did not read
    (`$AUDITKIT_PARAMS` set otherwise), one line each; none for a manifest without records."""
    if "input_files" not in manifest:
        return []
    recorded = [Path(name) for name in manifest["input_files"]]
    moved = []
    for path in run_manifest.parameter_files():
        if path not in recorded:
            read = [str(other) for other in recorded if other.name == path.name]
            moved.append(f"{path}: read now; the run read {' and '.join(read) or 'none'}")
    return moved


def registers_unrecorded(manifest: dict[str, Any]) -> bool:
    """Whether the run's reports read a findings register its manifest holds no fingerprint of
    (a manifest of an auditkit before registers were recorded)."""
    if "registers_read" in manifest:
        return False
    notebooks = {_notebook_path(record["notebook"]) for record in manifest["notebooks"]}
    return any(path.is_file() and reads_register(path) for path in notebooks)


def _notebook_path(recorded: str) -> Path:
    """A manifest's notebook path made absolute against the project root."""
    path = Path(recorded)
    return path if path.is_absolute() else project_root() / path


def rerun_manifest(run_dir: Path, notebooks_dir: str | Path | None = None) -> dict[str, Any]:
    """A run's manifest with everything a rerun reads checked, before anything runs: what
    verify reads, `seed`, `lang`, `register`, and where each notebook is (`rerun_notebooks`)."""
    manifest = run_manifest.read_manifest(run_dir)
    rerun_notebooks(manifest, Path(run_dir) / run_manifest.MANIFEST_NAME, notebooks_dir)
    return manifest


def rerun_notebooks(
    manifest: dict[str, Any], path: Path, notebooks_dir: str | Path | None = None
) -> list[Path]:
    """The notebooks a rerun executes, each refused (one line naming the manifest and the
    notebook's key) unless it lies in the project's notebooks folder, where `run-all`, `demo`
    and `run NAME` take them, or in `notebooks_dir` (`rerun --notebooks-dir`): the manifest says
    which notebooks ran, never where code may be taken from."""
    run_manifest.check_rerun(manifest, path)
    folders = [paths.notebooks_dir().resolve()]
    if notebooks_dir is not None:
        if not Path(notebooks_dir).is_dir():
            raise ParameterError("--notebooks-dir", "an existing folder", str(notebooks_dir))
        folders = list(dict.fromkeys([*folders, Path(notebooks_dir).resolve()]))
    notebooks = []
    for number, record in enumerate(manifest["notebooks"], start=1):
        notebook = _notebook_path(record["notebook"]).resolve()
        if not any(notebook.is_relative_to(folder) for folder in folders):
            hint = "" if notebooks_dir else " (or, with --notebooks-dir DIR, in DIR)"
            raise AuditkitError(
                f"{path}: notebook {number}: 'notebook': expected a notebook in "
                f"{' or '.join(map(str, folders))}{hint}, found {shown(record['notebook'])}"
            )
        notebooks.append(notebook)
    return notebooks


def jobs_from_manifest(
    run_dir: Path,
    manifest: dict[str, Any] | None = None,
    notebooks_dir: str | Path | None = None,
) -> tuple[list[Job], dict[str, Any]]:
    """The jobs of an earlier run, re-validated against the notebooks as they are now, and its
    manifest (`manifest`, when the caller has read it already). Its notebooks are taken only
    from the project's notebooks folder or `notebooks_dir` (`rerun_notebooks`); a recorded
    parameter refused is one line naming the manifest and the notebook."""
    path = Path(run_dir) / run_manifest.MANIFEST_NAME
    if manifest is None:
        manifest = run_manifest.read_manifest(run_dir)
    notebooks = rerun_notebooks(manifest, path, notebooks_dir)
    jobs = []
    for number, (record, notebook) in enumerate(
        zip(manifest["notebooks"], notebooks, strict=True), start=1
    ):
        schema = notebook_params.read_schema(notebook)
        try:
            checked = notebook_params.validate_values(schema, record["parameters"], str(notebook))
        except ParameterError as error:
            raise AuditkitError(f"{path}: notebook {number}: {error}") from None
        parameters = {name: checked[name] for name in schema if name in checked}  # cell order
        jobs.append(Job(notebook, record["name"], parameters))
    try:
        check_unique_names(jobs)  # before the register step, not when the run starts
    except AuditkitError as error:
        raise AuditkitError(f"{path}: {error}") from None
    return jobs, manifest
