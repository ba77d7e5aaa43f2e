"""Benchmark of `consumption_drop` with `source: daily_reads`: precision, recall, days dated, speed.

Generates the synthetic utility with a year of daily reads (`auditkit.synth`, `daily_days=365`),
runs `consumption_drop` on it with `source: daily_reads` and with the default monthly bills, and
prints for each precision and recall against the customers the synth labels `consumption_drop`
and meter_event_unresolved's tampered meters (run alone, the rule finds their fall: it leaves
them only to that rule's findings in a run of both), the false alarms per look-alike
kind, the findings dated to a day, and the rule's time and peak memory. Dating: for each labelled
finding dated to a day whose injected start day (truth `from_date`: a theft's random day, a
tampered meter's alarm day) lies in the daily reads, the days between the two; the median and
the share within 3 days.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_daily_drop.py --customers 20000 --seed 1
    PYTHONPATH=. .venv/bin/python benchmarks/bench_daily_drop.py --customers 100000 --seed 1

The time is the rule's alone (`rules.run` of consumption_drop on the loaded dataset); generating
the utility is not counted.
"""

from __future__ import annotations

import argparse
import resource
import time

import pandas as pd

from auditkit import rules, synth
from auditkit.data import Dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=365, help="days of daily reads")
    args = parser.parse_args()
    started = time.perf_counter()
    tables = synth.generate(
        synth.SynthConfig(customers=args.customers, daily_days=args.days, seed=args.seed)
    )
    truth, lookalikes = _drops(tables.pop("truth")), tables.pop("lookalikes")
    dataset = Dataset.from_frames(tables)
    reads = len(tables["daily_reads"])
    print(
        f"utility: {args.customers:,} customers, {reads:,} daily reads, seed {args.seed} "
        f"({time.perf_counter() - started:.1f} s to generate and load)"
    )
    for source in ("daily_reads", "bills"):
        started = time.perf_counter()
        found = rules.run(
            dataset, rules=["consumption_drop"], params={"consumption_drop.source": source}
        )
        elapsed = time.perf_counter() - started
        quality = rules.precision_recall(found, truth, ["consumption_drop"]).iloc[0]
        dated = found["evidence"].str.startswith("daily smart-meter").sum()
        print(
            f"{source:12s} findings {quality['findings']:5d}  labelled {quality['labelled']:5d}  "
            f"precision {quality['precision']:.3f}  recall {quality['recall']:.3f}  "
            f"dated to a day {dated:5d}  {elapsed:.1f} s"
        )
        print(f"{'':12s} false alarms per look-alike kind: {_false_alarms(found, lookalikes)}")
        if source == "daily_reads":
            off = _days_off(found, truth, tables["daily_reads"])
            dated_off = off.dropna()
            print(
                f"{'':12s} dating: {len(dated_off)} of {len(off)} labelled drops that began "
                f"inside a customer's reads dated to a day; days off median "
                f"{dated_off.median():.0f}, within 3 days {(dated_off <= 3).mean():.3f}, "
                f"exact {(dated_off == 0).mean():.3f}, largest {dated_off.max():.0f}"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak memory of the process (generation included): {peak:.1f} GB")


def _drops(truth: pd.DataFrame) -> pd.DataFrame:
    """The truth with the tampered meters' falls labelled `consumption_drop` as well: the rule
    run alone finds them (in a run with meter_event_unresolved they are left to it)."""
    tampered = truth[truth["irregularity"] == "meter_event_unresolved"]
    return pd.concat([truth, tampered.assign(irregularity="consumption_drop")], ignore_index=True)


def _days_off(found: pd.DataFrame, truth: pd.DataFrame, daily_reads: pd.DataFrame) -> pd.Series:
    """Per labelled drop that began after its customer's first daily read: the days between the
    day the synth injected (truth `from_date`) and the day its finding is dated to (its evidence's
    "from YYYY-MM-DD"); NaN where not found or not dated to a day."""
    day = found["evidence"].str.extract(r"^daily smart-meter .*? from (\d{4}-\d{2}-\d{2})")[0]
    dated = pd.DataFrame({"customer_id": found["customer_id"], "dated": pd.to_datetime(day)})
    first_read = daily_reads.groupby("customer_id")["date"].min().rename("first_read")
    labelled = truth.loc[truth["irregularity"] == "consumption_drop", ["customer_id", "from_date"]]
    labelled = labelled.join(first_read, on="customer_id", how="inner")
    inside = labelled[labelled["from_date"] > labelled["first_read"]]
    paired = inside.merge(dated.dropna(), on="customer_id", how="left")
    return (paired["dated"] - paired["from_date"]).dt.days.abs()


def _false_alarms(found: pd.DataFrame, lookalikes: pd.DataFrame) -> dict[str, str]:
    """Per look-alike kind with any: customers flagged of customers of that kind."""
    flagged = lookalikes["customer_id"].isin(found["customer_id"])
    counts = lookalikes.assign(flagged=flagged).groupby("kind")["flagged"].agg(["sum", "size"])
    return {kind: f"{row['sum']}/{row['size']}" for kind, row in counts.iterrows() if row["sum"]}


if __name__ == "__main__":
    main()
