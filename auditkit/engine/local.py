"""The local engine over parts: one part after another in this process, memory bounded by a part.

`rules.run(dataset)` on a Dataset in memory runs the rules in one pass and never comes here; a
lazily loaded dataset does, so a city's data can be audited on one machine whose memory holds one
part (plus the whole-dataset rules' slim input), not the whole city.
"""

from __future__ import annotations

from auditkit.engine.partition import (
    PartResult,
    RulePlan,
    gather_whole_dataset,
    run_part,
    run_whole_dataset,
)
from auditkit.engine.sources import MemorySource, StoredSource, neighbours_by_part


def run_parts_locally(source: MemorySource | StoredSource, plan: RulePlan) -> list[PartResult]:
    """Every part's findings, then the whole-dataset rules' on the parts' shares of their input
    (cut from each part while it is at hand: nothing is read twice)."""
    neighbours = neighbours_by_part(source) if plan.needs_neighbours else {}
    results, shares = [], []
    for index in range(len(source.partitions)):
        tables = source.part(index)
        results.append(run_part(tables, plan, neighbours.get(index)))
        if plan.whole_dataset:
            shares.append(source.whole_dataset_part(index, plan, tables))
    if plan.whole_dataset:
        results.append(run_whole_dataset(gather_whole_dataset(shares), plan))
    return results
