"""The register options shared by the commands that record or read the findings register."""

from __future__ import annotations

import argparse

DB_HELP = (
    "the register's database (sqlite:///FILE or postgresql://USER@HOST/NAME; default "
    "AUDITKIT_DB, else outputs/register.sqlite)"
)


#: --db of the commands that look back at a run (verify, rerun): its manifest masks passwords.
RUN_DB_HELP = (
    "the URL, password included, of a findings register the run's reports read, whose password "
    "its manifest masks (default: AUDITKIT_RUN_DB or AUDITKIT_DB when one names that register)"
)


def add_db_option(
    parser: argparse.ArgumentParser, implies_register: bool = False, help_text: str = DB_HELP
) -> None:
    """--db URL, described by `help_text`; with `implies_register`, giving it also turns
    --register on."""
    parser.add_argument(
        "--db",
        metavar="URL",
        help=help_text + ("; implies --register" if implies_register else ""),
    )


def add_register_options(parser: argparse.ArgumentParser, records: str) -> None:
    """--register (recording `records` in the register) and --db, which implies it."""
    parser.add_argument(
        "--register", action="store_true", help=f"record {records} in the findings register"
    )
    add_db_option(parser, implies_register=True)
