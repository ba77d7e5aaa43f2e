"""Which text encoding a CSV export uses: UTF-8 (with or without BOM) or GBK/GB18030, nothing else.

Chinese billing systems export GBK; modern tools export UTF-8, Excel adds a BOM. GB18030 is a
superset of GBK, so GBK files are decoded as GB18030. Any other encoding (UTF-16, Latin-1, binary)
is refused with the place where decoding failed rather than guessed: a wrong guess would silently
corrupt names and addresses.
"""

from __future__ import annotations

import codecs
import csv
import mmap
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SAMPLE_BYTES = 1 << 20
_SCAN_CHUNK = 1 << 24
_EXPECTED = "text encoded as UTF-8 or GBK/GB18030"
#: What a byte-order mark inside a file means: an export was joined onto another.
BOM_EXPECTED = "a byte-order mark only at the start of the file"
BOM_JOINED = "(files joined together? Keep one export per file)"
#: What a UTF-8 byte-order mark at the start of a file promises.
_MARKED_UTF8 = "text in UTF-8 after a UTF-8 byte-order mark"
#: What a file whose text decodes both as UTF-8 and as GBK must let the reader tell.
ONE_READING = "text whose encoding can be told, UTF-8 or GBK/GB18030"
_ONE_ENCODING = "text in one encoding throughout, UTF-8 or GBK/GB18030"
_ONE_EXPORT = "(files joined together? Keep one export per file, in one encoding)"

# Longer marks first: the UTF-32 LE mark starts with the UTF-16 LE one.
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


# The bytes of a CJK character (U+4E00-U+9FFF) in UTF-8, and a line of valid UTF-8 (RFC 3629),
# matched on bytes (Arrow matches binary data byte by byte).
_UTF8_CJK = rb"[\xe4-\xe9][\x80-\xbf][\x80-\xbf]"
# A run of bytes other than ASCII: the text of a line that an encoding decides.
_NON_ASCII = re.compile(rb"[\x80-\xff]+")
_UTF8_LINE = (
    rb"^(?:[\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]"
    rb"|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})*$"
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


@dataclass(frozen=True)
class MisreadMark:
    """A UTF-8 byte-order mark read as text at the start of a name: how it was read, the rest."""

    read_as: str
    rest: str


def misread_mark(name: str) -> MisreadMark | None:
    """The UTF-8 byte-order mark at the start of `name` as a reader left it there, None when
    there is none: the character U+FEFF itself, the mark decoded as GBK/GB18030 (`锘` and a
    character joining its last byte to the name's first: `锘縱alid_to`) or as Latin-1 or
    Windows-1252 (`ï»¿`). No column name starts so: its column would pass for an extra one."""
    if name.startswith("\ufeff"):
        return MisreadMark("a byte-order mark (U+FEFF)", name[1:])
    if name.startswith("ï»¿"):
        return MisreadMark("the UTF-8 byte-order mark read as Latin-1 ('ï»¿')", name[3:])
    as_gb18030 = name.encode("gb18030", errors="replace")
    if as_gb18030.startswith(codecs.BOM_UTF8):
        rest = as_gb18030[len(codecs.BOM_UTF8) :].decode("gb18030", errors="replace")
        return MisreadMark("the UTF-8 byte-order mark read as GBK/GB18030", rest)
    return None


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
    utf8_failure = _failure_in(head, "utf-8")
    if utf8_failure is None:
        return UTF8_BOM if head.startswith(codecs.BOM_UTF8) else UTF8
    if head.startswith(codecs.BOM_UTF8):  # marked UTF-8, yet not: the whole file says where
        return scan_encoding(path)
    if _failure_in(head, "gb18030") is None:
        _refuse_utf8_rows(path, utf8_failure)
        return GB18030
    return scan_encoding(path)


def scan_encoding(path: Path) -> Encoding:
    """Decode the whole file to decide between UTF-8 and GB18030; raise EncodingFailure if neither.

    Used when the fast guess turned out wrong (e.g. an ASCII head and GBK text further down).
    A file starting with the UTF-8 byte-order mark is UTF-8 or refused, never read as GB18030
    (which would read the mark as part of the first column's name: `锘縱alid_to`).
    """
    marked = _starts_with(path, codecs.BOM_UTF8)
    utf8_failure = _first_failure(path, "utf-8")
    if utf8_failure is None:
        return UTF8_BOM if marked else UTF8
    if marked and _ascii_between(path, len(codecs.BOM_UTF8), utf8_failure[0]):
        raise _marked_but_not_utf8(path, *utf8_failure)
    gb18030_failure = _first_failure(path, "gb18030")
    if gb18030_failure is None:
        _refuse_utf8_rows(path, utf8_failure[0])
        if marked:  # UTF-8 text after the mark, then text GB18030 reads: GBK joined on
            raise _gbk_from_here(path, utf8_failure[0])
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
    if _broken_utf8_row(path, utf8_failure[0]):
        offset, bad_bytes = utf8_failure
        found = f"bytes {bad_bytes!r} at byte offset {offset} that are neither UTF-8 nor GBK"
        raise EncodingFailure(_line_in_file(path, offset), found + " (the text before is UTF-8)")
    # the encoding that decoded further is the file's: a GBK export with a bad byte late fails
    # UTF-8 at its first Chinese character, which says nothing of where the file broke
    offset, bad_bytes = max(utf8_failure, gb18030_failure, key=lambda failure: failure[0])
    found = f"bytes {bad_bytes!r} at byte offset {offset} that are neither UTF-8 nor GBK"
    if gb18030_failure[0] > utf8_failure[0]:  # GBK text before them, which UTF-8 is not
        found += " (the text before them is GBK/GB18030: a row in another encoding joined on?)"
    raise EncodingFailure(_line_in_file(path, offset), found)


@dataclass(frozen=True)
class Ambiguity:
    """The first text of a file that reads both as UTF-8 and as GBK/GB18030: its row and cell
    (cut by the CSV's quoting) as written, in each reading."""

    row: int
    as_utf8: str
    as_gbk: str


def ambiguity(path: Path) -> Ambiguity | None:
    """The first ambiguous text of an unmarked file read as UTF-8, None when its encoding is
    plain.

    GBK characters of lead byte C2-DF and trail A1-BF (学校, 平遥) are two-byte UTF-8 characters
    too (ѧУ, ƽң), and so are accented Latin, Greek and Cyrillic in UTF-8 (José reads Jos茅 in
    GBK). A file is ambiguous only when its text other than ASCII is two-byte UTF-8 characters
    alone and the whole file decodes as GB18030 as well: a three-byte character (a CJK one,
    U+3000-U+9FFF or U+FF00-U+FFEF, which GBK text never lines up as throughout, or a symbol
    like €) makes it UTF-8. Such a file always decodes as GB18030: ASCII is ASCII in both, and
    every pair of a lead C2-DF and a trail 80-BF is a GB18030 character. The bytes are looked at
    once at memory speed; only a candidate is checked in full, by Arrow's UTF-8 validation.
    """
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            return None
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            view = np.frombuffer(data, dtype=np.uint8)
            top = int(view.max())
            del view  # the buffer export must end before the map closes
            if not 0x80 <= top < 0xE0:  # ASCII alone, or a character of three bytes or more
                return None
            first = _NON_ASCII.search(data)
            line_start = max(
                data.rfind(b"\n", 0, first.start()), data.rfind(b"\r", 0, first.start())
            )
            line_ends = [
                end
                for end in (data.find(b"\n", first.end()), data.find(b"\r", first.end()))
                if end >= 0
            ]
            line = data[line_start + 1 : min(line_ends, default=len(data))]
    if not _is_utf8(path):  # read as GBK, or refused, where the reader finds it fails
        return None
    # the cell as the CSV's quoting cuts it ("José, Müller" is one cell): its first not ASCII
    text = line.decode("utf-8")
    try:
        fields = next(csv.reader([text]))
    except csv.Error:  # a field over the csv module's 128 KiB: the line stands for its cell
        fields = [text]
    cell = next(field for field in fields if not field.isascii())
    return Ambiguity(
        _line_in_file(path, first.start()), cell, cell.encode("utf-8").decode("gb18030")
    )


def _is_utf8(path: Path) -> bool:
    """Whether the whole non-empty file is valid UTF-8, checked by Arrow (0.3 s for 200 MB)."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
        text = pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data))
        try:
            text.validate(full=True)
        except pa.ArrowInvalid:
            return False
        finally:
            del text  # the buffer export must end before the map closes
    return True


def plain_encoding(path: Path) -> Encoding | None:
    """The encoding `path`'s text other than ASCII tells by itself (UTF-8, marked or not, or
    GBK/GB18030), None when it holds none, is ambiguous (`ambiguity`) or is refused.

    The whole file is evidence, not the first MiB `sniff_encoding` reads: a GBK bills file
    ASCII in its head (张三 further down) is GBK, or an ambiguous tariffs file beside it would
    be read as UTF-8 (学校 as ѧУ)."""
    try:
        encoding = sniff_encoding(path)
    except EncodingFailure:
        return None
    if encoding is GB18030:
        return GB18030
    text_start = len(codecs.BOM_UTF8) if encoding is UTF8_BOM else 0
    if _ascii_between(path, text_start, path.stat().st_size):
        return None
    if not _is_utf8(path):  # UTF-8 in its head only: the whole file decides
        try:
            return scan_encoding(path)
        except EncodingFailure:
            return None
    if encoding is UTF8 and ambiguity(path) is not None:
        return None
    return UTF8


def agreed_encoding(paths: Iterable[Path]) -> Encoding | None:
    """The one encoding the CSV files among `paths` whose text tells it by itself
    (`plain_encoding`) are in, None when none tells or they disagree: an ambiguous file of the
    same dataset is read so, as a billing system exports every table alike."""
    told = {
        encoding.codec
        for path in paths
        if path.suffix.lower() == ".csv" and (encoding := plain_encoding(path)) is not None
    }
    if told == {"gb18030"}:
        return GB18030
    return UTF8 if told == {"utf-8"} else None


def _broken_utf8_row(path: Path, offset: int) -> bool:
    """Whether the file is UTF-8 up to `offset`, where UTF-8 fails, with a stray byte in that
    row rather than a row in GBK: text other than ASCII before it (valid UTF-8 other than ASCII
    is no accident) and a row that GB18030 does not decode either. GB18030 takes almost any
    pair of bytes as a character, so it may decode past the stray byte (a Latin-1 ü before an
    l) and fail only on a later UTF-8 character: which encoding decoded further says nothing
    here."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        before = np.frombuffer(data, dtype=np.uint8, count=offset)
        if not offset or before.max() < 0x80:
            del before  # the buffer export must end before the map closes
            return False
        del before
        row_start = max(data.rfind(b"\n", 0, offset), data.rfind(b"\r", 0, offset)) + 1
        row_ends = [
            found for found in (data.find(b"\n", offset), data.find(b"\r", offset)) if found >= 0
        ]
        row = data[row_start : min(row_ends, default=len(data))]
    try:
        row.decode("gb18030")  # the whole row: a character cut at its end is a failure too
    except UnicodeDecodeError:
        return True
    return False


def _refuse_utf8_rows(path: Path, utf8_failure: int | None = None) -> None:
    """Raise EncodingFailure at the first line of a GB18030 file that is UTF-8 with Chinese in it:
    an export joined onto another without a byte-order mark, whose text would load as mojibake
    (城南 as 鍩庡崡, a district of its own). When such lines come before `utf8_failure`, the
    offset where UTF-8 first fails, the file is UTF-8 joined by GBK there: named at that row.

    GBK text is rarely valid UTF-8 holding a CJK character (its two-byte characters would
    have to line up as UTF-8's three-byte ones across the whole line), and when it is (a rare
    name, 濮鸿波), it reads as rare characters in UTF-8: a line is taken for UTF-8 only when it
    reads as more common Chinese so than in GBK (`_reads_better_as_utf8`). Lines are checked by
    Arrow's regular expressions in chunks, no Python per line: lines holding a UTF-8 CJK
    character's bytes first, then whether those are valid UTF-8 throughout; only those are read.
    """
    joined: list[int] = []
    with path.open("rb") as handle:
        start, carry = 0, b""
        while chunk := handle.read(_SCAN_CHUNK):
            block = carry + chunk
            cut = max(block.rfind(b"\n"), block.rfind(b"\r")) + 1 or len(block)
            joined += [start + offset for offset in _utf8_line_starts(block[:cut])]
            if len(joined) > 1:
                break
            start, carry = start + cut, block[cut:]
        else:
            joined += [start + offset for offset in _utf8_line_starts(carry)]
    if not joined:
        return
    if utf8_failure is not None and joined[0] < utf8_failure:
        raise _gbk_from_here(path, utf8_failure)
    more = " and in later rows" if len(joined) > 1 else ""
    raise EncodingFailure(
        _line_in_file(path, joined[0]),
        f"text in UTF-8 in this row{more} of a file read as GBK/GB18030 {_ONE_EXPORT}",
        expected=_ONE_ENCODING,
    )


def _gbk_from_here(path: Path, offset: int) -> EncodingFailure:
    """The failure of a file in UTF-8 up to `offset`, where text in GBK/GB18030 begins."""
    return EncodingFailure(
        _line_in_file(path, offset),
        f"text in GBK/GB18030 from this row on, in a file in UTF-8 before it {_ONE_EXPORT}",
        expected=_ONE_ENCODING,
    )


def _marked_but_not_utf8(path: Path, offset: int, bad_bytes: bytes) -> EncodingFailure:
    """The failure of a file whose UTF-8 byte-order mark is followed by text in another encoding
    (a GBK export a tool marked as UTF-8): named at row 1, where the mark is, with the first
    bytes that are not UTF-8. Read as GB18030 the mark would join the first column's name."""
    return EncodingFailure(
        1,
        f"a UTF-8 byte-order mark on text that is not UTF-8: bytes {bad_bytes!r} at byte offset "
        f"{offset} (row {_line_in_file(path, offset)}) are not UTF-8 (GBK text marked as UTF-8? "
        "Save the file as UTF-8, or as GBK without the mark)",
        expected=_MARKED_UTF8,
    )


def _starts_with(path: Path, prefix: bytes) -> bool:
    """Whether the file's first bytes are `prefix`."""
    with path.open("rb") as handle:
        return handle.read(len(prefix)) == prefix


def _ascii_between(path: Path, start: int, end: int) -> bool:
    """Whether the file's bytes from `start` to `end` are all ASCII (at memory speed)."""
    if end <= start:
        return True
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        between = np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
        ascii_only = bool(between.max() < 0x80)
        del between  # the buffer export must end before the map closes
    return ascii_only


def _utf8_line_starts(block: bytes) -> list[int]:
    """Offsets in `block` of (at most two) lines that are valid UTF-8 holding a CJK character
    and read as more common Chinese so than in GBK (`_reads_better_as_utf8`)."""
    if not block:
        return []
    bytes_ = np.frombuffer(block, dtype=np.uint8)
    if bytes_.max() < 0xE4:  # no lead byte of a CJK character in UTF-8 (fast for ASCII)
        return []
    ends = np.flatnonzero((bytes_ == 10) | (bytes_ == 13))
    starts = np.concatenate(([0], ends + 1))
    offsets = np.append(starts, len(block)) if starts[-1] < len(block) else starts
    lines = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(),
        len(offsets) - 1,
        [None, pa.py_buffer(offsets.astype(np.int64)), pa.py_buffer(block)],
    )
    candidates = np.flatnonzero(
        pc.match_substring_regex(lines, _UTF8_CJK).to_numpy(zero_copy_only=False)
    )
    if not candidates.size:
        return []
    valid = pc.match_substring_regex(lines.take(pa.array(candidates)), _UTF8_LINE)
    found: list[int] = []
    judged: dict[bytes, bool] = {}  # a rare name repeated on many lines is judged once
    for position in candidates[valid.to_numpy(zero_copy_only=False)].tolist():
        start, end = int(offsets[position]), int(offsets[position + 1])
        text = b"\n".join(_NON_ASCII.findall(block, start, end))
        if text not in judged:
            judged[text] = _reads_better_as_utf8(text)
        if judged[text]:
            found.append(start)
            if len(found) == 2:
                break
    return found


def _reads_better_as_utf8(text: bytes) -> bool:
    """Whether bytes valid as UTF-8 read as more common Chinese in UTF-8 than in GBK/GB18030.

    A short GBK text may be valid UTF-8 by chance (濮鸿波 is 姺貨 in UTF-8): its characters are
    then few and rare. Chinese text of either reading is made of GB2312's characters (its 6,763
    common hanzi and its punctuation) nearly always; the other reading of the same bytes holds
    mostly characters outside it (张伟 in UTF-8 reads 寮犱紵 in GBK, two of three outside).
    """
    return _common_share(text.decode("utf-8")) > _common_share(
        text.decode("gb18030", errors="replace")
    )


def _common_share(text: str) -> float:
    """The share of `text`'s characters (line breaks aside) that GB2312 holds."""
    characters = [character for character in text if character != "\n"]
    common = 0
    for character in characters:
        try:
            character.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common / len(characters) if characters else 0.0


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


def _failure_in(sample: bytes, codec: str) -> int | None:
    """Offset where `sample` fails to decode, None when it decodes (a multi-byte character cut
    at the sample's end allowed)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError as error:
        return error.start
    return None


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
