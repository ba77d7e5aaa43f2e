"""`auditkit rules`: run the audit rule library on a dataset folder and write the findings."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from auditkit import formatting, i18n, yamlsafe
from auditkit.cli.register_options import add_register_options
from auditkit.cli.run_records import RUN_RECORD, refuse_another_runs_folder, write_run_record
from auditkit.errors import ParameterError, flags, parameters_named
from auditkit.paths import (
    checked_out_folder,
    checked_outside_data,
    dataset_output_name,
    dataset_run_name,
    outputs_dir,
)

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.register import Register


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `rules` subcommand."""
    parser = subparsers.add_parser(
        "rules",
        help="run the audit rules and write findings",
        description=(
            "Load and validate DATA_DIR, run the audit rule library, write the findings as Parquet "
            "and CSV, and print a summary per rule and district. Both files hold each finding's "
            "evidence as a sentence in --lang and as clauses in evidence_code (JSON; "
            "auditkit.rules.evidence_text renders them in either language). With a `truth` table "
            "(synthetic data) it also prints precision and recall per rule. With --register (or "
            "--db) the findings are recorded in the findings register, which says which are new, "
            "persisting, no longer found or reopened since the last run."
        ),
    )
    parser.add_argument("data_dir", type=Path, metavar="DATA_DIR", help="the dataset folder")
    parser.add_argument("--district", metavar="D", help="only this district's customers")
    parser.add_argument(
        "--as-of",
        dest="as_of",
        metavar="YYYY-MM",
        help="audit month (default: the last billed month)",
    )
    parser.add_argument(
        "--rules", metavar="ID,ID", help="run only these rule ids (comma-separated)"
    )
    parser.add_argument(
        "--params",
        type=Path,
        metavar="FILE",
        help="YAML of threshold overrides, e.g. {zero_consumption: {min_months: 4}}",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder for findings.parquet / findings.csv, replaced there (default "
        "outputs/findings/<dataset>[-<district>]-<digest of its path>/<audit month>, which a run "
        "of other --rules or --params does not replace without --replace)",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace the findings of the default folder even when another run's "
        "(other --rules or --params) wrote them",
    )
    parser.add_argument(
        "--lang",
        choices=i18n.LANGS,
        default=i18n.DEFAULT_LANG,
        help=f"language of the evidence written (default {i18n.DEFAULT_LANG}, as the reports)",
    )
    add_register_options(parser, "the findings")
    parser.add_argument(
        "--run-id",
        dest="run_id",
        metavar="ID",
        help="id of the run in the register (default: DATA_DIR's name, '-DISTRICT' when one is "
        "given, then the audit month: 'data-城东 2025-06'); recording the same id again changes "
        "nothing",
    )
    parser.set_defaults(func=run_rules)


def run_rules(args: argparse.Namespace) -> int:
    """Run the rules as asked, write the findings, print the summary."""
    from auditkit import rules
    from auditkit.audit.study import KIND_FIGURES, amounts
    from auditkit.cli.open_tables import say_open_tables
    from auditkit.data import load
    from auditkit.data.intake import lock_warnings_of
    from auditkit.report import save_table

    if args.run_id is not None:
        from auditkit.register.texts import checked_register_text  # SQLAlchemy: only when given

        checked_register_text("run_id", args.run_id, "--run-id")
    checked_out_folder(args.out, "--out", "findings.parquet and findings.csv")
    checked_outside_data(args.out, args.data_dir, "--out", "a folder")
    overrides = _read_overrides(args.params) if args.params else None
    selected = None if args.rules is None else _rule_ids(args.rules)  # before the data is read
    dataset = load(args.data_dir)
    say_open_tables("rules", Path(args.data_dir), lock_warnings_of(dataset.problems))
    district_dataset = dataset.for_district(args.district) if args.district else dataset
    notes: list[str] = []
    # Rules see the whole utility (a meter shared across districts is still a shared meter);
    # the district filter applies to the findings and the truth they are measured against.
    with parameters_named(flags("as_of", "rules")):  # named as the flags the user typed
        findings = rules.run(
            dataset, as_of=args.as_of, rules=selected, params=overrides, notes=notes
        )
    if args.district:
        findings = rules.of_district(findings, args.district)
    name = dataset_run_name(args.data_dir, args.district)
    # One folder per dataset (its path's digest: cityA/data and cityB/data have one each) and
    # audit month: next month's run, or another city's, does not replace this one's findings.
    # A run of other rules or params is refused there unless --replace: nothing lost unasked.
    default_folder = outputs_dir() / "findings" / dataset_output_name(args.data_dir, args.district)
    out = args.out or default_folder / findings.attrs["as_of"]
    record = None if args.out else _run_record(args, selected, overrides)
    if record is not None and not args.replace:
        refuse_another_runs_folder(out, record, "findings", _described)
    opened = _open_register(args)  # None without --register / --db; opened once
    with contextlib.nullcontext() if opened is None else opened as register:
        if register is not None:  # a run the register refuses writes no findings files
            run_id = args.run_id or _default_run_id(args.data_dir, name, findings.attrs["as_of"])
            register.check_run(
                findings, run_id=run_id, as_of=findings.attrs["as_of"], district=args.district
            )
        written = findings.assign(evidence=rules.evidence_text(findings, args.lang))
        for note in notes:
            print(f"note: {note}")
        print(_summary(findings).to_string())
        totals = amounts(findings).sum()
        print(
            f"\n{formatting.count(len(findings))} findings, "
            f"¥{formatting.money(totals[KIND_FIGURES['proved']])} proved and "
            f"¥{formatting.money(totals[KIND_FIGURES['estimated']])} estimated at stake, "
            f"¥{formatting.money(totals['penalties'])} of penalties "
            f"(as of {findings.attrs['as_of']})"
        )
        if district_dataset.truth is not None:
            ran = [rule_id for rule_id in (selected or rules.RULES) if not _skipped(rule_id, notes)]
            scores = rules.precision_recall(findings, district_dataset.truth, ran)
            print("\nAgainst the truth table (synthetic data):")
            # A rule with no finding and no case has no precision: shown as a dash, not NaN.
            print(scores.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep="—"))
        # with a register, the files are put in place only once the run is recorded
        folder = contextlib.nullcontext(out) if register is None else _in_place_when_done(out)
        with folder as writing_to:
            save_table(written, writing_to, "findings", sort_by=["rule_id", "customer_id"])
            if record is not None:
                write_run_record(writing_to, record)
            if register is not None:
                _record(findings, register, args.district, run_id)
        parquet, csv = out / "findings.parquet", out / "findings.csv"
        print(f"\nfindings written: {parquet}\n                  {csv}")
    return 0


@contextlib.contextmanager
def _in_place_when_done(out: Path) -> Iterator[Path]:
    """A hidden folder beside `out` for the block to write a run's files in, moved into `out`
    (run.json last) when the block ends and removed when it raises: a run the register refuses
    or fails to record (a concurrent run of the same month) leaves no files that look
    recorded."""
    from auditkit.atomic import locked_while_written, signals_held

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        with locked_while_written(staging):
            yield staging
            out.mkdir(parents=True, exist_ok=True)
            with signals_held():  # Ctrl-C after the last rename: never old and new files mixed
                for name in sorted(path.name for path in staging.iterdir()):
                    if name != RUN_RECORD:
                        os.replace(staging / name, out / name)
                if (staging / RUN_RECORD).exists():
                    os.replace(staging / RUN_RECORD, out / RUN_RECORD)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _run_record(
    args: argparse.Namespace, selected: list[str] | None, overrides: dict | None
) -> dict[str, object]:
    """What makes a run's findings: its dataset (resolved path), district, rules (None: every
    rule, as when all are listed) and --params overrides (as JSON: dates as text)."""
    from auditkit import rules

    chosen = None if selected is None else sorted(set(selected))
    return {
        "dataset": str(args.data_dir.resolve()),
        "district": args.district,
        "rules": None if chosen == sorted(rules.RULES) else chosen,
        "params": None if overrides is None else json.loads(json.dumps(overrides, default=str)),
    }


def _described(record: dict) -> str:
    """A run record as the user gave it: 'every rule, no --params' or 'zero_consumption,
    --params {"zero_consumption": {"min_months": 4}}' (dataset and district name the folder)."""
    rules = record.get("rules")
    params = record.get("params")
    return ", ".join(
        [
            "every rule" if rules is None else ",".join(map(str, rules)),
            "no --params"
            if params is None
            else f"--params {json.dumps(params, ensure_ascii=False)}",
        ]
    )


def _rule_ids(text: str) -> list[str]:
    """The rule ids `--rules` names, comma-separated: an empty --rules (which would run every
    rule) or an empty item (`a,,b`, a trailing comma) is a ParameterError, not read as all rules
    or as an id ''."""
    if not text.strip():
        raise ParameterError("--rules", "one or more rule ids, comma-separated", text)
    ids = text.split(",")
    if any(not rule_id.strip() for rule_id in ids):
        raise ParameterError(
            "--rules", "rule ids separated by single commas, none of them empty", text
        )
    return ids


def _default_run_id(data_dir: Path, name: str, as_of: str) -> str:
    """The run's id when --run-id is not given: the run's `name` (`dataset_run_name`: the
    dataset folder's name, '-DISTRICT' when one is given), then the audit month ('data-城东
    2025-06'); a folder name too long for the id is cut (`register.texts.default_run_id`)."""
    from auditkit.register.texts import default_run_id

    folder = data_dir.resolve().name
    return default_run_id(folder, f"{name[len(folder) :]} {as_of}")  # '-城东 2025-06'


def _open_register(args: argparse.Namespace) -> Register | None:
    """The register the run is recorded in (--register / --db), else None."""
    if not (args.register or args.db):
        return None
    from auditkit.register import Register  # SQLAlchemy and Alembic load only when recording

    return Register.open(args.db)


def _record(findings: pd.DataFrame, register: Register, district: str | None, run_id: str) -> None:
    """Record the run's findings in the register and print what changed since the last run."""
    changes = register.record_run(
        findings, run_id=run_id, as_of=findings.attrs["as_of"], district=district
    )
    counts = ", ".join(
        f"{count} {status.replace('_', ' ')}" for status, count in changes.counts.items()
    )
    state = "already recorded, nothing changed" if changes.already_recorded else counts
    print(
        f"register {register.url}: run {changes.run_id!r}: {state} "
        f"({changes.amounts_changed} amounts changed)"
    )


def _skipped(rule_id: str, notes: list[str]) -> bool:
    return any(note.startswith(f"{rule_id} skipped") for note in notes)


def _summary(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per rule (rows) and district (columns) with totals; each rule's revenue, in the
    column of its kind (proved or estimated), and its penalties."""
    import pandas as pd

    from auditkit.audit.study import AMOUNTS, KIND_FIGURES, amounts

    if findings.empty:
        return pd.DataFrame({"findings": [0]}, index=["(none)"])
    counts = findings.pivot_table(
        index="rule_id",
        columns="district",
        values="customer_id",
        aggfunc="count",
        fill_value=0,
        margins=True,
        margins_name="all",
    )
    money = amounts(findings)  # each finding's money under its figure: kinds never summed together
    by_rule = money.groupby(findings["rule_id"]).sum().reindex(counts.index).fillna(0.0)
    by_rule.loc["all"] = money.sum()
    headings = {figure: f"{kind} ¥" for kind, figure in KIND_FIGURES.items()}
    for figure in AMOUNTS:
        counts[headings.get(figure, "penalty ¥")] = by_rule[figure].map(formatting.count)
    return counts


def _read_overrides(path: Path) -> dict:
    try:
        content = yamlsafe.safe_load(path.read_bytes())
    except OSError as error:
        raise ParameterError(
            "--params", "a readable YAML file", f"{path} ({error.strerror})"
        ) from None
    except yaml.YAMLError as error:
        raise ParameterError(
            "--params", "valid YAML", f"{path}: {yamlsafe.describe(error)}"
        ) from None
    if not isinstance(content, dict):
        what = "no values" if content is None else f"a {type(content).__name__}"
        raise ParameterError(
            "--params", "a mapping of rule id → {parameter: value}", f"{path} holding {what}"
        )
    return content
