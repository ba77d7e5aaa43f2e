"""Run folders in progress (`<outputs>/.<run-id>.partial/`) and how to tell a dead one from a live one.

A run creates its partial folder and at once writes `.owner.json` in it (pid, process start time,
host) and holds an exclusive lock on that file until it publishes the run. The lock is released by
the kernel when the process dies, however it dies (SIGKILL included), so another process knows a
partial folder is **dead** only when all of these hold: the owner file names this host, its lock can
be taken, and no process with that pid and start time is running. A folder whose owner is on
another host, or that has no owner file (an older auditkit, or the instant between creating the
folder and writing the file) is **unknown** and never removed: listing it is all that is safe.

A folder written whole (`auditkit.atomic.folder_written_whole`: `convert`, `recompute_to_parquet`)
is staged as `.<name>.<random>.partial` beside its destination, and a writer killed outright
leaves it there. Its writer holds a lock on the folder itself while it writes
(`atomic.locked_while_written`), so such a folder is **live** while the lock is held, and
**dead** once the lock is free and nothing in it has changed for STAGED_QUIET_SECONDS: the wait
covers a writer of an auditkit from before the lock and the instant between creating the folder
and locking it. Where the lock cannot be tested (no fcntl, a network share refusing it) it is
**unknown**, as is one changed within that hour. `auditkit worklist` stages its sheets the
same way in its --out (`.worklists.<random>.partial`, `find_worklist_partials`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psutil

from auditkit.atomic import folder_flock
from auditkit.errors import AuditkitError
from auditkit.pipeline.run_ids import run_order, run_started

OWNER_NAME = ".owner.json"
PARTIAL_SUFFIX = ".partial"
START_TIME_TOLERANCE = 1.0  # seconds: clock adjustments move a process's computed start a little
#: How long a folder written whole, unlocked, must be left unchanged to be taken for dead.
STAGED_QUIET_SECONDS = 3600.0

try:  # POSIX advisory locks; elsewhere the pid and start time decide alone
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Partial:
    """A partial run folder and what is known of its owner: `dead`, `live` or `unknown`."""

    path: Path
    state: str
    detail: str


def partial_dir(root: Path, run_id: str) -> Path:
    """Where a run is written until it is published."""
    return root / f".{run_id}{PARTIAL_SUFFIX}"


@contextlib.contextmanager
def owned_partial(root: Path, run_id: str) -> Iterator[Path]:
    """Create a run's partial folder and hold its owner record (and lock) while the run lasts.

    The owner file is removed when the block ends normally (a published run folder carries
    none) and kept when it raises: the folder then stays, and once this process has ended the
    record says the run is dead.
    """
    folder = partial_dir(root, run_id)
    folder.mkdir(parents=True)
    owner_path = folder / OWNER_NAME
    me = psutil.Process()
    record = {"pid": me.pid, "started": me.create_time(), "host": socket.gethostname()}
    with owner_path.open("w", encoding="utf-8") as owner:
        _lock(owner)
        owner.write(json.dumps(record))
        owner.flush()
        yield folder
    owner_path.unlink(missing_ok=True)


@contextlib.contextmanager
def holding(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder` itself, waited for (flock on its descriptor: no lock file
    left among the runs; released when the block ends or the process dies). None where the
    platform has no fcntl or the folder cannot be opened for reading (write-only outputs): the
    block then runs unlocked, as it did before there was a lock."""
    with folder_flock(folder, wait=True):
        yield


def _lock(stream: IO[str]) -> None:
    """Hold an exclusive lock on an open file (released when the file closes or the process dies)."""
    if fcntl is not None:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _lock_is_free(path: Path) -> bool:
    """True when nobody holds the lock of `path` (always True where locks are not available)."""
    if fcntl is None:
        return True
    with path.open("r", encoding="utf-8") as stream:
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.flock(stream.fileno(), fcntl.LOCK_UN)
        return True


def _process_runs(pid: int, started: float) -> bool:
    """True while the process `pid` that started at `started` (epoch seconds) is running."""
    try:
        process = psutil.Process(pid)
        return (
            abs(process.create_time() - started) <= START_TIME_TOLERANCE
            and process.status() != psutil.STATUS_ZOMBIE
        )
    except psutil.NoSuchProcess:
        return False


def inspect_partial(folder: Path) -> Partial:
    """What is known of a partial folder's owner."""
    owner_path = folder / OWNER_NAME
    try:
        owner = json.loads(owner_path.read_text(encoding="utf-8"))
        pid, started, host = int(owner["pid"]), float(owner["started"]), str(owner["host"])
    except FileNotFoundError:
        if run_started(folder.name[1 : -len(PARTIAL_SUFFIX)]) is None:
            return _inspect_staged(folder)
        return Partial(folder, "unknown", "no owner record (an older auditkit, or just starting)")
    except (ValueError, KeyError, TypeError):
        return Partial(folder, "unknown", f"unreadable owner record {OWNER_NAME}")
    if host != socket.gethostname():
        return Partial(folder, "unknown", f"run by pid {pid} on another host ({host})")
    if _process_runs(pid, started) or not _lock_is_free(owner_path):
        return Partial(folder, "live", f"run by pid {pid}, still running")
    return Partial(folder, "dead", f"run by pid {pid}, which has ended")


def _inspect_staged(folder: Path) -> Partial:
    """What is known of a folder written whole (`.<name>.<random>.partial`): live while its
    writer's lock is held, dead once the lock is free and it has been left unchanged for
    STAGED_QUIET_SECONDS, unknown otherwise."""
    name = folder.name[1 : -len(PARTIAL_SUFFIX)].rpartition(".")[0] or folder.name
    writing = f"an unfinished write of {name}"
    held = _folder_lock_held(folder)
    if held:
        return Partial(folder, "live", f"{writing}, still being written (its lock is held)")
    if held is None:
        return Partial(folder, "unknown", f"{writing}: its lock cannot be tested here")
    quiet = time.time() - _last_changed(folder)
    hour = STAGED_QUIET_SECONDS / 3600
    if quiet < STAGED_QUIET_SECONDS:
        return Partial(
            folder,
            "unknown",
            f"{writing}, unlocked but changed {quiet / 60:.0f} min ago: dead once left "
            f"unchanged for {hour:g} h",
        )
    return Partial(
        folder, "dead", f"{writing}, whose writer has ended (unchanged for {quiet / 3600:.1f} h)"
    )


def _folder_lock_held(folder: Path) -> bool | None:
    """Whether another process holds the lock of `folder` (`atomic.locked_while_written`);
    None when it cannot be tested (no fcntl, the folder cannot be opened, the file system
    refuses locks)."""
    if fcntl is None:
        return None
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(descriptor)  # releases the lock when it was taken
    return False


def _last_changed(folder: Path) -> float:
    """The latest modification time (epoch seconds) of `folder` and everything in it."""
    latest = folder.lstat().st_mtime
    for parent, folders, files in os.walk(folder):
        for name in [*folders, *files]:
            with contextlib.suppress(FileNotFoundError):
                latest = max(latest, os.lstat(os.path.join(parent, name)).st_mtime)
    return latest


#: How `auditkit worklist` begins the hidden folder it stages its sheets in, in its --out
#: (`.worklists.<random>.partial`): a folder written whole, told dead as the others are.
WORKLIST_STAGING_PREFIX = ".worklists."

#: Where commands stage folders under an outputs folder: runs directly in it, and `auditkit
#: rules --register` a month's findings beside the others of its dataset
#: (`findings/<dataset>/.<month>.<random>.partial`).
STAGED_UNDER = ("", "findings/*/")


def find_partials(root: Path) -> list[Partial]:
    """Every partial folder a command left under an outputs folder (STAGED_UNDER), oldest run
    first (by the time its id names, `run_ids.run_order`: not as text, which puts an id of the
    old form after the new ones of its second), then the staged ones by name."""
    if not root.is_dir():
        return []
    folders = [
        path
        for under in STAGED_UNDER
        for path in root.glob(f"{under}.*{PARTIAL_SUFFIX}")
        if path.is_dir() and not path.is_symlink()
    ]
    folders.sort(key=lambda path: run_order(path.name[1 : -len(PARTIAL_SUFFIX)]))
    return [inspect_partial(path) for path in folders]


def find_worklist_partials(folder: Path) -> list[Partial]:
    """The folders a killed `auditkit worklist` left staged in `folder` (its --out) or in a
    folder of it (`worklists/` holding one --out a month), by path; each live, dead or unknown
    as any folder written whole (its lock, then an hour of quiet)."""
    if not folder.is_dir():
        return []
    pattern = f"{WORKLIST_STAGING_PREFIX}*{PARTIAL_SUFFIX}"
    found = [*folder.glob(pattern), *folder.glob(f"*/{pattern}")]
    staged = sorted(path for path in found if path.is_dir() and not path.is_symlink())
    return [inspect_partial(path) for path in staged]


def remove_dead(partial: Partial) -> None:
    """Delete a partial folder after checking once more, right now, that its run (or writer)
    is dead."""
    if inspect_partial(partial.path).state != "dead":
        raise AuditkitError(f"{partial.path}: expected a dead run's folder, found it in use")
    shutil.rmtree(partial.path)
