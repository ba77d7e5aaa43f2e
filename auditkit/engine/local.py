"""The local engine over parts: one part after another in this process, memory bounded by a part.

`rules.run(dataset)` on a Dataset in memory runs the rules in one pass and never comes here; a
lazily loaded dataset does, so a city's data can be audited on one machine whose memory holds one
part (plus the whole-dataset rules' slim input), not the whole city.
"""

from __future__ import annotations

from auditkit.engine.partition import PartResult, RulePlan, run_part, run_whole_dataset
from auditkit.engine.sources import (
    MemorySource,
    StoredSource,
    gather_whole_dataset,
    neighbours_by_part,
)


def run_parts_locally(source: MemorySource | StoredSource, plan: RulePlan) -> list[PartResult]:
    """Every part's findings, then the whole-dataset rules', computed here one after another."""
    neighbours = neighbours_by_part(source) if plan.needs_neighbours else {}
    parts = range(len(source.partitions))
    if isinstance(source, MemorySource):
        tables = source.parts()
        results = [run_part(tables[i], plan, neighbours.get(i)) for i in parts]
    else:
        results = [run_part(source.part(i), plan, neighbours.get(i)) for i in parts]
    if plan.whole_dataset:
        if isinstance(source, MemorySource):
            whole = source.whole_dataset_input(plan)
        else:
            whole = gather_whole_dataset([source.whole_dataset_part(i, plan) for i in parts])
        results.append(run_whole_dataset(whole, plan))
    return results
