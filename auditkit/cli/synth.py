"""`auditkit synth`: write a synthetic utility with labelled irregularities."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from auditkit.errors import ParameterError
from auditkit.options import synth as options


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `synth` subcommand."""
    parser = subparsers.add_parser(
        "synth",
        help="generate a synthetic utility (demo and test data)",
        description=(
            "Generate a synthetic power-supply utility: customer archive, itemized monthly bills "
            "(time-of-use, tiers, basic charge, power-factor adjustment, losses, funds) and their "
            "lines, tariffs with price changes and monthly market prices, transformers, work orders, "
            "meter tests and events, adjustments, inspections, district supply, optional daily "
            "reads, injected irregularities listed in a `truth` table and honest look-alikes in a "
            "`lookalikes` table. Same parameters and seed, same bytes. The folder is replaced only "
            "once the new data is complete."
        ),
    )
    for name, default, metavar, help_text in _options():
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=type(default),
            default=default,
            metavar=metavar,
            help=help_text,
        )
    parser.add_argument(
        "--lookalike",
        action="append",
        default=[],
        metavar="KIND=SHARE",
        help=(
            "share of the eligible customers made into an honest look-alike of KIND, 0 to 1 "
            "(repeatable; default shares in auditkit.synth.lookalikes.DEFAULT_SHARES), e.g. "
            "multiplier_change_with_order=0.1"
        ),
    )
    parser.add_argument(
        "--format",
        choices=options.FORMATS,
        default="parquet",
        help="file format of the tables (default parquet; csv-gbk as Chinese billing systems export)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="dataset folder to write"
    )
    parser.set_defaults(func=run_synth)


def run_synth(args: argparse.Namespace) -> int:
    """Generate and write the dataset; print what was written and how long it took."""
    from auditkit import synth

    config = synth.SynthConfig(
        **{name: getattr(args, name) for name, *_ in _options()},
        lookalikes=_shares(args.lookalike),
    )
    try:
        config.check()
    except ParameterError as error:  # named as the flag the user typed
        name, _, kind = error.name.partition(".")
        flag = "--lookalike" if name == "lookalikes" else "--" + name.replace("_", "-")
        raise ParameterError(f"{flag} {kind}".strip(), error.expected, error.found) from None
    synth.check_replaceable(args.out, "--out")  # before the work, not after it
    started = time.perf_counter()
    tables = synth.generate(config)
    generated = time.perf_counter() - started
    synth.write(tables, args.out, fmt=args.format, config=config)
    total = time.perf_counter() - started
    for name, frame in tables.items():
        print(f"{name:16s} {len(frame):>12,} rows")
    print(f"generated in {generated:.1f} s, written in {total - generated:.1f} s: {args.out}")
    return 0


def _options() -> list[tuple[str, object, str, str]]:
    """(SynthConfig field, its default, metavar, help) of the options given as
    `--field-name VALUE`."""
    share = options.DEFAULT_IRREGULAR_SHARE
    return [
        ("customers", options.DEFAULT_CUSTOMERS, "N", "number of customers (default %(default)s)"),
        (
            "districts",
            options.DEFAULT_DISTRICTS,
            "D",
            "number of district bureaus (default %(default)s)",
        ),
        (
            "months",
            options.DEFAULT_MONTHS,
            "M",
            f"billing months, {options.MIN_MONTHS} to {options.MAX_MONTHS} "
            f"(default %(default)s): {options.MONTHS_WHY}",
        ),
        (
            "start",
            options.DEFAULT_START,
            "YYYY-MM",
            "first billing month, one the synthetic tariffs price (default %(default)s)",
        ),
        ("seed", options.DEFAULT_SEED, "S", "random seed, 0 to 2^64 − 1 (default %(default)s)"),
        (
            "daily_days",
            options.DEFAULT_DAILY_DAYS,
            "DAYS",
            "also write smart-meter daily reads for the last DAYS days (default %(default)s: none)",
        ),
        (
            "irregular_share",
            share,
            "SHARE",
            f"share of customers given an irregularity, 0 to {options.MAX_IRREGULAR_SHARE} "
            f"(default %(default)s: about {share * 100:g} %%)",
        ),
    ]


def _shares(values: list[str]) -> dict[str, float]:
    """`--lookalike KIND=SHARE` values as {kind: share} (kinds and ranges are checked by the config)."""
    shares = {}
    for value in values:
        kind, _, share = value.partition("=")
        try:
            shares[kind.strip()] = float(share)
        except ValueError:
            raise ParameterError(
                "--lookalike", "KIND=SHARE, e.g. seasonal_business=0.2", value
            ) from None
    return shares
