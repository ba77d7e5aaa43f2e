"""The audit-cycle tables as reviewers read them: counts, shares and yuan formatted once
(`auditkit.formatting`), codes and rules named in the report's language, columns labelled."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from auditkit import formatting, i18n
from auditkit.cycle.selfcross import NOT_TESTED
from auditkit.results import TOTAL_ROWS
from auditkit.stats.tables import Formatter, labelled, whole

#: Wording of each shown column (`cycle.column.<name>` unless listed here).
KEYS = {
    "district": "common.district",
    "rule_id": "common.rule",
    "customer_id": "common.customer_id",
    "revenue_impact": "common.revenue_impact",
    "revenue_kind": "report.revenue_kind",
    "self_n": "crossaudit.self_n",
    "self_rate": "crossaudit.self_rate",
    "cross_n": "crossaudit.cross_n",
    "cross_rate": "crossaudit.cross_rate",
    "p_adjusted": "crossaudit.p_adjusted",
    "under_reports": "crossaudit.under_reports",
    "auditor": "crossaudit.auditing_district",
    "note": "common.note",
}
#: Columns of the field-work tables (by district, by district and rule), in order.
WORK_SHOWN = (
    "found",
    "issued",
    "checked",
    "confirmed",
    "false_alarms",
    "precision",
    "awaiting_check",
)
#: Columns of the rectification and recovery tables, in order.
RECOVERY_SHOWN = (
    "rectified",
    "median_days",
    "awaiting_rectification",
    "recovered_proved",
    "recovered_estimated",
    "penalty_recovered",
)

#: How the summary tables show the columns that are not whole counts.
SUMMARY_FORMATS: dict[str, Formatter] = {
    "precision": formatting.percent,
    "median_days": lambda value: formatting.number(value, 1),
    **{
        column: formatting.money
        for column in ("recovered_proved", "recovered_estimated", "penalty_recovered")
    },
}


def rule_title(rule_id: object, lang: str) -> str:
    """A rule's title in `lang`; an id the catalogue does not name as it is."""
    return i18n.text(f"rule.{rule_id}.title", lang, default=str(rule_id))


def interval(lows: Iterable[float], highs: Iterable[float]) -> list[str]:
    """'low – high' percentages; the missing mark where there is no interval."""
    return [
        formatting.MISSING
        if formatting.is_missing(low)
        else f"{formatting.percent(low)} – {formatting.percent(high)}"
        for low, high in zip(lows, highs, strict=True)
    ]


def column_labels(lang: str, confidence: float) -> dict[str, str]:
    """Labels of the columns whose wording quotes the interval's level."""
    level = formatting.percent(confidence, 0)
    return {
        name: i18n.text(f"cycle.column.{name}", lang).format(level=level)
        for name in ("interval", "sample_interval")
    }


def _labelled(frame: pd.DataFrame, formats: dict[str, Formatter], lang: str) -> pd.DataFrame:
    keys = {column: KEYS.get(column, f"cycle.column.{column}") for column in formats}
    return labelled(frame, formats, lang, keys)


def summary_table(
    frame: pd.DataFrame, lang: str, total: pd.DataFrame | None, columns: tuple[str, ...]
) -> pd.DataFrame:
    """`columns` (WORK_SHOWN or RECOVERY_SHOWN) per district (and rule, when the frame has
    `rule_id`), with a total row when `total` (one row of `evaluate.summarize`) is given."""
    shown = frame.copy()
    if "rule_id" in shown.columns:
        shown["rule_id"] = [rule_title(rule, lang) for rule in shown["rule_id"]]
    if total is not None:
        shown = pd.concat(
            [shown, total.assign(district=i18n.text("common.total", lang))], ignore_index=True
        )
    formats: dict[str, Formatter] = {"district": str}
    if "rule_id" in shown.columns:
        formats["rule_id"] = str
    formats.update({column: SUMMARY_FORMATS.get(column, whole) for column in columns})
    table = _labelled(shown, formats, lang)
    if total is not None:
        table.attrs[TOTAL_ROWS] = len(total)
    return table


def precision_table(frame: pd.DataFrame, lang: str, confidence: float) -> pd.DataFrame:
    """Per rule: every check and random-sample checks apart, each share with its interval (the
    note codes are said in the conclusions and kept in the saved file)."""
    shown = frame.assign(
        rule_id=[rule_title(rule, lang) for rule in frame["rule_id"]],
        interval=interval(frame["ci_low"], frame["ci_high"]),
        sample_interval=interval(frame["sample_low"], frame["sample_high"]),
    )
    formats: dict[str, Formatter] = {
        "rule_id": str,
        "checked": whole,
        "confirmed": whole,
        "precision": formatting.percent,
        "interval": str,
        "sample_checked": whole,
        "sample_confirmed": whole,
        "sample_precision": formatting.percent,
        "sample_interval": str,
    }
    table = _labelled(shown, formats, lang)
    labels = column_labels(lang, confidence)
    return table.rename(
        columns={
            i18n.text(f"cycle.column.{name}", lang): labels[name]
            for name in ("interval", "sample_interval")
        }
    )


def self_cross_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per audited district: each kind's checks and confirmed rate, and the Holm-adjusted test
    ("not tested" where a kind had too few checks: no test is no finding of "no"). What
    cross-audits confirmed that the district's checks missed is said per district in the
    conclusions and listed apart: counted on every check, while this table may compare
    random-sample checks alone."""
    verdicts = {
        True: i18n.text("common.yes", lang),
        False: i18n.text("common.no", lang),
        NOT_TESTED: i18n.text("cycle.under_reports.not_tested", lang),
    }
    formats: dict[str, Formatter] = {
        "district": str,
        "self_n": whole,
        "self_rate": formatting.percent,
        "cross_n": whole,
        "cross_rate": formatting.percent,
        "p_adjusted": formatting.p_value,
        "under_reports": lambda flag: verdicts[flag if isinstance(flag, str) else bool(flag)],
    }
    return _labelled(frame, formats, lang)


def self_cross_recovery_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per audited district: each kind's checks and the yuan it recovered per check, proved and
    estimated apart (never added: an estimated amount rests on an estimate of the energy)."""
    formats: dict[str, Formatter] = {
        "district": str,
        "self_n": whole,
        "self_proved_per_check": formatting.money,
        "self_estimated_per_check": formatting.money,
        "cross_n": whole,
        "cross_proved_per_check": formatting.money,
        "cross_estimated_per_check": formatting.money,
    }
    return _labelled(frame, formats, lang)


def under_reported_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The findings cross-audits confirmed that the district's checks called a false alarm or
    never decided, most revenue first."""
    formats: dict[str, Formatter] = {
        "district": str,
        "customer_id": str,
        "rule_id": lambda rule: rule_title(rule, lang),
        "self_verdict": lambda code: i18n.text(f"cycle.verdict.{code}", lang),
        "auditor": str,
        "decided_at": lambda day: (
            formatting.MISSING
            if formatting.is_missing(day)
            else pd.Timestamp(day).strftime("%Y-%m-%d")
        ),
        "revenue_impact": formatting.money,
        "revenue_kind": lambda kind: i18n.text(
            f"report.revenue_kind.{kind}", lang, default=str(kind)
        ),
    }
    return _labelled(frame, formats, lang)
