"""Content hash of a typed table, identical whatever file format or encoding the table came from.

The hash covers the canonical columns present (in contract order, with their names and kinds),
the row count and every value in row order, serialized canonically: numbers as IEEE-754 float64
(−0.0 folded into 0.0), integers as int64, booleans as bytes, dates as days since 1970-01-01,
date-times as microseconds since 1970-01-01 00:00, text as UTF-8 with int64 lengths, and a missing-value bitmap per column; missing cells are zero.
Extra columns outside the contract are not hashed: the audit never reads them, and their types
depend on the file format.

sha256 is slow on machines without SHA instructions (≈ 300 MB/s), so each column is cut into
blocks of `BLOCK_ROWS` rows, blocks are hashed in parallel threads, and the table digest is the
sha256 of the header and the ordered block digests (a two-level hash tree). The block size is fixed,
so the digest depends on the content only, never on the number of threads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditkit.data.schema import TableSpec
from auditkit.data.threads import GIL_FREE_THREADS

HASH_VERSION = "auditkit-table-hash-v1"
BLOCK_ROWS = 1 << 20

_Block = tuple[memoryview | bytes, ...]


def file_digests(root: Path, relatives: Iterable[str]) -> dict[str, str]:
    """sha256 hex digest of each file's bytes (paths relative to `root`), files hashed in
    parallel threads (hashlib releases the GIL on large buffers: ~1.5 GB/s a core with SHA
    instructions, a tenth of what reading and typing the same files costs)."""
    relatives = list(relatives)

    def digest(relative: str) -> str:
        with (root / relative).open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()

    with ThreadPoolExecutor(max_workers=GIL_FREE_THREADS) as pool:
        return dict(zip(relatives, pool.map(digest, relatives), strict=True))


@cache
def checks_version() -> str:
    """Digest of what typing and checking a table depends on besides its bytes: the source of
    the `auditkit.data` modules and the pandas, pyarrow and numpy versions. Checks recorded
    under another version are never trusted (a changed check runs again)."""
    import auditkit.data as data_package

    digest = hashlib.sha256(f"{HASH_VERSION} {pd.__version__} {pa.__version__} ".encode())
    digest.update(np.__version__.encode())
    for source in sorted(Path(data_package.__file__).parent.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def table_hash(frame: pd.DataFrame, spec: TableSpec) -> str:
    """sha256 hex digest of the canonical content of `frame` (a typed table of `spec`)."""
    header = [f"{HASH_VERSION}\n{spec.name}\n{len(frame)}\n".encode()]
    blocks: list[_Block] = []
    block_counts: list[int] = []
    for column in spec.columns:
        if column.name not in frame:
            continue
        header.append(f"{column.name}:{column.kind}\n".encode())
        column_blocks = list(_column_blocks(frame[column.name], column.kind))
        blocks.extend(column_blocks)
        block_counts.append(len(column_blocks))
    with ThreadPoolExecutor(max_workers=GIL_FREE_THREADS) as pool:
        digests = list(pool.map(_block_digest, blocks))
    table = hashlib.sha256()
    for part in header:
        table.update(part)
    table.update(np.asarray(block_counts, dtype="<i8").tobytes())
    for digest in digests:
        table.update(digest)
    return table.hexdigest()


def _block_digest(block: _Block) -> bytes:
    digest = hashlib.sha256()
    for part in block:
        digest.update(part)  # hashlib releases the GIL on large buffers: blocks hash in parallel
    return digest.digest()


def _column_blocks(series: pd.Series, kind: str) -> Iterator[_Block]:
    """The column's canonical bytes, one tuple of buffers per block of BLOCK_ROWS rows."""
    missing = series.isna().to_numpy()
    rows = len(series)
    if kind in ("text", "period"):
        lengths, data, offsets = _text_buffers(series)
        for start in range(0, max(rows, 1), BLOCK_ROWS):
            stop = min(start + BLOCK_ROWS, rows)
            body = data[int(offsets[start]) : int(offsets[stop])]
            yield (np.packbits(missing[start:stop]).tobytes(), lengths[start:stop].data, body)
        return
    values = _fixed_width(series, kind, missing)
    for start in range(0, max(rows, 1), BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, rows)
        yield (np.packbits(missing[start:stop]).tobytes(), values[start:stop].data)


def _fixed_width(series: pd.Series, kind: str, missing: np.ndarray) -> np.ndarray:
    """Little-endian fixed-width values of a non-text column, missing cells as zero."""
    if kind == "number":
        return series.to_numpy(dtype="<f8", na_value=0.0) + 0.0  # + 0.0 folds −0.0 into 0.0
    if kind == "integer":
        return series.to_numpy(dtype="<i8", na_value=0)
    if kind == "bool":
        return series.to_numpy(dtype=bool).astype(np.uint8)
    stamps = series.to_numpy(dtype="datetime64[us]")
    if kind == "date":
        stamps = stamps.astype("datetime64[D]")
    ticks = stamps.astype("<i8")
    ticks[missing] = 0
    return ticks


def _text_buffers(series: pd.Series) -> tuple[np.ndarray, memoryview, np.ndarray]:
    """int64 lengths, the UTF-8 bytes of all values, and offsets into them (missing = empty)."""
    text = pc.fill_null(pa.array(series, type=pa.large_string(), from_pandas=True), "")
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    _, offset_buffer, data = text.buffers()
    if offset_buffer is None:
        return np.zeros(0, dtype="<i8"), memoryview(b""), np.zeros(1, dtype="<i8")
    offsets = np.frombuffer(offset_buffer, dtype="<i8")[text.offset : text.offset + len(text) + 1]
    base = int(offsets[0])
    body = memoryview(data)[base:] if data is not None else memoryview(b"")
    return np.diff(offsets).astype("<i8"), body, offsets - base
