"""Matplotlib set-up shared by every chart: a CJK-capable font so Chinese labels never show as boxes."""

from __future__ import annotations

import warnings

import matplotlib
from matplotlib import font_manager

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


def available_cjk_font() -> str | None:
    """The first installed font family from `CJK_FONT_FAMILIES`, or None when none is installed."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FONT_FAMILIES if family in installed), None)


def use_cjk_font() -> str | None:
    """Make matplotlib draw Chinese text with an installed CJK font; returns the family used.

    Warns once (and keeps the default font) when no CJK font is installed: the setup script installs
    one, so a warning here means the machine was set up by hand.
    """
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
