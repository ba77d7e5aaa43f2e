"""Penalties (违约使用电费): a figure apart from the revenue under-billed, by the event's regime.

Under the 1996 rules (供电营业规则 1996, art. 100-102) a penalty is a fixed multiple of what the
violation escaped: tariff misuse 2× the price difference, a private capacity increase 3× the basic
charge of the capacity added, use of sealed or suspended equipment 2× the basic charge back-billed,
theft 3× the charge back-billed. The 2024 rules (in force from `penalty_regime_date`) let the
supply contract set the multiple, capped by those. Each rule declares its penalty class (or none:
a billing error of the utility is no customer's violation, and a suspicion the field has not
established, a fall in use or a meter alarm, is none yet); the multiples are parameters of
`params/rules.yaml` `common`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from auditkit.billing.money import round_half_up


def first_month_of_2024_rules(regime_date: str) -> int:
    """Month number of the first month whose first day is on or after `regime_date`."""
    date = pd.Timestamp(regime_date)
    month = date.year * 12 + date.month - 1  # as auditkit.periods numbers months
    return month if date.day == 1 else month + 1


def multiple(penalty_class: str, regime: str, common: Mapping) -> float:
    """The penalty multiple of `penalty_class` under `regime` ('1996' or '2024'): under 2024 the
    contract's multiple, capped by the 1996 one."""
    cap = float(common[f"penalty_1996_{penalty_class}"])
    if regime == "1996":
        return cap
    return min(float(common[f"penalty_2024_{penalty_class}"]), cap)


def penalties(
    penalty_class: str | None,
    month_from: np.ndarray,
    base: np.ndarray,
    common: Mapping,
    base_months: np.ndarray | None = None,
) -> np.ndarray:
    """Per finding, its penalty in yuan (to the fen): the multiple of its class times its base,
    each month of the base under the regime in force that month. `base_months` holds, per
    finding, the base month by month (its months and yuan; None where the rule gives none):
    a base spanning 2024-06-01 is split there. A regime whose months net to a refund counts
    none of the base, the other all of it (each regime's multiple weighted by its positive net
    part): a penalty between the smaller and the larger multiple times the base, never a
    refund's months under one regime priced against the other's. Without `base_months` the
    whole base is under the regime of the finding's first month (`month_from`). 0 where the
    rule has no penalty class and where the base is 0."""
    base = np.asarray(base, dtype=float)
    if penalty_class is None:
        return np.zeros(len(base))
    regime_month = first_month_of_2024_rules(common["penalty_regime_date"])
    under_2024 = np.where(np.asarray(month_from) >= regime_month, base, 0.0)
    if base_months is not None:
        for position, by_month in enumerate(base_months):
            if by_month is not None:
                months, amounts = by_month
                late = months >= regime_month
                if late.all():  # the base to the fen, as it is under a single regime
                    under_2024[position] = base[position]
                elif late.any():
                    under_2024[position] = round_half_up(np.sum(amounts[late]))
                else:
                    under_2024[position] = 0.0
    under_2024 = np.clip(under_2024, 0.0, np.maximum(base, 0.0))
    under_1996 = base - under_2024
    penalty = (
        multiple(penalty_class, "1996", common) * under_1996
        + multiple(penalty_class, "2024", common) * under_2024
    )
    return round_half_up(np.where(base > 0, np.maximum(penalty, 0.0), 0.0))
