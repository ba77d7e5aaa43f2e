"""Workbooks returned from the field given on the command line (`register import`'s worklists,
`sample evaluate`'s field sheet): the lock files an office program keeps beside a workbook it has
open are skipped with a warning (a shell's `returned/*.xlsx` matches `~$worklist-城东.xlsx`), and
a workbook open right now is read as last saved with a loud warning, the same way in every
command."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditkit.errors import ParameterError


@dataclass(frozen=True)
class ReturnedUse:
    """How a command speaks of the returned workbooks it reads, in its warnings and errors."""

    command: str  # who warns: 'auditkit register import'
    parameter: str  # the argument naming the workbooks: 'SHEET', '--sheet'
    expected: str  # what the argument takes: 'a returned worklist sheet (.xlsx)'
    done: str  # what the command does to a sheet, past tense: 'imported'
    then: str  # what to do once an open sheet is saved and closed: 'import it'
    again: str = ""  # what doing it again does, for the open-sheet warning: ' (rows ...)'


def without_lock_files(paths: Sequence[Path], use: ReturnedUse) -> list[Path]:
    """The sheets among `paths`: each lock file an office program keeps beside a workbook it has
    open is left out, with a warning naming its workbook; only lock files is a ParameterError
    naming `use.parameter`."""
    from auditkit.workbooks import lock_file, lock_said

    sheets, locks = [], []
    for path in paths:
        lock = lock_file(path)
        if lock is None:
            sheets.append(path)
            continue
        locks.append(path.name)
        said = lock_said(lock, use.then)
        print(f"{use.command}: warning: {path} skipped, not a sheet: {said}", file=sys.stderr)
    if not sheets:
        raise ParameterError(use.parameter, f"{use.expected} besides lock files", ", ".join(locks))
    return sheets


def warn_if_open(sheet: Path, use: ReturnedUse) -> None:
    """Say loudly that a sheet a program has open is read as last saved: the edits not saved yet
    are not in the file, and reading it again once it is closed takes them."""
    from auditkit.workbooks import open_locks, open_said

    locks = open_locks(sheet)
    if locks:
        print(
            f"{use.command}: warning: {sheet} is {open_said(locks)}: {use.done} as last saved, WITHOUT the edits not saved yet; save and close it, then "
            f"{use.then} again{use.again}",
            file=sys.stderr,
        )
