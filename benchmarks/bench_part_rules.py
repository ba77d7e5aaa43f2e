"""Benchmark: the per-part rules on one part of a converted folder, CPU seconds per rule.

    .venv/bin/python benchmarks/bench_part_rules.py /tmp/bench18/chunked-1000000x36-partitioned \
        --part 0 --repeats 3

The part's context and its recomputation (capacity_underbilled's) are built first and not timed;
each other per-part rule is then timed with its finishing (`worklist._finish`), as `worklist.check`
runs it, on a fresh context per repeat (so shared work is paid by the first rule that needs it, as
in a run). Prints each rule's best CPU seconds over the repeats (process time: steadier than wall
time on a shared machine), their sum and the load average. Run on demand; not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

import pandas as pd

from auditkit.data import load
from auditkit.engine import source_of
from auditkit.engine.local import stored_tasks
from auditkit.engine.partition import plan_run
from auditkit.rules.context import RuleContext
from auditkit.rules.registry import RULES
from auditkit.rules.worklist import _finish

#: Timed apart (its recomputation is built before the clock starts).
UNTIMED = "capacity_underbilled"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a converted (partitioned) folder")
    parser.add_argument("--part", type=int, default=0, help="the part's task number")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    source = source_of(load(args.folder, lazy=True))
    plan = plan_run(
        source.periods(), source.profile(), None, None, None, extracted_on=source.latest_date
    )
    arguments = stored_tasks(source, plan)[args.part].arguments
    arguments = arguments() if callable(arguments) else arguments  # a part's are made when due
    stored, index, plan, neighbours = arguments[:4]
    tables = stored.part(index)
    own = len(tables.customers)
    customers = tables.customers
    if neighbours is not None and len(neighbours):
        customers = pd.concat([customers, neighbours[customers.columns]], ignore_index=True)
    part = replace(tables, customers=customers, daily_reads=None)
    rule_ids = [rule_id for rule_id in plan.per_part if rule_id != UNTIMED]
    best = dict.fromkeys(rule_ids, float("inf"))
    findings = {}
    for _ in range(args.repeats):
        context = RuleContext.at_month(
            part, plan.as_of_month, extract_date=plan.extract_date, itemized=plan.itemized
        )
        context.recomputed  # noqa: B018 (built before the clock starts)
        for rule_id in rule_ids:
            rule = RULES[rule_id]
            started = time.process_time()
            params = plan.settings[rule_id] | {other: plan.settings[other] for other in rule.reads}
            raw = rule.check(context, params)
            raw = raw[raw["cust"].to_numpy() < own]
            _finish(raw, rule, context, plan.settings["common"])
            best[rule_id] = min(best[rule_id], time.process_time() - started)
            findings[rule_id] = len(raw)
    print(f"part {args.part} of {args.folder}: {len(part.bills):,} bills")
    for rule_id, seconds in sorted(best.items(), key=lambda item: -item[1]):
        print(f"  {rule_id:28s} {seconds:6.3f} s  ({findings[rule_id]} findings)")
    print(f"per-part rules but {UNTIMED}: {sum(best.values()):.3f} CPU s (best of {args.repeats})")
    print(f"load average: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
