"""The run plan of a source as `rules.run` makes it, for the engine tests that run parts directly."""

from __future__ import annotations

from auditkit.engine.partition import RulePlan, plan_run
from auditkit.engine.sources import MemorySource, StoredSource


def plan_for(source: StoredSource | MemorySource, **options: object) -> RulePlan:
    """`plan_run` over the whole `source`, with `as_of`, `rules` and `params` from `options`."""
    return plan_run(
        source.periods(),
        source.profile(),
        options.get("as_of"),
        options.get("rules"),
        options.get("params"),
        extracted_on=source.latest_date,
    )
