"""Memory reuse inside the local engine's worker processes.

A part's rules make and drop arrays of millions of rows one after another. By default each large
array is fresh memory from the kernel, which clears it page by page and takes it back when the
array is dropped: at a million customers the kernel's page clearing alone was a tenth of the run's
CPU (`clear_page_erms` in `perf`). A worker therefore keeps the memory it freed for its next
arrays: Arrow allocates from the C allocator (not its own pool, which returns freed pages at
once), and glibc's allocator is told to serve large blocks from its heap and keep what is freed.
Between tasks the worker gives the freed memory back (`malloc_trim`), so that what it holds
between tasks stays what the pool's memory budget counts on: the memory of the tasks running.

Nothing changes outside glibc (macOS, Windows, musl): the calls are skipped where the C
library does not have them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

import pyarrow as pa

#: glibc's `mallopt` parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the allocator's heap rather than a mapping of their own
#: (glibc's default moves between 128 KiB and 32 MiB; a part's columns are 1-100 MB).
HEAP_BLOCKS_UP_TO = 2**30
#: Freed memory at the top of the heap kept up to this size within a task (glibc: 128 KiB).
KEPT_WHILE_RUNNING = 2**31


@cache
def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has `mallopt` and `malloc_trim`), else None."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    library = ctypes.CDLL(name)
    if not (hasattr(library, "mallopt") and hasattr(library, "malloc_trim")):
        return None
    return library


def keep_freed_memory() -> None:
    """In a worker process, at its start: reuse freed memory instead of fresh pages."""
    pa.set_memory_pool(pa.system_memory_pool())
    library = _glibc()
    if library is not None:
        library.mallopt(M_MMAP_THRESHOLD, HEAP_BLOCKS_UP_TO)
        library.mallopt(M_TRIM_THRESHOLD, KEPT_WHILE_RUNNING)


def give_back_freed_memory() -> None:
    """After a task: return the memory freed during it to the system."""
    library = _glibc()
    if library is not None:
        library.malloc_trim(0)
