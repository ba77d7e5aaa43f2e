"""engine="dask" called from a script's top-level code, without `if __name__ == "__main__":`.

Each worker process the LocalCluster starts (by spawn) runs the script again; the script's call
in it started a LocalCluster of its own, which multiprocessing refused: 12 tracebacks on 2 cores
("Nanny failed to start") and no word of the cause. Now the workers stop quietly and the script
gets one ParameterError naming engine='dask' and the fix.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from auditkit.engine import dask as dask_engine
from auditkit.errors import ParameterError

distributed = pytest.importorskip("distributed")

SCRIPT = """\
from auditkit import rules, synth
from auditkit.data import Dataset

dataset = Dataset.from_frames(synth.generate(customers=200, districts=2, seed=3))
{call}
"""
CALL = 'print(len(rules.run(dataset, engine="dask")), "findings")'


def _run_script(tmp_path: Path, call: str) -> subprocess.CompletedProcess:
    script = tmp_path / "audit.py"
    script.write_text(SCRIPT.format(call=call), encoding="utf-8")
    root = str(Path(dask_engine.__file__).resolve().parents[2])
    environment = {**os.environ, "PYTHONPATH": root}
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_a_script_without_the_main_guard_gets_one_clear_error(tmp_path: Path) -> None:
    ran = _run_script(tmp_path, CALL)
    assert ran.returncode == 1
    assert ran.stderr.count("Traceback") == 1  # was 12, with "Nanny failed to start"
    assert "Nanny" not in ran.stderr
    assert ran.stderr.splitlines()[-1] == (
        "auditkit.errors.ParameterError: parameter 'engine': expected 'dask' called in a script "
        'under `if __name__ == "__main__":` (each worker process of the LocalCluster runs the '
        "script again as it starts), or given a scheduler address, found 'a LocalCluster whose "
        "worker processes failed to start'"
    )


@pytest.mark.slow
def test_the_same_script_under_the_main_guard_runs(tmp_path: Path) -> None:
    ran = _run_script(tmp_path, f'if __name__ == "__main__":\n    {CALL}')
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().endswith("findings")


def test_a_worker_still_importing_the_script_stops_before_starting_a_cluster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_cluster(**_: object) -> None:
        raise AssertionError("a LocalCluster was started")

    monkeypatch.setattr(distributed, "LocalCluster", no_cluster)
    monkeypatch.setattr(multiprocessing.current_process(), "_inheriting", True, raising=False)
    with pytest.raises(SystemExit) as stopped, dask_engine.connect(None):
        pass
    assert stopped.value.code == 1


def _failing_cluster(**_: object) -> None:
    raise RuntimeError("Nanny failed to start.")


def test_workers_that_fail_to_start_under_a_script_are_the_unguarded_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(distributed, "LocalCluster", _failing_cluster)
    monkeypatch.setitem(sys.modules, "__main__", types.SimpleNamespace(__file__="audit.py"))
    with pytest.raises(ParameterError, match=r"engine.*__main__"), dask_engine.connect(None):
        pass


@pytest.mark.parametrize("main_file, method", [(None, "spawn"), ("audit.py", "fork")])
def test_workers_that_fail_to_start_otherwise_raise_as_they_did(
    monkeypatch: pytest.MonkeyPatch, main_file: str | None, method: str
) -> None:
    """Near misses: an interactive session (no script to run again) or workers started by
    fork (which run nothing again) keep dask's own error."""
    import dask

    monkeypatch.setattr(distributed, "LocalCluster", _failing_cluster)
    main = (
        types.SimpleNamespace() if main_file is None else types.SimpleNamespace(__file__=main_file)
    )
    monkeypatch.setitem(sys.modules, "__main__", main)
    with (
        dask.config.set({"distributed.worker.multiprocessing-method": method}),
        pytest.raises(RuntimeError, match="Nanny failed to start"),
        dask_engine.connect(None),
    ):
        pass
