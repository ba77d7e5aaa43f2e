"""The district report's "since last month" (上月以来): what the findings register says of the
district's findings this month, and what the field did with the earlier ones.

    since = since_last_month(findings, "城东", register, catalog)   # register: None when none
    since.summary()                    # counts and yuan by status, the previous run, outcomes
    since.explain("zh"); since.table("by_status", "zh")

Which month it reads:

- no register, or one without a run covering the district: nothing to compare (`situation`
  `no_register`);
- the register holds the district's run of this month: the changes it recorded (`recorded`);
  the first month recorded for the district has every finding new (`first_month`);
- earlier months only: what recording this month's findings would say (`preview`,
  `Register.preview_run`), recording nothing;
- only months after this one: nothing can be said of this month (`later`);
- a register whose findings of the district mostly name customers this dataset's archive does
  not hold in the district (another utility's register, or another test set's, read because
  every dataset but the demo shares the team's register): nothing is compared (`other_data`),
  a sentence says so rather than showing another dataset's history as this one's.

Money stays in its two kinds (a finding's `revenue_kind`), never added: this month's amounts are
those of the findings found (new, persisting, reopened, moved in); the previous run's are the
amounts the register held for the findings open after it (those persisting now, those no longer
found and those moved out). A customer moved to another district since the previous month shows
its finding as moved in (new district) and moved out (old district), not as persisting in one
and gone from the other (`Register.run_changes`); the status tables show those rows only then.
A finding is the district's as each run recorded it (a customer moved since leaves past months
as they were): this month's changes those of the findings that were the district's in this
month's run, the earlier findings those that were the district's in the previous recorded month.
Outcomes are those of the district's findings first found before this month: a finding counts
once per kind of event; confirmed or false alarm is its latest verdict (a correction is a later
event; rectified, recovered or archive corrected confirm a finding without a verdict); still
open is sent without a verdict; recovered yuan add up the `recovered` events. The events are
those of the previous run's cycle (`auditkit.cycle.window.previous_cycle`, the audit-cycle
report's cycles): from the day after the previous run's month (with no start after the first
recorded month, whose cycle takes any earlier event) up to the day before this month's cycle
begins (the first day of the next calendar month); the outcomes count every event before that
end. So consecutive months' reports list each event once, and a month's report says the same
whenever it is made again. The first month recorded for a district has no previous run: its
status table (with the previous run's columns) is not shown, a sentence says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from auditkit import formatting, i18n
from auditkit.billing.money import round_half_up
from auditkit.checks import choice
from auditkit.cycle.evaluate import (
    DECISIONS,
    RECOVERED,
    RECOVERED_NAME,
    by_kind,
    latest_decisions,
    reopened_by,
)
from auditkit.cycle.window import Window, previous_cycle
from auditkit.register.keys import finding_keys
from auditkit.register.schema import MOVED_STATUSES, STATUSES, shown_statuses
from auditkit.report.tables import header_case, revenue_kind_name
from auditkit.results import with_total
from auditkit.rules import REVENUE_KINDS

if TYPE_CHECKING:
    from auditkit.register.store import Register

#: Statuses of findings this month's run found in the district.
FOUND = ("new", "persisting", "reopened", "moved_in")
#: Statuses of findings that were open in the district after the previous run.
OPEN_BEFORE = ("persisting", "no_longer_found", "moved_out")
#: Money figures of a month's changes, each summed on its own: `<kind>_now`, `<kind>_before`.
NOW_MONEY = tuple(f"{kind}_now" for kind in REVENUE_KINDS)
CHANGE_MONEY = (*NOW_MONEY, *(f"{kind}_before" for kind in REVENUE_KINDS))
#: Outcome events counted once per finding, in the order the work goes.
COUNTED_EVENTS = ("sent", "confirmed", "false_alarm", "rectified", "archive_corrected")
#: The section's headings: its title, then its tables'.
HEADINGS = ("title", "by_status", "by_rule", "outcomes", "events")
CHANGE_COLUMNS = ("finding_key", "customer_id", "rule_id", "status", "revenue_impact",
                  "previous_revenue_impact", "amount_changed", "revenue_kind")  # fmt: skip
EARLIER_COLUMNS = ("finding_key", "customer_id", "rule_id", "revenue_kind")
EVENT_COLUMNS = ("finding_key", "event", "amount", "actor", "happened_at")


def _sum(values: pd.Series) -> float:
    """Yuan summed as a report shows them, rounded half up to the fen."""
    return float(round_half_up(float(values.sum())))


def change_money(changes: pd.DataFrame) -> pd.DataFrame:
    """Each change's money apart (`CHANGE_MONEY`), aligned with `changes`: its amount this month
    under its kind when found, its amount before under its kind when it was open after the
    previous run; 0 elsewhere."""
    found = changes["status"].isin(FOUND)
    open_before = changes["status"].isin(OPEN_BEFORE)
    now = changes["revenue_impact"].astype(float).where(found, 0.0).fillna(0.0)
    before = changes["previous_revenue_impact"].astype(float).where(open_before, 0.0).fillna(0.0)
    kinds = changes["revenue_kind"]
    money = {**by_kind(now, kinds, "{kind}_now"), **by_kind(before, kinds, "{kind}_before")}
    return pd.DataFrame(money, columns=list(CHANGE_MONEY), index=changes.index)


def by_status(changes: pd.DataFrame) -> pd.DataFrame:
    """Findings, amounts changed and money (`CHANGE_MONEY`) per status, every status shown
    (`schema.shown_statuses`) in order; money that does not apply to a status (this month's of a finding no
    longer found, the previous run's of a new or reopened one) is NaN, and so is every money
    figure of a status without findings: a row of none reads alike whatever its status."""
    frame = pd.concat([changes[["status", "amount_changed"]], change_money(changes)], axis=1)
    grouped = frame.groupby("status").agg(
        findings=("status", "size"),
        amounts_changed=("amount_changed", "sum"),
        **{name: (name, _sum) for name in CHANGE_MONEY},
    )
    grouped = grouped.reindex(shown_statuses(changes["status"])).fillna(0.0)
    grouped[["findings", "amounts_changed"]] = grouped[["findings", "amounts_changed"]].astype(int)
    for name in CHANGE_MONEY:
        applies = FOUND if name.endswith("_now") else OPEN_BEFORE
        shown = grouped.index.isin(applies) & (grouped["findings"] > 0).to_numpy()
        grouped[name] = grouped[name].where(shown, np.nan)
    return grouped.rename_axis("status").reset_index()


def by_rule(changes: pd.DataFrame) -> pd.DataFrame:
    """Per rule: findings per status, amounts changed, and this month's money per kind
    (`NOW_MONEY`: the previous run's is by status only, so the table fits a page); rules with
    revenue proved this month first (largest first), then by revenue estimated."""
    counts = pd.crosstab(changes["rule_id"], changes["status"]).reindex(
        columns=shown_statuses(changes["status"]), fill_value=0
    )
    frame = pd.concat([changes[["rule_id", "amount_changed"]], change_money(changes)], axis=1)
    sums = frame.groupby("rule_id").agg(
        amounts_changed=("amount_changed", "sum"), **{name: (name, _sum) for name in NOW_MONEY}
    )
    table = counts.join(sums).rename_axis("rule_id").reset_index()
    table["amounts_changed"] = table["amounts_changed"].astype(int)
    return table.sort_values(
        [*NOW_MONEY, "rule_id"], ascending=[*(False for _ in NOW_MONEY), True], kind="stable"
    ).reset_index(drop=True)


def outcomes_by_rule(
    earlier: pd.DataFrame, events: pd.DataFrame, reopened: pd.Series | None = None
) -> pd.DataFrame:
    """Per rule of the earlier findings: how many, how many had each counted event
    (`COUNTED_EVENTS`; confirmed and false alarm by their latest verdict, a reopened finding's
    from its reopening on: `reopened`, see `latest_decisions`), the yuan recovered per kind
    (`RECOVERED`) and how many were sent and still have no verdict; rules with the most earlier
    findings first."""
    per_finding = earlier.set_index("finding_key")[["rule_id", "revenue_kind"]].copy()
    keys = per_finding.index
    decided = latest_decisions(events, reopened=reopened)
    latest = decided.set_index("finding_key")["event"].reindex(keys)
    for kind in COUNTED_EVENTS:
        if kind in DECISIONS:
            per_finding[kind] = (latest == kind).to_numpy()
        else:
            per_finding[kind] = keys.isin(events.loc[events["event"] == kind, "finding_key"])
    per_finding["still_open"] = per_finding["sent"] & latest.isna().to_numpy()
    recovered = events[events["event"] == "recovered"].groupby("finding_key")["amount"].sum()
    amount = recovered.reindex(keys).fillna(0.0).astype(float)
    per_finding = per_finding.assign(**by_kind(amount, per_finding["revenue_kind"], RECOVERED_NAME))
    flags = [*COUNTED_EVENTS, "still_open"]
    table = per_finding.groupby("rule_id").agg(
        earlier=("revenue_kind", "size"),
        **{name: (name, "sum") for name in flags},
        **{name: (name, _sum) for name in RECOVERED},
    )
    table[flags] = table[flags].astype(int)
    table = table.reset_index().sort_values(
        ["earlier", "rule_id"], ascending=[False, True], kind="stable"
    )
    return table.reindex(
        columns=["rule_id", "earlier", *COUNTED_EVENTS, *RECOVERED, "still_open"]
    ).reset_index(drop=True)


@dataclass(frozen=True)
class SinceLastMonth:
    """The district's findings of `as_of` against the register, and its earlier findings'
    outcomes (numbers and codes; words only when shown).

    `situation` says where the figures come from: `no_register`, `recorded`, `preview`,
    `later` or `other_data` (see the module's docstring; `foreign`: for `other_data`, the
    register's findings of the district and how many of them name customers not in it). `changes` has one row per finding key (columns `CHANGE_COLUMNS`); `earlier` the district's
    findings first found before `as_of` (`EARLIER_COLUMNS`); `reopened` the month each of them
    was last found again after it was gone, up to the previous run (`reopened_by`: a verdict
    before it does not decide the occurrence found since); `events` their outcome events in
    the order they happened (`EVENT_COLUMNS`), up to the end of `window`, the previous run's
    cycle (`auditkit.cycle.window.previous_cycle`; None: every event). `previous_as_of` is the
    register's latest month before `as_of` covering the district, `latest_as_of` its latest at
    all.
    """

    district: str
    as_of: str
    situation: str
    previous_as_of: str | None = None
    latest_as_of: str | None = None
    changes: pd.DataFrame = field(default_factory=lambda: _empty(CHANGE_COLUMNS), repr=False)
    earlier: pd.DataFrame = field(default_factory=lambda: _empty(EARLIER_COLUMNS), repr=False)
    events: pd.DataFrame = field(default_factory=lambda: _empty(EVENT_COLUMNS), repr=False)
    catalog: pd.DataFrame | None = field(default=None, repr=False)
    window: Window | None = field(default=None, repr=False)
    foreign: tuple[int, int] | None = None
    reopened: pd.Series = field(default_factory=lambda: pd.Series(dtype=object), repr=False)

    @property
    def has_changes(self) -> bool:
        """The section shows this month's changes (recorded or previewed)."""
        return self.situation in ("recorded", "preview")

    @property
    def first_month(self) -> bool:
        """This month is the first the register holds for the district."""
        return self.has_changes and self.previous_as_of is None

    @property
    def table_names(self) -> tuple[str, ...]:
        """The tables this section shows, in order (none without changes to show; no status
        table, whose columns compare with the previous run, in the first month; no outcome
        tables without earlier findings)."""
        if not self.has_changes:
            return ()
        names: tuple[str, ...] = ("by_rule",) if self.first_month else ("by_status", "by_rule")
        if self.earlier.empty:
            return names
        return (*names, "outcomes", "events")

    def events_since_previous(self) -> pd.DataFrame:
        """The earlier findings' events of the previous run's cycle (`window`: every event
        without one), with the finding's customer, rule and kind."""
        events = self.events
        if self.window is not None:
            events = events[self.window.inside(events["happened_at"]).to_numpy()]
        return events.merge(self.earlier, on="finding_key", how="left")

    def summary(self) -> dict[str, Any]:
        """The section's figures: where they come from, findings per status and amounts
        changed (of every status, and of the persisting ones: the sentence names those),
        this month's and the previous run's yuan per kind (apart), and the earlier
        findings' outcomes."""
        figures: dict[str, Any] = {
            "situation": self.situation,
            "as_of": self.as_of,
            "previous_as_of": self.previous_as_of,
            "latest_as_of": self.latest_as_of,
            "first_month": self.first_month,
        }
        if not self.has_changes:
            return figures
        statuses = self.changes["status"]
        figures.update(
            {status: int((statuses == status).sum()) for status in (*STATUSES, *MOVED_STATUSES)}
        )
        figures["found"] = int(statuses.isin(FOUND).sum())
        figures["open_before"] = int(statuses.isin(OPEN_BEFORE).sum())
        figures["amounts_changed"] = int(self.changes["amount_changed"].sum())
        persisting = self.changes[statuses == "persisting"]
        figures["persisting_changed"] = int(persisting["amount_changed"].sum())
        money = change_money(self.changes)
        figures.update({name: _sum(money[name]) for name in CHANGE_MONEY})
        outcomes = outcomes_by_rule(self.earlier, self.events, self.reopened)
        figures["earlier"] = len(self.earlier)
        figures.update(
            {name: int(outcomes[name].sum()) for name in (*COUNTED_EVENTS, "still_open")}
        )
        figures.update({name: _sum(outcomes[name]) for name in RECOVERED})
        figures["events_since_previous"] = len(self.events_since_previous())
        return figures

    def heading(self, name: str = "title", lang: str = i18n.DEFAULT_LANG) -> str:
        """The section's heading ("title") or a table's (`table_names`) in `lang`."""
        if name not in HEADINGS:
            raise KeyError(f"no heading {name!r}: one of {', '.join(HEADINGS)}")
        return i18n.text(f"since.heading.{name}", lang)

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """What the register says of the district this month, one sentence a line."""
        i18n.language(lang)
        if self.situation == "no_register":
            return i18n.text("since.line.no_register", lang).format(district=self.district)
        if self.situation == "later":
            return i18n.text("since.line.later", lang).format(
                latest=self.latest_as_of, as_of=self.as_of
            )
        if self.situation == "other_data":
            held, missing = self.foreign
            return i18n.text("since.line.other_data", lang).format(
                district=self.district, held=held, missing=missing
            )
        figures = self.summary()
        lines = []
        if self.situation == "preview":
            lines.append(i18n.text("since.line.preview", lang).format(as_of=self.as_of))
        if self.first_month:
            lines.append(
                i18n.text("since.line.first_month", lang).format(
                    as_of=self.as_of, district=self.district
                )
            )
        elif self.situation == "recorded":
            lines.append(
                i18n.text("since.line.recorded", lang).format(
                    as_of=self.as_of, previous=self.previous_as_of
                )
            )
        lines.append(
            i18n.text("since.line.counts", lang).format(
                found=int(figures["found"]),
                new=int(figures["new"]),
                persisting=int(figures["persisting"]),
                changed=int(figures["persisting_changed"]),
                reopened=int(figures["reopened"]),
                gone=int(figures["no_longer_found"]),
            )
        )
        if figures["moved_in"] or figures["moved_out"]:
            lines.append(
                i18n.text("since.line.moved", lang).format(
                    moved_in=int(figures["moved_in"]), moved_out=int(figures["moved_out"])
                )
            )
        if not self.first_month:
            lines.append(
                i18n.text("since.line.compared", lang).format(
                    previous=self.previous_as_of,
                    before=int(figures["open_before"]),
                    proved_before=formatting.money(figures["proved_before"]),
                    estimated_before=formatting.money(figures["estimated_before"]),
                    found=int(figures["found"]),
                    proved=formatting.money(figures["proved_now"]),
                    estimated=formatting.money(figures["estimated_now"]),
                )
            )
        if not self.earlier.empty:
            lines.append(
                i18n.text("since.line.outcomes", lang).format(
                    earlier=int(figures["earlier"]),
                    **{name: int(figures[name]) for name in (*COUNTED_EVENTS, "still_open")},
                    **{name: formatting.money(figures[name]) for name in RECOVERED},
                    events=int(figures["events_since_previous"]),
                )
            )
        return "\n".join(lines)

    def money_columns(self, lang: str = i18n.DEFAULT_LANG) -> list[str]:
        """The labels of the money columns of this section's tables in `lang` (for
        `report.show_table`)."""
        names = [*CHANGE_MONEY_WORDS.values(), *RECOVERED_WORDS.values(), "common.amount"]
        return [i18n.text(name, lang) for name in names]

    def to_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """The section's main table: this month's findings by status."""
        return self.table("by_status", lang)

    def table(self, name: str, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """One of `table_names`, labelled in `lang` (money in `money_columns(lang)`; the
        events' customer column keeps its name `customer_id`: show it with
        `report.personal_labels(lang)`)."""
        choice("table", name, self.table_names)
        lang = i18n.language(lang)
        tables = {
            "by_status": self._status_table,
            "by_rule": self._rule_table,
            "outcomes": self._outcomes_table,
            "events": self._events_table,
        }
        return tables[name](lang)

    def status_names(
        self, findings: pd.DataFrame, lang: str = i18n.DEFAULT_LANG
    ) -> list[str] | None:
        """Each finding's status this month in words (the missing mark for a finding the
        changes do not hold), aligned with `findings`; None when there are no changes to show."""
        if not self.has_changes:
            return None
        status = self.changes.set_index("finding_key")["status"]
        found = finding_keys(findings).map(status)
        return [
            formatting.MISSING
            if formatting.is_missing(code)
            else i18n.text(f"register.store.status.{code}", lang)
            for code in found
        ]

    def field_outcomes(self, findings: pd.DataFrame) -> pd.DataFrame | None:
        """Each finding's latest field outcome (`event`, an outcome code; None for a finding
        without events) and the yuan recovered on it (`recovered`: the sum of its `recovered`
        events, 0 when it has events but none recovered, NaN without events), aligned with
        `findings`. The yuan are in the finding's own kind of revenue, never netted against
        what was found. The events are those the section counts (`events`: up to the end of
        the previous run's cycle); None when the section shows no outcomes."""
        if not self.has_changes or self.events.empty:
            return None
        events = self.events.sort_values("happened_at", kind="stable")
        latest = events.groupby("finding_key")["event"].last()
        paid = events[events["event"] == "recovered"].groupby("finding_key")["amount"].sum()
        keys = finding_keys(findings)
        event = keys.map(latest)
        recovered = keys.map(paid).astype(float)
        recovered = recovered.where(event.isna(), recovered.fillna(0.0))
        return pd.DataFrame({"event": event, "recovered": recovered}, index=findings.index)

    def _titles(self, rule_ids: Sequence[str], lang: str) -> list[str]:
        """Each rule's title in `lang` (an id the catalog lacks as it is)."""
        if self.catalog is None:
            return [str(rule_id) for rule_id in rule_ids]
        titles = self.catalog.set_index("rule_id")[f"title_{lang}"]
        return [str(titles.get(rule_id, rule_id)) for rule_id in rule_ids]

    def _status_table(self, lang: str) -> pd.DataFrame:
        grouped = by_status(self.changes)
        return pd.DataFrame(
            {
                i18n.text("since.column.status", lang): [
                    i18n.text(f"register.store.status.{status}", lang)
                    for status in grouped["status"]
                ],
                i18n.text("common.findings", lang): grouped["findings"].to_numpy(),
                i18n.text("since.column.amounts_changed", lang): grouped[
                    "amounts_changed"
                ].to_numpy(),
                **{
                    i18n.text(word, lang): grouped[name].to_numpy()
                    for name, word in CHANGE_MONEY_WORDS.items()
                },
            }
        )

    def _rule_table(self, lang: str) -> pd.DataFrame:
        grouped = by_rule(self.changes)
        counted = {
            header_case(i18n.text(f"register.store.status.{status}", lang)): status
            for status in shown_statuses(self.changes["status"])
        }
        labels = {
            **counted,
            i18n.text("since.column.amounts_changed", lang): "amounts_changed",
            **{i18n.text(CHANGE_MONEY_WORDS[name], lang): name for name in NOW_MONEY},
        }
        return self._per_rule(grouped, labels, lang)

    def _outcomes_table(self, lang: str) -> pd.DataFrame:
        grouped = outcomes_by_rule(self.earlier, self.events, self.reopened)
        labels = {
            i18n.text("since.column.earlier", lang): "earlier",
            **{
                header_case(i18n.text(f"register.sheet.outcome.{kind}", lang)): kind
                for kind in COUNTED_EVENTS
            },
            **{i18n.text(word, lang): name for name, word in RECOVERED_WORDS.items()},
            i18n.text("since.column.still_open", lang): "still_open",
        }
        return self._per_rule(grouped, labels, lang)

    def _per_rule(self, grouped: pd.DataFrame, labels: dict[str, str], lang: str) -> pd.DataFrame:
        """A per-rule table: the rule's title (no id column, so nine figures fit a page; the
        report's rule table pairs titles with ids), then each column of `grouped` under its
        label (`labels`: label -> column), and a total row."""
        rule = i18n.text("common.rule", lang)
        table = pd.DataFrame(
            {
                rule: self._titles(grouped["rule_id"], lang),
                **{label: grouped[name].to_numpy() for label, name in labels.items()},
            }
        )
        total = {column: "" for column in table.columns}
        total[rule] = i18n.text("common.total", lang)
        total.update({label: _total(grouped[name], name) for label, name in labels.items()})
        return with_total(table, total)

    def _events_table(self, lang: str) -> pd.DataFrame:
        """The events since the previous run, the most recent first: a report showing the first
        rows of a long list shows the latest (and says how many there are)."""
        events = self.events_since_previous().sort_values(
            "happened_at", ascending=False, kind="stable"
        )
        return pd.DataFrame(
            {
                i18n.text("since.column.date", lang): events["happened_at"].to_numpy(),
                "customer_id": events["customer_id"].to_numpy(),
                i18n.text("common.rule", lang): self._titles(events["rule_id"], lang),
                i18n.text("since.column.event", lang): [
                    i18n.text(f"register.sheet.outcome.{kind}", lang) for kind in events["event"]
                ],
                i18n.text("common.amount", lang): events["amount"].to_numpy(),
                i18n.text("report.revenue_kind", lang): [
                    revenue_kind_name(kind, lang) for kind in events["revenue_kind"]
                ],
                i18n.text("since.column.actor", lang): events["actor"].to_numpy(),
            }
        )


#: The wording of each money figure of the changes and of the outcomes.
CHANGE_MONEY_WORDS = {name: f"since.column.{name}" for name in CHANGE_MONEY}
RECOVERED_WORDS = {name: f"since.column.{name}" for name in RECOVERED}


def _total(values: pd.Series, name: str) -> float | int:
    """A table column's total: yuan rounded half up, counts as a whole number."""
    return _sum(values) if name in CHANGE_MONEY or name in RECOVERED else int(values.sum())


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    """A frame with `columns` and no row: a section without a register holds no changes."""
    return pd.DataFrame(columns=list(columns))


#: Share of the district's findings of the register's latest run (up to this month) whose
#: customers the dataset's archive must hold for the register to be read as this dataset's: a
#: customer found last month is in this month's export (anywhere in it: a boundary change moves
#: customers between districts), but for the few accounts closed and purged since; another
#: utility's or test set's customers mostly are not.
OWN_DATA_SHARE = 0.5


def since_last_month(
    findings: pd.DataFrame,
    district: str,
    register: Register | None,
    catalog: pd.DataFrame | None = None,
    customers: Sequence[str] | None = None,
) -> SinceLastMonth:
    """The "since last month" section of `district`'s report from its findings of this month
    (`auditkit.rules.run` on the district, `attrs['as_of']` its month) and the findings
    register the report reads (None: there is none). Reads the register, never writes it.
    `catalog` (`auditkit.rules.catalog()`) names the rules. `customers`, the customer ids of
    the dataset's archive (every district), lets a register of other data be told apart
    (`other_data`: most of the district's findings of the register's latest run up to this
    month name customers the archive does not hold); None: not checked."""
    as_of = str(findings.attrs["as_of"])
    if register is None:
        return SinceLastMonth(district, as_of, "no_register", catalog=catalog)
    runs = register.runs()
    covering = runs[runs["district"].isna() | (runs["district"] == district)]
    months = sorted(set(covering["as_of"]))
    if not months:
        return SinceLastMonth(district, as_of, "no_register", catalog=catalog)
    before = [month for month in months if month < as_of]
    previous, latest = (before[-1] if before else None), months[-1]
    held = register.findings(
        district,
        columns=["customer_id", "rule_id", "revenue_kind", "first_as_of", "last_as_of"],
        as_of=previous or as_of,  # the district's when the previous cycle's work was done
        refuse_unknown_district=False,  # a district of the data, none of whose findings recorded
    )
    recent = [month for month in months if month <= as_of]
    if customers is not None and recent:
        lately = held.loc[held["last_as_of"] >= recent[-1], "customer_id"].astype(str)
        missing = int((~lately.isin(set(map(str, customers)))).sum())
        if len(lately) and missing > (1 - OWN_DATA_SHARE) * len(lately):
            foreign = (len(lately), missing)
            return SinceLastMonth(
                district, as_of, "other_data", previous, latest, catalog=catalog, foreign=foreign
            )
    recorded = register.run_changes(as_of, district)
    if recorded is None and latest > as_of:
        return SinceLastMonth(district, as_of, "later", previous, latest, catalog=catalog)
    if recorded is not None:
        situation, changes = "recorded", recorded.changes
    else:
        preview = register.preview_run(findings, as_of=as_of, district=district)
        situation, changes = "preview", preview.changes
    kinds = pd.concat(
        [
            held.set_index("finding_key")["revenue_kind"],
            pd.Series(findings["revenue_kind"].to_numpy(), index=finding_keys(findings)),
        ]
    )
    kinds = kinds[~kinds.index.duplicated(keep="last")]  # this month's kind where it has one
    changes = changes.assign(revenue_kind=changes["finding_key"].map(kinds))
    earlier = held.loc[held["first_as_of"] < as_of, list(EARLIER_COLUMNS)].reset_index(drop=True)
    trail = register.outcomes(
        district=district, as_of=previous or as_of, refuse_unknown_district=False
    )
    window = previous_cycle(months, as_of)
    reopened = reopened_by(register.reopenings(), previous) if previous else None
    in_time = window.before_end(trail["happened_at"])
    events = trail.loc[
        in_time & trail["finding_key"].isin(earlier["finding_key"]), list(EVENT_COLUMNS)
    ].reset_index(drop=True)
    return SinceLastMonth(
        district,
        as_of,
        situation,
        previous,
        latest,
        changes=changes.reindex(columns=list(CHANGE_COLUMNS)),
        earlier=earlier,
        events=events,
        catalog=catalog,
        window=window,
        reopened=pd.Series(dtype=object) if reopened is None else reopened,
    )
