"""Memory reuse inside the local engine's worker processes.

A part's rules make and drop arrays of millions of rows one after another. By default each large
array is fresh memory from the kernel, which clears it page by page and takes it back when the
array is dropped: at a million customers the kernel's page clearing alone was a tenth of the run's
CPU (`clear_page_erms` in `perf`). A worker therefore keeps the memory it freed for its next
arrays: Arrow allocates from the C allocator (not its own pool, which returns freed pages at
once), and glibc's allocator is told to serve large blocks from its heap and keep what is freed.
A worker running parts thus holds the high-water mark of the parts it ran (parts are of about
one size: the next reuses it); after a task much larger than a part the worker gives the freed
memory back (`malloc_trim`, `local.Task.gives_back_memory`).

Workers also ask for ordinary pages: numpy marks every array of 4 MB or more for 2 MB pages
(`madvise(MADV_HUGEPAGE)`), and where the kernel must compact memory to find one (THP `defrag`
set to `madvise`, its usual default) the worker waits for it on first touch. At a million
customers the workers' kernel time was 9.7 s with the marks and 4.5-5.4 s without (user time the
same); a worker reuses its heap, so the pages are touched once. A NUMPY_MADVISE_HUGEPAGE the user
set is kept.

The settings are best-effort: outside glibc (macOS, Windows, musl) only Arrow's pool changes,
and a glibc that refuses a value keeps its default for it.
"""

from __future__ import annotations

import ctypes
import os
from functools import cache

import pyarrow as pa

#: glibc's `mallopt` parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the allocator's heap rather than a mapping of their own
#: (glibc's default moves between 128 KiB and 32 MiB; a part's columns are 1-100 MB).
HEAP_BLOCKS_UP_TO = 2**30
#: Freed memory at the top of the heap kept up to this size (glibc: 128 KiB; a C int).
KEPT_FREED = 2**31 - 1


@cache
def _glibc() -> ctypes.CDLL | None:
    """The C library this process runs on when it is glibc, else None."""
    try:
        library = ctypes.CDLL(None)
    except OSError:  # no C library to open (Windows)
        return None
    if not all(hasattr(library, name) for name in ("gnu_get_libc_version", "mallopt")):
        return None
    library.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    library.malloc_trim.argtypes = [ctypes.c_size_t]
    return library


def keep_freed_memory() -> None:
    """In a worker process, at its start: reuse freed memory instead of fresh pages, and take
    fresh ones as ordinary pages."""
    pa.set_memory_pool(pa.system_memory_pool())
    _ordinary_pages()
    library = _glibc()
    if library is not None:
        library.mallopt(M_MMAP_THRESHOLD, HEAP_BLOCKS_UP_TO)
        library.mallopt(M_TRIM_THRESHOLD, KEPT_FREED)


def _ordinary_pages() -> None:
    """numpy's hint for 2 MB pages off, through numpy's own switch (NUMPY_MADVISE_HUGEPAGE is
    read once, at import: before the fork); left alone where the user set that variable, or
    where a numpy has no such switch."""
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:
        return
    _set_madvise_hugepage(False)


def give_back_freed_memory() -> None:
    """After a task: return the memory freed during it to the system."""
    library = _glibc()
    if library is not None:
        library.malloc_trim(0)
