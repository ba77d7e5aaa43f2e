"""Do self-audits find as many errors as cross-audits? Rates, tests, and who under-reports.

Inspections of a district's customers come in three kinds: by the district itself (self), by
another district (cross), or by a special audit team. If self-audits find errors at a lower rate
than cross-audits of the same district's customers, the district is probably not reporting what
it finds, or not looking hard. The evidence, from the simplest to the most adjusted:

- finding rates per district and kind with exact (Clopper-Pearson) 95 % intervals;
- overall, self against cross: a two-proportion z-test and Fisher's exact test, one-sided (self
  finds fewer);
- per district: Fisher's exact test, one-sided, Holm-corrected across districts, so that testing
  six districts does not find a "guilty" one by chance;
- a logistic model error_found ~ kind + district (statsmodels GLM), whose self-vs-cross odds
  ratio compares the kinds within districts, so a district with many self-audits and a high
  error level does not distort the overall comparison.

Money: audited_value - book_value is what the bill should have said minus what it said (positive
= under-billed). A district's `missed_value` estimate is what its self-audits would have found more
if they found as much per inspection as cross-audits of its customers did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from auditkit.errors import ParameterError
from auditkit.stats.checks import ColumnError, require_columns
from auditkit.stats.funnel import FunnelResult, funnel
from auditkit.stats.text import pick

KINDS = ("self", "cross", "special")
INSPECTION_COLUMNS = ("customer_id", "audit_kind", "auditing_district", "error_found")
BY_DISTRICT_COLUMNS = (
    "district", "self_n", "self_errors", "self_rate", "cross_n", "cross_errors", "cross_rate",
    "gap", "self_value_per_inspection", "cross_value_per_inspection", "missed_value", "p_value",
    "note",
)  # fmt: skip
#: Fewest inspections of each kind (self and cross) a district needs for its own test.
MIN_INSPECTIONS = 10


@dataclass(frozen=True)
class Comparison:
    """The self- versus cross-audit comparison; see `compare`."""

    rates: pd.DataFrame
    overall: pd.DataFrame
    by_district: pd.DataFrame
    model: pd.DataFrame | None
    funnel: FunnelResult | None
    alpha: float
    notes: list[str] = field(default_factory=list)

    @property
    def under_reporting(self) -> pd.DataFrame:
        """Districts whose self-audits find significantly fewer errors, largest gap first."""
        rows = self.by_district[self.by_district["under_reports"]]
        return rows.sort_values("gap", ascending=False)

    def conclusions(self, lang: str = "zh", district: str = "") -> list[str]:
        """Plain-language findings for reviewers, one sentence each (about every district, or
        the overall picture and `district`)."""
        sentences = []
        tests = self.overall.set_index("test")
        if "fisher_exact" in tests.index:
            row = tests.loc["fisher_exact"]
            significant = row["p_value"] < self.alpha
            sentences.append(
                pick(
                    lang,
                    f"总体上，自查发现问题的比例为 {row['self_rate']:.1%}，交叉检查为 "
                    f"{row['cross_rate']:.1%}；"
                    + (
                        f"自查显著偏低（Fisher 精确检验单侧 p = {row['p_value']:.3g}）。"
                        if significant
                        else f"差异不显著（p = {row['p_value']:.3g}），不能认定自查少报。"
                    ),
                    f"Overall, self-audits found errors in {row['self_rate']:.1%} of inspections "
                    f"and cross-audits in {row['cross_rate']:.1%}; "
                    + (
                        f"self-audits find significantly fewer (Fisher's exact test, one-sided "
                        f"p = {row['p_value']:.3g})."
                        if significant
                        else f"the difference is not significant (p = {row['p_value']:.3g}), so "
                        "under-reporting is not shown."
                    ),
                )
            )
        if self.model is not None and "self vs cross" in set(self.model["term"]):
            row = self.model.set_index("term").loc["self vs cross"]
            sentences.append(
                pick(
                    lang,
                    f"控制供电单位差异后，自查发现问题的几率是交叉检查的 {row['odds_ratio']:.2f} 倍"
                    f"（95% 置信区间 {row['ci_low']:.2f}–{row['ci_high']:.2f}，p = {row['p_value']:.3g}）。",
                    f"Within districts, the odds that a self-audit finds an error are "
                    f"{row['odds_ratio']:.2f} times those of a cross-audit (95 % CI "
                    f"{row['ci_low']:.2f}-{row['ci_high']:.2f}, p = {row['p_value']:.3g}).",
                )
            )
        flagged = self.under_reporting
        if district:
            flagged = flagged[flagged["district"] == district]
        if flagged.empty:
            sentences.append(self._no_flag_sentence(lang, district))
        for row in flagged.itertuples():
            sentences.append(
                pick(
                    lang,
                    f"{row.district}：自查发现率 {row.self_rate:.1%}，交叉检查 {row.cross_rate:.1%}，"
                    f"相差 {row.gap:.1%}（校正后 p = {row.p_adjusted:.3g}）；按交叉检查的水平，"
                    f"自查约少发现 {row.missed_value:,.0f} 元。",
                    f"{row.district}: self-audits found errors in {row.self_rate:.1%}, cross-audits "
                    f"in {row.cross_rate:.1%}, a gap of {row.gap:.1%} (adjusted p = "
                    f"{row.p_adjusted:.3g}); at the cross-audit level, self-audits missed about "
                    f"{row.missed_value:,.0f} yuan.",
                )
            )
        return sentences

    def _no_flag_sentence(self, lang: str, district: str) -> str:
        """No significant under-reporting: say so, and name the largest (insignificant) gap."""
        rows = self.by_district.dropna(subset=["gap"])
        if district:
            rows = rows[rows["district"] == district]
        if rows.empty:
            return pick(
                lang,
                "检查次数不足，无法按单位比较自查与交叉检查。",
                "Too few inspections to compare self- and cross-audits by district.",
            )
        largest = rows.loc[rows["gap"].idxmax()]
        p_text = "—" if np.isnan(largest["p_adjusted"]) else f"{largest['p_adjusted']:.3g}"
        return pick(
            lang,
            "经多重比较校正（Holm），"
            + (f"{district}的" if district else "没有单位的")
            + f"自查未显著少报；差距最大的是{largest['district']}（{largest['gap']:+.1%}，"
            f"校正后 p = {p_text}），可作为下一轮重点关注，但尚不能认定。",
            "After correction for multiple comparisons (Holm), "
            + (f"{district}'s self-audits do not" if district else "no district's self-audits")
            + f" under-report significantly; the largest gap is {largest['district']}'s "
            f"({largest['gap']:+.1%}, adjusted p = {p_text}): worth watching next round, not "
            "proof.",
        )


def compare(
    inspections: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    alpha: float = 0.05,
    min_inspections: int = MIN_INSPECTIONS,
    lang: str = "zh",
) -> Comparison:
    """Compare error-finding rates of self-, cross- and special audits by audited district.

    The audited district comes from a `district` column of `inspections` or, failing that, from
    `customers` (customer_id -> district). Tests need at least `min_inspections` self- and
    cross-audits; where there are fewer, the tables say so in a `note` instead of a p-value.
    """
    if not 0 < alpha < 1:
        raise ParameterError("alpha", "a significance level between 0 and 1", alpha)
    frame = _prepare(inspections, customers, lang)
    notes = frame.attrs.pop("notes")
    rates = _rates(frame)
    overall, overall_notes = _overall(frame, min_inspections, lang)
    by_district = _by_district(frame, min_inspections, alpha, lang)
    model, model_note = _logistic(frame, min_inspections, lang)
    self_rates = rates[rates["audit_kind"] == "self"]
    funnel_result = (
        funnel(self_rates, volume="inspections", events="errors", unit="district")
        if self_rates["inspections"].sum() > 0
        else None
    )
    notes += overall_notes + ([model_note] if model_note else [])
    return Comparison(rates, overall, by_district, model, funnel_result, alpha, notes)


def _prepare(inspections: pd.DataFrame, customers: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    """Inspections with the audited district, a 0/1 error and the under-billed value."""
    require_columns(inspections, INSPECTION_COLUMNS, "inspections")
    frame = inspections.copy()
    if "district" not in frame.columns:
        if customers is None:
            raise ColumnError(
                "inspections",
                ["district"],
                map(str, inspections.columns),
                hint="the audited district: add it, or pass customers= to look it up by "
                "customer_id",
            )
        require_columns(customers, ["customer_id", "district"], "customers")
        lookup = customers.drop_duplicates("customer_id").set_index("customer_id")["district"]
        frame["district"] = frame["customer_id"].map(lookup)
    notes: list[str] = []
    unknown = frame["district"].isna()
    if unknown.any():
        notes.append(
            pick(
                lang,
                f"{int(unknown.sum())} 条检查记录的户号不在客户档案中，未计入。",
                f"{int(unknown.sum())} inspections of customers missing from the archive are "
                "left out.",
            )
        )
    kinds = frame["audit_kind"].astype(str)
    odd = ~kinds.isin(KINDS)
    if odd.any():
        raise ParameterError("inspections.audit_kind", f"one of {KINDS}", kinds[odd].iloc[0])
    frame = frame[~unknown].copy()
    frame["district"] = frame["district"].astype(str)
    frame["audit_kind"] = frame["audit_kind"].astype(str)
    frame["error"] = frame["error_found"].astype(bool).astype(int)
    book, audited = (
        pd.to_numeric(frame[column], errors="coerce")
        if column in frame
        else pd.Series(np.nan, index=frame.index)
        for column in ("book_value", "audited_value")
    )
    frame["underbilled"] = (audited - book).fillna(0.0)
    mislabelled = (frame["audit_kind"] == "self") & (
        frame["auditing_district"].astype(str) != frame["district"]
    )
    if mislabelled.any():
        notes.append(
            pick(
                lang,
                f"{int(mislabelled.sum())} 条“自查”记录的检查单位与被查客户所属单位不同，按原记录统计。",
                f"{int(mislabelled.sum())} inspections marked self were made by another district "
                "than the customer's; they are counted as recorded.",
            )
        )
    frame.attrs["notes"] = notes
    return frame


def _rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Finding rate per district and kind, with Clopper-Pearson 95 % intervals and money."""
    grouped = frame.groupby(["district", "audit_kind"]).agg(
        inspections=("error", "size"), errors=("error", "sum"), underbilled=("underbilled", "sum")
    )
    districts = sorted(frame["district"].unique())
    full = pd.MultiIndex.from_product([districts, list(KINDS)], names=["district", "audit_kind"])
    rates = grouped.reindex(full, fill_value=0).reset_index()
    low, high = clopper_pearson(rates["errors"].to_numpy(), rates["inspections"].to_numpy())
    rates["rate"] = np.where(
        rates["inspections"] > 0, rates["errors"] / rates["inspections"].clip(lower=1), np.nan
    )
    rates["ci_low"], rates["ci_high"] = low, high
    return rates[
        [
            "district",
            "audit_kind",
            "inspections",
            "errors",
            "rate",
            "ci_low",
            "ci_high",
            "underbilled",
        ]
    ]


def clopper_pearson(
    errors: np.ndarray, trials: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial confidence interval of errors / trials (NaN where trials is 0)."""
    errors = np.asarray(errors, dtype=float)
    trials = np.asarray(trials, dtype=float)
    tail = (1 - level) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(errors > 0, stats.beta.ppf(tail, errors, trials - errors + 1), 0.0)
        high = np.where(errors < trials, stats.beta.ppf(1 - tail, errors + 1, trials - errors), 1.0)
    empty = trials <= 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def _overall(
    frame: pd.DataFrame, min_inspections: int, lang: str
) -> tuple[pd.DataFrame, list[str]]:
    """Self against cross over all districts: two-proportion z-test and Fisher's exact test."""
    columns = [
        "test",
        "self_n",
        "self_errors",
        "self_rate",
        "cross_n",
        "cross_errors",
        "cross_rate",
        "statistic",
        "p_value",
    ]
    counts = _kind_counts(frame)
    (self_n, self_errors), (cross_n, cross_errors) = counts["self"], counts["cross"]
    if min(self_n, cross_n) < min_inspections:
        note = pick(
            lang,
            f"自查 {self_n} 次、交叉检查 {cross_n} 次，少于 {min_inspections} 次，不做总体检验。",
            f"{self_n} self-audits and {cross_n} cross-audits: fewer than {min_inspections} of "
            "one kind, so no overall test.",
        )
        return pd.DataFrame(columns=columns), [note]
    base = {
        "self_n": self_n,
        "self_errors": self_errors,
        "self_rate": self_errors / self_n,
        "cross_n": cross_n,
        "cross_errors": cross_errors,
        "cross_rate": cross_errors / cross_n,
    }
    rows = []
    if 0 < self_errors + cross_errors < self_n + cross_n:
        z, p_z = proportions_ztest(
            [self_errors, cross_errors], [self_n, cross_n], alternative="smaller"
        )
        rows.append({"test": "two_proportion_z", **base, "statistic": z, "p_value": p_z})
    odds, p_fisher = _fisher_less(self_errors, self_n, cross_errors, cross_n)
    rows.append({"test": "fisher_exact", **base, "statistic": odds, "p_value": p_fisher})
    return pd.DataFrame(rows, columns=columns), []


def _by_district(
    frame: pd.DataFrame, min_inspections: int, alpha: float, lang: str
) -> pd.DataFrame:
    """Per district: self and cross rates, the gap, Fisher's test (Holm-adjusted), the money."""
    rows = []
    for district, part in frame.groupby("district", sort=True):
        counts = _kind_counts(part)
        (self_n, self_errors), (cross_n, cross_errors) = counts["self"], counts["cross"]
        value = part.groupby("audit_kind")["underbilled"].sum()
        self_rate = self_errors / self_n if self_n else np.nan
        cross_rate = cross_errors / cross_n if cross_n else np.nan
        self_value = value.get("self", 0.0) / self_n if self_n else np.nan
        cross_value = value.get("cross", 0.0) / cross_n if cross_n else np.nan
        row = {
            "district": district,
            "self_n": self_n,
            "self_errors": self_errors,
            "self_rate": self_rate,
            "cross_n": cross_n,
            "cross_errors": cross_errors,
            "cross_rate": cross_rate,
            "gap": cross_rate - self_rate,
            "self_value_per_inspection": self_value,
            "cross_value_per_inspection": cross_value,
            "missed_value": max(cross_value - self_value, 0.0) * self_n
            if self_n and cross_n
            else np.nan,
            "p_value": np.nan,
            "note": "",
        }
        if min(self_n, cross_n) < min_inspections:
            row["note"] = pick(
                lang,
                f"检查次数不足（自查 {self_n}、交叉 {cross_n}，每类至少 {min_inspections}），不做检验",
                f"too few inspections for a test (self {self_n}, cross {cross_n}; "
                f"{min_inspections} of each needed)",
            )
        else:
            row["p_value"] = _fisher_less(self_errors, self_n, cross_errors, cross_n)[1]
        rows.append(row)
    table = pd.DataFrame(rows, columns=BY_DISTRICT_COLUMNS)
    tested = table["p_value"].notna()
    table["p_adjusted"] = np.nan
    if tested.any():
        table.loc[tested, "p_adjusted"] = multipletests(
            table.loc[tested, "p_value"], alpha=alpha, method="holm"
        )[1]
    table["under_reports"] = tested & (table["p_adjusted"] < alpha) & (table["gap"] > 0)
    return table


def _logistic(
    frame: pd.DataFrame, min_inspections: int, lang: str
) -> tuple[pd.DataFrame | None, str]:
    """Odds ratios of error_found ~ kind + district (binomial GLM, cross and the first district
    as references); None with a note when the model cannot be estimated."""
    data = frame[frame["audit_kind"].isin(["self", "cross"])]
    counts = data["audit_kind"].value_counts()
    if min(counts.get("self", 0), counts.get("cross", 0)) < min_inspections:
        return None, pick(
            lang,
            "自查或交叉检查次数不足，不拟合逻辑回归模型。",
            "Too few self- or cross-audits to fit the logistic model.",
        )
    if data["error"].nunique() < 2:
        return None, pick(
            lang,
            "所有检查结果相同（全部发现或全部未发现问题），逻辑回归无法估计。",
            "Every inspection has the same outcome, so the logistic model cannot be estimated.",
        )
    districts = sorted(data["district"].unique())
    design = pd.DataFrame(
        {"const": 1.0, "self vs cross": (data["audit_kind"] == "self").astype(float).to_numpy()}
    )
    for district in districts[1:]:
        design[f"district {district}"] = (data["district"] == district).astype(float).to_numpy()
    try:
        fit = sm.GLM(data["error"].to_numpy(float), design, family=sm.families.Binomial()).fit()
    except (np.linalg.LinAlgError, ValueError) as error:
        return None, pick(lang, f"逻辑回归无法估计：{error}", f"The logistic model failed: {error}")
    interval = fit.conf_int()
    with np.errstate(over="ignore"):  # separation shows as overflow; caught just below
        table = pd.DataFrame(
            {
                "term": design.columns[1:],
                "odds_ratio": np.exp(fit.params.to_numpy()[1:]),
                "ci_low": np.exp(interval.iloc[1:, 0].to_numpy()),
                "ci_high": np.exp(interval.iloc[1:, 1].to_numpy()),
                "p_value": fit.pvalues.to_numpy()[1:],
            }
        )
    if (
        not np.isfinite(table[["odds_ratio", "ci_low", "ci_high"]].to_numpy()).all()
        or (table["ci_high"] / table["ci_low"]).max() > 1e6
    ):
        return None, pick(
            lang,
            "某些单位的检查结果完全一致（完全分离），逻辑回归无法可靠估计。",
            "Some district has identical outcomes throughout (separation), so the "
            "logistic model cannot be estimated reliably.",
        )
    return table, ""


def _kind_counts(frame: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """(inspections, errors) per audit kind."""
    grouped = frame.groupby("audit_kind")["error"].agg(["size", "sum"])
    return {
        kind: (int(grouped.loc[kind, "size"]), int(grouped.loc[kind, "sum"]))
        if kind in grouped.index
        else (0, 0)
        for kind in KINDS
    }


def _fisher_less(
    self_errors: int, self_n: int, cross_errors: int, cross_n: int
) -> tuple[float, float]:
    """Fisher's exact test that self-audits find errors less often than cross-audits."""
    table = [[self_errors, self_n - self_errors], [cross_errors, cross_n - cross_errors]]
    result = stats.fisher_exact(table, alternative="less")
    return float(result.statistic), float(result.pvalue)
