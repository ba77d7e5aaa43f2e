"""Matplotlib set-up shared by every chart: a CJK-capable font so Chinese labels never show as boxes,
and axes that show numbers as numbers (no `1e7` offset, no scientific notation, thousands grouped).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.ticker import Formatter, FuncFormatter

from auditkit import formatting

# Fonts that cover simplified Chinese, best first: what Debian's packages, macOS and Windows ship.
CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
)


#: Each kind of revenue's bars on every page (district audit, audit cycle): one colour and
#: hatching per kind, told apart in colour and in black and white.
REVENUE_KIND_STYLE = {
    "proved": {"color": "#0b6e99", "hatch": ""},
    "estimated": {"color": "#e39b2d", "hatch": "//"},
}


def available_cjk_font() -> str | None:
    """The first installed font family from `CJK_FONT_FAMILIES`, or None when none is installed."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FONT_FAMILIES if family in installed), None)


# Axis numbers as a reviewer reads them: 12,500,000 rather than 1.25 with "1e7" in the corner.
NUMBER_STYLE = {
    "axes.formatter.useoffset": False,
    "axes.formatter.limits": (-6, 15),
    # Names from the data (districts, readers, customers) are drawn as written: a '$' in one
    # must not start mathtext, which typesets it or fails the figure.
    "text.parse_math": False,
}


def _grouped(value: float, _position: int | None = None) -> str:
    """A tick value with thousands separators and only the decimals it needs."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def group_thousands(axes: Axes, which: str = "y") -> Axes:
    """Show the ticks of axis `which` ('x', 'y' or 'xy') with thousands separators (1,250,000)."""
    for name in which:
        getattr(axes, f"{name}axis").set_major_formatter(FuncFormatter(_grouped))
    return axes


def decimals_needed(values: Sequence[float], most: int = 3) -> int:
    """The fewest decimals (up to `most`) that write every value of `values` exactly:
    [10, 12.5, 15] -> 1, [0, 5, 10] -> 0."""
    for digits in range(most + 1):
        if all(abs(v - round(v, digits)) <= 1e-9 * max(1.0, abs(v)) for v in values):
            return digits
    return most


class PercentTicks(Formatter):
    """Ticks of fractions as percentages with as many decimals as the ticks need, the same for
    every tick of the axis (12.5%, 15.0%, 17.5%; 10%, 20%; 0.15%, 0.20%), thousands grouped.
    Without it, a fixed number of decimals rounds 12.5 % to "12%" and writes two ticks alike."""

    def __init__(self) -> None:
        super().__init__()
        self.digits: int | None = None

    def set_locs(self, locs: Sequence[float]) -> None:
        """Called by matplotlib with the axis' ticks before they are labelled."""
        super().set_locs(locs)
        self.digits = decimals_needed([100 * float(v) for v in np.asarray(locs, dtype=float)])

    def __call__(self, x: float, pos: int | None = None) -> str:
        """One tick label (the ticks' shared decimals; a lone value: the decimals it needs)."""
        digits = decimals_needed([100 * float(x)]) if self.digits is None else self.digits
        return formatting.percent(x, digits)


def use_cjk_font() -> str | None:
    """Set up matplotlib for every chart; returns the CJK font family used (None: none installed).

    Chinese text is drawn with an installed CJK font, and axes never show an offset or scientific
    notation, and no text is parsed as mathtext (`NUMBER_STYLE`); charts of money or energy add `group_thousands`. Warns once (and
    keeps the default font) when no CJK font is installed: the setup script installs one, so a
    warning here means the machine was set up by hand.
    """
    matplotlib.rcParams.update(NUMBER_STYLE)
    family = available_cjk_font()
    if family is None:
        warnings.warn(
            "no CJK font installed: Chinese labels in charts will show as boxes "
            "(install e.g. Debian's fonts-noto-cjk or fonts-wqy-microhei)",
            stacklevel=2,
        )
        return None
    matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family
