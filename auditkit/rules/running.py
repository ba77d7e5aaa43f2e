"""`run`: the rule library on a dataset, in this process or by parts on an engine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from auditkit.errors import require_type
from auditkit.rules.context import RuleContext
from auditkit.rules.library import select_rules
from auditkit.rules.params import load_defaults, resolve
from auditkit.rules.worklist import check, rank, runnable_rules


def run(
    dataset: object,
    as_of: str | None = None,
    rules: Iterable[str] | None = None,
    params: Mapping | None = None,
    *,
    notes: list[str] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Run the rule library on `dataset`; one row per customer and rule, highest impact first.

    `evidence` is an English sentence; `evidence_code` holds the same evidence as clauses (JSON),
    which `evidence_text(findings, lang)` renders in Chinese or English.

    `as_of` ('YYYY-MM', default the last billed month) ignores later bills and orders; `rules`
    limits the run to these ids; `params` overrides thresholds of `params/rules.yaml`. Rules whose
    tables or columns are missing or empty are skipped, each with a line appended to `notes`
    (also in `findings.attrs["notes"]`), and `findings.attrs["timings"]` holds seconds per rule.

    `engine="local"` runs in this process; `engine="dask"` runs the same rules per customer
    partition on the dask.distributed cluster at `scheduler` ('tcp://host:8786'), or on a local
    cluster when none is given, with identical findings (see `auditkit.engine`). A lazily loaded
    dataset (`auditkit.data.load(path, lazy=True)`) runs partition by partition on either engine.
    """
    in_memory = hasattr(dataset, "bills")  # a Dataset; a lazily loaded one has no frames yet
    if engine != "local" or scheduler is not None or not in_memory:
        # Imported here: the engine imports the rule modules, and a worker may import it first.
        from auditkit.engine import run_rules

        return run_rules(
            dataset, as_of, rules, params, notes=notes, engine=engine, scheduler=scheduler
        )
    selected = select_rules(rules)
    settings = resolve(load_defaults(), params)
    context = RuleContext.build(dataset, as_of)
    notes = [] if notes is None else notes
    runnable, skipped = runnable_rules(dataset, selected)
    notes.extend(skipped)
    frames, timings = check(context, runnable, settings)
    return rank(frames, notes, timings, context.as_of_period)


def of_district(findings: pd.DataFrame, district: str) -> pd.DataFrame:
    """The findings of `district`'s customers from a run on the whole utility, with the run's
    attrs (as_of, notes, timings). The rules see every district: a meter on accounts of two
    districts is still one meter, an operator posting in several still one operator, so a
    district's report, the register and `auditkit rules --district` keep one finding set."""
    require_type(district, str, "district", "one district's name")
    kept = findings[(findings["district"] == district).to_numpy(dtype=bool)]
    kept = kept.reset_index(drop=True)
    kept.attrs = dict(findings.attrs)
    return kept
