"""The funnel table as `auditkit.crossaudit.study` imports it, until it calls `FunnelResult.to_table`.

Every other table and sentence of the statistics is made by its result's methods
(`to_table`, `explain`) and by `auditkit.stats.study`.
"""

from __future__ import annotations

import pandas as pd

from auditkit import i18n
from auditkit.stats.funnel import FunnelResult


def funnel_table(result: FunnelResult, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
    """Each unit's rate with its limits and where it falls (`result.to_table(lang)`)."""
    return result.to_table(lang)
