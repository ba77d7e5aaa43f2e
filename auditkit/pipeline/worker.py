"""One job in its own process: execute the notebook, render its report, write a result record.

Started by the process pool as `python -m auditkit.pipeline.worker --parent PID`, it reads job spec
paths on stdin; a spec names the notebook, the run folder, the job's name and folder, the
parameters, the time limit and what the report's footer shows. Every file it writes is checked to
resolve inside the job's folder in the run. Each result goes to `<job folder>/.result.json`
(written atomically, read and removed by the pool). Kernel sockets go inside `--sockets`, a folder
the pool made for this worker and removes after it. The worker stops, with its kernels, when its
parent (the run) dies, however it dies (see `auditkit.pipeline.orphans`), and then removes that
folder itself.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from auditkit.atomic import write_text_atomic
from auditkit.pipeline.execute import execute
from auditkit.pipeline.jsonschema_import import import_jsonschema_without_iri_grammars
from auditkit.pipeline.orphans import die_with_parent
from auditkit.pipeline.reasons import failure_fields, reason
from auditkit.pipeline.render import ReportContext, render_report
from auditkit.pipeline.run_paths import inside, job_folder
from auditkit.report.notebook import REPORT_DIR_ENV, read_headline

RESULT_NAME = ".result.json"
REPORT_NAME = "report.html"


def job_dir_of(spec: dict[str, Any]) -> Path:
    """The job's folder: `spec["folder"]` directly inside `spec["run_dir"]`, or AuditkitError."""
    return job_folder(Path(spec["run_dir"]), spec["folder"])


def run_job(spec: dict[str, Any], sockets_dir: Path | None = None) -> dict[str, Any]:
    """Execute and render one job as described by `spec`; returns (and writes) its result.

    The kernel's sockets go in a folder made inside `sockets_dir` (the system's temporary folder
    by default)."""
    job_dir = job_dir_of(spec)
    job_dir.mkdir(exist_ok=True)
    os.environ[REPORT_DIR_ENV] = str(job_dir)
    notebook = Path(spec["notebook"])
    executed = inside(job_dir, job_dir / notebook.name)
    started = time.time()
    outcome = execute(
        notebook,
        executed,
        spec["parameters"],
        time_limit=float(spec["time_limit"]),
        kernel_name=spec.get("kernel_name", "python3"),
        discard_kernel_console=spec["mask_personal"],
        sockets_dir=sockets_dir,
    )
    result: dict[str, Any] = {
        "status": outcome.status,
        "error": outcome.error,
        "reason": outcome.reason,
        "execute_seconds": outcome.seconds,
        "executed": executed.name if executed.exists() else None,
        "report": None,
        "headline": None,
    }
    if executed.exists():
        result["headline"] = read_headline(json.loads(executed.read_text(encoding="utf-8")))
    if outcome.status == "ok":
        render_started = time.monotonic()
        context = ReportContext(
            run_id=spec["run_id"],
            subject=spec["name"],
            generated_at=time.strftime("%Y-%m-%d %H:%M:%S %z"),
            **spec["report"],
        )
        try:
            render_report(executed, inside(job_dir, job_dir / REPORT_NAME), context)
            result["report"] = REPORT_NAME
        except Exception as failure:  # any rendering problem is this job's failure, not the run's
            detail = f"{type(failure).__name__}: {failure}"
            result |= {"status": "failed", **failure_fields(reason("render_failed", detail=detail))}
        result["render_seconds"] = round(time.monotonic() - render_started, 3)
    result["seconds"] = round(time.time() - started, 3)
    write_text_atomic(
        inside(job_dir, job_dir / RESULT_NAME), json.dumps(result, ensure_ascii=False)
    )
    return result


def serve(lines: Iterable[str], sockets_dir: Path | None = None) -> None:
    """Run the job of each spec path read from `lines` (the pool writes them on stdin), with the
    kernels' sockets inside `sockets_dir`.

    A job that breaks the worker's own code is recorded as failed, so the pool always gets a result.
    """
    for line in lines:
        spec_path = Path(line.strip())
        if not line.strip():
            continue
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        try:
            run_job(spec, sockets_dir)
        except Exception as failure:  # recorded for the pool; the next job still runs
            traceback.print_exc()
            why = reason("worker_error", detail=f"{type(failure).__name__}: {failure}")
            result = {"status": "failed", **failure_fields(why)}
            job_dir = job_dir_of(spec)
            write_text_atomic(inside(job_dir, job_dir / RESULT_NAME), json.dumps(result))


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the job specs read on stdin until it closes, stopping if the parent `--parent` dies;
    the kernels' sockets go inside `--sockets`, removed when this worker ends."""
    parser = argparse.ArgumentParser(prog="python -m auditkit.pipeline.worker")
    parser.add_argument("--parent", type=int, required=True, help="pid of the run that started it")
    parser.add_argument("--sockets", type=Path, help="folder for the kernels' sockets")
    args = parser.parse_args(argv)
    die_with_parent(args.parent, remove=args.sockets)
    import_jsonschema_without_iri_grammars()
    try:
        serve(sys.stdin, args.sockets)
    finally:  # input closed: the pool ended, or died while this worker was idle
        if args.sockets is not None:
            shutil.rmtree(args.sockets, ignore_errors=True)


if __name__ == "__main__":
    main()
