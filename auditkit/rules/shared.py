"""Work several rules share within one run, done once per rule context.

Rules that derive the same thing (the recomputed energy lines split by owner, the bills a line
rule may judge) read the first rule's result instead of deriving it again. The result is kept
on the context itself, as its cached properties are: it lives and dies with the run. Its arrays
are read-only, as every later rule reads the same ones.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, TypeVar

import numpy as np

if TYPE_CHECKING:  # the context's recomputed lines lock their arrays with `read_only`
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
            results[key] = read_only(compute(ctx, *key))
        return results[key]

    return shared


def read_only(result: Result) -> Result:
    """`result` with its arrays locked in place (itself, a tuple's items, a dataclass's fields):
    an array every rule reads must not be changed by one of them."""
    if isinstance(result, np.ndarray):
        result.flags.writeable = False
    elif isinstance(result, tuple):
        for item in result:
            read_only(item)
    elif dataclasses.is_dataclass(result) and not isinstance(result, type):
        for field in dataclasses.fields(result):
            read_only(getattr(result, field.name))
    return result
