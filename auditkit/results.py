"""The shapes every result and every study share, so notebooks and tests read them alike.

After jfa and statsmodels: a **result** (a Benford test, a sampling plan, a comparison of self-
and cross-audits …) gives its figures as numbers (`summary`), says what they mean in the report's
language (`explain`), lays itself out as a labelled table (`to_table`) and draws itself (`plot`).
A **study** is what one notebook shows: `build(dataset, **params)` in the study's module computes
it once; the notebook asks it for its headline figures, its named tables and figures, and its
conclusions, and narrates. Computations never take `lang`: text is made by these methods only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from auditkit import i18n

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

#: `frame.attrs` key of a labelled table: how many rows at its end are totals, which a report
#: shows last, apart from the data (out of the sorting, filters and row counts of long tables).
TOTAL_ROWS = "total_rows"


def with_total(table: pd.DataFrame, total: Mapping[str, Any]) -> pd.DataFrame:
    """`table` with the row `total` (column -> value) appended and marked as a total row."""
    import pandas as pd

    joined = pd.concat([table, pd.DataFrame([dict(total)])], ignore_index=True)
    joined.attrs = {**table.attrs, TOTAL_ROWS: int(table.attrs.get(TOTAL_ROWS, 0)) + 1}
    return joined


@runtime_checkable
class Result(Protocol):
    """One computed result."""

    def summary(self) -> dict[str, Any]:
        """The result's figures as numbers and codes (no prose), by name."""

    def explain(self, lang: str = "zh") -> str:
        """What the figures mean, in sentences in `lang`."""

    def to_table(self, lang: str = "zh") -> pd.DataFrame:
        """The result as a table with labels in `lang`, ready for `auditkit.report.show_table`."""

    def plot(self, lang: str = "zh") -> Figure:
        """The result's chart, labelled in `lang`."""


@runtime_checkable
class Study(Protocol):
    """What one notebook shows, computed once by its module's `build(dataset, **params)`."""

    def headline(self) -> dict[str, float]:
        """The figures the run's index shows for this notebook (keys named in `auditkit.i18n`)."""

    def explain(self, lang: str = "zh") -> str:
        """The study's conclusions, in `lang`."""

    def table(self, name: str, lang: str = "zh") -> pd.DataFrame:
        """One of the study's tables (`table_names`), labelled in `lang`."""

    def figure(self, name: str, lang: str = "zh") -> Figure:
        """One of the study's charts (`figure_names`), labelled in `lang`."""

    @property
    def table_names(self) -> tuple[str, ...]:
        """The names `table` accepts, in the order the report shows them."""

    @property
    def figure_names(self) -> tuple[str, ...]:
        """The names `figure` accepts, in the order the report shows them."""


@dataclass(frozen=True)
class Note:
    """A remark a computation makes about its data (a gap, rows set aside, a test not made): a
    code and the values its sentence quotes, worded only when shown (`text(lang)`).

    Each package names its notes under its own prefix (`area`): `stats.note.<code>` …
    """

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)
    area: ClassVar[str] = ""

    def text(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The remark as a sentence in `lang`."""
        return i18n.text(f"{self.area}.note.{self.code}", lang).format(**self.shown(lang))

    def shown(self, lang: str) -> dict[str, Any]:
        """The values as the sentence quotes them: lists joined as `lang` lists things (、 or ,);
        codes among them may be named in `lang` by a subclass."""
        separator = i18n.text("common.list_separator", lang)
        return {
            name: separator.join(map(str, value)) if isinstance(value, list | tuple) else value
            for name, value in self.values.items()
        }
