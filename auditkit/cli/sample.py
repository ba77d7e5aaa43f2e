"""`auditkit sample plan|select|evaluate`: the audit-sampling field loop on the command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from auditkit import i18n
from auditkit.cli.returned import ReturnedUse, warn_if_open, without_lock_files
from auditkit.errors import ParameterError, flags, parameters_named
from auditkit.options.sampling import (
    ALLOCATIONS,
    AUDIT_KINDS,
    DEFAULT_DIRECTION,
    DIRECTIONS,
    EVALUATION_METHODS,
    LIKELIHOODS,
    PRIORS,
    SELECTION_METHODS,
    STRATA,
    UNITS,
)

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.sampling import Plan

#: The defaults of the planning options `sample plan` and `select` share.
PLAN_DEFAULTS = {"expected": 0.0, "confidence": 0.95}
#: The planning options (attribute: flag), which only a sample of planned size uses.
PLANNING_FLAGS = {
    "materiality": "--materiality",
    "expected": "--expected",
    "likelihood": "--likelihood",
    "confidence": "--confidence",
    "population_size": "--population-size",
    "min_precision": "--min-precision",
    "prior": "--prior",
    "max_n": "--max-n",
}

#: How `sample evaluate` speaks of the field sheet it reads, in its warnings and errors.
EVALUATING = ReturnedUse(
    command="auditkit sample evaluate",
    parameter="--sheet",
    expected="a filled field sheet (.xlsx)",
    done="evaluated",
    then="evaluate it",
)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `sample` with its three subcommands to the `auditkit` parser."""
    sample = subparsers.add_parser(
        "sample",
        help="statistical audit sampling: plan, select, evaluate",
        description="Plan a statistical sample, select it into a field sheet (.xlsx) for the "
        "inspectors, and evaluate the filled sheet against materiality.",
    )
    verbs = sample.add_subparsers(dest="verb", metavar="VERB", required=True)

    planning = verbs.add_parser("plan", help="sample size for a materiality and expected errors")
    _plan_options(planning, required=True)
    _lang_option(planning)
    planning.set_defaults(func=run_plan)

    selecting = verbs.add_parser(
        "select", help="select the sample and write the field sheet for the inspectors"
    )
    source = selecting.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--data", metavar="DIR", help="dataset folder (see docs/data.md); 'demo' for the demo"
    )
    source.add_argument(
        "--frame", metavar="FILE", help="a population table (.csv, .xlsx or .parquet)"
    )
    selecting.add_argument(
        "--district",
        help="district to sample (with --data; default: the whole utility, which --strata "
        "district stratifies by district)",
    )
    selecting.add_argument(
        "--id",
        action="append",
        metavar="COLUMN",
        help="the --frame column naming each unit, carried to the field sheet (default "
        "customer_id; a frame without it needs --id, e.g. --id 户号); repeat it for an id of "
        "several columns",
    )
    selecting.add_argument(
        "--carry",
        action="append",
        metavar="COLUMN",
        help="another column of the population to show on the field sheet (a name, an address, "
        "a meter number); repeat it for more. One holding personal data is written masked "
        "unless --no-mask: name, address, phone, and a header holding 户名, 姓名, 户主, 联系人 "
        "(as a name), 地址, 住址 (as an address), 电话 or 手机 (as a phone), except in a "
        "device's address or a check (表计通信地址, IP地址, 地址码, 电话核对: docs/sampling.md §4)",
    )
    selecting.add_argument(
        "--personal",
        action="append",
        metavar="[KIND=]COLUMN",
        help="a carried column holding personal data its header does not tell, written masked: "
        "as a name, or with name=, address= or phone= before it as "
        "that (--personal address=地址2); repeat it for more",
    )
    selecting.add_argument(
        "--keep",
        action="append",
        metavar="COLUMN",
        help="a carried column written as it is though its header looks personal (a meter's "
        "address under a bare 通信地址); repeat it for more. The command names the columns so kept",
    )
    selecting.add_argument(
        "--no-mask",
        dest="mask",
        action="store_false",
        help="write the carried columns unmasked, names, addresses and phones too (they are "
        "masked by default)",
    )
    selecting.add_argument(
        "--units",
        choices=UNITS,
        default="items",
        help="accounts (items) or bill yuan (values)",
    )
    selecting.add_argument(
        "--method",
        choices=SELECTION_METHODS,
        default="interval",
        help="selection method (default interval)",
    )
    selecting.add_argument(
        "--n", type=int, help="sample size; when absent it is planned from --materiality"
    )
    selecting.add_argument(
        "--values", metavar="COLUMN", help="book value column (with --frame; 'amount' with --data)"
    )
    selecting.add_argument(
        "--seed", type=int, help="random seed (recorded in the sheet; same seed, same selection)"
    )
    selecting.add_argument("--start", type=float, help="start of the fixed interval")
    selecting.add_argument(
        "--stratum",
        choices=STRATA,
        default="all",
        help="only rule-flagged or unflagged customers (with --data)",
    )
    selecting.add_argument(
        "--months",
        type=int,
        default=12,
        help="bills of the last N months form the population (default 12)",
    )
    selecting.add_argument(
        "--strata",
        metavar="COLUMN",
        help="stratify on this column (with --data: district, usage_type, tariff_category, "
        "status; with --frame: any of its columns)",
    )
    selecting.add_argument(
        "--allocation", choices=ALLOCATIONS, default="proportional", help="sharing n over strata"
    )
    selecting.add_argument(
        "--output",
        required=True,
        metavar="SHEET.xlsx",
        help="field sheet to write (an existing file only when it is a field sheet with nothing "
        "filled in)",
    )
    selecting.add_argument(
        "--direction",
        choices=DIRECTIONS,
        default=DEFAULT_DIRECTION,
        help="misstatement the sheet states and is evaluated in (default understatement: "
        "under-billing, the revenue lost)",
    )
    _plan_options(selecting, required=False)
    _lang_option(selecting)
    # None, not the plan's defaults: a planning option typed with --n is refused, not dropped
    selecting.set_defaults(func=run_select, expected=None, confidence=None)

    evaluating = verbs.add_parser(
        "evaluate", help="evaluate a filled field sheet, or x errors in n"
    )
    given = evaluating.add_mutually_exclusive_group(required=True)
    given.add_argument(
        "--sheet",
        nargs="+",
        type=Path,
        metavar="FILLED.xlsx",
        help="the field sheet filled by the inspectors; a lock file Excel, WPS or LibreOffice "
        "keeps beside a workbook it has open (~$NAME.xlsx, .~lock.NAME.xlsx#, which "
        "returned/*.xlsx matches) is skipped, not a sheet, and a sheet open in one is evaluated "
        "as last saved, with a warning",
    )
    given.add_argument("--x", type=float, help="errors found (or sum of taints), with --n")
    evaluating.add_argument("--n", type=int, help="sample size, with --x")
    evaluating.add_argument(
        "--materiality",
        type=float,
        help="tolerable misstatement rate, e.g. 0.05 (default: the plan the sheet records)",
    )
    evaluating.add_argument(
        "--method",
        choices=EVALUATION_METHODS,
        help="default: what the sheet's plan was planned with (a values plan by its Stringer "
        "bound: stringer for binomial, stringer.poisson for poisson), else binomial for items, "
        "stringer.poisson for values; a sheet refuses a method that does not fit its units (by "
        "values: stringer, stringer.poisson, binomial, poisson, mpu). One other than the plan's "
        "is said",
    )
    evaluating.add_argument(
        "--confidence",
        type=float,
        help="confidence level (default: the plan the sheet records, else 0.95)",
    )
    evaluating.add_argument(
        "--direction",
        choices=DIRECTIONS,
        help="misstatement evaluated (understatement = under-billing); default: what the sheet "
        f"states, else {DEFAULT_DIRECTION}",
    )
    evaluating.add_argument(
        "--population-size",
        type=int,
        help="items in the population (with --x; a --sheet records its own, so it is refused "
        "with --sheet)",
    )
    evaluating.add_argument("--prior", choices=PRIORS, help="Bayesian evaluation with this prior")
    evaluating.add_argument(
        "--audit-kind",
        choices=AUDIT_KINDS,
        default="self",
        help="kind of audit (default self)",
    )
    evaluating.add_argument(
        "--auditing-district", help="district that inspected (default: each row's own)"
    )
    evaluating.add_argument(
        "--large-amounts",
        dest="large_amounts",
        action="store_true",
        help="accept audited values above 10 × their book value, checked to be that large (an "
        "understatement found; default: refused as a slip, an amount in fen or a pasted number); "
        "10^12 yuan or more is refused always",
    )
    evaluating.add_argument(
        "--inspections",
        type=Path,
        metavar="FILE.csv",
        help="also write the inspections table (docs/data.md) here: a new file, or with --append "
        "an inspections table already there",
    )
    evaluating.add_argument(
        "--append",
        action="store_true",
        help="add the sheet's inspections to the --inspections file already there, keeping its "
        "rows: a row it already records is not added again, and one it records with other "
        "findings is refused (without it an existing file is never written over)",
    )
    _lang_option(evaluating)
    evaluating.set_defaults(func=run_evaluate)


def _plan_options(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument(
        "--materiality",
        type=float,
        required=required,
        help="tolerable misstatement rate, e.g. 0.05",
    )
    parser.add_argument(
        "--expected",
        type=float,
        default=PLAN_DEFAULTS["expected"],
        help="expected errors: below 1 a rate, else a count",
    )
    parser.add_argument(
        "--likelihood", choices=LIKELIHOODS, help="default poisson (binomial for items with select)"
    )
    parser.add_argument(
        "--confidence",
        type=float,
        default=PLAN_DEFAULTS["confidence"],
        help="confidence level (default 0.95)",
    )
    parser.add_argument(
        "--population-size", type=int, help="items in the population (hypergeometric)"
    )
    parser.add_argument(
        "--min-precision", type=float, help="required precision (upper - most likely)"
    )
    parser.add_argument("--prior", choices=PRIORS, help="Bayesian planning with this prior")
    parser.add_argument(
        "--max-n",
        type=int,
        help="largest sample size the plan may ask for (default 100,000)",
    )


def _lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=i18n.LANGS,
        default=i18n.DEFAULT_LANG,
        help=f"language of the output (default {i18n.DEFAULT_LANG})",
    )


def _print_table(table: pd.DataFrame) -> None:
    """A two-column result table as text: its items down the left."""
    print(table.set_index(table.columns[0]).to_string(header=False))


#: The arguments of `sampling.plan`, `select`, `evaluate`, `study.population` and
#: `read_field_sheet` the `sample` commands take as flags of the same names (`population_size`
#: as --population-size); `evaluate`'s data are the taints of a --sheet.
_FLAGS = {
    **flags(
        "materiality",
        "expected",
        "likelihood",
        "confidence",
        "population_size",
        "min_precision",
        "prior",
        "max_n",
        "method",
        "direction",
        "x",
        "n",
        "units",
        "values",
        "start",
        "seed",
        "strata",
        "allocation",
        "district",
        "stratum",
        "months",
        "audit_kind",
        "auditing_district",
    ),
    "data": "--sheet",
}


def _plan_from(args: argparse.Namespace, likelihood: str, population_size: int | None = None):
    """The plan the flags ask for; `population_size` (the frame's) stands in only for a
    --population-size not given: one given, even 0, is checked as given, and a plan's error
    names the flag the user typed."""
    from auditkit.sampling import plan

    with parameters_named(_FLAGS):
        return plan(
            args.materiality,
            expected=PLAN_DEFAULTS["expected"] if args.expected is None else args.expected,
            likelihood=args.likelihood or likelihood,
            confidence=PLAN_DEFAULTS["confidence"] if args.confidence is None else args.confidence,
            population_size=(
                population_size if args.population_size is None else args.population_size
            ),
            min_precision=args.min_precision,
            prior=args.prior,
            max_n=args.max_n,
        )


def _refuse_planning_options(args: argparse.Namespace) -> None:
    """A ParameterError naming --n and the planning options typed with it: a sample of a given
    size is drawn as it is, so they would plan nothing, and `evaluate` would not know them
    (its --confidence is where the evaluation's confidence is given)."""
    typed = [
        flag for attribute, flag in PLANNING_FLAGS.items() if getattr(args, attribute) is not None
    ]
    if typed:
        raise ParameterError(
            "--n",
            "a sample size alone, or the planning options without it (give --confidence to "
            "`sample evaluate`)",
            f"--n with {', '.join(typed)}",
        )


def run_plan(args: argparse.Namespace) -> int:
    """Print the planned sample."""
    _print_table(_plan_from(args, "poisson").to_table(args.lang))
    return 0


def run_select(args: argparse.Namespace) -> int:
    """Select the sample from a dataset district or a population table and write the field sheet
    (never over a sheet the inspectors began to fill, checked before the work)."""
    from auditkit.cli.stats import check_months
    from auditkit.sampling import select, write_field_sheet
    from auditkit.sampling.fieldsheet import check_sheet_path, id_text, sheet_columns
    from auditkit.sampling.personal import personal_columns, personal_flags

    check_sheet_path(args.output, "--output")
    named_data = (
        None if args.data in (None, "demo", "") else Path(args.data)
    )  # the demo: its tables
    from auditkit.data.folders import checked_outside_dataset  # the data package: lazily

    checked_outside_dataset(Path(args.output), named_data, "--output", "a file")
    check_months(args.months)
    names = ("--id", "--carry")
    districts: list[str] = []  # the utility's, recorded for evaluate's --auditing-district
    if args.data is not None:
        if args.id:
            raise ParameterError(
                "--id",
                "no --id with --data (a dataset's units are named by customer_id)",
                ", ".join(args.id),
            )
        from auditkit.data import load
        from auditkit.demo import demo_data_dir
        from auditkit.sampling.study import population, utility_frame

        dataset = load(demo_data_dir() if args.data in ("demo", "") else args.data)
        districts = dataset.districts
        with parameters_named(_FLAGS):
            if args.district is None:  # the whole utility: every district's units
                frame = utility_frame(dataset, args.units, args.stratum, args.months)
            else:
                frame = population(
                    dataset, args.district, args.units, args.stratum, args.months
                ).frame
        values = "amount" if args.units == "values" else None
        if args.values is not None and args.values != values:  # the dataset's: not chosen
            expected = (
                f"{values!r} or no --values with --data (the book value is the bills' {values})"
                if values is not None
                else "no --values with --data --units items (accounts are counted, not valued)"
            )
            raise ParameterError("--values", expected, args.values)
        ids, carry = sheet_columns(
            list(frame.columns),
            None,
            args.carry or (),
            "the utility's population"
            if args.district is None
            else f"the population of district {args.district!r}",
            names,
        )
    else:
        from auditkit.sampling.checks import numeric_column, stratum_labels

        path, values = Path(args.frame), args.values
        as_text = [*(args.id or ()), *(c for c in args.carry or () if c != values)]
        numbered = _read_frame(path, as_text)
        table = f"population table {path.name!r}"
        ids, carry = sheet_columns(list(numbered.columns), args.id, args.carry or (), table, names)
        # checked here so that their errors name the file's rows, not the frame's positions
        _refuse_rows_without_id(numbered, path.name, ids)
        numbered[list(ids)] = numbered[list(ids)].apply(id_text)
        _refuse_totals_rows(numbered, path.name, ids)
        _refuse_duplicated_ids(numbered, path.name, ids)
        if values is not None:
            numeric_column(numbered, values, path.name)
        if args.strata is not None and args.strata in numbered.columns:
            stratum_labels(numbered, args.strata, path.name)
        # in the order of the ids, not of the file's rows: positions are what is drawn, so the
        # same units, seed and n give the same sample however the export listed them
        frame = numbered.sort_values(list(ids), kind="stable").reset_index(drop=True)
    # checked before the work: a --personal or --keep not carried, or with --no-mask, is refused
    marked = personal_flags(args.personal or (), carry) if args.mask else (args.personal or ())
    kept = list(dict.fromkeys(args.keep or ()))
    masked = personal_columns(
        carry, marked, args.mask, ("--carry", "--personal", "--no-mask", "--keep"), kept
    )
    n, planned = args.n, None
    if n is not None:
        _refuse_planning_options(args)
    if n is None:
        if args.materiality is None:
            raise ParameterError(
                "--n",
                "a sample size, or --materiality to plan one",
                "neither --n nor --materiality",
            )
        if args.units == "values" and args.likelihood == "hypergeometric":
            raise ParameterError(
                "--likelihood",
                "binomial or poisson with --units values (the hypergeometric counts items drawn "
                "from a finite number of them, not yuan: plan it with --units items)",
                args.likelihood,
            )
        likelihood = "binomial" if args.units == "items" else "poisson"
        planned = _plan_from(
            args, likelihood, len(frame) if args.likelihood == "hypergeometric" else None
        )
        if args.units == "items":
            planned = _within_population(planned, len(frame), args.lang)
        n = planned.n
        print(i18n.text("sampling.cli.planned", args.lang).format(plan=planned.explain(args.lang)))
    with parameters_named(_FLAGS):
        selection = select(
            frame,
            n,
            units=args.units,
            method=args.method,
            values=values,
            start=args.start,
            seed=args.seed,
            strata=args.strata,
            allocation=args.allocation,
        )
    _print_table(selection.to_table(args.lang))
    for note in selection.notes:
        print(i18n.text("sampling.cli.note", args.lang).format(text=note.text(args.lang)))
    path = write_field_sheet(
        selection,
        args.output,
        lang=args.lang,
        direction=args.direction,
        ids=ids,
        carry=carry,
        mask=args.mask,
        personal=masked,
        keep=kept,
        plan=planned,
        districts=districts,
    )
    _print_masking(args.lang, masked, kept, [] if args.mask else carry)
    print(i18n.text("sampling.cli.sheet_written", args.lang).format(path=path))
    return 0


def _within_population(planned: Plan, accounts: int, lang: str) -> Plan:
    """`planned`, or the plan over the population's `accounts` when it asks for more (said in
    `lang`): a census when no smaller sample of them meets the plan (`within_population`)."""
    from auditkit.sampling.plan import within_population

    finite = within_population(planned, accounts)
    if finite is not planned:
        key = "sampling.cli.census" if finite.n == accounts else "sampling.cli.finite_plan"
        print(
            i18n.text(key, lang).format(
                accounts=accounts, planned=planned.n, likelihood=planned.likelihood, n=finite.n
            )
        )
    return finite


def _print_masking(
    lang: str, masked: dict[str, str], kept: Sequence[str], unmasked: Sequence[str]
) -> None:
    """Say, in `lang`, which carried columns the sheet shows masked (and as what), which personal
    ones --keep wrote as they are, and which personal ones --no-mask wrote as they are
    (`unmasked`: the carried columns then): personal data leaves unmasked never silently."""
    from auditkit.sampling.personal import personal_kind

    separator = i18n.text("common.list_separator", lang)

    def kind_of(kind: str) -> str:
        return i18n.text(f"sampling.cli.kind.{kind}", lang)

    def listed(key: str, columns: list[str]) -> None:
        if columns:
            print(i18n.text(key, lang).format(columns=separator.join(columns)))

    as_kind = i18n.text("sampling.cli.masked_as", lang)
    listed(
        "sampling.cli.masked",
        [as_kind.format(column=column, kind=kind_of(kind)) for column, kind in masked.items()],
    )
    by_default = i18n.text("sampling.cli.kept_personal", lang)
    listed(
        "sampling.cli.kept",
        [
            column if kind is None else by_default.format(column=column, kind=kind_of(kind))
            for column, kind in ((column, personal_kind(column)) for column in kept)
        ],
    )
    holding = i18n.text("sampling.cli.holding", lang)
    listed(
        "sampling.cli.unmasked",
        [
            holding.format(column=column, kind=kind_of(kind))
            for column, kind in ((column, personal_kind(column)) for column in unmasked)
            if kind is not None
        ],
    )


def run_evaluate(args: argparse.Namespace) -> int:
    """Evaluate a filled field sheet (or x errors in n) and print the conclusion."""
    from auditkit.data.column_typing import checked_key_text
    from auditkit.data.schema import KEY_CHARACTERS
    from auditkit.sampling import evaluate, read_field_sheet
    from auditkit.sampling.inspections_file import (
        auditing_districts,
        check_inspections_path,
        write_inspections,
    )

    if args.append and args.inspections is None:
        raise ParameterError(
            "--append", "--inspections FILE.csv with it, the file to append to", "no --inspections"
        )
    if args.inspections is not None:
        if args.sheet is None:
            raise ParameterError(
                "--inspections", "a --sheet with it, whose inspections are written", "--x and --n"
            )
        check_inspections_path(args.inspections, args.append)  # before the work, not after it
    if args.sheet is not None:
        if args.population_size is not None:
            raise ParameterError(
                "--population-size",
                "no --population-size with --sheet (the sheet records the population it was "
                "drawn from, and that one is used)",
                args.population_size,
            )
        auditing = args.auditing_district
        if auditing is not None:
            checked_key_text("--auditing-district", auditing, KEY_CHARACTERS)
            if args.append and args.inspections.exists():
                _refuse_unknown_auditor(auditing, auditing_districts(args.inspections))
        sheet = _field_sheet(args.sheet)
        warn_if_open(sheet, EVALUATING)
        with parameters_named(_FLAGS):
            results = read_field_sheet(
                sheet,
                audit_kind=args.audit_kind,
                auditing_district=auditing,
                large_amounts=args.large_amounts,
            )
            given = {
                "materiality": args.materiality,
                "method": args.method,
                "confidence": args.confidence,
                "prior": args.prior,
            }
            evaluation = results.evaluate(**given, direction=args.direction)
        for name, (recorded, chosen) in results.departures(**given).items():
            print(
                i18n.text("sampling.cli.differs_from_plan", args.lang).format(
                    flag=_FLAGS[name], given=chosen, as_planned=recorded
                )
            )
        if args.inspections is not None:
            written = write_inspections(args.inspections, results.inspections, args.append)
            if written.appended:
                key = "sampling.cli.inspections_appended"
            else:
                key = "sampling.cli.inspections_written"
            print(
                i18n.text(key, args.lang).format(
                    path=written.path,
                    added=written.added,
                    recorded=written.recorded,
                    total=written.total,
                )
            )
    else:
        if args.n is None:
            raise ParameterError("--n", "the sample size with --x", "no --n")
        with parameters_named(_FLAGS):
            evaluation = evaluate(
                args.materiality,
                method=args.method or "binomial",
                confidence=0.95 if args.confidence is None else args.confidence,
                x=args.x,
                n=args.n,
                population_size=args.population_size,
                prior=args.prior,
                direction=args.direction or DEFAULT_DIRECTION,
            )
    _print_table(evaluation.to_table(args.lang))
    print()
    print(evaluation.explain(args.lang))
    return 0


def _refuse_unknown_auditor(auditing: str, known: set[str]) -> None:
    """A ParameterError naming --auditing-district when the inspections table appended to
    records no inspection by it: every district of the utility audits its own customers, so an
    auditor the table never names (a slip: 火星 for 城西) is no district of the data."""
    if known and auditing not in known:
        raise ParameterError(
            "--auditing-district",
            f"a district the --inspections table records as auditing ({', '.join(sorted(known))})",
            auditing,
        )


def _field_sheet(paths: Sequence[Path]) -> Path:
    """The one field sheet among `paths` (--sheet), lock files skipped with a warning: a sample
    is evaluated from its own sheet, so two sheets are a ParameterError naming them."""
    sheets = without_lock_files(paths, EVALUATING)
    if len(sheets) > 1:
        raise ParameterError(
            EVALUATING.parameter,
            "one filled field sheet (.xlsx), besides any lock files: each sample is evaluated "
            "from its own sheet",
            ", ".join(path.name for path in sheets),
        )
    return sheets[0]


def _read_frame(path: Path, as_text: Sequence[str] = ()) -> pd.DataFrame:
    """The population table at `path`, each row labelled with its row number in the file as a
    spreadsheet shows it (the header row 1; a Parquet file's first record row 1), rows with no
    value at all left out (an empty line is no unit of the population); the `as_text` columns
    (ids and carried columns) and customer_id and period of a CSV or a workbook read as text
    (户号 0012 stays 0012, a meter address 000000100001 is not the number 100001). A header
    naming a column twice, or a table without a row, is refused naming the file."""
    import pandas as pd

    from auditkit.data.problems import Problem
    from auditkit.sampling.errors import SampleDataError
    from auditkit.workbooks import lock_file

    if not path.is_file():
        raise ParameterError("--frame", "an existing .csv, .xlsx or .parquet file", str(path))
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except (OSError, ValueError) as error:  # Arrow's errors are ValueErrors
            problem = Problem(path.name, None, None, "a Parquet file", str(error))
            raise SampleDataError(str(problem)) from None
        _refuse_duplicated_header(path.name, list(frame.columns), row=None)
        return _with_rows(path.name, frame, first_row=1)
    if suffix == ".xlsx" or lock_file(path) is not None:  # a lock file is named as one
        frame, header = _read_xlsx_frame(path, as_text)
        _refuse_duplicated_header(path.name, header, row=1)
        return _with_rows(path.name, frame, first_row=2)
    if suffix != ".csv":
        found = f"{path} (an old Excel format: save it as .xlsx)" if suffix == ".xls" else path
        raise ParameterError("--frame", "a .csv, .xlsx or .parquet file", str(found))
    frame = _read_csv(path, as_text)
    _refuse_duplicated_header(path.name, _csv_header(path), row=1)
    return _with_rows(path.name, frame, first_row=2)


def _refuse_duplicated_header(file: str, header: Sequence[object], row: int | None) -> None:
    """A SampleDataError naming `file`, its header `row` and the first column named twice in
    `header` (pandas would read the second as 'id.1', and which one is the id nobody could say)."""
    from openpyxl.utils import get_column_letter

    from auditkit.data.problems import Problem
    from auditkit.sampling.errors import SampleDataError

    places: dict[str, list[int]] = {}
    for position, name in enumerate(header, start=1):
        if name is not None and str(name).strip():
            places.setdefault(str(name), []).append(position)
    for name, positions in places.items():
        if len(positions) > 1:
            letters = [get_column_letter(position) for position in positions]
            where = (
                f"columns {', '.join(letters[:-1])} and {letters[-1]}"
                if row is not None
                else f"{len(positions)} columns"
            )
            problem = Problem(
                file, row, name, "each column named once in the header", f"{name!r} in {where}"
            )
            raise SampleDataError(str(problem))


def _with_rows(file: str, frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
    """`frame` numbered from `first_row` (`_numbered`), or a SampleDataError naming `file` when
    no row is left: a population of no unit has nothing to select."""
    from auditkit.data.problems import Problem
    from auditkit.sampling.errors import SampleDataError

    numbered = _numbered(frame, first_row)
    if numbered.empty:
        found = "none" if frame.empty else f"only {len(frame):,} empty row(s)"
        below = "below the header " if first_row > 1 else ""
        expected = f"at least one row {below}(a unit of the population)"
        raise SampleDataError(str(Problem(file, None, None, expected, found)))
    return numbered


def _refuse_rows_without_id(frame: pd.DataFrame, file: str, ids: Sequence[str]) -> None:
    """A SampleDataError naming `file`, the first row (as `_read_frame` numbers it) and the id
    column where a row of the population has none: a total row (`,300`) is no unit, and taken
    for one it would double the population's value and could be drawn."""
    import pandas as pd

    from auditkit.data.problems import Problem
    from auditkit.errors import shown
    from auditkit.sampling.errors import SampleDataError

    for column in ids:
        written_ids = frame[column].astype("string")
        rows = frame.index[(written_ids.isna() | (written_ids.str.strip() == "")).to_numpy()]
        if len(rows):
            written = frame.at[rows[0], column]
            found = "an empty cell" if pd.isna(written) else shown(written)
            more = f" ({len(rows):,} such rows)" if len(rows) > 1 else ""
            expected = "a value (the id of each unit of the population; a total row has none)"
            problem = Problem(file, int(rows[0]), column, expected, found + more)
            raise SampleDataError(str(problem))


#: What a totals row of an export holds in its id column (compared case- and width-insensitively,
#: spaces and a final colon left out: `合 计`, `Total:`, `ＳＵＭ`).
TOTALS_LABELS = frozenset({"合计", "总计", "小计", "total", "subtotal", "sum"})


def totals_label(text: str) -> bool:
    """Whether `text` is a totals label (TOTALS_LABELS)."""
    import unicodedata

    folded = "".join(unicodedata.normalize("NFKC", text).split()).rstrip(":").casefold()
    return folded in TOTALS_LABELS


def _refuse_totals_rows(frame: pd.DataFrame, file: str, ids: Sequence[str]) -> None:
    """A SampleDataError naming `file`, the first row and the id column whose id is a totals
    label (`合计,510` closing a billing export): taken for a unit, it would double the
    population's value and be drawn as often as its yuan call for."""
    from auditkit.data.problems import Problem
    from auditkit.errors import shown
    from auditkit.sampling.errors import SampleDataError

    for column in ids:
        labels = frame[column].map(totals_label, na_action="ignore").fillna(False)
        rows = frame.index[labels.to_numpy(dtype=bool)]
        if len(rows):
            more = f" ({len(rows):,} such rows)" if len(rows) > 1 else ""
            found = (
                f"{shown(frame.at[rows[0], column])}, which looks like a totals row (remove it "
                f"from the frame: it is no unit of the population){more}"
            )
            expected = "the id of a unit of the population"
            raise SampleDataError(str(Problem(file, int(rows[0]), column, expected, found)))


def _refuse_duplicated_ids(frame: pd.DataFrame, file: str, ids: Sequence[str]) -> None:
    """A SampleDataError naming `file`, the rows of the first id written twice or more (spaces
    around it ignored) and how many ids repeat: a unit listed twice (with two book values) would
    be counted and drawn twice, and its sheet rows could not be told apart."""
    from auditkit.data.problems import Problem
    from auditkit.errors import shown
    from auditkit.sampling.errors import SampleDataError

    keys = frame[list(ids)].astype("string").apply(lambda values: values.str.strip())
    repeated = keys.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return
    first = keys[repeated].iloc[0]
    rows = [int(row) for row in frame.index[(keys == first).all(axis=1).to_numpy()]]
    listed = ", ".join(map(str, rows[:-1][:9])) + (", …" if len(rows) > 10 else "")
    listed += f" and {rows[-1]}"
    written = ", ".join(shown(frame.at[rows[0], column]) for column in ids)
    others = len(keys[repeated].drop_duplicates()) - 1
    more = {0: "", 1: " (1 other id repeats too)"}.get(
        others, f" ({others:,} other ids repeat too)"
    )
    several = "" if len(ids) > 1 else "; a unit named by several columns takes --id for each"
    problem = Problem(
        file,
        rows[0],
        ", ".join(ids),
        f"each id once (one row per unit of the population{several})",
        f"{written} in rows {listed}{more}",
    )
    raise SampleDataError(str(problem))


def _numbered(frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
    """`frame` labelled with row numbers from `first_row`, its fully empty rows left out."""
    import pandas as pd

    numbered = frame.set_axis(pd.RangeIndex(first_row, first_row + len(frame)))
    return numbered[numbered.notna().any(axis=1)]


def _read_xlsx_frame(path: Path, as_text: Sequence[str] = ()) -> tuple[pd.DataFrame, list[object]]:
    """A population .xlsx, opened as a returned workbook is (`open_returned_workbook`): refused
    naming the file when it is a lock file an office program keeps beside a workbook, holds a
    zip bomb (a population may be large: its size is not limited, but a part packed hundreds of
    times is refused before it is unpacked), is no workbook or holds no worksheet; read from its
    first worksheet as the dataset loader reads a table (`xlsx_reader.the_table_sheet`): refused
    when that sheet is hidden or another visible sheet holds data too (the population would
    silently be the first sheet's rows only). Identifiers, periods and the `as_text` columns are
    read as text: pandas reads a text cell '0013' as the number 13 otherwise."""
    import pandas as pd

    from auditkit.data.raw import ReadFailure
    from auditkit.data.xlsx_reader import the_table_sheet
    from auditkit.sampling.errors import SampleDataError
    from auditkit.workbooks import open_returned_workbook

    workbook = open_returned_workbook(
        path,
        kind="population table",
        error=SampleDataError,
        then="give it as --frame",
        size_limited=False,
        read_only=True,
    )
    try:
        if not workbook.worksheets:
            raise SampleDataError(
                f"population table {path.name!r}: expected an Excel workbook with a worksheet, "
                "found none readable (a Strict Open XML workbook, or only chart sheets: save it "
                "as an ordinary Excel workbook)"
            )
        try:  # the dataset loader's rule: the table is the first worksheet, visible, alone
            first = the_table_sheet(path, "population table", workbook.worksheets)
        except ReadFailure as failure:
            raise SampleDataError(str(failure.problem)) from None
        header = list(next(first.iter_rows(min_row=1, max_row=1, values_only=True), ()))
        text = {"customer_id", "period", *as_text}
        dtype = {name: str for name in header if name in text}
        frame = pd.read_excel(workbook, sheet_name=first.title, engine="openpyxl", dtype=dtype)
        return frame, header
    finally:
        workbook.close()


def _read_csv(path: Path, as_text: Sequence[str] = ()) -> pd.DataFrame:
    """A population CSV read as the dataset reader decodes an export (`read_side_csv`), so one
    export reads the same everywhere; customer_id, periods and the `as_text` columns (ids,
    carried) kept as text. One that cannot be read whole is refused: file, row, expected and found."""
    from auditkit.data.side_csv import SideTableError, read_side_csv
    from auditkit.sampling.errors import SampleDataError

    text = dict.fromkeys(["customer_id", "period", *as_text], str)
    try:
        return read_side_csv(path, dtype=text, skip_blank_lines=False)
    except SideTableError as error:
        raise SampleDataError(str(error)) from None


def _csv_header(path: Path) -> list[object]:
    """The header row of a population CSV as written, a name given twice kept twice (the frame
    read has renamed the second)."""
    from auditkit.data.side_csv import read_side_csv

    head = read_side_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
    return list(head.iloc[0]) if len(head) else []
