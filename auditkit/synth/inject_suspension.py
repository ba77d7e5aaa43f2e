"""Irregularities of the practice checks (suspension), injected into the honest utility and recorded in
`truth` (see `auditkit.synth.irregular`)."""

from __future__ import annotations

from collections.abc import Callable

from auditkit.synth.world import World

#: Share of the eligible customers (or orders) that receive each irregularity.
DEFAULT_RATES: dict[str, float] = {}
INJECTORS: dict[str, Callable[[World, float], None]] = {}
