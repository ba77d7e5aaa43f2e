"""Next round's assignment as a result: who audits whom, and each auditor's share of the work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from auditkit import formatting, i18n
from auditkit.crossaudit.charts import plot_assignment
from auditkit.crossaudit.tables import labelled


@dataclass(frozen=True)
class Assignment:
    """`pairs` from `assign` (auditing_district, audited_district), `loads` from `loads`;
    `with_capacity` when auditors' capacities shaped it (else each audits exactly one)."""

    pairs: pd.DataFrame
    loads: pd.DataFrame
    with_capacity: bool = False

    @property
    def assigned(self) -> bool:
        """A round was assigned (none is, among fewer districts than a round needs)."""
        return not self.pairs.empty

    def summary(self) -> dict[str, Any]:
        """Districts, audits, and the largest gap between an auditor's work and capacity shares."""
        gap = (self.loads["work_share"] - self.loads["capacity_share"]).abs()
        return {
            "districts": len(self.loads),
            "audits": len(self.pairs),
            "largest_share_gap": float(gap.max()) if len(gap) else 0.0,
        }

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """Who audits whom, one auditor a line."""
        template = i18n.text("crossaudit.sentence.audits", lang)
        separator = i18n.text("common.list_separator", lang)
        return "\n".join(
            template.format(auditor=row["district"], audited=separator.join(row["audits"]))
            for row in self.loads.to_dict("records")
            if row["audits"]
        )

    def to_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """Auditor and audited district, labelled."""
        pairs = self.pairs[["auditing_district", "audited_district"]].reset_index(drop=True)
        return labelled(pairs.add_prefix("crossaudit."), lang)

    def loads_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """Each auditor's share of the work against its share of the capacity, labelled."""
        separator = i18n.text("common.list_separator", lang)
        shown = pd.DataFrame(
            {
                "common.district": self.loads["district"],
                "crossaudit.audits": self.loads["audits"].map(
                    lambda audited: separator.join(audited) or formatting.MISSING
                ),
                "crossaudit.work_share": self.loads["work_share"].map(formatting.percent),
                "crossaudit.capacity_share": self.loads["capacity_share"].map(formatting.percent),
            }
        )
        return labelled(shown, lang)

    def plot(self, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """Districts on a circle, an arrow from each auditor to the district it audits."""
        return plot_assignment(self.pairs, lang)
