"""A small table a user hands a command as CSV (a sample's population frame, the last round of a
cross-audit, a findings file): decoded as the dataset reader decodes an export (UTF-8, with or
without a byte-order mark, or GBK/GB18030), and refused whole, naming the file and row, where
pandas would raise a traceback or quietly read something else: an empty file, a quote left open,
a row with more fields than the header names (pandas would take its first field as the row's
index and shift every column)."""

from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from auditkit.data.encoding import Encoding, EncodingFailure, scan_encoding, sniff_encoding
from auditkit.data.problems import Problem
from auditkit.errors import AuditkitError

_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


class SideTableError(AuditkitError, ValueError):
    """A CSV table given to a command cannot be read whole; the message names the file, the
    row where one is at fault, what was expected and what was found."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def read_side_csv(path: Path, **options: Any) -> pd.DataFrame:
    """The CSV table at `path` (`options` go to `pandas.read_csv`: dtype, na_filter), every
    row's fields under the header's names, or a SideTableError."""
    try:
        try:
            return _read(path, sniff_encoding(path), options)
        except UnicodeDecodeError:  # the first megabyte's guess fails further on
            return _read(path, scan_encoding(path), options)
    except EncodingFailure as failure:
        raise SideTableError(
            Problem(path.name, failure.row, None, failure.expected, failure.found)
        ) from None


def _read(path: Path, encoding: Encoding, options: dict[str, Any]) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            return pd.read_csv(path, encoding=encoding.codec, index_col=False, **options)
        except pd.errors.EmptyDataError:
            problem = Problem(path.name, None, None, "a header row naming the columns", "none")
        except pd.errors.ParserWarning:  # a first row longer than the header
            problem = _longer_row(path, encoding)
        except pd.errors.ParserError as error:
            problem = _parse_problem(path.name, str(error))
    raise SideTableError(problem)


def _parse_problem(name: str, message: str) -> Problem:
    """The Problem of a pandas ParserError: its row (the file's line, the header row 1)."""
    fields = _FIELDS.search(message)
    if fields:
        expected, row, found = fields.groups()
        return _too_many(name, int(row), int(expected), int(found))
    quote = _OPEN_QUOTE.search(message)
    if quote:  # pandas counts the file's lines from 0 here
        return Problem(
            name,
            int(quote.group(1)) + 1,
            None,
            'a quote (") closed before the file ends',
            "a quote opened here and never closed",
        )
    return Problem(name, None, None, "a CSV table", message.strip())


def _longer_row(path: Path, encoding: Encoding) -> Problem:
    """The first row with more fields than the header (pandas says none)."""
    with path.open(encoding=encoding.codec, newline="") as handle:
        text = handle.read().removeprefix("\ufeff")
    rows = csv.reader(io.StringIO(text))
    header = len(next(rows))
    for line, row in enumerate(rows, start=2):
        if len(row) > header:
            return _too_many(path.name, line, header, len(row))
    return Problem(path.name, None, None, "every row as long as the header", "a longer row")


def _too_many(name: str, row: int, expected: int, found: int) -> Problem:
    return Problem(
        name, row, None, f"at most {expected} fields, one per column the header names", str(found)
    )
