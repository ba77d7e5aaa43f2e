"""`auditkit validate DIR`: check a dataset folder against the contract and list every problem."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditkit.errors import ParameterError

DEFAULT_PER_KIND = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `validate` subcommand."""
    parser = subparsers.add_parser(
        "validate",
        help="check a dataset folder and list every problem",
        description=(
            "Check every table of a dataset folder (types, required columns, allowed values, "
            "ranges, unique keys, references, billed kWh) and print each problem as file, row, "
            "column, what was expected and what was found, then a summary. Exit status: 0 when "
            "there are no errors (warnings allowed), 1 when there are errors, 2 when the folder "
            "does not exist."
        ),
    )
    # text, not a Path: Path("") is the current folder, and an empty DIR must be refused as one
    parser.add_argument("directory", metavar="DIR", help="the dataset folder")
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_PER_KIND,
        metavar="N",
        help=f"rows shown per file, column and kind of problem (default {DEFAULT_PER_KIND})",
    )
    parser.add_argument(
        "--all", action="store_true", help="show every problem instead of N per kind"
    )
    parser.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Print the problems of `args.directory` and a summary; return the exit status."""
    from auditkit.data import count_problems, format_problems
    from auditkit.data.loader import validate_with_rows

    if args.limit < 1:
        raise ParameterError("--limit", "a whole number ≥ 1", args.limit)
    if not args.directory:  # a path left empty (an unset variable) names no folder, not "."
        raise ParameterError("DIR", "a dataset folder's path, not an empty one", args.directory)
    folder = Path(args.directory)
    if not folder.is_dir():
        found = "a file" if folder.exists() else "no such folder"
        raise ParameterError("DIR", "a dataset folder", f"{folder} ({found})")
    problems, rows = validate_with_rows(folder)
    for line in format_problems(problems, per_kind=None if args.all else args.limit):
        print(line)
    for table, (file, count) in rows.items():  # a table that came out short shows here
        print(f"{table}: {count:,} row{'s' if count != 1 else ''} read from {file}")
    print(count_problems(problems))
    return 1 if any(problem.severity == "error" for problem in problems) else 0
