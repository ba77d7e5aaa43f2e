"""Every irregularity the synthetic utility can inject, by name (a rule id), with its default rate,
and `inject_all`, which injects them in a fixed order.

The injections live in one module per group (`inject` for the original rule library,
`inject_accounts`, `inject_meters`, `inject_suspension`, `inject_adjustments` for the practice
checks); this module only puts them in order. `order_stalled` runs after the others: it may pick
the orders they created; `billed_tariff_mismatch` last: drawn from a stream of its own and picking
only customers none took, it leaves every other injection as without it.
"""

from __future__ import annotations

from collections.abc import Callable

from auditkit.options.synth import DEFAULT_IRREGULAR_SHARE
from auditkit.synth import (
    inject,
    inject_accounts,
    inject_adjustments,
    inject_meters,
    inject_suspension,
)
from auditkit.synth.inject import MAX_RATE
from auditkit.synth.world import World

_GROUPS = (inject, inject_suspension, inject_accounts, inject_meters, inject_adjustments)
_LAST = ("order_stalled", "billed_tariff_mismatch")

INJECTORS: dict[str, Callable[[World, float], None]] = {
    **{name: step for name, step in inject.INJECTORS.items() if name not in _LAST},
    **{name: step for group in _GROUPS[1:] for name, step in group.INJECTORS.items()},
    **{name: inject.INJECTORS[name] for name in _LAST},
}
DEFAULT_RATES: dict[str, float] = {
    name: rate for group in _GROUPS for name, rate in group.DEFAULT_RATES.items()
}
__all__ = ["DEFAULT_IRREGULAR_SHARE", "DEFAULT_RATES", "INJECTORS", "inject_all"]


def inject_all(
    world: World, rates: dict[str, float], irregular_share: float = DEFAULT_IRREGULAR_SHARE
) -> None:
    """Inject every irregularity at its rate: a rate given in `rates`, else its default scaled so the
    irregular customers are about `irregular_share` of all (names are checked upstream)."""
    scale = irregular_share / DEFAULT_IRREGULAR_SHARE
    for name, step in INJECTORS.items():
        step(world, rates.get(name, min(DEFAULT_RATES[name] * scale, MAX_RATE)))
