"""Where the rules run: in this process (local), or on a Dask cluster (dask), same findings.

    rules.run(dataset)                                        # local, in-process pandas
    rules.run(load(path, lazy=True))                          # local, one partition at a time
    rules.run(dataset, engine="dask")                         # a LocalCluster started for the run
    rules.run(load(path, lazy=True), engine="dask", scheduler="tcp://10.0.0.5:8786")

Both engines run the same rule code on parts of the customers (`partition`), decide the audit
month and the runnable rules for the whole dataset first, and give the findings frame one run over
the whole dataset gives. (Notebook runs go to a cluster through `auditkit.pipeline.cluster`.)
Bills are recomputed the same ways by `recompute_by_parts` and `recompute_to_parquet`
(`auditkit.engine.recompute`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from auditkit.engine.local import run_parts_locally
from auditkit.engine.partition import combine, plan_run
from auditkit.engine.recompute import recompute_by_parts, recompute_to_parquet
from auditkit.engine.sources import ENGINES, check_engine, source_of

__all__ = ["ENGINES", "recompute_by_parts", "recompute_to_parquet", "run_rules"]


def run_rules(
    dataset: object,
    as_of: str | None = None,
    rules: Iterable[str] | None = None,
    params: Mapping | None = None,
    *,
    notes: list[str] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> pd.DataFrame:
    """`auditkit.rules.run` by parts on the chosen engine (arguments as there)."""
    check_engine(engine, scheduler)
    source = source_of(dataset)
    plan = plan_run(
        source.periods(),
        source.profile(),
        as_of,
        rules,
        params,
        extracted_on=source.latest_date,
    )
    if engine == "local":
        results = run_parts_locally(source, plan)
    else:
        from auditkit.engine.dask import run_parts_on_cluster  # dask is imported only when used

        results = run_parts_on_cluster(source, plan, scheduler)
    return combine(plan, results, [] if notes is None else notes)
