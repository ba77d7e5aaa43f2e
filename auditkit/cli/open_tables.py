"""Say on stderr, the same way for every command, which tables of a dataset folder an office
program has open and which lock files were skipped: whoever starts the command can still save
and close them first."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditkit.data.problems import Problem


def say_open_tables(command: str, folder: Path, warnings: Iterable[Problem] | None = None) -> None:
    """Print `auditkit <command>: <folder>: <warning>` for each lock-file warning of `folder`:
    `warnings` when the command read the folder itself, else `folder_lock_warnings(folder)`."""
    from auditkit.data.intake import folder_lock_warnings
    from auditkit.data.problems import shown_path

    for warning in folder_lock_warnings(folder) if warnings is None else warnings:
        print(f"auditkit {command}: {shown_path(folder)}: {warning}", file=sys.stderr)
