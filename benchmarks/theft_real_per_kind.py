"""Theft detection on real consumption, one attack kind per population (issue 16's "for each
attack kind"): `theft_real.py`'s benchmark with every attacked customer tampered the same way.

`theft_real.py` mixes the ten kinds in one population, so each kind has some 60 thieves among
2,400 honest customers and its MAP@50 needs its top 50 nearly all of that one kind, ahead of every
honest fall. Here, as in the per-attack evaluations of Jokar et al. (2016) and Zheng et al.
(2018), a population is built for each kind: the same honest customers and look-alikes (drawn
first from the seed, so identical across kinds) and `--attack-share` of the customers attacked
with that kind alone. Per kind, without and with the utility's work orders (`draw_work_orders`):
AUC, MAP@50, the oracle's MAP@50 (the bound set by honest series of the attack's own law,
`SAME_LAW`), precision and recall at score > 3, and who of the honest customers sits in the top
50. Then one month of the audit cycle (`second_round`): the top 50 of the ranking with the work
orders 30 days before the last read are visited a week later, the thieves among them caught (out
of the next population) but for `--missed-share` of them, whom the field misses, the honest ones
and the missed thieves recorded as field checks that found nothing
(`theft_scores(field_checks=...)`); next month's figures without and with those checks. Quote the
report split; tune on `--split tune`.

    PYTHONPATH=. .venv/bin/python benchmarks/theft_real_per_kind.py --seed 1     # ~45 s
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from theft_real import (
    ALL_KINDS,
    SPLITS,
    THEFT_SCORE_THRESHOLD,
    TOP_N,
    build_benchmark,
    check_population_options,
    draw_work_orders,
    population_options,
    quality,
    ranking_score,
)

from auditkit.stats import theft_scores

#: Days before the last day at which the first round's worklist is drawn (a month).
VISIT_LEAD_DAYS = 30


def kind_row(kind: str, labels: pd.DataFrame, scores: pd.Series) -> dict[str, object]:
    """The kind's figures (`quality`) and the honest look-alikes in its top N."""
    figures = quality(labels, scores, THEFT_SCORE_THRESHOLD)[0].set_index("attack").loc[kind]
    ranked = labels.assign(score=scores.reindex(labels["customer_id"]).to_numpy())
    top = ranked.sort_values("score", ascending=False, kind="stable").head(TOP_N)
    intruders = top.loc[top["attack"] == "", "lookalike"].replace("", "plain")
    return {
        "positives": int(figures["positives"]),
        "AUC": figures["AUC"],
        f"MAP@{TOP_N}": figures[f"MAP@{TOP_N}"],
        f"oracle MAP@{TOP_N}": figures[f"oracle MAP@{TOP_N}"],
        "precision": figures["precision"],
        "recall": figures["recall"],
        f"honest in top {TOP_N}": ", ".join(
            f"{name} {count}" for name, count in intruders.value_counts().items()
        )
        or "none",
    }


def second_round(
    reads: pd.DataFrame, labels: pd.DataFrame, orders: pd.DataFrame, missed_share: float, seed: int
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """One round of the audit cycle: the top N of the ranking (with the work orders) as of
    VISIT_LEAD_DAYS before the last day are visited a week later. A thief among them is caught
    (out of the next population) but for `missed_share` of them, whom the field misses and
    records as a false alarm, as it does every honest customer visited (a field check). Returns
    next month's ranking scores without and with those checks, and who is left to find (the
    customers not caught)."""
    last_day = reads["date"].max()
    first_as_of = last_day - pd.Timedelta(days=VISIT_LEAD_DAYS)
    first = ranking_score(theft_scores(reads, as_of=first_as_of, work_orders=orders))
    visited = labels.set_index("customer_id").loc[first.nlargest(TOP_N).index]
    thieves = visited.index[visited["attack"] != ""]
    missed = np.random.default_rng(seed).random(len(thieves)) < missed_share
    checks = pd.DataFrame(
        {
            "customer_id": [*visited.index[visited["attack"] == ""], *thieves[missed]],
            "checked_on": first_as_of + pd.Timedelta(days=7),
        }
    )
    left = ~labels["customer_id"].isin(thieves[~missed])
    plain = ranking_score(theft_scores(reads, work_orders=orders))
    checked = ranking_score(theft_scores(reads, work_orders=orders, field_checks=checks))
    return plain, checked, left


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    population_options(parser)
    parser.add_argument(
        "--missed-share",
        type=float,
        default=0.0,
        help="share of the thieves visited whom the field misses (recorded as false alarms)",
    )
    args = parser.parse_args()
    check_population_options(parser, args)
    if not 0 <= args.missed_share <= 1:
        parser.error(f"--missed-share: a share in [0, 1], got {args.missed_share}")
    tables: dict[str, list[dict[str, object]]] = {
        "without work orders": [],
        "with them": [],
        f"with them, next month, after visiting this month's top {TOP_N}: without the checks": [],
        "with the checks": [],
    }
    for kind in ALL_KINDS:
        reads, labels = build_benchmark(
            args.split, args.customers, args.attack_share, args.seed, kinds=(kind,)
        )
        orders = draw_work_orders(labels, args.recorded_share, args.seed)
        plain = theft_scores(reads).set_index("customer_id")["score"]
        recorded = ranking_score(theft_scores(reads, work_orders=orders))
        unchecked, checked, left = second_round(reads, labels, orders, args.missed_share, args.seed)
        rankings = (
            (plain, labels),
            (recorded, labels),
            (unchecked, labels[left]),
            (checked, labels[left]),
        )
        for name, (scores, population) in zip(tables, rankings, strict=True):
            tables[name].append({"attack": kind, **kind_row(kind, population, scores)})
    honest = int(np.count_nonzero(labels["attack"] == ""))
    print(
        f"CityLearn 2022 homes {', '.join(map(str, SPLITS[args.split]))} ({args.split} split), "
        f"one attack kind per population: {args.customers} customers x 728 days, {honest} "
        f"honest (the same in every population), {args.customers - honest} attacked (seed "
        f"{args.seed}); threshold {THEFT_SCORE_THRESHOLD:g}"
    )
    for name, rows in tables.items():
        print(f"\n== theft_scores, daily reads, {name} ==")
        print(pd.DataFrame(rows).to_string(index=False, float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":
    main()
