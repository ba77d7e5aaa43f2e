"""Result tables as reviewers read them: chosen columns formatted, labelled in the report language.

Numbers become text here, once, through `auditkit.formatting` (one missing-value mark); column
labels come from `auditkit.i18n` (`stats.column.<name>`, or the shared `common.` word).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from auditkit import formatting, i18n

#: Columns labelled by the words every report shares (status: the run index's word).
SHARED = {
    "district": "common.district",
    "customer_id": "common.customer_id",
    "score": "common.score",
    "test": "common.test",
    "p_value": "common.p_value",
    "note": "common.note",
    "status": "pipeline.status",
}

Formatter = Callable[[Any], str]


def whole(value: Any) -> str:
    """A number rounded to a whole, with separators: 1234.6 -> '1,235'."""
    return formatting.number(value, 0)


def decimals(digits: int) -> Formatter:
    """A formatter with `digits` decimals."""
    return lambda value: formatting.number(value, digits)


def percent(digits: int = 1) -> Formatter:
    """A formatter of fractions as percentages with `digits` decimals."""
    return lambda value: formatting.percent(value, digits)


def text_or_blank(value: Any) -> str:
    """Text as it is; a missing value as nothing."""
    return "" if formatting.is_missing(value) else str(value)


def yes_no(lang: str) -> Formatter:
    """A formatter of truth values as yes or no in `lang`; a missing value as nothing."""
    return lambda value: (
        ""
        if formatting.is_missing(value)
        else i18n.text("common.yes" if bool(value) else "common.no", lang)
    )


def coded(prefix: str, lang: str) -> Formatter:
    """A formatter of codes by their wording `<prefix><code>` in `lang` (unknown codes as they are)."""
    return lambda code: i18n.text(f"{prefix}{code}", lang, default=str(code))


def column_label(column: str, lang: str = i18n.DEFAULT_LANG) -> str:
    """The label of a result column in `lang`."""
    return i18n.text(SHARED.get(column, f"stats.column.{column}"), lang)


def labelled(
    frame: pd.DataFrame,
    formats: Mapping[str, Formatter],
    lang: str = i18n.DEFAULT_LANG,
    keys: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The columns of `formats` present in `frame` (in that order), each formatted, labelled in
    `lang` (`keys` names a column's wording where its label differs from `stats.column.<name>`)."""
    i18n.language(lang)
    keys = keys or {}
    shown = pd.DataFrame(
        {
            column: [formatter(value) for value in frame[column]]
            for column, formatter in formats.items()
            if column in frame.columns
        },
        index=range(len(frame)),
    )
    return shown.rename(
        columns={
            column: i18n.text(keys[column], lang) if column in keys else column_label(column, lang)
            for column in shown.columns
        }
    )


def only(frame: pd.DataFrame, districts: Iterable[str] | None) -> pd.DataFrame:
    """The rows of `districts` (all rows for None), a list: `DistrictSummary` reads one text as
    one district (`errors.checked_names`) before it asks."""
    return frame if districts is None else frame[frame["district"].isin(list(districts))]
