"""The bytes of a converted folder's file, checked against the sha256 `convert` recorded, and
hashed once in a process (and the workers forked from it) rather than once per read.

A run by parts reads each bills file three times (the extract date, the whole-dataset rules, its
part), in this process and in workers forked from it. Its bytes are hashed the first time; the
file's identity then (device, inode, size, modification and status-change times) is kept with
the digest. A later read of the same file whose open handle still has that identity reads it
directly, only the columns it needs: writing to the file, replacing or renaming another over it
changes the identity (the status-change time cannot be set back from user space), so what is
read is what was hashed, unless it is written to while being read or within the same tick of the
file system's clock as it was hashed (a few milliseconds; a file edited since conversion is
edited long before its run). On Windows, whose status-change time is the creation time, a write
in place whose modification time is then set back by hand would pass too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

#: (device, inode) → (size, modified ns, status changed ns, sha256) of the files this process,
#: or the one it was forked from, hashed equal to their recorded digest.
_HASHED: dict[tuple[int, int], tuple[int, int, int, str]] = {}


class NotAsRecorded(Exception):
    """A file's bytes do not hash to the digest recorded for it; its argument is the file's
    name as given (relative to its folder)."""


@contextmanager
def checked_bytes(
    root: Path, relative: str, digest: str | None
) -> Iterator[BinaryIO | pa.BufferReader]:
    """A source of the bytes of `root / relative` for pyarrow, open while inside: the file itself
    when this process hashed it unchanged already, else its bytes read whole and hashed (then
    parsed from memory: the bytes parsed are the bytes hashed). Raises NotAsRecorded(relative)
    when they do not hash to `digest` (None: no digest recorded, never equal)."""
    with (root / relative).open("rb") as handle:
        status = os.fstat(handle.fileno())
        key = (status.st_dev, status.st_ino)
        seen = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, digest)
        if digest is not None and _HASHED.get(key) == seen:
            yield handle
            return
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != digest:
        raise NotAsRecorded(relative)
    _HASHED[key] = seen
    yield pa.BufferReader(data)
