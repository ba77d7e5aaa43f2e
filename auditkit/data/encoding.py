"""Which text encoding a CSV export uses: UTF-8 (with or without BOM) or GBK/GB18030, nothing else.

Chinese billing systems export GBK; modern tools export UTF-8, Excel adds a BOM. GB18030 is a
superset of GBK, so GBK files are decoded as GB18030. Any other encoding (UTF-16, Latin-1, binary)
is refused with the place where decoding failed rather than guessed: a wrong guess would silently
corrupt names and addresses.
"""

from __future__ import annotations

import codecs
import mmap
from dataclasses import dataclass
from pathlib import Path

SAMPLE_BYTES = 1 << 20
_SCAN_CHUNK = 1 << 24
_EXPECTED = "text encoded as UTF-8 or GBK/GB18030"
#: What a byte-order mark inside a file means: an export was joined onto another.
BOM_EXPECTED = "a byte-order mark only at the start of the file"
BOM_JOINED = "(files joined together? Keep one export per file)"

# Longer marks first: the UTF-32 LE mark starts with the UTF-16 LE one.
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


@dataclass(frozen=True)
class Encoding:
    """A detected encoding: the Python codec to decode with and the name shown to users."""

    codec: str
    label: str


UTF8 = Encoding("utf-8", "UTF-8")
UTF8_BOM = Encoding("utf-8", "UTF-8 with BOM")
GB18030 = Encoding("gb18030", "GBK/GB18030")


class EncodingFailure(Exception):
    """Internal signal: the bytes are in no accepted encoding; `.row` and `.found` locate it."""

    def __init__(self, row: int | None, found: str, expected: str = _EXPECTED) -> None:
        super().__init__(found)
        self.row = row
        self.found = found
        self.expected = expected


def sniff_encoding(path: Path) -> Encoding:
    """Guess the encoding from the first megabyte (fast path; `scan_encoding` confirms on failure).

    Raises EncodingFailure for a foreign byte-order mark, a NUL byte anywhere in the file, or a
    head that is neither UTF-8 nor GB18030.
    """
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    for bom, name in _FOREIGN_BOMS:
        if head.startswith(bom):
            raise EncodingFailure(1, f"a {name} byte-order mark (save the file as UTF-8)")
    _refuse_nul(path, head)
    if head.startswith(codecs.BOM_UTF8):
        return UTF8_BOM
    if _decodes(head, "utf-8"):
        return UTF8
    if _decodes(head, "gb18030"):
        return GB18030
    return scan_encoding(path)


def scan_encoding(path: Path) -> Encoding:
    """Decode the whole file to decide between UTF-8 and GB18030; raise EncodingFailure if neither.

    Used when the fast guess turned out wrong (e.g. an ASCII head and GBK text further down).
    """
    utf8_failure = _first_failure(path, "utf-8")
    if utf8_failure is None:
        return UTF8
    if _first_failure(path, "gb18030") is None:
        return GB18030
    joined = _find_in_file(path, codecs.BOM_UTF8, start=1)
    if joined is not None:  # e.g. a UTF-8 export with its mark appended to a GBK one
        with path.open("rb") as handle:
            handle.seek(joined - 1)
            at_row_start = handle.read(1) in (b"\n", b"\r")
        where = "at the start of this row" if at_row_start else f"at byte offset {joined}"
        raise EncodingFailure(
            _line_in_file(path, joined), f"one {where} {BOM_JOINED}", expected=BOM_EXPECTED
        )
    offset, bad_bytes = utf8_failure
    row = _line_in_file(path, offset)
    raise EncodingFailure(
        row, f"bytes {bad_bytes!r} at byte offset {offset} that are neither UTF-8 nor GBK"
    )


def _refuse_nul(path: Path, head: bytes) -> None:
    """Raise EncodingFailure at the first NUL byte: no text export holds one (a scan of the
    whole file, at memory speed)."""
    nul = head.find(b"\x00")
    if nul < 0 and len(head) == SAMPLE_BYTES:
        nul = _find_in_file(path, b"\x00", start=SAMPLE_BYTES)
    if nul is not None and nul >= 0:
        raise EncodingFailure(
            _line_in_file(path, nul),
            f"a NUL byte at byte offset {nul} (UTF-16 text or a binary file)",
        )


def _find_in_file(path: Path, needle: bytes, start: int) -> int | None:
    """Byte offset of the first `needle` at or after `start`, None when there is none."""
    with path.open("rb") as handle:
        if path.stat().st_size <= start:
            return None
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            found = mapped.find(needle, start)
    return found if found >= 0 else None


def _decodes(sample: bytes, codec: str) -> bool:
    """Whether `sample` decodes, allowing a multi-byte character cut at the sample's end."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _first_failure(path: Path, codec: str) -> tuple[int, bytes] | None:
    """Byte offset and bytes of the first decoding failure of `codec`, streaming; None if clean."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    position = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_SCAN_CHUNK)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                data = error.object
                return position - pending + error.start, bytes(data[error.start : error.end])
            if not chunk:
                return None
            position += len(chunk)


def _line_in_file(path: Path, offset: int) -> int:
    """1-based line number of byte `offset` in the file, counted in streaming chunks.

    Lines end with LF, CRLF or a lone CR (old Mac exports), as the CSV readers split them.
    """
    lines = 1
    remaining = offset
    after_cr = False
    with path.open("rb") as handle:
        while remaining > 0:
            chunk = handle.read(min(_SCAN_CHUNK, remaining))
            if not chunk:
                break
            lines += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
            if after_cr and chunk.startswith(b"\n"):
                lines -= 1  # a CRLF split between two chunks
            after_cr = chunk.endswith(b"\r")
            remaining -= len(chunk)
    return lines
