"""Report runs from the command line: `run`, `run-all`, `verify`, `rerun`, `demo` and `clean`."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from auditkit import i18n, paths
from auditkit.cli.register_options import RUN_DB_HELP, add_db_option, add_register_options
from auditkit.errors import SEEDS, AuditkitError, ParameterError, is_seed, shown
from auditkit.pipeline import manifest as run_manifest
from auditkit.pipeline.partials import find_partials, find_worklist_partials, remove_dead

if TYPE_CHECKING:
    from auditkit.pipeline.jobs import Job
    from auditkit.pipeline.runs import RunOptions, RunOutcome


def _whole_number(least: int) -> Callable[[str], int]:
    """argparse type: a whole number >= `least`."""

    def parse(text: str) -> int:
        message = f"expected a whole number >= {least}, found {text!r}"
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(message) from None
        if value < least:
            raise argparse.ArgumentTypeError(message)
        return value

    return parse


_positive_int = _whole_number(1)


def _seed(text: str) -> int:
    """argparse type: a seed (`errors.SEEDS`)."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not is_seed(value):
        raise argparse.ArgumentTypeError(f"expected {SEEDS}, found {shown(text)}")
    return value


#: The longest timeout a notebook may be given, in seconds: a week (nan, inf or 1e300 would
#: pass a test of > 0 and fail every notebook when the kernel client converts it).
TIMEOUT_LIMIT = 7 * 24 * 3600


def _positive_float(text: str) -> float:
    """argparse type: a number of seconds > 0, at most a week."""
    expected = f"expected seconds > 0 and at most {TIMEOUT_LIMIT:,} (a week), found {text!r}"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(expected) from None
    if not 0 < value <= TIMEOUT_LIMIT:  # nan fails both comparisons
        raise argparse.ArgumentTypeError(expected)
    return value


def _add_run_options(parser: argparse.ArgumentParser, fresh: bool = True) -> None:
    """Options shared by every command that executes notebooks; `--seed` and `--lang` only for
    a fresh run (a rerun takes both from the manifest)."""
    parser.add_argument(
        "--jobs",
        type=_positive_int,
        default=os.cpu_count() or 1,
        help="notebooks run in parallel (default: the number of cores, %(default)s here)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=1800.0,
        metavar="SECONDS",
        help="time limit for each notebook; a notebook past it is stopped (default %(default)g)",
    )
    parser.add_argument(
        "--outputs",
        metavar="DIR",
        help="root folder of runs (default: $AUDITKIT_OUTPUTS or <project>/outputs)",
    )
    if fresh:
        parser.add_argument(
            "--seed",
            type=_seed,
            help="seed given to notebooks that declare a `seed` parameter where their parameter "
            "file and -p do not set it (default: each notebook's own default)",
        )
        parser.add_argument(
            "--lang",
            choices=i18n.LANGS,
            help="language of the whole run: the `lang` of every notebook that declares one "
            "(its reports, findings files and field sheets, whatever params/*.yaml says) and "
            "the index page (default: each notebook's own lang; the index speaks theirs when "
            "they share one, else zh)",
        )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the notebooks on this dask.distributed cluster (tcp://host:8786) instead of locally",
    )


#: Said by verify and rerun of a run recorded before parameter files were hashed.
NO_PARAMETER_HASHES = (
    "this run's manifest holds no hashes of the rule thresholds and billing conventions files "
    "(an older auditkit): a change to them is not seen"
)

#: Said by verify and rerun of a run recorded before the registers its reports read were.
NO_REGISTER_FINGERPRINT = (
    "this run's manifest holds no fingerprint of the findings register its reports read (an "
    "older auditkit): a change to it is not seen"
)

#: What --register records for run and run-all.
RECORDED = (
    "each district report's findings (before the notebooks run, so the reports show what "
    "changed since last month; the demo utility has a register of its own)"
)


def _stopped_as_interrupt(
    command: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """`command` with SIGTERM and SIGHUP taken as Ctrl-C from its first step
    (`runs.stops_as_interrupt`): stopped in the register step, while inputs are hashed or while
    a rerun checks its run, it ends "interrupted" (exit 130) as during the notebooks, not 143
    without a word, and a register write under way is rolled back whole."""

    @functools.wraps(command)
    def stoppable(args: argparse.Namespace) -> int:
        from auditkit.pipeline.runs import stops_as_interrupt

        with stops_as_interrupt():
            return command(args)

    return stoppable


def _recorded(jobs: list, args: argparse.Namespace, always: bool = False) -> list[dict]:
    """Record the district reports' findings when asked (or `always`); the manifest entries."""
    db = getattr(args, "db", None)
    if not (always or args.register or db):
        return []
    from auditkit.pipeline.register_step import record_findings

    return record_findings(jobs, db, _outputs(args))


def _outputs(args: argparse.Namespace) -> Path:
    """The root folder of runs: `--outputs`, else `$AUDITKIT_OUTPUTS` or `<project>/outputs`."""
    return Path(args.outputs or paths.outputs_dir()).resolve()


def _options(
    args: argparse.Namespace, seed: int | None = None, lang: str | None = None
) -> RunOptions:
    """RunOptions from parsed arguments (`seed` and `lang` given for a rerun: its manifest's);
    mentions dead partial runs left in the outputs folder."""
    from auditkit.pipeline.runs import RunOptions, absolute_locations, check_latest

    absolute_locations()  # first: the register step and the kernels must read the same places
    outputs = _outputs(args)
    check_latest(outputs)  # before the register step and any kernel: nothing runs in vain
    dead = [partial for partial in find_partials(outputs) if partial.state == "dead"]
    if dead:
        print(
            f"auditkit {args.command}: note: {len(dead)} folder(s) of runs or writes that died "
            f"are left in {outputs}; `auditkit clean --outputs {outputs}` lists them, `--yes` "
            "removes them",
            file=sys.stderr,
        )
    return RunOptions(
        outputs=outputs,
        parallel=args.jobs,
        time_limit=args.timeout,
        seed=seed if seed is not None else getattr(args, "seed", None),
        progress=not args.no_progress,
        lang=lang or getattr(args, "lang", None),
        scheduler=args.scheduler,
    )


def _finish(outcome: RunOutcome, command: str) -> int:
    """Report failures on stderr naming each notebook, print the index path last; exit code."""
    from auditkit.pipeline.runs import LATEST_NAME, latest_run_id

    failed = [n for n in outcome.manifest["notebooks"] if n["status"] != "ok"]
    for record in failed:
        print(
            f"auditkit {command}: {_shown(record['name'])} ({Path(record['notebook']).name}) "
            f"{record['status']}: {record['error']} - see {outcome.run_dir / record['folder']}",
            file=sys.stderr,
        )
    if failed:
        total = len(outcome.manifest["notebooks"])
        names = ", ".join(_shown(record["name"]) for record in failed)
        print(
            f"auditkit {command}: {len(failed)} of {total} notebooks failed: {names}",
            file=sys.stderr,
        )
        pointer = outcome.run_dir.parent / LATEST_NAME
        try:
            latest = latest_run_id(outcome.run_dir.parent)
        except AuditkitError as error:  # a pointer edited by hand: left as it is, and said so
            kept = f"is left as it is, naming no run: {str(error).removeprefix(f'{pointer}: ')}"
        else:
            kept = (
                f"still points at {latest}, the last run whose notebooks all succeeded"
                if latest
                else "is not set: no run here has succeeded yet"
            )
        print(
            f"auditkit {command}: {pointer} {kept}; this failed run is kept in {outcome.run_dir}",
            file=sys.stderr,
        )
    else:
        _say_where_latest_stays(outcome, command)
    print(outcome.index)
    return 1 if failed else 0


def _say_where_latest_stays(outcome: RunOutcome, command: str) -> None:
    """A good run that leaves `latest` on another run says so on stderr, so a scheduled log
    does not take it for the latest: a rerun (which never moves it), or a run that finished
    after a run started later (`point_latest`)."""
    from auditkit.pipeline.runs import LATEST_NAME, latest_run_id

    try:
        latest = latest_run_id(outcome.run_dir.parent)
    except AuditkitError:
        return
    pointer = outcome.run_dir.parent / LATEST_NAME
    repeated = outcome.manifest.get("rerun_of")
    if repeated:
        where = f"stays on {latest}" if latest else "is not set"
        print(
            f"auditkit {command}: {pointer} {where}: a rerun never moves it (this one repeats "
            f"{repeated})",
            file=sys.stderr,
        )
    elif latest is not None and latest != outcome.run_dir.name:
        print(
            f"auditkit {command}: {pointer} stays on {latest}, a run started after this one",
            file=sys.stderr,
        )


def _shown(name: str) -> str:
    """A name from the data as it can be shown on one line (control characters escaped)."""
    return name if name.isprintable() else repr(name)


def _resolve_notebook(text: str) -> Path:
    """A notebook path, or the name of one in the project's notebooks folder."""
    path = Path(text)
    if path.is_file():
        return path
    for candidate in (paths.notebooks_dir() / text, paths.notebooks_dir() / f"{text}.ipynb"):
        if candidate.is_file():
            return candidate
    raise ParameterError("NOTEBOOK", "a notebook file or the name of one in notebooks/", text)


def _command_run(args: argparse.Namespace) -> int:
    from auditkit import notebook_params
    from auditkit.pipeline.jobs import jobs_for_notebook
    from auditkit.pipeline.runs import execute_run

    notebook = _resolve_notebook(args.notebook)
    values = notebook_params.load_params_file(args.params) if args.params else {}
    jobs = jobs_for_notebook(
        notebook,
        values,
        source=args.params or "defaults",
        overrides=args.set,
        seed=args.seed,
        lang=args.lang,
    )
    options = _options(args)
    _say_open_tables(jobs, "run")
    return _finish(execute_run(jobs, options, "run", _recorded(jobs, args)), "run")


def _say_open_tables(jobs: list[Job], command: str) -> None:
    """Warn on stderr of each dataset folder's tables open in an office program and lock files
    skipped: the kernels read such a table as last saved, and the reports say so."""
    from auditkit.cli.open_tables import say_open_tables

    for folder in sorted({job.data_dir for job in jobs if job.data_dir is not None}):
        say_open_tables(command, folder)


def _notebooks(folder: Path) -> list[Path]:
    """Every notebook of a folder, in name order (checkpoints excluded)."""
    notebooks = sorted(path for path in folder.glob("*.ipynb") if not path.name.startswith("."))
    if not notebooks:
        raise ParameterError("--notebooks-dir", "a folder with .ipynb notebooks", str(folder))
    return notebooks


def _command_run_all(args: argparse.Namespace) -> int:
    from auditkit.pipeline.jobs import jobs_for_notebooks
    from auditkit.pipeline.runs import execute_run

    params_dir = Path(args.params_dir) if args.params_dir else paths.params_dir()
    if not params_dir.is_dir():
        raise ParameterError("--params-dir", "an existing folder", str(params_dir))
    notebooks = _notebooks(
        Path(args.notebooks_dir) if args.notebooks_dir else paths.notebooks_dir()
    )
    jobs = jobs_for_notebooks(
        notebooks, params_dir, overrides=args.set, seed=args.seed, lang=args.lang
    )
    options = _options(args)
    _say_open_tables(jobs, "run-all")
    return _finish(execute_run(jobs, options, "run-all", _recorded(jobs, args)), "run-all")


def _command_demo(args: argparse.Namespace) -> int:
    from auditkit.demo import demo_data_dir
    from auditkit.pipeline.jobs import jobs_for_notebooks
    from auditkit.pipeline.runs import execute_run

    data_dir = Path(demo_data_dir())
    jobs = jobs_for_notebooks(
        _notebooks(paths.notebooks_dir()),
        paths.params_dir(),
        overrides=[f"data_dir={data_dir}"],
        seed=args.seed,
        lang=args.lang,
    )
    options = _options(args)
    recorded = _recorded(jobs, args, always=True)
    return _finish(execute_run(jobs, options, "demo", recorded), "demo")


def _command_rerun(args: argparse.Namespace) -> int:
    from auditkit.pipeline.jobs import check_job_districts
    from auditkit.pipeline.manifest import MANIFEST_NAME
    from auditkit.pipeline.register_step import (
        register_differences,
        registers_now,
        shown_register,
    )
    from auditkit.pipeline.runs import (
        execute_run,
        jobs_from_manifest,
        parameter_files_moved,
        registers_unrecorded,
        rerun_manifest,
        resolve_run_dir,
        verify_run,
    )

    run_dir = resolve_run_dir(args.run_dir)
    manifest = rerun_manifest(run_dir, args.notebooks_dir)  # all of it, before anything runs
    # first: a changed notebook explains a parameter refused
    changes = verify_run(run_dir, registers=False, manifest=manifest)
    read_then = manifest.get("registers_read", {})
    read_now = registers_now(read_then, args.db)
    register_changes = register_differences(read_then, read_now)
    if register_changes and not args.allow_register_change:
        raise AuditkitError(
            f"{run_dir.name}: {'; '.join(register_changes)}: its reports would read the "
            "register as it is now, so the rerun would not reproduce them; "
            "--allow-register-change reruns on it anyway"
        )
    for change in changes + parameter_files_moved(manifest) + register_changes:
        print(f"auditkit rerun: warning: since {run_dir.name}: {change}", file=sys.stderr)
    if "input_files" not in manifest:
        print(f"auditkit rerun: note: {NO_PARAMETER_HASHES}", file=sys.stderr)
    if registers_unrecorded(manifest):
        print(f"auditkit rerun: note: {NO_REGISTER_FINGERPRINT}", file=sys.stderr)
    jobs, _ = jobs_from_manifest(run_dir, manifest, args.notebooks_dir)
    check_job_districts(jobs, str(run_dir / MANIFEST_NAME))
    _say_open_tables(jobs, "rerun")
    options = _options(args, seed=manifest["seed"], lang=manifest.get("lang"))
    db = _recorded_register(manifest, args.db)
    recorded = []
    if db is not None:  # the kernels read the register the run read, recorded as it was then
        from auditkit.pipeline.register_step import record_findings

        recorded = record_findings(jobs, db, options.outputs)
    # Fingerprints just taken hold for the new manifest where nothing has been recorded since.
    written = {entry["register"] for entry in recorded}
    taken = [
        found for found in read_now.values() if found and shown_register(found.url) not in written
    ]
    return _finish(execute_run(jobs, options, "rerun", recorded, taken, rerun_of=run_dir), "rerun")


def _recorded_register(manifest: dict, db: str | None) -> str | None:
    """The URL of the register a run recorded into (its reports read it), for its rerun; None
    when it recorded none. The manifest masks a password: `--db` gives the URL whole."""
    from auditkit.pipeline.register_step import shown_register

    # shown_register: an older manifest recorded a SQLite path percent-encoded
    urls = sorted(
        {shown_register(str(entry.get("register"))) for entry in manifest.get("register") or []}
    )
    if not urls:
        if db:
            raise ParameterError("--db", "no --db: the run recorded into no register", db)
        return None
    if len(urls) > 1:
        raise AuditkitError(
            f"register: expected the run to have recorded into one register, found {len(urls)} "
            f"({', '.join(urls)}): rerun its notebooks apart with `auditkit run`"
        )
    if db is None:
        if "***" in urls[0]:
            raise ParameterError(
                "--db",
                f"the URL of {urls[0]}, the register the run read, with its password",
                "none",
            )
        return urls[0]
    from auditkit.register.store import shown_url

    shown = shown_register(shown_url(db))
    if shown != urls[0]:
        raise ParameterError("--db", f"{urls[0]}, the register the run read", shown)
    return db


def _command_verify(args: argparse.Namespace) -> int:
    from auditkit.pipeline.runs import registers_unrecorded, resolve_run_dir, verify_run

    run_dir = resolve_run_dir(args.run_dir)
    manifest = run_manifest.read_manifest(run_dir)
    _check_register_read(manifest, args.db)
    changes = verify_run(run_dir, db=args.db, manifest=manifest)
    checked = ["inputs", "findings register", "notebooks", "outputs"]
    if not manifest.get("registers_read"):
        checked.remove("findings register")
    if "outputs" not in manifest:
        checked.remove("outputs")
        print(
            f"{run_dir.name}: note: this run's manifest holds no output hashes (an older "
            "auditkit): its reports and files are not checked",
            file=sys.stderr,
        )
    if "input_files" not in manifest:
        print(f"{run_dir.name}: note: {NO_PARAMETER_HASHES}", file=sys.stderr)
    if registers_unrecorded(manifest):
        print(f"{run_dir.name}: note: {NO_REGISTER_FINGERPRINT}", file=sys.stderr)
    if not changes:
        print(
            f"{run_dir.name}: {', '.join(checked[:-1])} and {checked[-1]} unchanged since the run"
        )
        return 0
    for change in changes:
        print(f"{run_dir.name}: {change}")
    print(f"{run_dir.name}: {len(changes)} change(s) since the run", file=sys.stderr)
    return 1


def _check_register_read(manifest: dict, db: str | None) -> None:
    """Refuse a `--db` of verify that names no register the run's reports read: it would be
    ignored, and the register meant left unchecked without a word. Nothing is opened."""
    if db is None:
        return
    from auditkit.pipeline.register_step import shown_register
    from auditkit.register.store import shown_url

    read = sorted(shown_register(url) for url in manifest.get("registers_read") or {})
    shown = shown_register(shown_url(db))
    if shown in read:
        return
    if not read:
        raise ParameterError("--db", "no --db: the run's reports read no register", shown)
    raise ParameterError("--db", f"the URL of {' or '.join(read)} (read by its reports)", shown)


def _command_clean(args: argparse.Namespace) -> int:
    outputs = _outputs(args)
    worklists = [folder.resolve() for folder in args.worklists or []]
    for folder in worklists:
        if not folder.is_dir():
            raise ParameterError(
                "--worklists", "an existing folder (a worklist's --out)", str(folder)
            )
    if not outputs.is_dir() and (args.outputs or not worklists):
        raise ParameterError("--outputs", "an existing outputs folder", str(outputs))
    partials = [
        *find_partials(outputs),
        *(partial for folder in worklists for partial in find_worklist_partials(folder)),
    ]
    if not partials:
        print(f"{', '.join(map(str, [outputs, *worklists]))}: no partial folders")
        return 0
    for partial in partials:
        if partial.state == "dead" and args.yes:
            try:
                remove_dead(partial)
            except AuditkitError as error:  # it came alive since: say so and leave it
                print(f"kept     {partial.path}: {error}")
                continue
            print(f"removed  {partial.path}  ({partial.detail})")
        else:
            print(f"{partial.state:<8} {partial.path}  ({partial.detail})")
    dead = sum(partial.state == "dead" for partial in partials)
    if dead and not args.yes:
        print(f"{dead} dead folder(s); `auditkit clean --yes` removes them", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the run commands to the `auditkit` parser."""
    run = subparsers.add_parser(
        "run",
        help="execute one notebook (once, or once per district) and render its report",
        description="Validate parameters against the notebook's `parameters` cell, execute it "
        "with papermill and render a self-contained HTML report into <outputs>/<run-id>/.",
    )
    run.add_argument(
        "notebook", metavar="NOTEBOOK", help="notebook file, or its name in notebooks/"
    )
    run.add_argument("--params", metavar="FILE", help="YAML file of parameter values")
    run.add_argument(
        "-p",
        dest="set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set one parameter (repeatable; wins over --params)",
    )
    _add_run_options(run)
    add_register_options(run, RECORDED)
    run.set_defaults(func=_stopped_as_interrupt(_command_run))

    run_all = subparsers.add_parser(
        "run-all",
        help="execute every notebook with its params/<name>.yaml and build the run's index",
        description="Run every notebook of notebooks/ with params/<notebook>.yaml (its defaults "
        'when absent); `district: "*"` in a file runs that notebook once per district.',
    )
    run_all.add_argument("--params-dir", metavar="DIR", help="folder of parameter files")
    run_all.add_argument("--notebooks-dir", metavar="DIR", help="folder of notebooks")
    run_all.add_argument(
        "-p",
        dest="set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a parameter in every notebook that declares it (repeatable)",
    )
    _add_run_options(run_all)
    add_register_options(run_all, RECORDED)
    run_all.set_defaults(func=_stopped_as_interrupt(_command_run_all))

    verify = subparsers.add_parser(
        "verify",
        help="say whether a run's input data, notebooks or output files changed since it ran",
        description="Recompute the content hashes of a run's inputs, of the findings registers "
        "its reports read and of every file it wrote (reports, findings, executed notebooks, "
        "index, logs) and compare them with its manifest: one line per changed, missing or added "
        "file or register; exit 0 when nothing changed, 1 otherwise. A register whose password "
        "the manifest masks is opened through --db, else AUDITKIT_RUN_DB or AUDITKIT_DB, when "
        "it names the same register.",
    )
    verify.add_argument("run_dir", metavar="RUN_DIR", help="run folder (or outputs/latest)")
    add_db_option(verify, help_text=RUN_DB_HELP)
    verify.set_defaults(func=_command_verify)

    rerun = subparsers.add_parser(
        "rerun",
        help="repeat a run from its manifest (same notebooks, parameters and seed)",
        description="Run again every notebook of an earlier run with the parameters (its "
        "language included) and seed its manifest recorded, into a new run folder (the "
        "run's own and `latest` are left as they are: a rerun never moves it); a run "
        "recorded with --register/--db reads "
        "the same register again. Refused when a findings register the run's reports read has "
        "changed since (its reports could not be reproduced), unless --allow-register-change. "
        "Its notebooks are run only from the project's notebooks/ or --notebooks-dir; the whole "
        "manifest is checked before anything runs.",
    )
    rerun.add_argument("run_dir", metavar="RUN_DIR", help="run folder (or outputs/latest)")
    rerun.add_argument(
        "--notebooks-dir",
        metavar="DIR",
        help="also run notebooks the manifest names in this folder (default: only those of the "
        "project's notebooks/; a run of notebooks from elsewhere is rerun with the folder it "
        "took them from)",
    )
    _add_run_options(rerun, fresh=False)
    add_db_option(
        rerun,
        help_text="the register the run recorded into, password included (its manifest masks "
        "it); default: the URL the manifest recorded",
    )
    rerun.add_argument(
        "--allow-register-change",
        action="store_true",
        help="rerun even though a findings register the run's reports read changed since "
        "(its reports then read the register as it is now)",
    )
    rerun.set_defaults(func=_stopped_as_interrupt(_command_rerun))

    demo = subparsers.add_parser(
        "demo",
        help="audit the built-in synthetic utility: every district plus the studies",
        description="Generate the demo data if needed, run every notebook on it and print the "
        "path of the run's index.html as the last line. `--lang en` makes the whole run "
        "English: every report, findings workbook, field sheet and the index.",
    )
    _add_run_options(demo)
    demo.set_defaults(func=_stopped_as_interrupt(_command_demo))

    clean = subparsers.add_parser(
        "clean",
        help="list the partial folders of runs and writes that died (killed, crashed); --yes "
        "removes them",
        description="List every partial folder of the outputs folder with its state: a run's "
        "`.<run-id>.partial` is dead (its run's process has ended: safe to remove), live "
        "(still running) or unknown (no owner record, or run on another host); a "
        "`.<name>.<random>.partial` that an interrupted convert or recompute_to_parquet left "
        "is live while its writer holds its lock, dead once the lock is free and it has been "
        "left unchanged for an hour, unknown otherwise; so is a `.worklists.<random>.partial` "
        "a killed `auditkit worklist` left in its --out, searched with --worklists. Unknown "
        "folders are never removed: check and delete them by hand. With --yes, remove the dead "
        "ones.",
    )
    clean.add_argument(
        "--outputs",
        metavar="DIR",
        help="root folder of runs (default: $AUDITKIT_OUTPUTS or <project>/outputs)",
    )
    clean.add_argument(
        "--worklists",
        action="append",
        type=Path,
        metavar="FOLDER",
        help="also a worklist's --out, or the folder holding them (worklists/ of one a month); "
        "repeatable",
    )
    clean.add_argument("--yes", action="store_true", help="remove the dead folders")
    clean.set_defaults(func=_command_clean)
