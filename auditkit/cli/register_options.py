"""The register options shared by the commands that record or read the findings register."""

from __future__ import annotations

import argparse

DB_HELP = (
    "the register's database (sqlite:///FILE or postgresql://USER@HOST/NAME; default "
    "AUDITKIT_DB, else outputs/register.sqlite)"
)


def add_db_option(parser: argparse.ArgumentParser, implies_register: bool = False) -> None:
    """--db URL; with `implies_register`, giving it also turns --register on."""
    parser.add_argument(
        "--db",
        metavar="URL",
        help=DB_HELP + ("; implies --register" if implies_register else ""),
    )


def add_register_options(parser: argparse.ArgumentParser, records: str) -> None:
    """--register (recording `records` in the register) and --db, which implies it."""
    parser.add_argument(
        "--register", action="store_true", help=f"record {records} in the findings register"
    )
    add_db_option(parser, implies_register=True)
