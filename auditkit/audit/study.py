"""The district audit: what the `district_audit` notebook shows, computed once by `build`.

`build(dataset, district)` runs the audit rule library on one district's data and keeps the
district's figures as numbers and codes: its profile, customers by usage type, billed energy by
month, findings by area and rule, the findings themselves, and what the findings register says
of them since last month (`auditkit.audit.since`). Words are made only when the notebook asks
for a table, a figure or the conclusions in a language.

Money has two kinds (a finding's `revenue_kind`): revenue a recomputation of the bill proves, and
revenue that is an estimate (theft, zero consumption, demand above capacity). They are summed
apart and shown side by side, never added into one figure; penalties are a third, separate figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.figure import Figure

from auditkit import formatting, i18n, rules
from auditkit.audit import charts
from auditkit.audit.data_notes import data_notes, district_warnings
from auditkit.audit.since import SinceLastMonth, since_last_month
from auditkit.billing.money import round_half_up
from auditkit.checks import positive_int
from auditkit.data import Dataset
from auditkit.data.partitioned import PartitionedDataset
from auditkit.data.problems import Problem
from auditkit.errors import DATASET, ParameterError, require_type
from auditkit.periods import last_months
from auditkit.report.figures import figure_name
from auditkit.report.notebook import save_table
from auditkit.report.tables import NOTE, period_range, revenue_kind_name
from auditkit.report.workbook import write_findings_workbook
from auditkit.results import with_total

if TYPE_CHECKING:
    from auditkit.register.store import Register

FINDINGS_SORT = ("rule_id", "customer_id", "period_from", "period_to")
BILL_COLUMNS = ("customer_id", "period", "kwh_billed", "amount", "read_type")
#: The figure summing each kind of revenue a finding's `revenue_kind` names.
KIND_FIGURES = {kind: f"revenue_{kind}" for kind in rules.REVENUE_KINDS}
#: The money figures of the district, each summed on its own (headline keys, table columns).
AMOUNTS = (*KIND_FIGURES.values(), "penalties")


def billing_window(dataset: Any, as_of: str | None) -> pd.DataFrame:
    """The district's bills up to and including `as_of` ('YYYY-MM'); all of them when empty."""
    if dataset.bills is None:
        return pd.DataFrame(columns=list(BILL_COLUMNS))
    return last_months(dataset.bills, as_of=as_of)


def profile_figures(dataset: Any, as_of: str | None = None) -> dict[str, Any]:
    """Key facts of a district: customers, tariffs, energy and money billed, reads, line loss."""
    customers = dataset.customers
    bills = billing_window(dataset, as_of)
    periods = sorted(bills["period"].dropna().unique())
    figures: dict[str, Any] = {
        "customers": len(customers),
        "active_customers": int((customers["status"] == "active").sum()),
        "two_part_customers": int((customers["basic_charge_basis"] != "none").sum()),
        "billing_months": period_range(periods[0], periods[-1]) if periods else "",
        "kwh_billed": round(float(bills["kwh_billed"].sum())),
        "amount_billed": round(float(bills["amount"].sum()), 2),
        "estimated_share": round(100 * float((bills["read_type"] == "estimated").mean()), 2)
        if len(bills)
        else 0.0,
    }
    supply = dataset.district_supply
    if supply is not None and len(supply) and periods:
        supplied = supply[supply["period"].isin(periods)]["kwh_supplied"].sum()
        if supplied > 0:
            figures["line_loss"] = round(100 * (1 - figures["kwh_billed"] / supplied), 2)
    return figures


def usage_mix(dataset: Any, as_of: str | None = None) -> pd.DataFrame:
    """Customers, billed kWh and share of it (%) by usage type code, largest first."""
    customers = dataset.customers[["customer_id", "usage_type"]]
    energy = billing_window(dataset, as_of).groupby("customer_id")["kwh_billed"].sum()
    mix = customers.assign(kwh=customers["customer_id"].map(energy).fillna(0.0))
    grouped = mix.groupby("usage_type").agg(customers=("customer_id", "size"), kwh=("kwh", "sum"))
    total = grouped["kwh"].sum()
    grouped["share"] = (100 * grouped["kwh"] / total).round(2) if total else 0.0
    ordered = grouped.sort_values(["customers", "kwh"], ascending=False)
    return ordered.assign(kwh=ordered["kwh"].round(0)).reset_index()


def monthly_billing(dataset: Any, as_of: str | None = None) -> pd.DataFrame:
    """Billed kWh and amount per billing month (the district's load curve)."""
    monthly = (
        billing_window(dataset, as_of)
        .groupby("period", sort=True)
        .agg(kwh_billed=("kwh_billed", "sum"), amount=("amount", "sum"))
    )
    return monthly.reset_index()


def money(values: pd.Series) -> float:
    """A sum of yuan as a report shows it (missing amounts left out), rounded half up to the
    fen."""
    return float(round_half_up(float(values.sum())))


def amounts(findings: pd.DataFrame) -> pd.DataFrame:
    """Each finding's money apart (`AMOUNTS`): its revenue impact under the figure of its kind
    (the other kind 0) and its penalty, aligned with `findings`."""
    impact = findings["revenue_impact"].astype(float)
    apart = {
        figure: impact.where(findings["revenue_kind"] == kind, 0.0)
        for kind, figure in KIND_FIGURES.items()
    }
    return pd.DataFrame({**apart, "penalties": findings["penalty"].astype(float)})


def headline_figures(dataset: Any, findings: pd.DataFrame) -> dict[str, float]:
    """Headline: customers audited, findings, customers flagged, rules fired, the revenue proved
    and the revenue estimated (apart), and the penalties (yuan)."""
    money_apart = amounts(findings)
    return {
        "customers": len(dataset.customers),
        "findings": len(findings),
        "customers_flagged": int(findings["customer_id"].nunique()),
        "rules_fired": int(findings["rule_id"].nunique()),
        **{figure: money(money_apart[figure]) for figure in AMOUNTS},
    }


def findings_by_rule(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings, customers and each money figure (`AMOUNTS`) per area and rule; rules with
    revenue proved first (largest first), then by revenue estimated."""
    grouped = (
        pd.concat([findings[["area", "rule_id", "customer_id"]], amounts(findings)], axis=1)
        .groupby(["area", "rule_id"], sort=True)
        .agg(
            findings=("customer_id", "size"),
            customers=("customer_id", "nunique"),
            **{figure: (figure, "sum") for figure in AMOUNTS},
        )
        .reset_index()
    )
    for figure in AMOUNTS:
        grouped[figure] = round_half_up(grouped[figure].to_numpy())
    return grouped.sort_values(
        [*KIND_FIGURES.values(), "rule_id"], ascending=[False, False, True], kind="stable"
    )


def top_findings(findings: pd.DataFrame, customers: pd.DataFrame, n: int) -> pd.DataFrame:
    """The `n` findings with the largest revenue impact, with the customer's name and address."""
    personal = [column for column in ("name", "address") if column in customers.columns]
    top = findings.sort_values(
        ["revenue_impact", "score", "rule_id", "customer_id"],
        ascending=[False, False, True, True],
        kind="stable",
    ).head(n)
    return top.merge(customers[["customer_id", *personal]], on="customer_id", how="left")


def _code_name(group: str, code: Any, lang: str) -> str:
    """A code of the data (usage type, severity) named in `lang`; an unknown code as it is."""
    return i18n.text(f"{group}.{code}", lang, default=str(code))


# The profile's figures by catalogue key, in the order the profile table lists them.
PROFILE_WORDS = {
    "customers": "common.customers",
    "active_customers": "report.district.active_customers",
    "two_part_customers": "report.district.two_part_customers",
    "billing_months": "report.district.billing_months",
    "kwh_billed": "report.district.kwh_billed",
    "amount_billed": "report.district.amount_billed",
    "estimated_share": "stats.column.estimated_share",
    "line_loss": "stats.column.line_loss",
}
#: The profile's figures that are shares in percent: written as every share is (`percent`).
PROFILE_PERCENTS = ("estimated_share", "line_loss")


@dataclass(frozen=True)
class DistrictAudit:
    """One district's audit: its data, findings and figures (numbers and codes, no words)."""

    district: str
    dataset: Dataset
    findings: pd.DataFrame
    catalog: pd.DataFrame
    profile: dict[str, Any]
    top_n: int = 20
    #: What the findings register says of the district since last month (`auditkit.audit.since`).
    since: SinceLastMonth | None = None
    #: The data's warnings that concern the district (`data_notes.district_warnings`).
    data_warnings: tuple[Problem, ...] = ()

    table_names = (
        "profile",
        "usage_mix",
        "findings_by_rule",
        "top_findings",
        "catalog",
        "rule_inputs",
    )
    figure_names = ("monthly_billing", "revenue_by_rule")
    headings = (
        "title",
        "profile",
        "customers_by_usage",
        "findings_by_rule",
        "top_findings",
        "appendix",
        "rule_inputs",
    )

    @property
    def as_of(self) -> str:
        """The last billing period audited ('YYYY-MM')."""
        return str(self.findings.attrs["as_of"])

    @property
    def billing_months(self) -> str:
        """The billing periods the profile covers, 'first – last'."""
        return str(self.profile["billing_months"])

    def headline(self) -> dict[str, float]:
        """Customers audited, findings, customers flagged, rules fired, revenue proved, revenue
        estimated and penalties (three money figures, never added together)."""
        return headline_figures(self.dataset, self.findings)

    def money_columns(self, lang: str = i18n.DEFAULT_LANG) -> list[str]:
        """The labels of the money columns of the study's tables in `lang` (for `show_table`)."""
        return [
            i18n.text("common.revenue_impact", lang),
            *(figure_name(key, lang) for key in AMOUNTS),
            i18n.text("report.district.recovered", lang),
        ]

    def heading(self, name: str, lang: str = i18n.DEFAULT_LANG) -> str:
        """The report's title or a section's heading (`headings`) in `lang`."""
        if name not in self.headings:
            raise ParameterError("heading", "one of " + ", ".join(self.headings), name)
        return i18n.text(f"report.district.{name}", lang)

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The audit's outcome in one sentence (findings, customers, rules, the revenue proved and
        the revenue estimated apart, and the penalties), then a line each on what the data's
        warnings mean for it (`data_notes`): a table read while open in an office program."""
        if self.findings.empty:
            outcome = i18n.text("report.district.no_findings", lang)
        else:
            figures = self.headline()
            outcome = i18n.text("report.district.conclusion", lang).format(
                findings=int(figures["findings"]),
                customers=int(figures["customers_flagged"]),
                rules=int(figures["rules_fired"]),
                proved=formatting.money(figures["revenue_proved"]),
                estimated=formatting.money(figures["revenue_estimated"]),
                penalties=formatting.money(figures["penalties"]),
            )
        return "\n".join([outcome, *data_notes(self.data_warnings, lang)])

    def methodology(self, lang: str = i18n.DEFAULT_LANG, mask: bool = True) -> str:
        """The methodology paragraphs of the appendix (HTML written by auditkit, no data in it),
        ending with whether personal fields are masked: `mask` is the notebook's
        `mask_personal`, so a report showing full names says so rather than claiming masking."""
        personal = "personal_masked" if mask else "personal_unmasked"
        return i18n.text("report.district.methodology", lang) + i18n.text(
            f"report.district.{personal}", lang
        )

    def table(self, name: str, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """One of `table_names`, labelled in `lang` (money in the `money_columns(lang)`), but
        for the customer columns (`customer_id`, `name`, `address`, `phone`), which keep their
        names so that masking finds them: show the table with
        `column_labels=report.personal_labels(lang)`, as the notebook does."""
        tables = {
            "profile": self._profile_table,
            "usage_mix": self._usage_table,
            "findings_by_rule": self._by_rule_table,
            "top_findings": self._top_table,
            "catalog": self._catalog_table,
            "rule_inputs": self._rule_inputs_table,
        }
        if name not in tables:
            raise ParameterError("table", "one of " + ", ".join(self.table_names), name)
        return tables[name](i18n.language(lang))

    def figure(self, name: str, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """One of `figure_names`, labelled in `lang`."""
        i18n.language(lang)
        if name == "monthly_billing":
            return charts.monthly_billing_chart(monthly_billing(self.dataset, self.as_of), lang)
        if name == "revenue_by_rule":
            by_rule = findings_by_rule(self.findings)
            revenue = pd.DataFrame(
                by_rule[list(KIND_FIGURES.values())].to_numpy(),
                index=self._titles(by_rule["rule_id"], lang),
                columns=list(KIND_FIGURES),
            )
            return charts.revenue_by_rule_chart(revenue, lang)
        raise ParameterError("figure", "one of " + ", ".join(self.figure_names), name)

    def save_findings(self, folder: Path, lang: str, mask: bool = True) -> list[Path]:
        """The district's findings for reviewers and scripts: Parquet and CSV with the evidence
        in `lang` (and its `evidence_code`), and a workbook for Excel (ids and periods as text)."""
        in_lang = self.findings.assign(evidence=rules.evidence_text(self.findings, lang))
        files = save_table(in_lang, folder, "findings", sort_by=FINDINGS_SORT, mask=mask)
        workbook = write_findings_workbook(
            self.findings, folder / "findings.xlsx", lang=lang, mask=mask, catalog=self.catalog
        )
        return [*files, workbook]

    def _titles(self, rule_ids: pd.Series, lang: str) -> list[str]:
        """Each rule's title in `lang` (an id the catalog lacks as it is)."""
        titles = self.catalog.set_index("rule_id")[f"title_{lang}"]
        return [str(titles.get(rule_id, rule_id)) for rule_id in rule_ids]

    def _profile_table(self, lang: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                i18n.text("common.item", lang): [
                    self._profile_label(key, lang) for key in self.profile
                ],
                i18n.text("common.value", lang): [
                    formatting.percent(value / 100, 2)
                    if key in PROFILE_PERCENTS
                    else formatting.number(value)
                    for key, value in self.profile.items()
                ],
            }
        )

    def _profile_label(self, key: str, lang: str) -> str:
        """A profile figure's label; the line loss names the billing months it is over (the
        statistics report computes it over its own months)."""
        if key == "line_loss" and self.profile.get("billing_months"):
            return i18n.text("report.district.line_loss_over", lang).format(
                period=self.profile["billing_months"]
            )
        return i18n.text(PROFILE_WORDS[key], lang)

    def _usage_table(self, lang: str) -> pd.DataFrame:
        mix = usage_mix(self.dataset, self.as_of)
        return pd.DataFrame(
            {
                i18n.text("common.usage_type", lang): [
                    _code_name("usage", usage, lang) for usage in mix["usage_type"]
                ],
                i18n.text("common.customers", lang): mix["customers"].to_numpy(),
                i18n.text("report.district.kwh_billed", lang): mix["kwh"].to_numpy(),
                i18n.text("stats.column.kwh_share", lang): [
                    formatting.percent(share / 100, 2) for share in mix["share"]
                ],
            }
        )

    def _by_rule_table(self, lang: str) -> pd.DataFrame:
        grouped = findings_by_rule(self.findings)
        area, findings = i18n.text("common.area", lang), i18n.text("common.findings", lang)
        customers = i18n.text("common.customers", lang)
        table = pd.DataFrame(
            {
                area: [rules.area_name(a, lang) for a in grouped["area"]],
                i18n.text("common.rule", lang): self._titles(grouped["rule_id"], lang),
                i18n.text("report.rule_id", lang): grouped["rule_id"].to_numpy(),
                findings: grouped["findings"].to_numpy(),
                customers: grouped["customers"].to_numpy(),
                **{figure_name(key, lang): grouped[key].to_numpy() for key in AMOUNTS},
            }
        )
        figures = self.headline()
        total = {column: "" for column in table.columns}
        total[area] = i18n.text("common.total", lang)
        total[findings] = figures["findings"]
        total[customers] = figures["customers_flagged"]
        total.update({figure_name(key, lang): figures[key] for key in AMOUNTS})
        return with_total(table, total)

    def _top_table(self, lang: str) -> pd.DataFrame:
        """Customer columns keep their names (`customer_id`, `name`, `address`) for masking:
        show them with `report.personal_labels(lang)` as column labels. With a register, each
        finding's status this month (new, persisting, reopened) follows the rule, and beside
        the amount found the finding's latest field outcome and the yuan recovered on it (in
        the finding's own revenue kind, never netted against the amount found: a note under
        the table, `attrs[NOTE]`, says so)."""
        top = top_findings(self.findings, self.dataset.customers, self.top_n)
        personal = [column for column in ("name", "address") if column in top.columns]
        table = pd.DataFrame(
            {
                i18n.text("common.rule", lang): self._titles(top["rule_id"], lang),
                i18n.text("common.severity", lang): [
                    _code_name("severity", s, lang) for s in top["severity"]
                ],
                "customer_id": top["customer_id"].to_numpy(),
                **{column: top[column].to_numpy() for column in personal},
                i18n.text("common.period", lang): [
                    period_range(first, last)
                    for first, last in zip(top["period_from"], top["period_to"], strict=True)
                ],
                i18n.text("common.revenue_impact", lang): top["revenue_impact"].to_numpy(),
                i18n.text("report.revenue_kind", lang): [
                    revenue_kind_name(kind, lang) for kind in top["revenue_kind"]
                ],
                figure_name("penalties", lang): top["penalty"].to_numpy(),
                i18n.text("common.evidence", lang): rules.evidence_text(top, lang).to_numpy(),
            }
        )
        statuses = None if self.since is None else self.since.status_names(top, lang)
        if statuses is not None:
            table.insert(1, i18n.text("since.column.status", lang), statuses)
        outcomes = None if self.since is None else self.since.field_outcomes(top)
        if outcomes is not None:
            after = table.columns.get_loc(i18n.text("common.revenue_impact", lang)) + 1
            events = [
                formatting.MISSING
                if formatting.is_missing(event)
                else i18n.text(f"register.sheet.outcome.{event}", lang)
                for event in outcomes["event"]
            ]
            table.insert(after, i18n.text("report.district.latest_outcome", lang), events)
            table.insert(
                after + 1,
                i18n.text("report.district.recovered", lang),
                outcomes["recovered"].to_numpy(),
            )
            table.attrs[NOTE] = i18n.text("report.district.top_findings_note", lang)
        return table

    def _catalog_table(self, lang: str) -> pd.DataFrame:
        """Every rule: its area, id, name, what it checks, its kind of revenue and its source.
        Two columns of prose (what it checks, the source) at a readable width are as much as a
        1,400-pixel window holds beside the names; the data and parameters of each rule are
        `rule_inputs`."""
        ordered = self._ordered_catalog()
        return pd.DataFrame(
            {
                i18n.text("common.area", lang): [rules.area_name(a, lang) for a in ordered["area"]],
                i18n.text("report.rule_id", lang): ordered["rule_id"].to_numpy(),
                i18n.text("common.rule", lang): ordered[f"title_{lang}"].to_numpy(),
                i18n.text("report.district.checks", lang): ordered[f"checks_{lang}"].to_numpy(),
                i18n.text("report.revenue_kind", lang): [
                    revenue_kind_name(kind, lang) for kind in ordered["revenue_kind"]
                ],
                i18n.text("report.district.source", lang): ordered[f"source_{lang}"].to_numpy(),
            }
        )

    def _rule_inputs_table(self, lang: str) -> pd.DataFrame:
        """Every rule (in the catalog's order): the data it needs and its parameters with their
        defaults."""
        ordered = self._ordered_catalog()
        return pd.DataFrame(
            {
                i18n.text("report.rule_id", lang): ordered["rule_id"].to_numpy(),
                i18n.text("common.rule", lang): ordered[f"title_{lang}"].to_numpy(),
                i18n.text("report.district.needs", lang): [
                    _needs_text(rules.RULES[rule_id].needs, lang) for rule_id in ordered["rule_id"]
                ],
                i18n.text("report.district.rule_parameters", lang): ordered[
                    f"parameters_{lang}"
                ].to_numpy(),
            }
        )

    def _ordered_catalog(self) -> pd.DataFrame:
        """The rule catalog by area, then rule id."""
        return self.catalog.sort_values(["area", "rule_id"], kind="stable")


def build(
    dataset: Dataset,
    district: str,
    as_of: str | None = None,
    top_n: int = 20,
    register: Register | None = None,
) -> DistrictAudit:
    """Audit `district` of `dataset` up to billing period `as_of` (empty: the latest billed).

    The rules run on the whole utility and the district's customers' findings are kept
    (`rules.of_district`: a meter shared with another district is still shared), the profile
    on the district's data (`Dataset.for_district`, which names the known districts when
    `district` is not one); `top_n` findings are listed with their evidence.
    `register` is the findings register the report reads (`open_report_register`; None when
    there is none), for the section since last month. A `dataset` that is not one (a folder's
    path) or a `top_n` under 1 is refused naming it, not listed as "all but N".
    """
    require_type(dataset, (Dataset, PartitionedDataset), "dataset", DATASET)
    top_n = positive_int("top_n", top_n)
    local = dataset.for_district(district)
    findings = rules.of_district(rules.run(dataset, as_of=as_of or None), district)
    catalog = rules.catalog()
    return DistrictAudit(
        district=district,
        dataset=local,
        findings=findings,
        catalog=catalog,
        profile=profile_figures(local, findings.attrs["as_of"]),
        top_n=top_n,
        since=since_last_month(
            findings, district, register, catalog, dataset.customers["customer_id"].dropna()
        ),
        data_warnings=tuple(
            district_warnings(dataset.problems, set(local.customers["customer_id"].dropna()))
        ),
    )


def _needs_text(needs: tuple[str, ...], lang: str) -> str:
    """A rule's needs as the report shows them: table.column names in the report's own list,
    alternatives joined by its own word for "or" (the catalog's `needs` column says it in
    English)."""
    either = i18n.text("common.or", lang)
    return i18n.text("common.list_separator", lang).join(
        need.replace("|", either) for need in needs
    )
