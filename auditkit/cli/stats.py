"""`auditkit stats ...` and `auditkit crossaudit ...`: consumption statistics and cross-audits."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from auditkit import i18n, yamlsafe
from auditkit.atomic import write_bytes_atomic
from auditkit.cli.run_records import refuse_another_runs_folder, write_run_record
from auditkit.errors import ParameterError, flags, parameters_named
from auditkit.options.stats import BENFORD_TESTS
from auditkit.paths import (
    checked_out_folder,
    checked_outside_data,
    dataset_output_name,
    outputs_dir,
    safe_name,
)

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.stats.theft import ReadEnd


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `stats` (theft, benford) and `crossaudit` (assign, compare) to the parser."""
    stats = subparsers.add_parser(
        "stats",
        help="consumption statistics: theft suspicion scores, Benford tests",
        description="Consumption statistics of a dataset folder (see docs/statistics.md).",
    )
    verbs = stats.add_subparsers(dest="verb", metavar="VERB", required=True)
    theft = verbs.add_parser(
        "theft", help="theft suspicion score of every customer (sustained drops)"
    )
    _data_options(theft)
    theft.add_argument(
        "--daily", action="store_true", help="score the daily_reads table instead of monthly bills"
    )
    theft.add_argument("--top", type=int, default=20, help="customers printed (default 20)")
    theft.add_argument(
        "--db",
        metavar="URL",
        help="the findings register whose false alarms on consumption drops are field checks "
        "(sqlite:///FILE or postgresql://USER@HOST/NAME; default: the register the reports of "
        "this dataset read, when there is one)",
    )
    theft.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder for theft_scores.parquet / .csv, replaced there (default "
        "outputs/stats/<dataset>/theft-<daily|monthly>-<last day or month scored>, which a run "
        "reading another register's field checks does not replace without --replace)",
    )
    theft.add_argument(
        "--replace",
        action="store_true",
        help="replace the scores of the default folder even when another run's (field checks "
        "of another register, or of none) wrote them",
    )
    theft.set_defaults(func=run_theft)

    benford = verbs.add_parser("benford", help="Benford tests of bill amounts per district")
    _data_options(benford)
    benford.add_argument(
        "--test",
        choices=BENFORD_TESTS,
        default="first_two",
        help="digits tested (default first_two)",
    )
    benford.add_argument(
        "--months", type=int, default=12, help="bills of the last N months (default 12)"
    )
    benford.set_defaults(func=run_benford)

    cross = subparsers.add_parser(
        "crossaudit",
        help="cross-audits: assign the next round, compare self- with cross-audits",
        description="Horizontal cross-audits between districts (see docs/statistics.md).",
    )
    cross_verbs = cross.add_subparsers(dest="verb", metavar="VERB", required=True)
    assigning = cross_verbs.add_parser("assign", help="who audits whom in the next round")
    source = assigning.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="dataset folder: its districts, each weighing its number of customers under "
        "--capacity (as the cross_audit report does)",
    )
    source.add_argument(
        "--districts",
        metavar="A,B,C",
        help="district names, comma-separated, each weighing the same under --capacity",
    )
    assigning.add_argument("--seed", type=int, required=True, help="same seed, same assignment")
    assigning.add_argument(
        "--previous",
        type=Path,
        metavar="CSV",
        help="last round (auditing_district, audited_district): no pair repeats",
    )
    assigning.add_argument(
        "--capacity",
        type=Path,
        metavar="YAML",
        help="auditing capacity per district, e.g. {城东: 4, 城西: 2}",
    )
    assigning.add_argument("--out", type=Path, metavar="CSV", help="write the assignment here")
    assigning.set_defaults(func=run_assign)

    comparing = cross_verbs.add_parser("compare", help="self- versus cross-audit finding rates")
    comparing.add_argument("data_dir", type=Path, metavar="DATA_DIR", help="the dataset folder")
    comparing.add_argument("--lang", choices=i18n.LANGS, default=i18n.DEFAULT_LANG)
    comparing.set_defaults(func=run_compare)


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data_dir", type=Path, metavar="DATA_DIR", help="the dataset folder")
    parser.add_argument("--district", metavar="D", help="only this district's customers")
    parser.add_argument(
        "--as-of", dest="as_of", metavar="YYYY-MM", help="last period (default: the latest)"
    )


def _load(args: argparse.Namespace):
    from auditkit.data import load  # deferred: only the commands that read data pay for it

    dataset = load(args.data_dir)
    if not args.district:
        return dataset
    with parameters_named(flags("district")):  # named as the flag the user typed
        return dataset.for_district(args.district)


def check_months(months: int) -> None:
    """A ParameterError naming --months outside 1 .. MOST_MONTHS, the window the notebooks take
    (`notebook_params.MOST_MONTHS`): one limit for every command, said rather than cut."""
    from auditkit.notebook_params import MOST_MONTHS

    if not 1 <= months <= MOST_MONTHS:
        raise ParameterError("--months", f"a number of months from 1 to {MOST_MONTHS}", months)


def run_theft(args: argparse.Namespace) -> int:
    """Score every customer, write the table, print the top."""
    from auditkit.periods import period_last_day
    from auditkit.report import save_table
    from auditkit.stats import theft_scores
    from auditkit.stats.theft import read_days, read_end, refuse_reads_after
    from auditkit.stats.theft_report import daily_theft_scores

    if args.top < 1:
        raise ParameterError("--top", "a whole number ≥ 1", args.top)
    checked_out_folder(args.out, "--out", "theft_scores.parquet and theft_scores.csv")
    checked_outside_data(args.out, args.data_dir, "--out", "a folder")
    dataset = _load(args)
    if args.daily:
        if dataset.daily_reads is None or dataset.daily_reads.empty:
            found = "none" if dataset.daily_reads is None else "a daily_reads table without rows"
            raise ParameterError("--daily", "a dataset with a daily_reads table", found)
        # Each read's day found once here: the checks and the scoring below read it as it is.
        reads = dataset.daily_reads[["customer_id", "date", "kwh"]]
        reads = reads.assign(date=read_days(reads, "daily_reads"))
        bills_end = period_last_day(str(dataset.bills["period"].max()))
        refuse_reads_after(reads, bills_end, dataset.sources.get("daily_reads"), "daily_reads")
    else:
        reads = dataset.bills[["customer_id", "period", "kwh_billed"]].rename(
            columns={"kwh_billed": "kwh"}
        )
    # The day the scoring ends at by default (a stray later read left out), counted once.
    end = read_end(reads, "daily_reads") if args.daily and not args.as_of else None
    checks, register_read = _field_checks(args, reads, end)
    # One folder per source and last day or month scored: a daily run does not replace the
    # monthly scores, nor next month's run this one's.
    if args.as_of:
        last = args.as_of
    elif end is not None:
        last = end.day
    else:
        last = str(reads["period"].max())[:7]
    name = dataset_output_name(args.data_dir, args.district)  # two datasets named alike apart
    source = "daily" if args.daily else "monthly"
    out = args.out or outputs_dir() / "stats" / name / f"theft-{source}-{safe_name(last)}"
    # The folder names the dataset, district, source and last period; the register whose field
    # checks explain falls is recorded beside the scores: scores of another register (or of
    # none) are refused there unless --replace, as `auditkit rules` refuses other rules;
    # refused before any customer is scored.
    record = None if args.out else _theft_record(args, register_read)
    if record is not None and not args.replace:
        refuse_another_runs_folder(out, record, "theft scores", _theft_described)
    with parameters_named(flags("as_of")):  # named as the flag the user typed
        if args.daily:  # as the report scores them (peers, interval reads)
            hours = dataset.interval_reads
            scores = daily_theft_scores(
                reads,
                dataset.customers,
                last,
                hours if hours is not None and len(hours) else None,
                dataset.work_orders,
                checks,
            )
        else:
            scores = theft_scores(
                reads, as_of=args.as_of, work_orders=dataset.work_orders, field_checks=checks
            )
    parquet, csv = save_table(scores, out, "theft_scores")
    if record is not None:
        write_run_record(out, record)
    print(scores.head(args.top).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    scored = scores[scores["status"] == "scored"]
    explained = int((scores["status"] == "explained").sum())
    print(
        f"\n{len(scored):,} customers scored, {int((scored['score'] > 3).sum()):,} above 3 "
        f"(strongly suspicious); {explained:,} explained by a work order or a field check "
        "(ranked last); "
        f"{len(scores) - len(scored) - explained:,} not scored "
        f"({', '.join(f'{k}: {v}' for k, v in scores['status'].value_counts().items() if k not in ('scored', 'explained')) or 'none'})"
    )
    if scores.attrs.get("left_out"):
        why = "" if args.as_of else " (the last day read by half as many customers as usual)"
        print(f"\nnote: {scores.attrs['left_out']:,} daily reads after {last}{why} left out")
    print(f"written: {parquet}\n         {csv}")
    return 0


def _theft_record(args: argparse.Namespace, register_read: str | None) -> dict[str, object]:
    """What makes a theft run's scores: its dataset (resolved path), district, source and the
    register whose field checks it read (password masked; None: none)."""
    return {
        "dataset": str(args.data_dir.resolve()),
        "district": args.district,
        "source": "daily" if args.daily else "monthly",
        "register": register_read,
    }


def _theft_described(record: dict) -> str:
    """A theft run record as the user gave it: 'field checks of sqlite:///…' or 'no register'."""
    register = record.get("register")
    return "no register" if register is None else f"field checks of {register}"


def _field_checks(
    args: argparse.Namespace, reads: pd.DataFrame, end: ReadEnd | None
) -> tuple[pd.DataFrame | None, str | None]:
    """The register's false alarms on falls (`register.checks.field_checks`) of `--db`, else of
    the register the reports of `data_dir` read (None when there is none), decided by the last
    day scored: the end of `--as-of`, else of the reads (`end`: daily reads' `theft.read_end`;
    outcomes recorded later do not change a run made again); and that register's URL, password
    masked (None: none)."""
    from auditkit.register.checks import field_checks
    from auditkit.register.location import register_url_for
    from auditkit.register.store import Register

    until = _last_day(args.as_of, reads, end)
    register = Register.open_existing(register_url_for(args.data_dir, args.db))
    if register is None:
        if args.db:
            raise ParameterError(
                "--db", "an existing register (a SQLite file that is there)", args.db
            )
        return None, None
    with register:
        checks = field_checks(  # --district is the dataset's: one without findings reads empty
            register, args.district, until=until, refuse_unknown_district=False
        )
        return checks, register.url


def _last_day(as_of: str | None, reads: pd.DataFrame, end: ReadEnd | None) -> pd.Timestamp | None:
    """The last day scored: the day `as_of` knows (`periods.as_of_day`: the end of a month, or
    the date itself); without it, daily reads' `end` (`theft.read_end`: where their scoring
    ends, not a stray later read's day), else the last of the `reads`' 'YYYY-MM' periods (None
    without reads)."""
    import pandas as pd

    from auditkit.periods import as_of_day, period_last_day

    if as_of:
        try:
            return as_of_day(as_of)
        except ParameterError:
            raise ParameterError("--as-of", "a month YYYY-MM or a date YYYY-MM-DD", as_of) from None
    if end is not None:
        return pd.Timestamp(end.day)
    if reads.empty:
        return None
    return period_last_day(str(reads["period"].max()))


def run_benford(args: argparse.Namespace) -> int:
    """Print one Benford test per district of the last months' bill amounts; `--as-of` must be a
    month the bills cover, as `auditkit rules` requires (`rules.context.audit_month`): a month
    past them would test a window of months without bills as if it were whole."""
    from auditkit.periods import month_number, period_text
    from auditkit.rules.context import audit_month
    from auditkit.stats import benford_by_group

    check_months(args.months)  # before the data is read
    dataset = _load(args)
    bills = dataset.bills.merge(dataset.customers[["customer_id", "district"]], on="customer_id")
    months = month_number(bills["period"])
    with parameters_named(flags("as_of")):  # named as the flag the user typed
        last = audit_month(args.as_of, int(months.min()), int(months.max()))
    first = max(last - args.months + 1, int(months.min()))
    window = bills[(months <= last) & (months >= first)]
    span = f"{period_text(first)} to {period_text(last)}"
    if last - first + 1 < args.months:  # said, not passed off as the whole window asked for
        span += f" ({last - first + 1} of the {args.months} months asked: the bills begin there)"
    table = benford_by_group(window["amount"], window["district"], args.test).rename(
        columns={"group": "district"}
    )
    table["note"] = [
        i18n.text(f"stats.note.{code}", "en") if code else "" for code in table["note"]
    ]
    print(f"Benford {args.test} test of bill amounts, {span}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0


#: `crossaudit.assign`'s arguments (and `read_round`'s) as the flags of `crossaudit assign`.
_ASSIGN_FLAGS = {
    "previous_round": "--previous",
    "previous": "--previous",
    "workload": "--capacity",
    "districts": "--districts",
    "seed": "--seed",
}


def run_assign(args: argparse.Namespace) -> int:
    """Assign the next round and print (and optionally write) it. With `--data` each district
    weighs its number of customers, as in the cross_audit report (the same seed and capacity
    give the same round); named with `--districts`, each weighs the same."""
    from auditkit.crossaudit import assign, loads
    from auditkit.crossaudit.assign import read_round
    from auditkit.data.column_typing import checked_key_text
    from auditkit.data.folders import checked_outside_dataset
    from auditkit.data.schema import KEY_CHARACTERS
    from auditkit.formulas import csv_bytes

    checked_outside_dataset(args.out, args.data, "--out", "a file")  # before the data is read
    districts: list[str] | dict[str, float]
    if args.data:
        from auditkit.crossaudit.study import district_work
        from auditkit.data import load

        districts = district_work(load(args.data))
    else:
        names = args.districts.split(",")
        if any(not name.strip() for name in names):  # `a,,b`, a trailing comma: no district ''
            expected = "district names separated by single commas, none of them empty"
            raise ParameterError("--districts", expected, args.districts)
        districts = [
            checked_key_text("--districts", name.strip(), KEY_CHARACTERS) for name in names
        ]
    capacity = _read_capacity(args.capacity) if args.capacity else None
    if args.out:
        _check_assignment_out(args.out, args.previous)
    with parameters_named(_ASSIGN_FLAGS):  # named as the function's argument: said as the flag
        previous = read_round(args.previous, districts) if args.previous else None
        assignment = assign(districts, args.seed, previous=previous, workload=capacity)
    print(assignment.to_string(index=False))
    if capacity:
        print()
        table = loads(assignment, districts, capacity)
        table["audits"] = table["audits"].map(i18n.text("common.list_separator", "en").join)
        print(table.to_string(index=False))
    if args.out:
        write_bytes_atomic(args.out, csv_bytes(assignment))
        print(f"\nwritten: {args.out}")
    return 0


def _check_assignment_out(out: Path, previous: Path | None) -> None:
    """A ParameterError naming --out where writing the assignment would lose a file: the last
    round given as --previous (its record of who audited whom), a folder, or an existing file
    that is not an assignment (`crossaudit assign --out` writes over its own output only)."""
    from auditkit.crossaudit.assign import ROUND_COLUMNS
    from auditkit.data.side_csv import SideTableError, read_side_csv

    expected = "a new CSV file or an assignment this command wrote"
    if previous is not None and out.exists() and previous.exists() and out.samefile(previous):
        raise ParameterError("--out", f"{expected}, not the last round read (--previous)", str(out))
    if out.is_dir():
        raise ParameterError("--out", f"{expected}, not a folder", str(out))
    if not out.exists():
        return
    try:
        columns = tuple(read_side_csv(out, dtype=str, nrows=0).columns)
    except SideTableError:
        columns = ()
    if columns != ROUND_COLUMNS:
        raise ParameterError("--out", f"{expected} (another file is not replaced)", str(out))


def run_compare(args: argparse.Namespace) -> int:
    """Print the self- versus cross-audit comparison and its conclusions."""
    import pandas as pd

    from auditkit.crossaudit import compare
    from auditkit.data import load

    dataset = load(args.data_dir)
    if dataset.inspections is None:
        raise ParameterError("DATA_DIR", "a dataset with an inspections table", str(args.data_dir))
    if dataset.inspections.empty:  # a header alone: said as such, not as no table
        source = dataset.sources.get("inspections")
        file = Path(args.data_dir) / source.file if source else Path(args.data_dir)
        raise ParameterError("DATA_DIR", "an inspections table with rows", f"{file}: no rows")
    comparison = compare(dataset.inspections, dataset.customers)
    # The table the cross-audit report shows, in the language asked: money only where the test
    # flags a district, its notes worded (`by_district` holds the raw figures for scripts).
    pd.set_option("display.width", 200)
    print(comparison.to_table(args.lang).to_string(index=False))
    print()
    notes = [note.text(args.lang) for note in comparison.notes]
    for line in notes + comparison.explain(args.lang).splitlines():
        print(f"- {line}")
    return 0


def _read_capacity(path: Path) -> dict[str, float]:
    try:
        values = yamlsafe.safe_load(path.read_bytes(), yamlsafe.TextKeysLoader)  # keys: names
    except OSError as error:
        raise ParameterError("--capacity", "a readable YAML mapping", f"{path}: {error}") from None
    except yaml.YAMLError as error:
        raise ParameterError(
            "--capacity", "a readable YAML mapping", f"{path}: {yamlsafe.describe(error)}"
        ) from None
    if not isinstance(values, dict):
        raise ParameterError("--capacity", "a YAML mapping of district: capacity", values)
    for name, value in values.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or value < 0:
            raise ParameterError(
                f"--capacity {name}", "a number ≥ 0 (the share of audits it can take)", value
            )
    return {str(name): float(value) for name, value in values.items()}
