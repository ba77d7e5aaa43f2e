"""Rule quality on the synthetic utility: precision and recall, and false alarms on honest look-alikes.

    .venv/bin/python benchmarks/rule_quality.py --customers 20000 --seed 1
    .venv/bin/python benchmarks/rule_quality.py --customers 20000 --seed 1 --json > quality.json

Prints three Markdown tables (ready for a note): (a) per rule, customers injected and found, true
positives, precision and recall; (b) per rule and look-alike kind, the share of that kind's customers
the rule fired on, marked ⚠ above the 1 % issue 14 allows; (c) per rule, honest (not injected)
customers flagged, and among them those that are no look-alike either. `--json` prints the same tables as JSON instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import pandas as pd

from auditkit import rules, synth
from auditkit.data import Dataset
from auditkit.synth.lookalikes import false_alarms

#: Largest share of a look-alike kind a rule may fire on (issue 14).
MAX_FALSE_ALARM_SHARE = 0.01


def measure(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The three quality tables of a generated utility (the rules run on it here)."""
    dataset = Dataset.from_frames(tables)
    findings = rules.run(dataset)
    rule_ids = list(rules.RULES)
    truth, lookalikes = tables["truth"], tables["lookalikes"]
    quality = rules.precision_recall(findings, truth, rule_ids).rename(
        columns={"labelled": "injected", "findings": "found"}
    )
    customers = tables["customers"]["customer_id"]
    honest = customers[~customers.isin(truth["customer_id"])]
    plain = honest[~honest.isin(lookalikes["customer_id"])]
    flagged = findings.groupby("rule_id")["customer_id"]
    others = pd.DataFrame({"rule_id": rule_ids})
    for name, group in (("honest", honest), ("plain", plain)):
        counts = flagged.apply(lambda found, group=group: int(found.isin(group).sum()))
        others[f"{name}_flagged"] = counts.reindex(rule_ids, fill_value=0).to_numpy()
        others[f"{name}_customers"] = len(group)
        others[f"{name}_share"] = others[f"{name}_flagged"] / max(len(group), 1)
    return {
        "quality": quality,
        "lookalikes": false_alarms(findings, lookalikes, rule_ids),
        "honest": others,
    }


def markdown(tables: dict[str, pd.DataFrame]) -> str:
    """The three tables as Markdown."""
    quality = tables["quality"]
    lines = [
        "| rule | injected | found | true positives | precision | recall |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in quality.itertuples():
        lines.append(
            f"| {row.rule_id} | {row.injected} | {row.found} | {row.true_positive} "
            f"| {_ratio(row.precision)} | {_ratio(row.recall)} |"
        )
    grid = tables["lookalikes"]
    kinds = list(dict.fromkeys(grid["kind"]))
    sizes = grid.drop_duplicates("kind").set_index("kind")["customers"]
    lines += [
        "",
        "| rule | " + " | ".join(f"{kind} (n={sizes[kind]})" for kind in kinds) + " |",
        "|---|" + "---:|" * len(kinds),
    ]
    for rule_id, rows in grid.groupby("rule_id", sort=False):
        cells = [_share_cell(row.flagged, row.share) for row in rows.itertuples()]
        lines.append(f"| {rule_id} | " + " | ".join(cells) + " |")
    honest = tables["honest"]
    lines += [
        "",
        f"| rule | honest customers flagged (of {honest['honest_customers'].iat[0]:,}) "
        f"| of them not look-alikes (of {honest['plain_customers'].iat[0]:,}) |",
        "|---|---:|---:|",
    ]
    for row in honest.itertuples():
        lines.append(
            f"| {row.rule_id} | {row.honest_flagged} ({row.honest_share:.2%}) "
            f"| {row.plain_flagged} ({row.plain_share:.2%}) |"
        )
    return "\n".join(lines)


def _ratio(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.3f}"


def _share_cell(flagged: int, share: float) -> str:
    if not flagged:
        return "0"
    mark = " ⚠" if share > MAX_FALSE_ALARM_SHARE else ""
    return f"{flagged} ({share:.1%}){mark}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--districts", type=int, default=6)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the tables as JSON")
    args = parser.parse_args()
    config = synth.SynthConfig(
        customers=args.customers, districts=args.districts, months=args.months, seed=args.seed
    )
    started = time.perf_counter()
    tables = measure(synth.generate(config))
    seconds = time.perf_counter() - started
    if args.json:
        # Through pandas' JSON: a precision or recall without cases is null, not NaN.
        payload = {
            name: json.loads(frame.to_json(orient="records")) for name, frame in tables.items()
        }
        print(json.dumps({"config": vars(args), **payload}, ensure_ascii=False, indent=2))
    else:
        print(
            f"Synthetic utility: {args.customers:,} customers × {args.months} months, "
            f"seed {args.seed} ({seconds:.0f} s)\n"
        )
        print(markdown(tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
