"""Benford's-law tests of leading digits (Nigrini): chi-square, z per digit and MAD conformity.

Invented or manipulated amounts tend to break the logarithmic distribution of leading digits that
amounts spanning several orders of magnitude follow. The mean absolute deviation (MAD) between
observed and expected proportions is compared with Nigrini's (2012) conformity ranges, which unlike
the chi-square p-value do not turn every small deviation "significant" on large data sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from auditkit import formatting, i18n
from auditkit.errors import ParameterError, parameters_named, require_type
from auditkit.options.stats import BENFORD_TESTS
from auditkit.stats import tables
from auditkit.stats.matrix import checked_numbers
from auditkit.stats.requirements import InsufficientDataError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BenfordTest = Literal["first", "second", "first_two"]
TESTS: tuple[str, ...] = BENFORD_TESTS

#: Upper MAD bounds of the classes close, acceptable and marginal (Nigrini 2012, table 7.1);
#: a MAD above the last bound is nonconformity. A MAD equal to a bound belongs to the lower class.
MAD_LIMITS: dict[str, tuple[float, float, float]] = {
    "first": (0.006, 0.012, 0.015),
    "second": (0.008, 0.010, 0.012),
    "first_two": (0.0012, 0.0018, 0.0022),
}
CONFORMITY_CLASSES: tuple[str, ...] = ("close", "acceptable", "marginal", "nonconformity")
#: The MAD classes beyond Nigrini's acceptable range: one of the two criteria of `departs`.
BEYOND_ACCEPTABLE: tuple[str, ...] = ("marginal", "nonconformity")
#: Which of the two criteria of `departs` hold (`verdict_basis`): both (a departure), only the
#: significance, only the MAD, neither.
VERDICT_BASES: tuple[str, ...] = ("both", "significance_only", "mad_only", "neither")
#: What `benford` tests: amounts of one column (a table of several columns is refused), a
#: pandas array (`series.array`, a "Float64" or Arrow column's) among them.
AMOUNTS = (pd.Series, pd.Index, np.ndarray, pd.api.extensions.ExtensionArray, list, tuple)
#: What `values` may be, as its refusal says.
ONE_COLUMN = "amounts: one column (a Series, list or array)"
#: Digits listed per group in `benford_by_group` (largest z first).
MAX_LISTED = 10
#: Texts read as a missing amount (compared stripped and case-folded): what spreadsheets and
#: databases write for an empty cell. The loader keeps only an empty cell as missing, so the
#: list is this module's.
MISSING_TEXTS = frozenset({"nan", "none", "null", "na", "n/a", "#n/a", "<na>", "-", "--"})
#: What `values` must hold, as a refusal of a text that is no amount says.
AMOUNTS_EXPECTED = "numbers (amounts in yuan)"
#: Smallest expected count per digit for the chi-square approximation to hold.
MIN_EXPECTED_COUNT = 5.0


def expected_proportions(test: BenfordTest) -> pd.Series:
    """Benford's expected proportion of each digit (or digit pair) for `test`, indexed by digit."""
    _check_test(test)
    if test == "first":
        digits = np.arange(1, 10)
        return pd.Series(np.log10(1 + 1 / digits), index=pd.Index(digits, name="digit"))
    if test == "first_two":
        digits = np.arange(10, 100)
        return pd.Series(np.log10(1 + 1 / digits), index=pd.Index(digits, name="digit"))
    first = np.arange(1, 10)[:, None]
    second = np.arange(10)[None, :]
    proportions = np.log10(1 + 1 / (10 * first + second)).sum(axis=0)
    return pd.Series(proportions, index=pd.Index(np.arange(10), name="digit"))


def first_two_digits(values: np.ndarray) -> np.ndarray:
    """The first two significant digits (10..99) of each value, all of which must be >= 10.

    The mantissa is rounded to 9 decimals so that binary noise such as 28.999999999999996 (from
    0.29 * 100) counts as 29, as the amount printed on the bill would.
    """
    exponent = np.floor(np.log10(values)) - 1
    mantissa = np.round(values / 10.0**exponent, 9)
    # Rounding can carry a mantissa like 99.9999999999 up to 100, and log10 can land a hair low.
    mantissa = np.where(mantissa >= 100, mantissa / 10, mantissa)
    mantissa = np.where(mantissa < 10, mantissa * 10, mantissa)
    return np.floor(mantissa).astype(np.int64)


@dataclass(frozen=True)
class BenfordResult:
    """Outcome of one Benford test; `table` has one row per digit (or digit pair).

    `table` columns: count, expected_count, observed and expected (proportions), difference
    (observed - expected), z (Nigrini's z with continuity correction, always >= 0) and p_value
    (two-sided, per digit). `name` says whose amounts were tested (e.g. a district).
    """

    test: str
    n: int
    n_missing: int
    n_nonpositive: int
    n_below_10: int
    chi2: float
    df: int
    p_value: float
    mad: float
    conformity: str
    table: pd.DataFrame
    name: str = ""

    @property
    def n_excluded(self) -> int:
        """Values left out: missing or infinite, zero or negative, or below 10 (too few digits)."""
        return self.n_missing + self.n_nonpositive + self.n_below_10

    @property
    def small_sample(self) -> bool:
        """True when some digit's expected count is under 5, so the chi-square p-value is rough."""
        return bool((self.table["expected_count"] < MIN_EXPECTED_COUNT).any())

    def standouts(self, alpha: float = 0.05) -> pd.DataFrame:
        """Digits differing from Benford at two-sided level `alpha`, largest z first.

        With 90 digit pairs some will stand out by chance at 5 %; read them together with the MAD.
        """
        if not 0 < alpha < 1:
            raise ParameterError("alpha", "a level between 0 and 1", alpha)
        from scipy import stats

        critical = stats.norm.isf(alpha / 2)
        selected = self.table[self.table["z"] > critical].sort_values("z", ascending=False)
        return selected.assign(direction=np.where(selected["difference"] > 0, "over", "under"))

    def summary(self, alpha: float = 0.05) -> dict[str, Any]:
        """The test's figures; `standouts` lists the digits differing at level `alpha`."""
        return {
            "name": self.name,
            "test": self.test,
            "n": self.n,
            "n_excluded": self.n_excluded,
            "n_missing": self.n_missing,
            "n_nonpositive": self.n_nonpositive,
            "n_below_10": self.n_below_10,
            "chi2": self.chi2,
            "df": self.df,
            "p_value": self.p_value,
            "mad": self.mad,
            "conformity": self.conformity,
            "small_sample": self.small_sample,
            "standouts": digit_list(self.standouts(alpha)),
        }

    def explain(self, lang: str = i18n.DEFAULT_LANG, alpha: float = 0.05) -> str:
        """One paragraph for reviewers: what was tested, the MAD's conformity, the chi-square."""
        figures = self.summary(alpha)
        figures["conformity"] = i18n.text(f"stats.conformity.{self.conformity}", lang)
        separator = i18n.text("common.list_separator", lang)
        digits = digit_list(self.standouts(alpha), separator)
        figures["digits"] = digits or i18n.text("common.none", lang)
        figures["p_value"] = formatting.p_clause(figures["p_value"])
        text = i18n.text("stats.sentence.benford", lang).format(**figures)
        if self.small_sample:
            text += i18n.text("stats.sentence.benford_small_sample", lang)
        return text

    def to_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """One row per digit: counts, observed against expected share, z and p-value."""
        formats = {
            "digit": str,
            "count": tables.whole,
            "observed": tables.percent(2),
            "expected": tables.percent(2),
            "z": tables.decimals(2),
            "p_value": formatting.p_value,
        }
        keys = {
            "digit": "stats.column.digit",
            "observed": "stats.column.observed_share",
            "expected": "stats.column.expected_share",
        }
        frame = self.table.reset_index()
        return tables.labelled(frame, formats, lang, keys)

    def title(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """Chart title: whose amounts, the test, how many, the MAD and its conformity."""
        if not self.name:
            return i18n.text("stats.chart.benford_title", lang).format(mad=self.mad)
        return i18n.text("stats.chart.benford_named_title", lang).format(
            name=self.name,
            test=i18n.text(f"stats.test.{self.test}", lang),
            n=self.n,
            mad=self.mad,
            conformity=i18n.text(f"stats.conformity.{self.conformity}", lang),
        )

    def plot(self, lang: str = i18n.DEFAULT_LANG) -> Figure:
        """Observed digit shares (bars, standouts red) against Benford's expectation (line)."""
        from auditkit.stats import charts  # matplotlib: loaded when drawn

        return charts.plot_benford(self, self.title(lang), lang)


def benford(
    values: Sequence[float] | np.ndarray | pd.Series, test: BenfordTest = "first", name: str = ""
) -> BenfordResult:
    """Test the leading digits of `values` against Benford's law.

    Values that are missing or infinite (counted as missing), zero or negative, or below 10 are
    left out (a value below 10 has no second digit worth testing) and counted in the result;
    `name` labels the result. Raises InsufficientDataError when no value is left.
    """
    from scipy import stats

    _check_test(test)
    require_type(values, AMOUNTS, "values", ONE_COLUMN)
    if isinstance(values, np.ndarray) and values.ndim != 1:  # rows and columns: a table too
        raise ParameterError("values", ONE_COLUMN, f"an array of shape {values.shape}")
    array = _amounts(values)
    missing = ~np.isfinite(array)  # an infinite amount has no digits: no figure, as a missing one
    nonpositive = ~missing & (array <= 0)
    below_10 = ~missing & (array > 0) & (array < 10)
    kept = array[~(missing | nonpositive | below_10)]
    if kept.size == 0:
        raise InsufficientDataError(
            f"Benford {test!r} test: expected at least one value >= 10, found none among "
            f"{array.size} values ({int(missing.sum())} missing or infinite, {int(nonpositive.sum())} "
            f"zero or negative, {int(below_10.sum())} below 10)"
        )

    pairs = first_two_digits(kept)
    digits = {"first": pairs // 10, "second": pairs % 10, "first_two": pairs}[test]
    expected = expected_proportions(test)
    counts = pd.Series(digits).value_counts().reindex(expected.index, fill_value=0)
    n = int(kept.size)
    observed = counts.to_numpy(float) / n
    difference = observed - expected.to_numpy()
    standard_error = np.sqrt(expected.to_numpy() * (1 - expected.to_numpy()) / n)
    correction = 1 / (2 * n)
    # Nigrini: the continuity correction applies only when smaller than the absolute difference.
    numerator = np.where(
        correction < np.abs(difference), np.abs(difference) - correction, np.abs(difference)
    )
    z = numerator / standard_error
    expected_count = expected.to_numpy() * n
    table = pd.DataFrame(
        {
            "count": counts.to_numpy(np.int64),
            "expected_count": expected_count,
            "observed": observed,
            "expected": expected.to_numpy(),
            "difference": difference,
            "z": z,
            "p_value": 2 * stats.norm.sf(z),
        },
        index=expected.index,
    )
    chi2 = float((((counts.to_numpy(float) - expected_count) ** 2) / expected_count).sum())
    df = len(expected) - 1
    mad = float(np.abs(difference).mean())
    return BenfordResult(
        test=test,
        n=n,
        n_missing=int(missing.sum()),
        n_nonpositive=int(nonpositive.sum()),
        n_below_10=int(below_10.sum()),
        chi2=chi2,
        df=df,
        p_value=float(stats.chi2.sf(chi2, df)),
        mad=mad,
        conformity=conformity_class(mad, test),
        table=table,
        name=name,
    )


def expected_mad(test: BenfordTest, n: int) -> float:
    """The MAD a sample of `n` amounts that do follow Benford's law shows on average.

    Each digit's observed share deviates by about sqrt(2 p (1 - p) / (pi n)) in absolute value
    (the mean of a half-normal), so the MAD of a conforming sample shrinks like 1 / sqrt(n): a
    first-digit MAD of 0.015 (nonconformity) is what 300 amounts drawn from the law itself show.
    Nigrini's ranges assume large data sets; compare a small sample's MAD with this too.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ParameterError("n", "a whole number of amounts, at least 1", n)
    p = expected_proportions(test).to_numpy()
    return float(np.mean(np.sqrt(2 * p * (1 - p) / (np.pi * n))))


def conformity_class(mad: float, test: BenfordTest) -> str:
    """Nigrini's conformity class of a MAD value for `test`."""
    _check_test(test)
    for label, upper in zip(CONFORMITY_CLASSES, MAD_LIMITS[test], strict=False):
        if mad <= upper:
            return label
    return CONFORMITY_CLASSES[-1]


def _amounts(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """`values` as floats, NaN where empty or a usual text for missing (MISSING_TEXTS); a
    ParameterError naming `values` and the row of the first other text that is no amount
    ('1,234.50', 'abc', 'inf'): read as missing, it would leave the amount out of the test
    without a word, where `summarize` refuses it in bills.amount."""
    amounts = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(amounts):
        return amounts.to_numpy(dtype=float, na_value=np.nan)
    written = amounts.map(lambda value: isinstance(value, str)).to_numpy(dtype=bool)
    text = amounts.where(written, "").astype(str)
    missing = text.str.strip().str.casefold().isin(MISSING_TEXTS)
    frame = pd.DataFrame({"amount": amounts.where(~missing)})
    with parameters_named({"values.amount": "values"}):
        numbers = checked_numbers(frame, "amount", "values", AMOUNTS_EXPECTED)
    infinite = np.flatnonzero(np.isinf(numbers) & written)
    if len(infinite):  # 'inf' is a number to pandas, not an amount (a float inf is missing)
        row = int(infinite[0])
        raise ParameterError("values", AMOUNTS_EXPECTED, f"{text.iloc[row]!r} in row {row + 1}")
    return numbers


def benford_by_group(
    values: pd.Series, groups: pd.Series, test: BenfordTest = "first", alpha: float = 0.05
) -> pd.DataFrame:
    """One Benford test per group (e.g. per district): a row each, with a note when unreliable.

    Columns: group, n, n_excluded, chi2, df, p_value, mad, expected_mad (the MAD a conforming
    sample of n shows), conformity, departs, verdict_basis, standouts (the MAX_LISTED digits with
    the largest z), note (a code: no_testable_amount, small_sample or empty). `departs` is judged
    as for adjustments (`digits.adjustment_benford`): chi-square p_value below `alpha` and a
    marginal or nonconforming MAD, and `verdict_basis` says which of the two hold; both are left
    empty for a small sample, whose chi-square is rough and whose MAD reaches Nigrini's ranges by
    chance. A group with no testable value gets its counts and a note instead of statistics,
    never an exception.
    """
    if len(values) != len(groups):
        raise ParameterError("groups", f"one label per value ({len(values)})", len(groups))
    rows = []
    frame = pd.DataFrame({"value": _amounts(values), "group": np.asarray(groups)})
    for group, part in frame.groupby("group", sort=True):
        try:
            result = benford(part["value"], test)
        except InsufficientDataError:
            rows.append(
                {
                    "group": group,
                    "n": 0,
                    "n_excluded": len(part),
                    "note": "no_testable_amount",
                }
            )
            continue
        rows.append(
            {
                "group": group,
                "n": result.n,
                "n_excluded": result.n_excluded,
                "chi2": result.chi2,
                "df": result.df,
                "p_value": result.p_value,
                "mad": result.mad,
                "expected_mad": expected_mad(test, result.n),
                "conformity": result.conformity,
                "departs": np.nan if result.small_sample else departs(result, alpha),
                "verdict_basis": "" if result.small_sample else verdict_basis(result, alpha),
                "standouts": digit_list(result.standouts(alpha).head(MAX_LISTED)),
                "note": "small_sample" if result.small_sample else "",
            }
        )
    columns = [
        "group",
        "n",
        "n_excluded",
        "chi2",
        "df",
        "p_value",
        "mad",
        "expected_mad",
        "conformity",
        "departs",
        "verdict_basis",
        "standouts",
        "note",
    ]
    return pd.DataFrame(rows, columns=columns)


def departs(result: BenfordResult, alpha: float) -> bool:
    """Significant at `alpha` and a MAD beyond Nigrini's acceptable range: significance alone
    flags trivial departures of large sets, the MAD alone small sets."""
    return verdict_basis(result, alpha) == "both"


def verdict_basis(result: BenfordResult, alpha: float) -> str:
    """Which criteria of `departs` hold (one of VERDICT_BASES), so a report can say why a set
    whose MAD is "nonconformity" does not depart (`mad_only`: a small set, whose MAD is large by
    chance) or why a significant one does not (`significance_only`: a slight departure of a large
    set)."""
    significant = bool(result.p_value < alpha)
    beyond = result.conformity in BEYOND_ACCEPTABLE
    if significant:
        return "both" if beyond else "significance_only"
    return "mad_only" if beyond else "neither"


def verdict_reason(row: Mapping[str, Any], lang: str = i18n.DEFAULT_LANG) -> str:
    """The verdict of one tested set in words, from a table row's verdict_basis (a code of
    `verdict_basis`), conformity, n and expected_mad; "" for a set not judged (no code)."""
    basis = row.get("verdict_basis")
    if not isinstance(basis, str) or not basis:
        return ""
    return i18n.text(f"digits.basis.{basis}", lang).format(
        conformity=i18n.text(f"stats.conformity.{row['conformity']}", lang),
        n=int(row["n"]),
        expected_mad=float(row["expected_mad"]),
    )


def _check_test(test: str) -> None:
    if test not in TESTS:
        raise ParameterError("test", "'first', 'second' or 'first_two'", test)


def digit_list(standouts: pd.DataFrame, separator: str = ", ") -> str:
    """Digits as '5↑, 7↓' (↑ more frequent than Benford expects, ↓ less)."""
    return separator.join(
        f"{digit}{'↑' if direction == 'over' else '↓'}"
        for digit, direction in zip(standouts.index, standouts["direction"], strict=True)
    )
