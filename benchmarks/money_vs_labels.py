"""Each rule's money against the synthetic utility's exact labels, customer by customer.

The synth labels every injected case with its `revenue_effect`: for billing faults the exact
Σ(due − billed) of its own ledger. This runs every rule (`auditkit.rules.run`) and prints, per
rule, the labelled customers it found, how many of them it prices to the fen, and the two sums.
Rules whose revenue is an estimate (theft, zero consumption, demand above capacity) are not
expected to match; a proved rule that does not is a pricing fault of the rule or of the synth.

    PYTHONPATH=. .venv/bin/python benchmarks/money_vs_labels.py --customers 20000 --seed 1
"""

from __future__ import annotations

import argparse

import pandas as pd

from auditkit import rules, synth
from auditkit.data import Dataset

#: Two amounts this close are the same to the fen (float sums of fen amounts).
FEN = 0.015


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tables = synth.generate(synth.SynthConfig(customers=args.customers, seed=args.seed))
    truth = tables.pop("truth")
    tables.pop("lookalikes")
    found = rules.run(Dataset.from_frames(tables))
    print("| rule | revenue kind | labelled and found | to the fen | label ¥ | found ¥ |")
    print("|---|---|---:|---:|---:|---:|")
    for rule_id, labelled in truth.groupby("irregularity", sort=True):
        label = labelled.groupby("customer_id")["revenue_effect"].sum()
        own = found[found["rule_id"] == rule_id]
        priced = own.groupby("customer_id")["revenue_impact"].sum()
        both = pd.concat([label.rename("label"), priced.rename("found")], axis=1).dropna()
        exact = int(((both["found"] - both["label"]).abs() < FEN).sum())
        kind = rules.RULES[rule_id].revenue_kind if rule_id in rules.RULES else "?"
        print(
            f"| {rule_id} | {kind} | {len(both)} | {exact} | {both['label'].sum():,.2f} | "
            f"{both['found'].sum():,.2f} |"
        )


if __name__ == "__main__":
    main()
