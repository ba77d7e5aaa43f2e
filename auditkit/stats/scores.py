"""Customer scores as a result: the theft suspicion or anomaly ranking of one study.

`theft_scores` and `anomaly_scores` return one row per customer (users filter and join them);
`CustomerScores` holds such a table with the bills behind it and shows the top of the ranking:
its table, the count of customers per status, and their monthly series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from auditkit import formatting, i18n
from auditkit.stats import tables
from auditkit.stats.anomaly import RECENT_MONTHS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Score above which a customer is strongly suspicious (a z: very unlikely by chance).
STRONG_SCORE = 3.0
KINDS = ("theft", "anomalies")


@dataclass(frozen=True)
class CustomerScores:
    """One row per customer of `theft_scores` or `anomaly_scores` (`kind`), best-scored first,
    with the `bills` (customer_id, period, kwh_billed) drawn for the `top_n`."""

    kind: str
    scores: pd.DataFrame
    bills: pd.DataFrame
    top_n: int = 10

    def top(self) -> pd.DataFrame:
        """The `top_n` scored customers, highest score first."""
        return self.scores[self.scores["status"] == "scored"].head(self.top_n)

    def summary(self) -> dict[str, Any]:
        """Customers, those scored, those above STRONG_SCORE, and the count of each status."""
        scored = self.scores[self.scores["status"] == "scored"]
        return {
            "kind": self.kind,
            "customers": len(self.scores),
            "scored": len(scored),
            "strong": int((scored["score"] > STRONG_SCORE).sum()),
            "statuses": {str(k): int(v) for k, v in self.scores["status"].value_counts().items()},
        }

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """How many customers score above STRONG_SCORE, and what to do about them."""
        return i18n.text(f"stats.sentence.{self.kind}", lang).format(count=self.summary()["strong"])

    def to_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """The `top_n` customers, formatted."""
        z = tables.decimals(1)
        if self.kind == "theft":
            formats = {
                "customer_id": str,
                "score": z,
                "drop_ratio": tables.percent(),
                "change_at": str,
                "steps_since_change": tables.whole,
                "peer_z": z,
            }
        else:
            formats = {
                "customer_id": str,
                "district": str,
                "usage_type": tables.coded("usage.", lang),
                "recent_kwh": tables.whole,
                "year_before_kwh": tables.whole,
                "change": tables.percent(),
                "self_z": z,
                "peer_z": z,
                "score": z,
                "direction": tables.coded("stats.direction.", lang),
            }
        return tables.labelled(self.top(), formats, lang)

    def status_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """How many customers got each status (so unscored customers are accounted for)."""
        counts = (
            self.scores["status"].value_counts().rename_axis("status").reset_index(name="count")
        )
        formats = {"status": tables.coded("stats.status.", lang), "count": tables.whole}
        return tables.labelled(counts, formats, lang)

    def plot(self, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """The monthly kWh of the `top_n` customers, each panel titled with its score, the anomaly
        scores' with the months compared marked (`charts.plot_customer_series`)."""
        top = self.top()
        titles = [
            i18n.text("stats.chart.anomaly_title", lang).format(
                customer=customer, score=formatting.number(score, 1)
            )
            for customer, score in zip(top["customer_id"], top["score"], strict=True)
        ]
        from auditkit.stats import charts  # matplotlib: loaded when drawn

        recent = RECENT_MONTHS if self.kind == "anomalies" else 0
        return charts.plot_customer_series(
            self.bills, list(top["customer_id"]), titles, lang, recent=recent
        )
