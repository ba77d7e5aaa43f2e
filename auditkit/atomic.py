"""Atomic file writes: a reader never sees a half-written file under its final name."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

try:  # POSIX advisory locks; elsewhere a folder being written is not locked
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def _temporary_for(target: Path) -> Path:
    """A name beside `target` that never looks like a finished output."""
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call `write(temporary_path)` and then rename the result onto `path` in one step.

    The temporary file sits in the same folder (so the rename cannot cross file systems) and has a
    name that never looks like a finished output; it is removed when `write` fails. An
    OSError that names no file (ENOSPC from a write) is raised again naming `path`.
    """
    return _replace_together({Path(path): write})[0]


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return write_atomic(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write bytes atomically."""
    return write_atomic(path, lambda temporary: temporary.write_bytes(data))


def write_files_together(files: Mapping[Path, bytes]) -> list[Path]:
    """Write several files that belong together (a table as Parquet and as CSV) so that none is
    replaced unless all are: each is written as `write_atomic` writes it, and none is renamed
    before all are written; a write that fails replaces nothing."""
    return _replace_together(
        {
            Path(path): (lambda temporary, data=data: temporary.write_bytes(data))
            for path, data in files.items()
        }
    )


@contextlib.contextmanager
def folder_written_whole(destination: Path) -> Iterator[Path]:
    """A new hidden folder beside `destination` for the block to fill, put in place of
    `destination` in one rename when the block ends (an earlier `destination` is kept until
    then) and removed when it raises: an interrupted or failed writer of many files leaves no
    folder that looks complete under the final name. A `destination` that is a link is the
    folder it points to (the link stays), and one already there keeps its permissions (a
    group-shared folder stays shared); a new one is readable by all (0o755).

    While the block runs the hidden folder is locked (`locked_while_written`), so that
    `auditkit clean` tells one still being written from one a killed writer (SIGKILL, a power
    cut) left behind."""
    if destination.is_symlink():
        destination = destination.resolve()
    mode = stat.S_IMODE(destination.stat().st_mode) if destination.is_dir() else 0o755
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent)
    )
    try:
        with locked_while_written(staging):
            staging.chmod(mode)  # mkdtemp's 0o700 would hide it from workers of other accounts
            yield staging
            with signals_held():
                _replace_folder(staging, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def locked_while_written(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder` itself while the block writes it (`folder_flock`, not
    waited for). Where the platform has no fcntl, or the file system refuses the lock (a
    network share may), the block runs unlocked: `auditkit clean` then cannot tell the
    folder's writer is gone, and never removes it."""
    with folder_flock(folder, wait=False):
        yield


@contextlib.contextmanager
def folder_flock(folder: Path, *, wait: bool) -> Iterator[None]:
    """An exclusive flock on `folder` itself while the block runs (on its descriptor: no file
    added to the folder; the kernel releases it when the block ends or the process dies,
    however it dies): waited for with `wait`, else taken only if free and not refused. Where
    the platform has no fcntl or the folder cannot be opened for reading, the block runs
    unlocked."""
    try:
        descriptor = None if fcntl is None else os.open(folder, os.O_RDONLY)
    except OSError:
        descriptor = None
    if descriptor is None:
        yield
        return
    try:
        if wait:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        else:
            with contextlib.suppress(OSError):
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(descriptor)


def _replace_folder(staging: Path, destination: Path) -> None:
    """Move the finished `staging` folder to `destination`, removing an earlier one last."""
    if not destination.exists():
        os.replace(staging, destination)
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{destination.name}.old.", dir=destination.parent))
    os.replace(destination, trash / destination.name)
    os.replace(staging, destination)
    shutil.rmtree(trash)


def _replace_together(writers: Mapping[Path, Callable[[Path], None]]) -> list[Path]:
    """Call each writer on a temporary file beside its target, then rename them all onto their
    targets one after the other with Ctrl-C and SIGTERM handled after the last rename, so a run
    stopped in between leaves the old set or the new one, never a mix (SIGKILL or a power cut
    between two renames still can). The temporaries are removed when anything fails; an
    OSError that names no file (ENOSPC from a write) is raised again naming its target."""
    written: dict[Path, Path] = {}
    try:
        for target, write in writers.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            written[target] = _temporary_for(target)
            try:
                write(written[target])
            except OSError as error:
                if error.filename is not None:
                    raise
                # A write that fails (a full disk) names no file: name the one being written.
                raise OSError(error.errno, error.strerror or str(error), str(target)) from error
        with signals_held():
            for target, temporary_path in written.items():
                os.replace(temporary_path, target)
    except BaseException:
        for temporary_path in written.values():
            temporary_path.unlink(missing_ok=True)
        raise
    return list(written)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM handled after the block, not inside it: while it runs, their Python
    handlers only note them; then the previous handlers are put back and each signal noted is
    raised again. Python runs signal handlers in the main thread whichever thread the signal
    reached (a pyarrow or pool thread may), so this holds them in a process of many threads,
    where masking them in one thread would not; off the main thread no handler can be set,
    and the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda got, _: noted.append(got)) for number in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        for number in dict.fromkeys(noted):
            signal.raise_signal(number)
