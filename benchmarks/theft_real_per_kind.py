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
50. Then `--months` months of the audit cycle (`visit_rounds`, default one): each month the top
50 of the ranking with the work orders and the checks so far, among those not caught yet, 30 days
a month before the last read, are visited a week later, the thieves among them caught (out of the
later populations) but for `--missed-share` of them, whom the field misses, the honest ones and
the missed thieves recorded as field checks that found nothing (`theft_scores(field_checks=...)`);
the last day's figures without and with those checks. Quote the report split; tune on
`--split tune`.

    PYTHONPATH=. .venv/bin/python benchmarks/theft_real_per_kind.py --seed 1             # ~45 s
    PYTHONPATH=. .venv/bin/python benchmarks/theft_real_per_kind.py --seed 1 --months 3  # ~90 s
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


def visit_rounds(
    reads: pd.DataFrame,
    labels: pd.DataFrame,
    orders: pd.DataFrame,
    missed_share: float,
    seed: int,
    rounds: int = 1,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """`rounds` months of the audit cycle before the last day. Each month, the top N of the
    ranking (with the work orders and the checks so far) among the customers not caught yet, as
    of VISIT_LEAD_DAYS x the months left before the last day, are visited a week later. A thief
    among them is caught (out of the later rankings; its reads stay among the peers) but for
    `missed_share` of them, whom
    the field misses and records as a false alarm, as it does every honest customer visited (a
    field check). Returns the last day's ranking scores without and with those checks, and who
    is left to find (the customers not caught)."""
    last_day = reads["date"].max()
    people = labels.set_index("customer_id")
    misses = np.random.default_rng(seed)
    caught: list[str] = []
    visits: list[pd.DataFrame] = []
    for months_left in range(rounds, 0, -1):
        as_of = last_day - pd.Timedelta(days=VISIT_LEAD_DAYS * months_left)
        checks = pd.concat(visits, ignore_index=True) if visits else None
        ranking = ranking_score(
            theft_scores(reads, as_of=as_of, work_orders=orders, field_checks=checks)
        ).drop(caught)
        visited = people.loc[ranking.nlargest(TOP_N).index]
        thieves = visited.index[visited["attack"] != ""]
        missed = misses.random(len(thieves)) < missed_share
        caught += list(thieves[~missed])
        visits.append(
            pd.DataFrame(
                {
                    "customer_id": [*visited.index[visited["attack"] == ""], *thieves[missed]],
                    "checked_on": as_of + pd.Timedelta(days=7),
                }
            )
        )
    left = ~labels["customer_id"].isin(caught)
    checks = pd.concat(visits, ignore_index=True)
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
    parser.add_argument(
        "--months",
        type=int,
        default=1,
        help="months of field visits before the last day's ranking (default 1)",
    )
    args = parser.parse_args()
    check_population_options(parser, args)
    if not 0 <= args.missed_share <= 1:
        parser.error(f"--missed-share: a share in [0, 1], got {args.missed_share}")
    if not 1 <= args.months <= 6:
        parser.error(f"--months: 1 to 6 months of visits, got {args.months}")
    visits = (
        f"visiting this month's top {TOP_N}"
        if args.months == 1
        else f"visiting each month's top {TOP_N} for {args.months} months"
    )
    tables: dict[str, list[dict[str, object]]] = {
        "without work orders": [],
        "with them": [],
        f"with them, next month, after {visits}: without the checks": [],
        "with the checks": [],
    }
    for kind in ALL_KINDS:
        reads, labels = build_benchmark(
            args.split, args.customers, args.attack_share, args.seed, kinds=(kind,)
        )
        orders = draw_work_orders(labels, args.recorded_share, args.seed)
        plain = theft_scores(reads).set_index("customer_id")["score"]
        recorded = ranking_score(theft_scores(reads, work_orders=orders))
        unchecked, checked, left = visit_rounds(
            reads, labels, orders, args.missed_share, args.seed, args.months
        )
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
