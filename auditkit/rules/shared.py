"""Work several rules share within one run, done once per rule context.

Rules that derive the same thing (the recomputed energy lines split by owner, the bills a line
rule may judge) read the first rule's result instead of deriving it again. The result is kept
on the context itself, as its cached properties are: it lives and dies with the run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import TypeVar

from auditkit.rules.context import RuleContext

Result = TypeVar("Result")


def once_per_context(
    compute: Callable[..., Result],
) -> Callable[..., Result]:
    """`compute(ctx, *key)` computed once per context and `key` (hashable values, such as the
    tolerances the result depends on), then read by every later call on that context."""
    attribute = f"_shared:{compute.__module__}.{compute.__qualname__}"

    @functools.wraps(compute)
    def shared(ctx: RuleContext, *key: Hashable) -> Result:
        results = vars(ctx).setdefault(attribute, {})
        if key not in results:
            results[key] = compute(ctx, *key)
        return results[key]

    return shared
