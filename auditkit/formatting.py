"""Numbers as reviewers read them, the same in every report: money, counts, percentages, p-values.

One missing-value mark (`MISSING`), thousands separators everywhere, money with two decimals.
Formatting never depends on the language (Chinese and English reports write numbers alike);
words around numbers come from `auditkit.i18n`. numpy and pandas are looked up, never imported:
their values exist only once they are loaded, and the wording catalogue, which formats with this
module, loads without them (the `auditkit` command starts without them).
"""

from __future__ import annotations

import math
import sys
from typing import Any

#: What every table and sentence shows for a value that is absent (NaN, None, pd.NA).
MISSING = "—"


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA (not for empty text)."""
    if value is None:
        return True
    pandas, numpy = sys.modules.get("pandas"), sys.modules.get("numpy")
    if pandas is not None and (value is pandas.NA or value is pandas.NaT):
        return True
    floats = float if numpy is None else (float, numpy.floating)
    return isinstance(value, floats) and math.isnan(value)


def money(value: Any) -> str:
    """Yuan with separators and two decimals: 1234.5 -> '1,234.50', -127.6 -> '-127.60'; an
    amount that rounds to zero is '0.00', never '-0.00'; text is left as it is."""
    if isinstance(value, str):
        return value
    return MISSING if is_missing(value) else f"{round(float(value), 2) + 0.0:,.2f}"


def number(value: Any, digits: int | None = None) -> str:
    """With separators; `digits` decimals, or (None) whole numbers bare and others with two.

    1234567 -> '1,234,567'; 0.375 -> '0.38'; `number(2.5, 0)` -> '2'; infinity -> '∞'; a value
    that rounds to zero has no sign (`number(-0.3, 0)` -> '0', never '-0').
    """
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if digits is None:
        digits = 0 if value.is_integer() else 2
    shown = f"{value:,.{digits}f}"
    return shown[1:] if shown.startswith("-") and not shown.strip("-0.") else shown


def compact(value: Any, digits: int = 2) -> str:
    """At most `digits` decimals, trailing zeros dropped: 1.5 -> '1.5', 0.91134 -> '0.9113' (4)."""
    shown = number(value, digits)
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def count(value: Any) -> str:
    """A whole number with separators: 12345 -> '12,345'."""
    return number(value, 0)


def percent(rate: Any, digits: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage, the one way every table, sentence, evidence and chart tick
    writes a share: 0.1234 -> '12.3%', the sign right after the number in Chinese and English
    alike (never '12.3 %'), thousands grouped (12.5 -> '1,250.0%'), `signed` a plus sign for a
    rise ('+1.3%'); a value that rounds to zero is '0.0%', never '-0.0%' or '+0.0%'. A figure
    already in percent (a meter error of 2.5) is `percent(value / 100)`."""
    if is_missing(rate):
        return MISSING
    shown = round(float(rate) * 100, digits) + 0.0  # + 0.0: no negative zero
    sign = "+" if signed and shown > 0 else ""
    return f"{sign}{shown:,.{digits}f}%"


def percent_against(rate: Any, threshold: Any, digits: int = 2) -> str:
    """`rate` as `percent` writes it with `digits` decimals, or with more (up to five) while it
    would read the same as the `threshold` it is judged against: a bound of 0.04996 against 0.05
    is '4.996%', never '5.00%' beside a materiality of '5.00%'."""
    if not (is_missing(rate) or is_missing(threshold)) and float(rate) != float(threshold):
        while digits < 5 and percent(rate, digits) == percent(threshold, digits):
            digits += 1
    return percent(rate, digits)


def p_value(value: Any) -> str:
    """Three decimals, '<0.001' below that: 0.0061 -> '0.006', 1 -> '1.000' (every p-value of a
    column reads alike, a Holm-adjusted 1 as '1.000' beside '0.714')."""
    if is_missing(value):
        return MISSING
    return "<0.001" if float(value) < 0.001 else f"{float(value):.3f}"


def p_clause(value: Any) -> str:
    """A p-value as a sentence states it: 'p = 0.002', 'p < 0.001'."""
    shown = p_value(value)
    return f"p < {shown[1:]}" if shown.startswith("<") else f"p = {shown}"
