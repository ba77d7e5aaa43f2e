"""Benchmark `run-all` on the demo against a bare nbclient baseline in as many processes.

    .venv/bin/python benchmarks/bench_run_all.py [--jobs N] [--rounds R]

The baseline executes exactly the same jobs (same notebooks, same parameters injected as a cell
after the parameters cell) with nbclient alone, in a pool of N processes, and renders nothing.
The pipeline is planning (parameter validation, district lookup) + `execute_run` (papermill,
rendering to HTML, index, manifest, input hashes); rounds alternate which goes first. Both write
into temporary folders. Reported:
wall times and their ratio (target <= 1.2), the largest report (target < 3 MB) and the peak
resident memory per worker and its kernel (sampled by the pool).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from auditkit.demo import demo_data_dir
from auditkit.paths import notebooks_dir, params_dir
from auditkit.pipeline.jobs import Job, jobs_for_notebooks
from auditkit.pipeline.runs import RunOptions, execute_run
from auditkit.report.notebook import REPORT_DIR_ENV


def _bare_execute(notebook: str, parameters: dict[str, Any], folder: str) -> float:
    """Execute one job with nbclient alone; returns seconds."""
    started = time.perf_counter()
    os.environ[REPORT_DIR_ENV] = folder
    nb = nbformat.read(notebook, as_version=4)
    position = next(
        i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", [])
    )
    assignments = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    nb.cells.insert(position + 1, nbformat.v4.new_code_cell(assignments))
    client = NotebookClient(
        nb, kernel_name="python3", resources={"metadata": {"path": str(Path(notebook).parent)}}
    )
    client.execute()
    return time.perf_counter() - started


def baseline(jobs: list[Job], parallel: int, scratch: Path) -> tuple[float, float]:
    """Wall time of the bare baseline over all jobs, and the sum of its per-notebook times."""
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=parallel) as pool:
        futures = []
        for job in jobs:
            folder = scratch / "baseline" / job.name
            folder.mkdir(parents=True, exist_ok=True)
            parameters = dict(job.parameters)
            if "output_dir" in parameters:
                parameters["output_dir"] = str(folder)
            futures.append(pool.submit(_bare_execute, str(job.notebook), parameters, str(folder)))
        per_notebook = sum(future.result() for future in futures)
    return time.perf_counter() - started, per_notebook


def pipeline(parallel: int, scratch: Path) -> tuple[float, float, dict[str, Any], Path]:
    """Wall time of planning + execute_run on the demo, of planning alone; manifest, run folder."""
    started = time.perf_counter()
    jobs = jobs_for_notebooks(
        sorted(notebooks_dir().glob("*.ipynb")),
        params_dir(),
        overrides=[f"data_dir={demo_data_dir()}"],
    )
    planning = time.perf_counter() - started
    options = RunOptions(outputs=scratch / "pipeline", parallel=parallel, progress=False)
    outcome = execute_run(jobs, options, "run-all")
    return time.perf_counter() - started, planning, outcome.manifest, outcome.run_dir


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    data_dir = demo_data_dir()
    jobs = jobs_for_notebooks(
        sorted(notebooks_dir().glob("*.ipynb")), params_dir(), overrides=[f"data_dir={data_dir}"]
    )
    print(f"{len(jobs)} notebooks, {args.jobs} processes, {args.rounds} round(s)")
    for round_number in range(1, args.rounds + 1):
        scratch = Path(tempfile.mkdtemp(prefix="auditkit-bench-"))
        try:
            if round_number % 2:  # alternate the order: a shared machine's load drifts
                bare, bare_sum = baseline(jobs, args.jobs, scratch)
                full, planning, manifest, run_dir = pipeline(args.jobs, scratch)
            else:
                full, planning, manifest, run_dir = pipeline(args.jobs, scratch)
                bare, bare_sum = baseline(jobs, args.jobs, scratch)
            failed = [(n["name"], n["error"]) for n in manifest["notebooks"] if n["status"] != "ok"]
            sizes = {p.parent.name: p.stat().st_size for p in run_dir.glob("*/report.html")}
            largest = max(sizes, key=sizes.__getitem__)
            peak_worker = max(n["peak_rss_mb"]["worker"] for n in manifest["notebooks"])
            peak_kernel = max(n["peak_rss_mb"]["kernel"] for n in manifest["notebooks"])
            print(f"round {round_number}:")
            print(f"  baseline (nbclient only)  {bare:7.1f} s")
            print(f"  auditkit run-all          {full:7.1f} s   ratio {full / bare:.2f}")
            records = manifest["notebooks"]
            executing = sum(n["execute_seconds"] or 0 for n in records)
            rendering = sum(n["render_seconds"] or 0 for n in records)
            print(
                f"  sum per notebook          {bare_sum:7.1f} s baseline, {executing:.1f} s papermill"
            )
            print(f"  planning / rendering      {planning:7.1f} s / {rendering:.1f} s (sum)")
            print(f"  failed notebooks          {failed or 'none'}")
            print(f"  largest report            {sizes[largest] / 2**20:.2f} MB ({largest})")
            print(
                f"  peak RSS per worker       {peak_worker:.0f} MB worker + {peak_kernel:.0f} MB kernel"
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
