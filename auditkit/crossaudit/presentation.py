"""Reviewer-ready tables of the cross-audit study (what notebooks/cross_audit.ipynb shows)."""

from __future__ import annotations

import pandas as pd

from auditkit.crossaudit.compare import Comparison
from auditkit.stats.presentation import MISSING, number, p_value, percent
from auditkit.stats.text import check_lang, pick

LABELS: dict[str, tuple[str, str]] = {
    "auditing_district": ("检查单位", "Auditor"),
    "audited_district": ("被检查单位", "Audited district"),
    "district": ("供电单位", "District"),
    "audit_kind": ("检查类型", "Audit kind"),
    "inspections": ("检查户数", "Inspections"),
    "errors": ("发现问题", "Errors found"),
    "rate": ("发现率", "Finding rate"),
    "interval": ("95% 置信区间", "95 % interval"),
    "underbilled": ("查出少收电费 (元)", "Under-billing found (yuan)"),
    "test": ("检验", "Test"),
    "self_rate": ("自查发现率", "Self-audit rate"),
    "cross_rate": ("交叉检查发现率", "Cross-audit rate"),
    "self_n": ("自查户数", "Self-audits"),
    "cross_n": ("交叉检查户数", "Cross-audits"),
    "gap": ("差距", "Gap"),
    "statistic": ("统计量", "Statistic"),
    "p_value": ("p 值", "p-value"),
    "p_adjusted": ("Holm 校正 p", "Holm-adjusted p"),
    "under_reports": ("自查少报", "Self-audits under-report"),
    "missed_value": ("估计少查金额 (元)", "Estimated missed (yuan)"),
    "note": ("说明", "Note"),
    "term": ("变量", "Term"),
    "odds_ratio": ("优势比", "Odds ratio"),
    "audits": ("检查对象", "Audits"),
    "work_share": ("工作量占比", "Share of work"),
    "capacity_share": ("能力占比", "Share of capacity"),
}
KINDS = {
    "self": ("自查", "self"),
    "cross": ("交叉检查", "cross"),
    "special": ("专项稽查", "special"),
}
TESTS = {
    "two_proportion_z": ("两比例 z 检验（单侧）", "two-proportion z-test (one-sided)"),
    "fisher_exact": ("Fisher 精确检验（单侧）", "Fisher's exact test (one-sided)"),
}


def assignment_table(assignment: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Auditor and audited district, labelled."""
    return _label(
        assignment[["auditing_district", "audited_district"]].reset_index(drop=True), lang
    )


def loads_table(loads: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Each auditor's share of the work against its share of the capacity."""
    shown = pd.DataFrame(
        {
            "district": loads["district"],
            "audits": loads["audits"].replace("", MISSING),
            "work_share": loads["work_share"].map(percent),
            "capacity_share": loads["capacity_share"].map(percent),
        }
    )
    return _label(shown, lang)


def rates_table(comparison: Comparison, lang: str = "zh", district: str = "") -> pd.DataFrame:
    """Finding rates per district (or only `district`) and kind with their exact intervals."""
    rates = _only(comparison.rates, district)
    shown = pd.DataFrame(
        {
            "district": rates["district"],
            "audit_kind": rates["audit_kind"].map(lambda kind: pick(lang, *KINDS[kind])),
            "inspections": rates["inspections"].map(number),
            "errors": rates["errors"].map(number),
            "rate": rates["rate"].map(percent),
            "interval": [
                MISSING if pd.isna(low) else f"{low:.1%} – {high:.1%}"
                for low, high in zip(rates["ci_low"], rates["ci_high"], strict=True)
            ],
            "underbilled": rates["underbilled"].map(lambda v: number(v, 2)),
        }
    )
    return _label(shown, lang)


def overall_table(comparison: Comparison, lang: str = "zh") -> pd.DataFrame:
    """The overall self-versus-cross tests."""
    overall = comparison.overall
    shown = pd.DataFrame(
        {
            "test": overall["test"].map(lambda test: pick(lang, *TESTS[test])),
            "self_rate": overall["self_rate"].map(percent),
            "cross_rate": overall["cross_rate"].map(percent),
            "statistic": overall["statistic"].map(lambda v: number(v, 3)),
            "p_value": overall["p_value"].map(p_value),
        }
    )
    return _label(shown, lang)


def district_table(comparison: Comparison, lang: str = "zh", district: str = "") -> pd.DataFrame:
    """Per-district (or only `district`'s) self-versus-cross comparison, money and notes."""
    table = _only(comparison.by_district, district)
    shown = pd.DataFrame(
        {
            "district": table["district"],
            "self_n": table["self_n"].map(number),
            "self_rate": table["self_rate"].map(percent),
            "cross_n": table["cross_n"].map(number),
            "cross_rate": table["cross_rate"].map(percent),
            "gap": table["gap"].map(percent),
            "p_value": table["p_value"].map(p_value),
            "p_adjusted": table["p_adjusted"].map(p_value),
            "under_reports": table["under_reports"].map(
                lambda flag: pick(lang, "是", "yes") if flag else pick(lang, "否", "no")
            ),
            "missed_value": table["missed_value"].map(lambda v: number(v, 0)),
            "note": table["note"],
        }
    )
    return _label(shown, lang)


def model_table(comparison: Comparison, lang: str = "zh") -> pd.DataFrame:
    """Odds ratios of the logistic model (empty when it could not be fitted)."""
    if comparison.model is None:
        return _label(pd.DataFrame(columns=["term", "odds_ratio", "interval", "p_value"]), lang)
    model = comparison.model
    terms = model["term"].map(
        lambda term: (
            pick(lang, "自查 vs 交叉检查", "self vs cross")
            if term == "self vs cross"
            else term.replace("district ", pick(lang, "单位 ", "district "))
        )
    )
    shown = pd.DataFrame(
        {
            "term": terms,
            "odds_ratio": model["odds_ratio"].map(lambda v: number(v, 2)),
            "interval": [
                f"{low:.2f} – {high:.2f}"
                for low, high in zip(model["ci_low"], model["ci_high"], strict=True)
            ],
            "p_value": model["p_value"].map(p_value),
        }
    )
    return _label(shown, lang)


def _only(frame: pd.DataFrame, district: str) -> pd.DataFrame:
    return frame[frame["district"] == district].reset_index(drop=True) if district else frame


def _label(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    check_lang(lang)
    return frame.rename(columns={c: pick(lang, *LABELS.get(c, (c, c))) for c in frame.columns})


CROSS_AUDIT_METHODS: tuple[tuple[str, str], ...] = (
    (
        "安排规则：不自查自；同一轮内两单位不互查；检查单位不连续两轮查同一单位。未给能力时每个单位查且只查"
        "一个单位（形成三个及以上单位的检查环）；给出能力时按能力比例分配被查单位的工作量（户数）。"
        "同一随机种子得到同一安排。",
        "Assignment rules: no district audits itself; no two districts audit each other in a round; "
        "no auditor audits the same district two rounds running. Without capacities each district "
        "audits exactly one other (circles of three or more); with capacities, the audited "
        "districts' work (customers) is shared in proportion. The same seed gives the same "
        "assignment.",
    ),
    (
        "发现率的置信区间为精确二项（Clopper-Pearson）95% 区间。总体比较用两比例 z 检验和 Fisher 精确检验"
        "（单侧：自查发现更少）；分单位用 Fisher 精确检验并作 Holm 多重比较校正；每类检查少于 10 次的单位"
        "不做检验。",
        "Finding-rate intervals are exact binomial (Clopper-Pearson) 95 % intervals. Overall: "
        "two-proportion z-test and Fisher's exact test (one-sided: self-audits find fewer); per "
        "district: Fisher's exact test with Holm's correction; districts with fewer than 10 "
        "inspections of a kind are not tested.",
    ),
    (
        "逻辑回归 error_found ~ 检查类型 + 供电单位（statsmodels 二项 GLM）给出控制单位差异后自查相对交叉"
        "检查的优势比。",
        "A logistic model error_found ~ kind + district (statsmodels binomial GLM) gives the "
        "self-versus-cross odds ratio within districts.",
    ),
    (
        "少报金额估计 =（交叉检查每户查出的少收电费 − 自查每户查出的少收电费）× 自查户数，"
        "少收电费 = 稽查值 − 账面值。",
        "Estimated missed money = (under-billing found per cross-audit - per self-audit) x "
        "self-audits, under-billing = audited_value - book_value.",
    ),
)
