"""Digit tests where they mean something (Nigrini 2012): Benford's law on refunds, back-bills and
waivers, and the last-digit test of registers read by hand, per meter reader.

- **Adjustments** (退补: refunds, back-bills, waivers, read corrections) are amounts staff key in
  by hand after billing, of every size: Benford's law is their natural reference, and made-up
  amounts (round figures, amounts kept under an approval limit) break it. The test runs on the
  absolute amounts per district and overall, only where there are at least `min_count` amounts
  (`min_count_first_two` for the first-two-digits test); elsewhere the table says why not.
- **Last digit of a register read by hand**: the last whole digit of a register that moved is
  uniform over 0-9 whatever the consumption; a reader who writes reads at the desk (估抄 passed off
  as 实抄) favours some digits. A chi-square test against the uniform per reader, Holm-corrected
  across the readers tested (many honest readers would otherwise give false alarms at 5 %).

On bill amounts (the consumption study's Benford section) the mix of customers, not fraud,
decides conformity; those tests compare districts with each other, not with the law.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from auditkit import formatting, i18n
from auditkit.data.schema import ADJUSTMENT_KINDS
from auditkit.errors import ParameterError, checked_names
from auditkit.stats import tables
from auditkit.stats.benford import (
    BenfordResult,
    benford,
    digit_list,
    expected_mad,
    verdict_basis,
    verdict_reason,
)
from auditkit.stats.matrix import checked_numbers
from auditkit.stats.notes import Note
from auditkit.stats.requirements import require_columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The Benford tests run on adjustments, with the fewest testable amounts each needs by default:
#: below them a conforming sample's MAD alone reaches Nigrini's nonconformity range
#: (`benford.expected_mad`) and the chi-square rests on expected counts under 5.
ADJUSTMENT_TESTS: dict[str, int] = {"first": 100, "first_two": 1000}
#: Fewest moved registers read by hand for a reader to be tested (expected count 10 per digit).
MIN_READS = 100
#: Smallest mean absolute deviation of a reader's last-digit shares from 10 % that is flagged: an
#: honest reader of 4,000 registers deviates by about 0.004 by chance, one who writes a third of
#: his reads rounded to 5 units by about 0.05. Significance alone would flag trivial departures.
MIN_MAD = 0.02
#: The `group` value of the row covering every district studied.
ALL = ""
ADJUSTMENT_COLUMNS = ("customer_id", "amount")
READ_COLUMNS = ("customer_id", "register_start", "register_end", "read_type", "reader_id")


def _check_level(value: float, name: str = "alpha") -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ParameterError(name, "a number between 0 and 1", value)


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(name, "a whole number, at least 1", value)


# ------------------------------------------------------------------------ Benford on adjustments


@dataclass(frozen=True)
class AdjustmentDigits:
    """Benford tests of adjustment amounts per district and overall.

    `table`: one row per group (a district, or `ALL`) and test: n (testable amounts, >= 10 yuan in
    absolute value), n_excluded, min_count, status (`tested`, `too_few`, or `small_sample`: run,
    but some digit is expected fewer than 5 times, so not judged), and for run tests mad,
    expected_mad (a conforming sample's MAD at this n), conformity, chi2, df, p_value, departs
    (p_value < alpha and a marginal or nonconforming MAD: the verdict), verdict_basis (which of
    the two hold, `benford.verdict_basis`) and standouts. `results` holds the tested
    `BenfordResult`s by (group, test).
    """

    table: pd.DataFrame
    results: dict[tuple[str, str], BenfordResult]
    alpha: float
    n_adjustments: int
    notes: list[Note] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Adjustments, groups tested, the groups (and tests) departing from Benford, and those
        whose MAD alone is beyond Nigrini's acceptable range (not a departure: see `explain`)."""
        tested = self.table[self.table["status"] == "tested"]
        departing = tested[tested["departs"].astype(bool)]
        mad_only = tested[tested["verdict_basis"] == "mad_only"]
        return {
            "adjustments": self.n_adjustments,
            "tests_run": len(tested),
            "tests_skipped": int((self.table["status"] == "too_few").sum()),
            "tests_not_judged": int((self.table["status"] == "small_sample").sum()),
            "departing": list(zip(departing["group"], departing["test"], strict=True)),
            "mad_only": list(zip(mad_only["group"], mad_only["test"], strict=True)),
        }

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """How many amounts, which groups were tested and which depart by the report's rule
        (significant chi-square and a MAD beyond acceptable), then the groups whose MAD alone is
        beyond acceptable, with the figures that say why they do not depart."""
        figures = self.summary()
        if not figures["tests_run"]:
            key = (
                "adjustments_not_judged" if figures["tests_not_judged"] else "adjustments_untested"
            )
            return i18n.text(f"digits.sentence.{key}", lang).format(
                count=figures["adjustments"], minimum=_smallest_minimum(self.table)
            )
        separator = i18n.text("common.list_separator", lang)
        if figures["departing"]:
            names = separator.join(
                i18n.text("digits.word.group_test", lang).format(
                    name=_group_name(group, lang), test=i18n.text(f"stats.test.{test}", lang)
                )
                for group, test in figures["departing"]
            )
            text = i18n.text("digits.sentence.adjustments_depart", lang).format(
                count=figures["adjustments"], names=names, alpha=self.alpha
            )
        else:
            text = i18n.text("digits.sentence.adjustments_conform", lang).format(
                count=figures["adjustments"], tests=figures["tests_run"], alpha=self.alpha
            )
        if figures["mad_only"]:
            names = separator.join(self._mad_only_words(key, lang) for key in figures["mad_only"])
            text += i18n.text("digits.sentence.adjustments_mad_only", lang).format(names=names)
        if figures["tests_not_judged"]:
            text += i18n.text("digits.sentence.adjustments_some_not_judged", lang).format(
                tests=figures["tests_not_judged"]
            )
        return text

    def _mad_only_words(self, key: tuple[str, str], lang: str) -> str:
        """A group and test whose MAD alone is beyond acceptable, with its MAD, the MAD of a
        conforming sample of its size and its chi-square p-value."""
        row = self.table_row(key)
        return i18n.text("digits.word.mad_only", lang).format(
            name=_group_name(key[0], lang),
            test=i18n.text(f"stats.test.{key[1]}", lang),
            conformity=i18n.text(f"stats.conformity.{row['conformity']}", lang),
            mad=row["mad"],
            expected=row["expected_mad"],
            p_value=formatting.p_clause(row["p_value"]),
        )

    def to_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """One row per group and test, formatted; untested rows say why not, tested rows why
        the verdict is what it is."""
        frame = self.table.assign(
            verdict_basis=[verdict_reason(row, lang) for row in self.table.to_dict("records")],
            group=[_group_name(group, lang) for group in self.table["group"]],
            status=[
                _status_text(status, minimum, lang)
                for status, minimum in zip(
                    self.table["status"], self.table["min_count"], strict=True
                )
            ],
            departs=[tables.yes_no(lang)(value) for value in self.table["departs"]],
        )
        formats = {
            "group": str,
            "test": tables.coded("stats.test.", lang),
            "n": tables.whole,
            "n_excluded": tables.whole,
            "status": str,
            "mad": tables.decimals(4),
            "expected_mad": tables.decimals(4),
            "conformity": _coded_or_blank("stats.conformity.", lang),
            "chi2": tables.decimals(1),
            "p_value": formatting.p_value,
            "departs": str,
            "verdict_basis": str,
            "standouts": tables.text_or_blank,
        }
        keys = {
            "group": "common.district",
            "n": "digits.column.amounts",
            "status": "digits.column.tested",
            "expected_mad": "digits.column.expected_mad",
            "departs": "digits.column.departs",
            "verdict_basis": "digits.column.verdict_basis",
            "standouts": "stats.column.standouts",
        }
        return tables.labelled(frame, formats, lang, keys)

    @property
    def figure_keys(self) -> tuple[tuple[str, str], ...]:
        """(group, test) of the tested results, overall first."""
        return tuple(sorted(self.results, key=lambda key: (key[0] != ALL, key)))

    def plot(self, lang: str = i18n.DEFAULT_LANG, key: tuple[str, str] | None = None) -> Figure:
        """Digit shares against Benford of one tested group and test (default: the first);
        with nothing tested, a chart saying so (`explain`), as other empty results draw."""
        if not self.results and key is None:
            return _saying(self.explain(lang), lang)
        if not self.results:
            raise ParameterError("key", "a tested group (none was tested)", key)
        key = key or self.figure_keys[0]
        if key not in self.results:
            raise ParameterError("key", f"one of {self.figure_keys}", key)
        result = self.results[key]
        title = i18n.text("digits.chart.adjustments_title", lang).format(
            name=_group_name(key[0], lang),
            test=i18n.text(f"stats.test.{result.test}", lang),
            n=result.n,
            mad=result.mad,
            expected=self.table_row(key)["expected_mad"],
        )
        from auditkit.stats import charts  # matplotlib: loaded when drawn

        return charts.plot_benford(result, title, lang)

    def table_row(self, key: tuple[str, str]) -> pd.Series:
        """The table's row of one group and test."""
        group, test = key
        rows = self.table[(self.table["group"] == group) & (self.table["test"] == test)]
        return rows.iloc[0]


def _saying(text: str, lang: str) -> Figure:
    """A chart holding only `text`, wrapped to its width: what a result with nothing to draw
    shows in a report's figure."""
    from matplotlib.figure import Figure

    from auditkit.plots import use_cjk_font

    use_cjk_font()
    figure = Figure(figsize=(6, 1.6), layout="constrained")
    axes = figure.subplots()
    width = 34 if lang == "zh" else 64  # a Chinese character is two Latin letters wide
    axes.text(0.5, 0.5, textwrap.fill(text, width), ha="center", va="center")
    axes.axis("off")
    return figure


def adjustment_benford(
    adjustments: pd.DataFrame,
    customers: pd.DataFrame,
    kinds: tuple[str, ...] | None = None,
    min_count: int = ADJUSTMENT_TESTS["first"],
    min_count_first_two: int = ADJUSTMENT_TESTS["first_two"],
    alpha: float = 0.05,
) -> AdjustmentDigits:
    """Benford first-digit and first-two-digits tests of the absolute adjustment amounts of each
    district of `customers` and of all of them together.

    `kinds` keeps those adjustment kinds (default: every kind; one text is one kind, and a kind
    the data contract does not know is refused naming `kinds`). A test runs only on `min_count`
    (first digit) or `min_count_first_two` testable amounts or more; adjustments of customers
    missing from `customers` are left out with a note.
    """
    require_columns(adjustments, ADJUSTMENT_COLUMNS, "adjustments")
    require_columns(customers, ("customer_id", "district"), "customers")
    _check_count("min_count", min_count)
    _check_count("min_count_first_two", min_count_first_two)
    _check_level(alpha)
    notes: list[Note] = []
    # Read whole, so a text that is no number ('1,234.50') is named by its row in the table.
    amount = pd.Series(
        checked_numbers(adjustments, "amount", "adjustments", "a number of yuan"),
        index=adjustments.index,
    )
    rows = adjustments
    if kinds is not None:
        require_columns(adjustments, ("kind",), "adjustments")
        kinds = checked_names(kinds, ADJUSTMENT_KINDS, "kinds")
        kept = adjustments["kind"].astype(str).isin(kinds)
        rows, amount = rows[kept], amount[kept]
    district = rows["customer_id"].map(
        pd.Series(customers["district"].astype(str).to_numpy(), index=customers["customer_id"])
    )
    unknown = district.isna()
    if unknown.any():
        notes.append(Note("adjustments_unknown_customers", {"count": int(unknown.sum())}))
    amounts = amount.abs()[~unknown]
    district = district[~unknown]
    groups = [(name, amounts[district == name]) for name in sorted(district.unique())]
    if len(groups) > 1:
        groups.insert(0, (ALL, amounts))
    minimums = {"first": min_count, "first_two": min_count_first_two}
    records, results = [], {}
    for group, values in groups:
        for test, minimum in minimums.items():
            testable = int((values >= 10).sum())
            record: dict[str, Any] = {
                "group": group,
                "test": test,
                "n": testable,
                "n_excluded": len(values) - testable,
                "min_count": minimum,
                "status": "too_few",
                "departs": np.nan,
                "verdict_basis": "",
            }
            if testable >= minimum:
                result = benford(values, test, group)  # type: ignore[arg-type]
                results[(group, test)] = result
                # some digit expected fewer than 5 times: figures shown, no verdict (the
                # methods say so, as `benford_by_group` does)
                basis = "" if result.small_sample else verdict_basis(result, alpha)
                record |= {
                    "status": "small_sample" if result.small_sample else "tested",
                    "mad": result.mad,
                    "expected_mad": expected_mad(test, result.n),  # type: ignore[arg-type]
                    "conformity": result.conformity,
                    "chi2": result.chi2,
                    "df": result.df,
                    "p_value": result.p_value,
                    "departs": np.nan if result.small_sample else basis == "both",
                    "verdict_basis": basis,
                    "standouts": digit_list(result.standouts(alpha).head(10)),
                }
            records.append(record)
    columns = [
        "group", "test", "n", "n_excluded", "min_count", "status", "mad", "expected_mad",
        "conformity", "chi2", "df", "p_value", "departs", "verdict_basis", "standouts",
    ]  # fmt: skip
    table = pd.DataFrame(records, columns=columns)
    return AdjustmentDigits(table, results, alpha, len(amounts), notes)


# ------------------------------------------------------------------ last digit per meter reader


@dataclass(frozen=True)
class LastDigitTest:
    """The last-digit test of registers read by hand, one row per meter reader.

    `table`: reader_id, district (of most of the reader's customers), reads (moved registers read
    by hand, tested), unchanged (reads left out: the register's whole part had not moved, so its
    digit repeats the previous read), chi2, p_value, p_adjusted (Holm across the readers tested), mad (mean
    absolute deviation of the digit shares from 10 %), top_digit and top_share (the most frequent
    last digit), flagged (p_adjusted < alpha and mad > min_mad), note (`too_few_reads` below
    `min_reads`). `counts`: readers × digits 0-9.
    """

    table: pd.DataFrame
    counts: pd.DataFrame
    alpha: float
    min_reads: int
    min_mad: float = MIN_MAD
    notes: list[Note] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Readers, readers tested, readers flagged (by id) and reads tested."""
        tested = self.table[self.table["note"] == ""]
        return {
            "readers": len(self.table),
            "tested": len(tested),
            "reads": int(tested["reads"].sum()),  # a reader below min_reads is not tested
            "flagged": list(self.table.loc[self.table["flagged"], "reader_id"]),
        }

    def explain(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """One sentence: readers tested and those whose last digits are not uniform."""
        figures = self.summary()
        if not figures["tested"]:
            return i18n.text("digits.sentence.readers_untested", lang).format(
                readers=figures["readers"], minimum=self.min_reads
            )
        flagged = bool(figures["flagged"])
        key = f"digits.sentence.readers_{'flagged' if flagged else 'uniform'}"
        names = i18n.text("common.list_separator", lang).join(figures["flagged"])
        return i18n.text(key, lang).format(
            tested=figures["tested"],
            reads=figures["reads"],
            names=names,
            alpha=self.alpha,
            min_mad=formatting.percent(self.min_mad, 0),
        )

    def to_table(self, lang: str = i18n.DEFAULT_LANG) -> pd.DataFrame:
        """One row per reader, flagged readers first."""
        frame = self.table.sort_values(
            ["flagged", "p_adjusted", "reader_id"], ascending=[False, True, True], kind="stable"
        ).assign(
            top_digit=lambda f: [
                ""
                if pd.isna(digit)
                else i18n.text("digits.word.digit_share", lang).format(
                    digit=int(digit), share=formatting.percent(share, 0)
                )
                for digit, share in zip(f["top_digit"], f["top_share"], strict=True)
            ],
            flagged=lambda f: [  # an untested reader is neither flagged nor cleared
                tables.yes_no(lang)(value) if note == "" else ""
                for value, note in zip(f["flagged"], f["note"], strict=True)
            ],
        )
        formats = {
            "reader_id": str,
            "district": tables.text_or_blank,
            "reads": tables.whole,
            "unchanged": tables.whole,
            "chi2": tables.decimals(1),
            "p_value": formatting.p_value,
            "p_adjusted": formatting.p_value,
            "mad": tables.decimals(4),
            "top_digit": str,
            "flagged": str,
            "note": _coded_or_blank("digits.note.", lang),
        }
        keys = {
            "reader_id": "digits.column.reader_id",
            "reads": "digits.column.reads",
            "unchanged": "digits.column.unchanged",
            "p_adjusted": "digits.column.p_adjusted",
            "mad": "digits.column.digit_mad",
            "top_digit": "digits.column.top_digit",
            "flagged": "digits.column.flagged",
        }
        return tables.labelled(frame, formats, lang, keys)

    def plot(self, lang: str = i18n.DEFAULT_LANG, top: int = 20) -> Figure:
        """Share of each last digit per reader (the `top` largest chi-squares) beside the
        verdict's figures (mean deviation, Holm-adjusted p), flagged readers in red."""
        shown = self.table.dropna(subset=["chi2"]).nlargest(top, "chi2")
        shares = self.counts.loc[shown["reader_id"]]
        shares = shares.div(shares.sum(axis=1), axis=0)
        verdicts = shown.set_index("reader_id")[["mad", "p_adjusted", "flagged"]]
        from auditkit.stats import charts  # matplotlib: loaded when drawn

        return charts.plot_last_digits(shares, verdicts, self.alpha, self.min_mad, lang)


def last_digit_test(
    bills: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    alpha: float = 0.05,
    min_reads: int = MIN_READS,
    min_mad: float = MIN_MAD,
) -> LastDigitTest:
    """Test the last whole digit of the registers read by hand for uniformity, per meter reader.

    Bills read by hand are those with a `reader_id` and `read_type` actual; the digit tested is the
    units digit of the register's whole part (decimals are left aside). A register whose whole part
    did not move is left out and counted (its digit is the previous read's).
    Readers with fewer than `min_reads` tested reads get a note instead of a test; a reader is
    flagged when the Holm-adjusted p-value is below `alpha` and the digit shares deviate from
    10 % by more than `min_mad` on average. With `customers`, each reader is placed in the
    district of most of the customers they read.
    """
    require_columns(bills, READ_COLUMNS, "bills")
    _check_level(alpha)
    _check_count("min_reads", min_reads)
    _check_level(min_mad, "min_mad")
    reader = bills["reader_id"].astype("string").str.strip().fillna("")
    by_hand = (reader != "").to_numpy() & (bills["read_type"].astype(str) == "actual").to_numpy()
    end = pd.to_numeric(bills["register_end"], errors="coerce").to_numpy(dtype=float)
    start = pd.to_numeric(bills["register_start"], errors="coerce").to_numpy(dtype=float)
    readable = by_hand & np.isfinite(end) & (end >= 0)
    # The digit tested is the units digit of the whole part: a register read with decimals that
    # moved by less than one unit (12.3 -> 12.8) repeats last month's digit, as an unmoved one.
    moved = readable & (np.floor(end) != np.floor(start))
    codes, readers = pd.factorize(reader[readable].to_numpy(dtype=object), sort=True)
    moved_of_readable = moved[readable]
    digits = (np.floor(end[readable]) % 10).astype(np.int64)
    size = len(readers)
    counts = np.bincount(
        codes[moved_of_readable] * 10 + digits[moved_of_readable], minlength=size * 10
    ).reshape(size, 10)
    reads = counts.sum(axis=1)
    unchanged = np.bincount(codes[~moved_of_readable], minlength=size)
    tested = reads >= min_reads
    expected = reads[:, None] / 10
    with np.errstate(invalid="ignore", divide="ignore"):
        chi2 = (((counts - expected) ** 2) / expected).sum(axis=1)
    chi2 = np.where(tested, chi2, np.nan)
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    p_value = np.where(tested, stats.chi2.sf(np.nan_to_num(chi2), 9), np.nan)
    p_adjusted = np.full(size, np.nan)
    if tested.any():
        p_adjusted[tested] = multipletests(p_value[tested], method="holm")[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        mad = np.abs(counts / reads[:, None] - 0.1).mean(axis=1)
    mad = np.where(tested, mad, np.nan)
    top = counts.argmax(axis=1)
    top_count = counts[np.arange(size), top]
    table = pd.DataFrame(
        {
            "reader_id": np.asarray(readers, dtype=object),
            "district": _reader_districts(bills[readable], codes, size, customers),
            "reads": reads,
            "unchanged": unchanged,
            "chi2": chi2,
            "p_value": p_value,
            "p_adjusted": p_adjusted,
            "mad": mad,
            "top_digit": np.where(reads > 0, top, np.nan),
            "top_share": np.where(reads > 0, top_count / np.maximum(reads, 1), np.nan),
            "flagged": tested & (p_adjusted < alpha) & (mad > min_mad),
            "note": np.where(tested, "", "too_few_reads"),
        }
    )
    notes = [] if size else [Note("no_manual_reads")]
    frame = pd.DataFrame(counts, index=pd.Index(readers, name="reader_id"), columns=range(10))
    return LastDigitTest(table, frame, alpha, min_reads, min_mad, notes)


def _reader_districts(
    read: pd.DataFrame, codes: np.ndarray, size: int, customers: pd.DataFrame | None
) -> np.ndarray:
    """The district of most of each reader's reads ("" without `customers`)."""
    if customers is None or not size:
        return np.full(size, "", dtype=object)
    require_columns(customers, ("customer_id", "district"), "customers")
    district = read["customer_id"].map(
        pd.Series(customers["district"].astype(str).to_numpy(), index=customers["customer_id"])
    )
    frame = pd.DataFrame({"reader": codes, "district": district.to_numpy()}).dropna()
    if frame.empty:
        return np.full(size, "", dtype=object)
    mode = frame.groupby("reader")["district"].agg(lambda values: values.value_counts().index[0])
    return mode.reindex(range(size)).fillna("").to_numpy(dtype=object)


# --------------------------------------------------------------------------------- formatting


def _group_name(group: str, lang: str) -> str:
    return i18n.text("common.all_districts", lang) if group == ALL else str(group)


def _status_text(status: str, minimum: int, lang: str) -> str:
    return i18n.text(f"digits.status.{status}", lang).format(minimum=minimum)


def _coded_or_blank(prefix: str, lang: str) -> tables.Formatter:
    coded = tables.coded(prefix, lang)
    return lambda code: coded(code) if isinstance(code, str) and code else ""


def _smallest_minimum(table: pd.DataFrame) -> int:
    return int(table["min_count"].min()) if len(table) else ADJUSTMENT_TESTS["first"]
