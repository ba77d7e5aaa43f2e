"""Reviewer-ready tables and sentences from the consumption statistics (what the notebook shows).

Numbers become text here, once: percentages as '12.3%', p-values to three significant digits, a
value that cannot be computed as '—' (the notes say why), column names in the report language.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from auditkit.stats.benford import CONFORMITY_LABELS_ZH, BenfordResult, benford, benford_by_group
from auditkit.stats.funnel import FunnelResult, level_label
from auditkit.stats.seasonal import Decomposition
from auditkit.stats.summary import DistrictSummary
from auditkit.stats.text import check_lang, pick

MISSING = "—"

COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "district": ("供电单位", "District"),
    "usage_type": ("用电类别", "Usage type"),
    "customers": ("户数", "Customers"),
    "bills": ("账单数", "Bills"),
    "kwh": ("售电量 (kWh)", "Energy (kWh)"),
    "revenue": ("电费 (元)", "Revenue (yuan)"),
    "avg_price": ("平均电价 (元/kWh)", "Average price (yuan/kWh)"),
    "kwh_yoy": ("售电量同比", "Energy YoY"),
    "revenue_yoy": ("电费同比", "Revenue YoY"),
    "estimated_share": ("估抄比例", "Estimated reads"),
    "zero_share": ("零电量比例", "Zero-kWh bills"),
    "kwh_supplied": ("供电量 (kWh)", "Supplied (kWh)"),
    "line_loss": ("线损率", "Line loss"),
    "kwh_share": ("电量占比", "Share of energy"),
    "period": ("月份", "Month"),
    "observed": ("实际值", "Observed"),
    "expected": ("趋势+季节", "Trend + season"),
    "resid_z": ("残差稳健z", "Residual robust z"),
    "customer_id": ("户号", "Customer"),
    "recent_kwh": ("近期月均电量", "Recent kWh/month"),
    "year_before_kwh": ("上年同期月均", "Year-before kWh/month"),
    "change": ("同比变化", "Change"),
    "self_z": ("对比自身 z", "Self z"),
    "peer_z": ("对比同类 z", "Peer z"),
    "score": ("评分", "Score"),
    "direction": ("方向", "Direction"),
    "drop_ratio": ("降后/降前", "After / before"),
    "change_at": ("突降起始", "Drop from"),
    "steps_since_change": ("持续期数", "Periods since"),
    "status": ("状态", "Status"),
    "count": ("数量", "Count"),
    "test": ("检验", "Test"),
    "n": ("金额个数", "Amounts"),
    "n_excluded": ("剔除", "Left out"),
    "chi2": ("卡方", "Chi-square"),
    "p_value": ("p 值", "p-value"),
    "mad": ("MAD", "MAD"),
    "conformity": ("符合程度", "Conformity"),
    "standouts": ("显著偏离的数字", "Digits that stand out"),
    "note": ("说明", "Note"),
    "volume": ("样本量", "Volume"),
    "events": ("事件数", "Events"),
    "rate": ("比率", "Rate"),
    "limits_95": ("95% 控制限", "95 % limits"),
    "limits_99.8": ("99.8% 控制限", "99.8 % limits"),
}
STATUS_LABELS = {
    "scored": ("已评分", "scored"),
    "all_zero": ("全部为零（另由零电量规则处理）", "all zero (the zero-consumption rule's case)"),
    "too_short": ("数据过短", "too short"),
    "no_recent_change": ("近期或上年同期无读数", "no reads recently or a year before"),
    "short_history": ("历史不足", "short history"),
    "no_peers": ("同类用户不足", "too few peers"),
}
TEST_LABELS = {
    "first": ("首位数字", "first digit"),
    "second": ("第二位数字", "second digit"),
    "first_two": ("前两位数字", "first two digits"),
}
DIRECTION_LABELS = {"drop": ("下降", "drop"), "rise": ("上升", "rise")}
USAGE_LABELS = {
    "residential": ("居民", "residential"),
    "commercial": ("商业", "commercial"),
    "industrial": ("工业", "industrial"),
    "agricultural": ("农业", "agricultural"),
    "public": ("公共", "public"),
}


def usage_label(usage_type: str, lang: str = "zh") -> str:
    """The usage type in `lang` (unknown types unchanged)."""
    return pick(lang, *USAGE_LABELS.get(usage_type, (usage_type, usage_type)))


HEADINGS: dict[str, tuple[str, str]] = {
    "title": ("用电统计分析", "Consumption statistics"),
    "conclusions": ("主要结论", "Conclusions"),
    "summary": ("供电单位概况", "District summary"),
    "by_usage": ("分用电类别", "By usage type"),
    "monthly": ("逐月走势", "Month by month"),
    "seasonality": ("季节性分解与异常月份", "Seasonality and out-of-line months"),
    "theft": ("用电量持续突降（窃电嫌疑）", "Sustained drops (theft suspicion)"),
    "anomalies": ("用户用电异常评分", "Customer anomaly scores"),
    "benford": ("电费金额本福特检验", "Benford tests of bill amounts"),
    "funnel": ("估抄比例漏斗图", "Funnel plot of estimated reads"),
    "notes": ("数据说明", "Data notes"),
    "methods": ("方法说明", "Methods"),
    "assignment": ("下一轮交叉检查安排", "Next round of cross-audits"),
    "rates": ("各类检查的问题发现率", "Finding rates by audit kind"),
    "tests": ("自查与交叉检查的比较", "Self- versus cross-audits"),
    "model": ("逻辑回归（控制单位差异）", "Logistic model (within districts)"),
    "self_funnel": ("自查发现率漏斗图", "Funnel plot of self-audit finding rates"),
    "all_districts": ("全部供电单位", "all districts"),
    "nothing": ("（无数据）", "(nothing to show)"),
    "estimated_rate": ("估抄比例", "Share of estimated reads"),
    "self_rate": ("自查发现率", "Self-audit finding rate"),
}


def heading(key: str, lang: str = "zh") -> str:
    """A section heading of the statistics notebooks in `lang`."""
    return pick(lang, *HEADINGS[key])


def bullets_html(sentences: Iterable[str]) -> str:
    """Sentences as an HTML bullet list (escaped)."""
    items = "".join(f"<li>{html.escape(sentence)}</li>" for sentence in sentences)
    return f"<ul>{items}</ul>" if items else ""


def show(
    frame: pd.DataFrame, lang: str = "zh", max_rows: int = 20, full_data: str | None = None
) -> None:
    """Display a formatted table in the notebook (with a link to `full_data`, a CSV next to the
    report), or a sentence when it has no rows."""
    from auditkit import report  # deferred: only a notebook kernel displays

    if frame.empty:
        report.show_html(f"<p>{html.escape(heading('nothing', lang))}</p>")
    else:
        report.show_table(frame, lang=lang, max_rows=max_rows, full_data=full_data)


def percent(value: float, digits: int = 1) -> str:
    """0.1234 -> '12.3%'; missing -> '—'."""
    return MISSING if _missing(value) else f"{value:.{digits}%}"


def number(value: float, digits: int = 0) -> str:
    """1234567.8 -> '1,234,568'; missing -> '—'."""
    return MISSING if _missing(value) else f"{value:,.{digits}f}"


def p_value(value: float) -> str:
    """Three significant digits, '<0.001' below; missing -> '—'."""
    if _missing(value):
        return MISSING
    return "<0.001" if value < 0.001 else f"{value:.3g}"


def summary_table(
    summary: DistrictSummary, lang: str = "zh", districts: Iterable[str] | None = None
) -> pd.DataFrame:
    """The window totals per district (all, or `districts`), formatted."""
    formats = {
        "district": str, "customers": number, "kwh": number, "revenue": number,
        "avg_price": lambda v: number(v, 4), "kwh_yoy": percent, "revenue_yoy": percent,
        "estimated_share": lambda v: percent(v, 2), "zero_share": lambda v: percent(v, 2),
        "kwh_supplied": number, "line_loss": percent,
    }  # fmt: skip
    return _format(_only(summary.table, districts), formats, lang)


def usage_table(
    summary: DistrictSummary, lang: str = "zh", districts: Iterable[str] | None = None
) -> pd.DataFrame:
    """Totals per district (all, or `districts`) and usage type, formatted."""
    formats = {
        "district": str, "usage_type": lambda v: usage_label(v, lang), "customers": number,
        "kwh": number, "kwh_share": percent, "revenue": number, "avg_price": lambda v: number(v, 4),
        "kwh_yoy": percent,
    }  # fmt: skip
    return _format(_only(summary.by_usage, districts), formats, lang)


def outlier_table(decompositions: Mapping[str, Decomposition], lang: str = "zh") -> pd.DataFrame:
    """The out-of-line months of every decomposition, largest residual first."""
    rows = []
    for name, result in decompositions.items():
        for row in result.outliers.itertuples():
            rows.append(
                {
                    "district": name,
                    "period": row.period,
                    "observed": row.observed,
                    "expected": row.trend + row.seasonal,
                    "resid_z": row.resid_z,
                }
            )
    frame = pd.DataFrame(rows, columns=["district", "period", "observed", "expected", "resid_z"])
    formats = {
        "district": str,
        "period": str,
        "observed": number,
        "expected": number,
        "resid_z": lambda v: number(v, 1),
    }
    return _format(frame, formats, lang)


def anomaly_table(scores: pd.DataFrame, top_n: int, lang: str = "zh") -> pd.DataFrame:
    """The `top_n` scored customers by anomaly score."""
    top = scores[scores["status"] == "scored"].head(top_n)
    formats = {
        "customer_id": str, "district": str, "usage_type": lambda v: usage_label(v, lang),
        "recent_kwh": number,
        "year_before_kwh": number, "change": percent, "self_z": lambda v: number(v, 1),
        "peer_z": lambda v: number(v, 1), "score": lambda v: number(v, 1),
        "direction": lambda v: pick(lang, *DIRECTION_LABELS[v]),
    }  # fmt: skip
    return _format(top, formats, lang)


def theft_table(scores: pd.DataFrame, top_n: int, lang: str = "zh") -> pd.DataFrame:
    """The `top_n` customers by theft suspicion score."""
    top = scores[scores["status"] == "scored"].head(top_n)
    formats = {
        "customer_id": str, "score": lambda v: number(v, 1), "drop_ratio": percent,
        "change_at": str, "steps_since_change": number, "peer_z": lambda v: number(v, 1),
    }  # fmt: skip
    return _format(top, formats, lang)


def status_table(scores: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """How many customers got each status (so unscored customers are accounted for)."""
    counts = scores["status"].value_counts().rename_axis("status").reset_index(name="count")
    formats = {"status": lambda v: pick(lang, *STATUS_LABELS.get(v, (v, v))), "count": number}
    return _format(counts, formats, lang)


def benford_table(
    amounts: pd.Series, districts: pd.Series, lang: str = "zh", alpha: float = 0.05
) -> pd.DataFrame:
    """First-digit, second-digit and first-two-digits tests of the amounts of each district."""
    parts = []
    for test in TEST_LABELS:
        part = benford_by_group(amounts, districts, test, alpha).rename(
            columns={"group": "district"}
        )
        part.insert(1, "test", test)
        parts.append(part)
    frame = pd.concat(parts).sort_values(["district", "test"], key=_test_order, kind="stable")
    formats = {
        "district": str, "test": lambda v: pick(lang, *TEST_LABELS[v]), "n": number,
        "n_excluded": number, "chi2": lambda v: number(v, 1), "p_value": p_value,
        "mad": lambda v: number(v, 4),
        "conformity": lambda v: v if _missing(v) or lang == "en" else CONFORMITY_LABELS_ZH[v],
        "standouts": lambda v: "" if _missing(v) else v, "note": lambda v: "" if _missing(v) else v,
    }  # fmt: skip
    return _format(frame, formats, lang)


def benford_results(
    amounts: pd.Series, districts: pd.Series, test: str = "first_two"
) -> dict[str, BenfordResult]:
    """One Benford result per district with at least one testable amount (the others are named
    in `benford_table`'s notes)."""
    results = {}
    for name, part in amounts.groupby(districts.to_numpy(), sort=True):
        if (part >= 10).any():
            results[str(name)] = benford(part, test)
    return results


def benford_title(district: str, result: BenfordResult, lang: str = "zh") -> str:
    """Chart title: district, test, MAD and conformity."""
    conformity = result.conformity if lang == "en" else CONFORMITY_LABELS_ZH[result.conformity]
    test = pick(lang, *TEST_LABELS[result.test])
    return pick(
        lang,
        f"{district}：{test}（{result.n:,} 个金额，MAD = {result.mad:.4f}，{conformity}）",
        f"{district}: {test} ({result.n:,} amounts, MAD = {result.mad:.4f}, {conformity})",
    )


def funnel_table(result: FunnelResult, lang: str = "zh") -> pd.DataFrame:
    """Each unit's rate with its limits and where it falls."""
    frame = result.table.rename(columns={"unit": "district"})
    formats: dict[str, Callable] = {
        "district": str,
        "volume": number,
        "events": number,
        "rate": lambda v: percent(v, 2),
    }
    for level in result.levels:
        suffix = level_label(level)
        frame[f"limits_{suffix}"] = [
            f"{percent(low, 2)} – {percent(high, 2)}"
            for low, high in zip(frame[f"lower_{suffix}"], frame[f"upper_{suffix}"], strict=True)
        ]
        formats[f"limits_{suffix}"] = str
    formats["status"] = lambda v: funnel_status(v, lang)
    return _format(frame, formats, lang)


def funnel_status(status: str, lang: str = "zh") -> str:
    """'above_99.8' -> '高于 99.8% 上限' / 'above the 99.8 % limit'."""
    if status == "within":
        return pick(lang, "在控制限内", "within the limits")
    if status == "no_volume":
        return pick(lang, "无样本", "no volume")
    side, level = status.split("_", 1)
    if side == "above":
        return pick(lang, f"高于 {level}% 上限", f"above the {level} % limit")
    return pick(lang, f"低于 {level}% 下限", f"below the {level} % limit")


def conclusions(
    summary: DistrictSummary,
    outliers: pd.DataFrame,
    theft: pd.DataFrame,
    anomalies: pd.DataFrame,
    benford: pd.DataFrame,
    funnel_result: FunnelResult | None,
    lang: str = "zh",
) -> list[str]:
    """Plain-language findings for reviewers, from the computed results (`benford` as returned
    by `benford_by_group` for the first-two-digits test)."""
    check_lang(lang)
    sentences = []
    table = summary.table
    losses = table.dropna(subset=["line_loss"])
    if not losses.empty:
        worst = losses.loc[losses["line_loss"].idxmax()]
        sentences.append(pick(
            lang,
            f"{summary.period_from} 至 {summary.period_to}，线损率最高的是{worst['district']}"
            f"（{worst['line_loss']:.1%}）。",
            f"From {summary.period_from} to {summary.period_to}, the highest line loss is "
            f"{worst['district']}'s ({worst['line_loss']:.1%}).",
        ))  # fmt: skip
    growth = table.dropna(subset=["kwh_yoy"])
    if not growth.empty:
        low = growth.loc[growth["kwh_yoy"].idxmin()]
        sentences.append(pick(
            lang,
            f"售电量同比增幅最低的是{low['district']}（{low['kwh_yoy']:+.1%}）。",
            f"The weakest year-over-year energy change is {low['district']}'s "
            f"({low['kwh_yoy']:+.1%}).",
        ))  # fmt: skip
    sentences.append(pick(
        lang,
        f"季节分解发现 {len(outliers)} 个异常月份（残差稳健 z 绝对值大于 3）。",
        f"The seasonal decomposition finds {len(outliers)} out-of-line months (|robust z| > 3).",
    ))  # fmt: skip
    strong = int(((theft["status"] == "scored") & (theft["score"] > 3)).sum())
    sentences.append(pick(
        lang,
        f"{strong} 户用电量持续突降、窃电嫌疑评分大于 3（强烈可疑），建议优先现场核查。",
        f"{strong} customers show a sustained drop with a theft suspicion score above 3 (strongly "
        "suspicious); inspect them first.",
    ))  # fmt: skip
    unusual = int(((anomalies["status"] == "scored") & (anomalies["score"] > 3)).sum())
    sentences.append(pick(
        lang,
        f"{unusual} 户近期用电与自身历史和同类用户相比都异常（评分大于 3）。",
        f"{unusual} customers' recent consumption is unusual both for themselves and for their "
        "peers (score above 3).",
    ))  # fmt: skip
    sentences.append(_benford_sentence(benford, lang))
    if funnel_result is not None:
        outside = funnel_result.outside()
        sentences.append(pick(
            lang,
            "估抄比例超出 99.8% 控制限的单位："
            + ("、".join(map(str, outside["unit"])) if len(outside) else "无") + "。",
            "Districts outside the 99.8 % limits of the estimated-read share: "
            + (", ".join(map(str, outside["unit"])) if len(outside) else "none") + ".",
        ))  # fmt: skip
    return sentences


def _benford_sentence(benford: pd.DataFrame, lang: str) -> str:
    """Which districts' amounts depart from Benford, and, when all do, which departs most."""
    tested = benford.dropna(subset=["mad"])
    if tested.empty:
        return pick(
            lang, "没有可做本福特检验的金额。", "No amounts could be tested against Benford."
        )
    flagged = tested[tested["conformity"].isin(["marginal", "nonconformity"])]
    if flagged.empty:
        return pick(
            lang,
            "电费金额前两位数字在各单位均符合本福特定律。",
            "Bill amounts' first two digits conform to Benford's law in every district.",
        )
    if len(flagged) < len(tested) or len(tested) < 3:
        names = pick(lang, "、", ", ").join(map(str, flagged["group"]))
        return pick(
            lang,
            f"电费金额前两位数字不符合本福特定律的单位：{names}。",
            f"Bill amounts' first two digits depart from Benford's law in: {names}.",
        )
    worst = tested.loc[tested["mad"].idxmax()]
    median = float(tested["mad"].median())
    return pick(
        lang,
        f"各单位电费金额前两位数字均不符合本福特定律（MAD 中位数 {median:.4f}）：同类用户的电费"
        f"集中在较窄范围内，本福特定律的前提（金额跨越多个数量级）不成立，宜在单位之间横向比较；"
        f"偏离最大的是{worst['group']}（MAD {worst['mad']:.4f}）。",
        f"Bill amounts depart from Benford's law in every district (median MAD {median:.4f}): bills "
        "of similar customers cluster in a narrow range, so the law's premise (amounts spanning "
        "several orders of magnitude) fails and districts are best compared with each other; the "
        f"largest departure is {worst['group']}'s (MAD {worst['mad']:.4f}).",
    )


def _format(frame: pd.DataFrame, formats: Mapping[str, Callable], lang: str) -> pd.DataFrame:
    """Keep the columns of `formats` (in order), format each, and label them in `lang`."""
    check_lang(lang)
    shown = pd.DataFrame(
        {column: [formatter(value) for value in frame[column]] for column, formatter in formats.items()
         if column in frame.columns},
        index=range(len(frame)),
    )  # fmt: skip
    return shown.rename(columns={c: pick(lang, *COLUMN_LABELS.get(c, (c, c))) for c in shown})


def _only(frame: pd.DataFrame, districts: Iterable[str] | None) -> pd.DataFrame:
    return frame if districts is None else frame[frame["district"].isin(list(districts))]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _test_order(column: pd.Series) -> pd.Series:
    """Sort key: districts by name, tests in the order first, second, first_two."""
    if column.name == "test":
        return column.map(list(TEST_LABELS).index)
    return column


CONSUMPTION_METHODS: tuple[tuple[str, str], ...] = (
    (
        "统计期为截至数据月份的最近若干个月，同比与上年同期相同月份比较；某单位缺月时不计算同比和线损。"
        "线损率 = 1 − 售电量 / 供电量；负线损提示倍率或户变关系错误，高于 10% 提示窃电或计量差错。",
        "The window is the last months up to the data month; year-over-year compares the same months "
        "a year earlier and is skipped when a month is missing. Line loss = 1 - billed / supplied: "
        "negative points at multiplier or membership errors, above 10 % at theft or metering errors.",
    ),
    (
        "季节分解用 STL（statsmodels，周期 12 个月）；残差按中位数和 MAD 标准化（稳健 z），"
        "绝对值大于 3 的月份列为异常。",
        "Seasonality: STL (statsmodels, period 12); residuals are scored by robust z (median and "
        "MAD) and months beyond |z| > 3 are listed.",
    ),
    (
        "窃电嫌疑评分：对每户对数电量拟合“水平 + 趋势 + 全体用户共同季节模式 + 一次台阶下降”，"
        "在所有可能的起点中找最显著的下降，按稳健噪声、自相关和多次尝试校正为 z 值；"
        "大于 3 为强烈可疑。全部为零的用户不评分（由零电量规则处理）。",
        "Theft suspicion: each customer's log consumption is fitted with level, trend, the common "
        "seasonal patterns of all customers and one step down, searched over every start; the "
        "evidence that the drop exceeds 20 % is a z corrected for robust noise, autocorrelation and "
        "the search. Above 3 is strongly suspicious. All-zero series are not scored (the "
        "zero-consumption rule covers them).",
    ),
    (
        "用户异常评分：近 3 个月的同比对数变化，分别与该户以往的同比变化、同单位同类别用户的变化比较"
        "（稳健 z）；两者同向时取较小者为评分。",
        "Anomaly score: the year-over-year log change of the last 3 months, compared with the "
        "customer's own earlier changes and with peers of the same district and usage type (robust "
        "z); when both agree in sign, the smaller is the score.",
    ),
    (
        "本福特检验剔除缺失、非正和小于 10 的金额；MAD 符合程度按 Nigrini (2012) 划分"
        "（首位：0.006/0.012/0.015；前两位：0.0012/0.0018/0.0022）。",
        "Benford tests leave out missing, non-positive and below-10 amounts; MAD conformity follows "
        "Nigrini (2012) (first digit 0.006/0.012/0.015; first two 0.0012/0.0018/0.0022).",
    ),
    (
        "漏斗图控制限来自精确二项分布（Spiegelhalter 2005 插值），目标为各单位合计比率。",
        "Funnel limits come from the exact binomial (Spiegelhalter 2005 interpolation) around the "
        "pooled rate of all districts.",
    ),
)


def methods_html(methods: Iterable[tuple[str, str]], lang: str = "zh") -> str:
    """Method notes as an HTML list in `lang`."""
    return bullets_html(pick(lang, zh, en) for zh, en in methods)
