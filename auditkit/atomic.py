"""Atomic file writes: a reader never sees a half-written file under its final name."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call `write(temporary_path)` and then rename the result onto `path` in one step.

    The temporary file sits in the same folder (so the rename cannot cross file systems) and has a
    name that never looks like a finished output; it is removed when `write` fails. An
    OSError that names no file (ENOSPC from a write) is raised again naming `path`.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary_path = target.with_name(
        f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.partial"
    )
    try:
        write(temporary_path)
        os.replace(temporary_path, target)
    except OSError as error:
        temporary_path.unlink(missing_ok=True)
        if error.filename is not None:
            raise
        # A write that fails (a full disk) names no file: name the one being written.
        raise OSError(error.errno, error.strerror or str(error), str(target)) from error
    except BaseException:
        temporary_path.unlink(missing_ok=True)
        raise
    return target


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return write_atomic(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write bytes atomically."""
    return write_atomic(path, lambda temporary: temporary.write_bytes(data))
