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
    penalty_class: str | None, month_from: np.ndarray, revenue: np.ndarray, common: Mapping
) -> np.ndarray:
    """Per finding, its penalty in yuan (to the fen): the multiple of its class under the regime
    of its first month, times its revenue; 0 where the rule has no penalty class."""
    revenue = np.asarray(revenue, dtype=float)
    if penalty_class is None:
        return np.zeros(len(revenue))
    under_2024 = np.asarray(month_from) >= first_month_of_2024_rules(common["penalty_regime_date"])
    multiples = np.where(
        under_2024,
        multiple(penalty_class, "2024", common),
        multiple(penalty_class, "1996", common),
    )
    return round_half_up(multiples * revenue)
