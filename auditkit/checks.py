"""Validation of the parameters several packages share (sampling, the findings register, the
audit cycle), each failure a `ParameterError` naming the parameter, what was expected and what
was found."""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

import numpy as np

from auditkit.errors import ParameterError


def probability(name: str, value: object) -> float:
    """`value` as a float strictly between 0 and 1 (materiality, confidence, precision)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ParameterError(name, "a number strictly between 0 and 1", value)
    number = float(value)
    if not 0.0 < number < 1.0:
        raise ParameterError(name, "a number strictly between 0 and 1", value)
    return number


def optional_probability(name: str, value: object) -> float | None:
    """Like `probability`, but None passes through."""
    return None if value is None else probability(name, value)


def choice(name: str, value: object, options: Iterable[str]) -> str:
    """`value` when it is one of `options`."""
    allowed = tuple(options)
    if value not in allowed:
        expected = (
            "one of " + ", ".join(repr(option) for option in allowed)
            if allowed
            else "a choice, but there is none to choose from"
        )
        raise ParameterError(name, expected, value)
    return str(value)


#: The largest count a size may give: 2^53, the largest whole number a float holds exactly
#: (the sampling distributions compute in floats and in C longs; no audit counts more units).
COUNT_LIMIT = 2**53
_WHOLE = f"a whole number from 1 to {COUNT_LIMIT:,}"


def positive_int(name: str, value: object) -> int:
    """`value` as an int from 1 to `COUNT_LIMIT` (a sample or population size)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer | float | np.floating):
        raise ParameterError(name, _WHOLE, value)
    if isinstance(value, float | np.floating) and not float(value).is_integer():
        raise ParameterError(name, _WHOLE, value)
    number = int(value)
    if not 1 <= number <= COUNT_LIMIT:
        raise ParameterError(name, _WHOLE, value)
    return number


def optional_positive_int(name: str, value: object) -> int | None:
    """Like `positive_int`, but None passes through."""
    return None if value is None else positive_int(name, value)


def exact(value: float | int) -> Fraction:
    """The decimal number as written (0.035 is 7/200), so products with n do not drift."""
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def ceil_fraction(value: Fraction) -> int:
    """The smallest integer at least `value`, in exact arithmetic."""
    return -((-value.numerator) // value.denominator)


def non_negative_number(name: str, value: object) -> float:
    """`value` as a finite float of at least 0 (an error count or a sum of taints)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ParameterError(name, "a number of at least 0", value)
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ParameterError(name, "a number of at least 0", value)
    return number
