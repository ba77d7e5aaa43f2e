"""What every cross-audit table shares: wording keys as column names, one district's rows,
intervals written 'low – high'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from auditkit import formatting, i18n


def labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`frame` with its columns (wording keys) named in `lang`."""
    return frame.rename(columns={key: i18n.text(key, lang) for key in frame.columns})


def only(frame: pd.DataFrame, district: str) -> pd.DataFrame:
    """The rows of `district`, or every row when it is empty."""
    return frame[frame["district"] == district].reset_index(drop=True) if district else frame


def interval(low: Any, high: Any, shown: Callable[[Any], str]) -> str:
    """'low – high' with `shown` writing each end; the missing mark when there is no interval."""
    return formatting.MISSING if formatting.is_missing(low) else f"{shown(low)} – {shown(high)}"
