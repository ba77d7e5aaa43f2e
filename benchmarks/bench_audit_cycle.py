"""Benchmark of the audit_cycle report over 36 months of a 200,000-customer utility.

Builds once (and keeps, under `--cache`) a findings register of `--months` monthly runs of a
synthetic utility, made directly rather than by running the rules: about `--open` open findings
a month (5 % gone, and as many entering, each month; findings rectified in the field drop out of
the next run) over every registered rule with its own kind of revenue, and the field's outcomes
of each month's worklists (findings not sent before): per district `--top` findings by revenue,
a 1 % random sample, and a cross-audit of its findings by the next district (a random draw of
25 among the same findings, so some are checked by both teams, and a recheck, chosen by hand,
of findings the district had called false alarms), recorded as a worklist import would record
them (sent, confirmed or false alarm with a few corrections, rectified, recovered, archive
corrected). Whether a finding is real depends on its rule and grows with its revenue, so checks
chosen by revenue confirm more than random samples; two districts call a third of their real
findings false alarms, which cross-audits bring out.

Then times what the report does: reading the register, building the study
(`auditkit.cycle.study_of_register`) and making every table and figure, and the notebook executed
and rendered by the pipeline as `auditkit run audit_cycle -p months=36` runs it (the register in
AUDITKIT_DB; the districts for the job come from the register, not from a dataset). Target
(issue 17): the report in under 60 s.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_audit_cycle.py               # cached register
    PYTHONPATH=. .venv/bin/python benchmarks/bench_audit_cycle.py --customers 20000 --months 6
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import auditkit.rules  # noqa: F401  (registers the rules)
from auditkit.cycle import study_of_register
from auditkit.paths import notebooks_dir, outputs_dir
from auditkit.pipeline.jobs import jobs_for_notebook
from auditkit.pipeline.runs import RunOptions, execute_run
from auditkit.register import Register, finding_keys
from auditkit.rules import FINDING_COLUMNS
from auditkit.rules.registry import RULES

DISTRICTS = ("城东", "城西", "城南", "城北", "开发区", "高新区", "江北", "江南", "东郊", "西郊",
             "南郊", "北郊")  # fmt: skip
#: Districts whose own checks call a third of their real findings false alarms.
UNDER_REPORTING = (3, 7)
RECIPE_VERSION = 4


def rule_table(seed: int) -> pd.DataFrame:
    """Every registered rule with its area, kind of revenue and a precision of its own."""
    rules = sorted(RULES.values(), key=lambda rule: rule.rule_id)
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "rule_id": [rule.rule_id for rule in rules],
            "area": [rule.area for rule in rules],
            "revenue_kind": [rule.revenue_kind for rule in rules],
            "precision": rng.uniform(0.2, 0.85, len(rules)).round(2),
        }
    )


def month_texts(months: int) -> list[str]:
    """`months` consecutive months ending 2024-12."""
    return [str(p) for p in pd.period_range(end="2024-12", periods=months, freq="M")]


def new_findings(
    count: int, month: int, customers: int, rules: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """`count` findings entering at month index `month`: revenue log-normal, real with the
    rule's precision scaled by the revenue's quantile (0.6x for the smallest, 1.4x the largest)."""
    rule = rng.integers(0, len(rules), count)
    quantile = rng.random(count)
    revenue = np.round(np.exp(7.0 + 1.2 * np.sqrt(2) * _erfinv(2 * quantile - 1)), 2)
    chance = np.clip(rules["precision"].to_numpy()[rule] * (0.6 + 0.8 * quantile), 0.0, 0.98)
    return pd.DataFrame(
        {
            "customer": rng.integers(0, customers, count),
            "rule": rule,
            "start": month - rng.integers(0, 7, count),
            "revenue": revenue,
            "score": np.round(quantile, 4),
            "real": rng.random(count) < chance,
            "sent": False,
            "self_false_alarm": False,
            "gone_after": np.iinfo(np.int64).max,  # the day index from which it is rectified
        }
    )


def _erfinv(values: np.ndarray) -> np.ndarray:
    from scipy.special import erfinv

    return erfinv(np.clip(values, -0.999999, 0.999999))


def run_frame(open_: pd.DataFrame, month: str, months: list[str], rules: pd.DataFrame):
    """The run's findings as `auditkit.rules.run` gives them, with their keys."""
    rule = open_["rule"].to_numpy()
    revenue = open_["revenue"].to_numpy()
    frame = pd.DataFrame(
        {
            "rule_id": rules["rule_id"].to_numpy()[rule],
            "area": rules["area"].to_numpy()[rule],
            "severity": np.where(revenue > 5000, "high", "medium"),
            "customer_id": pd.Series(open_["customer"].to_numpy()).map("C{:07d}".format),
            "district": np.array(DISTRICTS, dtype=object)[open_["customer"].to_numpy() % 12],
            "period_from": pd.Series(open_["start"].to_numpy()).map(
                lambda index: str(pd.Period(months[0], freq="M") + int(index))
            ),
            "period_to": month,
            "evidence": "billed at the general commercial rate 0.8 yuan/kWh while the archive "
            "says residential 0.5 yuan/kWh over 7 months (1,234 kWh)",
            "revenue_impact": revenue,
            "revenue_kind": rules["revenue_kind"].to_numpy()[rule],
            "penalty": 0.0,
            "score": open_["score"].to_numpy(),
            "evidence_code": '[["rate", {}]]',
        },
        columns=list(FINDING_COLUMNS),
    )
    return frame, finding_keys(frame).to_numpy()


def field_events(
    open_: pd.DataFrame,
    keys: np.ndarray,
    month_index: int,
    month: str,
    top: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The month's worklists and what the field did with them; marks `open_` (sent, false
    alarms, rectification day) as the field would leave it."""
    first_day = (pd.Period(month, freq="M") + 1).start_time
    district = open_["customer"].to_numpy() % 12
    rows: list[pd.DataFrame] = []
    for number in range(len(DISTRICTS)):
        own = np.flatnonzero((district == number) & ~open_["sent"].to_numpy())
        sample = rng.choice(own, size=max(1, len(own) // 100), replace=False) if len(own) else own
        rest = np.setdiff1d(own, sample)
        by_revenue = rest[np.argsort(-open_["revenue"].to_numpy()[rest], kind="stable")[:top]]
        auditor = DISTRICTS[(number + 1) % 12]
        recheck = np.flatnonzero((district == number) & open_["self_false_alarm"].to_numpy())
        recheck = rng.choice(recheck, size=min(10, len(recheck)), replace=False)
        cross = rng.choice(own, size=min(25, len(own)), replace=False)  # also the district's
        for rows_of, selected, checker in (
            (by_revenue, "revenue", None),
            (sample, "sample", None),
            (cross, "sample", auditor),
            (recheck, None, auditor),  # chosen by hand: the district's false alarms
        ):
            rows.append(
                _worklist(open_, keys, rows_of, selected, checker, number, first_day, month, rng)
            )
    return pd.concat(rows, ignore_index=True)


def _worklist(open_, keys, rows, selected, auditor, district, first_day, month, rng):
    """One worklist's events; the field's decisions follow the finding's truth."""
    count = len(rows)
    real = open_["real"].to_numpy()[rows]
    if auditor is None:
        slip = 0.33 if district in UNDER_REPORTING else 0.03
        confirmed = np.where(real, rng.random(count) >= slip, rng.random(count) < 0.02)
    else:
        confirmed = np.where(real, rng.random(count) < 0.97, rng.random(count) < 0.02)
    decided = rng.random(count) < 0.9
    sent_day = first_day + pd.to_timedelta(np.full(count, 1), unit="D")
    decided_day = first_day + pd.to_timedelta(rng.integers(4, 26, count), unit="D")
    corrected = decided & (rng.random(count) < 0.02)
    final = np.where(corrected, ~confirmed, confirmed)
    rectified = decided & final & (rng.random(count) < 0.85)
    rectified_day = decided_day + pd.to_timedelta(
        np.minimum(rng.lognormal(3.0, 0.8, count), 300).astype(int) + 1, unit="D"
    )
    recovered = rectified & (rng.random(count) < 0.75)
    amount = np.round(open_["revenue"].to_numpy()[rows] * rng.uniform(0.4, 1.0, count), 2)
    archive = rectified & (rng.random(count) < 0.4)
    frames = [
        _events(keys[rows], "sent", None, sent_day, np.ones(count, bool)),
        _events(keys[rows], np.where(confirmed, "confirmed", "false_alarm"), None,
                decided_day, decided),
        _events(keys[rows], np.where(confirmed, "false_alarm", "confirmed"), None,
                decided_day + pd.Timedelta(days=20), corrected),
        _events(keys[rows], "rectified", None, rectified_day, rectified),
        _events(keys[rows], "recovered", amount, rectified_day + pd.Timedelta(days=10), recovered),
        _events(keys[rows], "archive_corrected", None, rectified_day, archive),
    ]  # fmt: skip
    events = _one_event_a_day(pd.concat(frames, ignore_index=True))
    events["auditor"] = auditor
    events["selected_by"] = np.where(events["event"].isin(["sent", "confirmed", "false_alarm"]),
                                     selected, None)  # fmt: skip
    events["source"] = (
        f"worklist:{month}-{DISTRICTS[district]}-{selected or 'recheck'}-{auditor or 'self'}"
    )
    open_.loc[open_.index[rows], "sent"] = True
    own_false = (auditor is None) & decided & ~final
    open_.loc[open_.index[rows[own_false]], "self_false_alarm"] = True
    if auditor is not None:  # rechecked: not rechecked again
        open_.loc[open_.index[rows], "self_false_alarm"] = False
    days = ((rectified_day - pd.Timestamp("2000-01-01")).days).to_numpy()
    open_.loc[open_.index[rows[rectified]], "gone_after"] = days[rectified]
    return events


def _one_event_a_day(events: pd.DataFrame) -> pd.DataFrame:
    """The register holds one check per finding, day and bureau (a second event that day is
    the same check reported again): an event falling on a day its finding has one already
    moves to the next free day (a rectification's archive correction, a recovery on the day
    of a corrected decision)."""
    days = pd.to_datetime(events["happened_at"])
    taken = pd.DataFrame({"finding_key": events["finding_key"], "day": days}).duplicated()
    while taken.any():
        days = days.where(~taken, days + pd.Timedelta(days=1))
        taken = pd.DataFrame({"finding_key": events["finding_key"], "day": days}).duplicated()
    return events.assign(happened_at=days.dt.strftime("%Y-%m-%d"))


def _events(keys, kind, amount, days, mask) -> pd.DataFrame:
    count = int(mask.sum())
    kinds = np.broadcast_to(np.asarray(kind, dtype=object), mask.shape)[mask]
    values = np.full(count, np.nan) if amount is None else np.asarray(amount)[mask]
    return pd.DataFrame(
        {
            "finding_key": keys[mask],
            "event": kinds,
            "amount": values,
            "actor": "稽查员",
            "happened_at": pd.DatetimeIndex(days)[mask].strftime("%Y-%m-%d"),
        }
    )


def build_register(url: str, customers: int, months: int, open_target: int, top: int,
                   seed: int) -> dict:  # fmt: skip
    """Record `months` runs and their field outcomes into the register at `url`."""
    rng = np.random.default_rng(seed)
    rules = rule_table(seed)
    texts = month_texts(months)
    open_ = new_findings(open_target, 0, customers, rules, rng)
    open_ = open_.drop_duplicates(["customer", "rule"]).reset_index(drop=True)
    sizes = {"findings_per_month": [], "events": 0, "record_seconds": 0.0}
    started = time.perf_counter()
    with Register.open(url) as register:
        for index, month in enumerate(texts):
            if index:
                month_start = pd.Period(month, freq="M").start_time - pd.Timestamp("2000-01-01")
                rectified = open_["gone_after"].to_numpy() < month_start.days
                kept = ~rectified & (rng.random(len(open_)) >= 0.05)
                open_ = open_[kept]
                entering = new_findings(open_target - len(open_), index, customers, rules, rng)
                open_ = pd.concat([open_, entering], ignore_index=True)
                open_ = open_.drop_duplicates(["customer", "rule"]).reset_index(drop=True)
            frame, keys = run_frame(open_, month, texts, rules)
            register.record_run(frame, run_id=f"bench {month}", as_of=month, district=None)
            events = field_events(open_, keys, index, month, top, rng)
            events["source_row"] = np.arange(1, len(events) + 1)
            register.record_outcomes(events)
            sizes["findings_per_month"].append(len(frame))
            sizes["events"] += len(events)
            print(f"  {month}: {len(frame):,} findings, {len(events):,} events "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    sizes["record_seconds"] = round(time.perf_counter() - started, 1)
    return sizes


def cached_register(args: argparse.Namespace) -> tuple[str, Path, dict]:
    """The register's URL and folder, built when the cache does not hold this recipe."""
    recipe = {"version": RECIPE_VERSION, "customers": args.customers, "months": args.months,
              "open": args.open, "top": args.top, "seed": args.seed}  # fmt: skip
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]
    folder = Path(args.cache) / digest
    database, record = folder / "register.sqlite", folder / "recipe.json"
    url = f"sqlite:///{database}"
    if record.is_file() and database.is_file():
        print(f"register cached in {folder}")
        return url, folder, json.loads(record.read_text("utf-8"))["sizes"]
    folder.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    print(f"building the register in {folder} ...")
    sizes = build_register(url, args.customers, args.months, args.open, args.top, args.seed)
    record.write_text(json.dumps({"recipe": recipe, "sizes": sizes}), "utf-8")
    return url, folder, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--open", type=int, default=30_000, help="open findings a month")
    parser.add_argument("--top", type=int, default=250, help="findings by revenue per district")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", default=str(outputs_dir() / "benchmarks" / "audit_cycle"))
    args = parser.parse_args()
    url, folder, sizes = cached_register(args)
    findings = sizes["findings_per_month"]
    print(f"register: {args.months} months of a {args.customers:,}-customer utility, "
          f"{min(findings):,}-{max(findings):,} open findings a month, "
          f"{sizes['events']:,} outcome events (built in {sizes['record_seconds']} s)")  # fmt: skip

    with Register.open(url) as register:
        started = time.perf_counter()
        study = study_of_register(register, months=args.months)
        built = time.perf_counter() - started
        shown = time.perf_counter()
        for name in study.table_names:
            study.table(name, "zh")
        for name in study.figure_names:
            study.figure(name, "zh")
        study.conclusions("zh")
        shown = time.perf_counter() - shown
    print(f"study: read the register and evaluated {len(study.states):,} findings in "
          f"{built:.1f} s; every table, figure and sentence in {shown:.1f} s")  # fmt: skip
    for sentence in study.conclusions("en")[:3]:
        print(f"  {sentence}")

    os.environ["AUDITKIT_DB"] = url
    os.environ.pop("AUDITKIT_RUN_DB", None)
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        jobs = jobs_for_notebook(
            notebooks_dir() / "audit_cycle.ipynb",
            {"data_dir": str(folder), "months": args.months},
            districts_of=lambda _: DISTRICTS,
        )
        options = RunOptions(outputs=Path(scratch), parallel=1, time_limit=600, progress=False)
        outcome = execute_run(jobs, options, "run audit_cycle")
        wall = time.perf_counter() - started
        (entry,) = outcome.manifest["notebooks"]
        report = next(outcome.run_dir.rglob("report.html"))
        size = report.stat().st_size / 1e6
    status = "ok" if entry["status"] == "ok" else f"FAILED: {entry.get('error')}"
    print(f"audit_cycle report via the pipeline: {wall:.1f} s wall ({status}; execute "
          f"{entry.get('execute_seconds') or 0:.1f} s, render {entry.get('render_seconds') or 0:.1f} s;"
          f" report {size:.1f} MB); target under 60 s")  # fmt: skip


if __name__ == "__main__":
    main()
