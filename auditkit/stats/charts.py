"""Charts of the consumption statistics, labelled in Chinese or English (`lang`).

Each function returns a matplotlib Figure that is not registered with pyplot, so a notebook shows
it once (as the cell's value) and a script saves it with `figure.savefig`. Each sets up the CJK
font itself (`auditkit.plots.use_cjk_font`), as the audit and sampling charts do, so Chinese labels
render whoever calls it.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ParamSpec

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import dates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from auditkit import formatting, i18n
from auditkit.plots import PercentTicks, group_thousands, use_cjk_font

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from auditkit.stats.benford import BenfordResult
    from auditkit.stats.daily import DailyProfile
    from auditkit.stats.funnel import FunnelResult
    from auditkit.stats.seasonal import Decomposition

_Args = ParamSpec("_Args")


def _plain_text(plot: Callable[_Args, Figure]) -> Callable[_Args, Figure]:
    """`plot` drawn with the CJK font and every text of its figure as written, never parsed as
    mathtext: district names, customer, reader and unit ids are data, and one holding `$...$`
    would otherwise be typeset or fail the figure when it is drawn."""

    @functools.wraps(plot)
    def without_math(*args: _Args.args, **kwargs: _Args.kwargs) -> Figure:
        use_cjk_font()
        with matplotlib.rc_context({"text.parse_math": False}):
            figure = plot(*args, **kwargs)
        for text in figure.findobj(Text):
            text.set_parse_math(False)
        return figure

    return without_math


#: Title characters per inch of figure width: a Chinese character is two Latin letters wide.
TITLE_CHARACTERS_PER_INCH = {"zh": 5, "en": 10}


def _wrapped(title: str, inches: float, lang: str) -> str:
    """`title` broken into lines that fit a figure `inches` wide. Wrapped here, not by
    matplotlib (`wrap=True`), whose measuring parses `$...$` as mathtext whatever `parse_math`
    says: a district named `$x$ $$y$$` failed the whole report."""
    return textwrap.fill(title, int(inches * TITLE_CHARACTERS_PER_INCH[lang]))


#: Monthly summary columns drawn by `plot_monthly`, by their wording.
MONTHLY_LABELS = {
    "kwh": "stats.chart.kwh",
    "revenue": "stats.chart.revenue",
    "avg_price": "stats.column.avg_price",
    "estimated_share": "stats.chart.estimated_share",
    "zero_share": "stats.chart.zero_share",
    "line_loss": "stats.chart.line_loss",
    "kwh_yoy": "stats.chart.kwh_yoy",
    "customers": "stats.chart.customers",
}
SHARE_COLUMNS = {"estimated_share", "zero_share", "line_loss", "kwh_yoy"}


@_plain_text
def plot_monthly(monthly: pd.DataFrame, column: str = "kwh", lang: str = "zh") -> Figure:
    """One line per district of a monthly summary column (gaps stay gaps)."""
    label = i18n.text(MONTHLY_LABELS[column], lang) if column in MONTHLY_LABELS else column
    figure = Figure(figsize=(10, 4), layout="constrained")
    axes = figure.subplots()
    for district, rows in monthly.groupby("district", sort=True):
        axes.plot(rows["period"], rows[column], marker=".", label=str(district))
    axes.set_ylabel(label)
    axes.set_title(i18n.text("stats.chart.monthly_title", lang).format(label=label))
    _thin_period_ticks(axes, monthly["period"].drop_duplicates().tolist())
    if column in SHARE_COLUMNS:
        axes.yaxis.set_major_formatter(PercentTicks())
    else:
        group_thousands(axes, "y")
    if not (monthly[column].dropna() < 0).any():
        axes.set_ylim(bottom=0)  # from zero: a fall of 5 % does not look like one of half
    axes.legend(ncol=3, fontsize="small")
    axes.grid(alpha=0.3)
    return figure


@_plain_text
def plot_decomposition(decomposition: Decomposition, lang: str = "zh", unit: str = "") -> Figure:
    """Observed series, trend, seasonal and residual panels; flagged months in red. `unit` (a
    key of `stats.unit.`, such as "kwh") names the unit of the series on every panel's axis."""
    frame = decomposition.frame
    figure = Figure(figsize=(10, 7), layout="constrained")
    axes = figure.subplots(4, 1, sharex=True)
    with_unit = i18n.text("stats.chart.with_unit", lang)
    panels = [
        (
            column,
            with_unit.format(
                label=i18n.text(f"stats.chart.{column}", lang),
                unit=i18n.text(f"stats.unit.{unit}", lang),
            )
            if unit
            else i18n.text(f"stats.chart.{column}", lang),
        )
        for column in ("observed", "trend", "seasonal", "resid")
    ]
    positions = np.arange(len(frame))
    for ax, (column, label) in zip(axes, panels, strict=True):
        if column == "resid":
            ax.bar(positions, frame[column], color="grey")
            ax.axhline(0, color="black", linewidth=0.8)
        else:
            ax.plot(positions, frame[column], marker="." if column == "observed" else None)
        if column == "observed" and (frame[column] >= 0).all():
            ax.set_ylim(bottom=0)  # from zero, as every chart of amounts: a dip keeps its size
        ax.set_ylabel(label)
        group_thousands(ax, "y")
        ax.grid(alpha=0.3)
    flagged = frame["outlier"].to_numpy()
    for ax, column in ((axes[0], "observed"), (axes[3], "resid")):
        ax.scatter(
            positions[flagged],
            frame.loc[flagged, column],
            color="red",
            zorder=3,
            label=i18n.text("stats.chart.outlier", lang),
        )
    if flagged.any():
        axes[0].legend(fontsize="small")
    _thin_period_ticks(axes[3], frame["period"].tolist(), positions)
    figure.suptitle(i18n.text("stats.chart.decomposition", lang).format(name=decomposition.name))
    return figure


@_plain_text
def plot_customer_series(
    bills: pd.DataFrame,
    customer_ids: Sequence[str],
    titles: Sequence[str] | None = None,
    lang: str = "zh",
    columns: int = 2,
    recent: int = 0,
) -> Figure:
    """Small multiples of the monthly kWh of `customer_ids`, this year against the year before.

    Each panel draws the whole history, with the last 12 months bold and red, so a drop against
    the same months a year earlier stands out; with `recent`, the last `recent` months of the
    bills (those an anomaly score compares) are dots and the same months a year before rings. A
    legend above the panels says which is which.
    """
    count = max(len(customer_ids), 1)
    rows = int(np.ceil(count / columns))
    figure = Figure(figsize=(5 * columns, 0.5 + 2.4 * rows), layout="constrained")
    separator = i18n.text("common.list_separator", lang)
    figure.set_label(  # its alt text
        i18n.text("stats.chart.customer_series", lang).format(
            customers=separator.join(map(str, customer_ids))
        )
    )
    axes = np.atleast_1d(figure.subplots(rows, columns, squeeze=False)).ravel()
    selected = bills[bills["customer_id"].isin(customer_ids)]
    scored, year_before = _scored_months(bills, recent)
    for index, (ax, customer_id) in enumerate(zip(axes, customer_ids, strict=False)):
        series = selected[selected["customer_id"] == customer_id].sort_values("period")
        ax.plot(series["period"], series["kwh_billed"], color="grey", marker=".", linewidth=1)
        last = series.tail(12)
        ax.plot(last["period"], last["kwh_billed"], color="tab:red", linewidth=2)
        periods = series["period"].astype(str)
        now, before = series[periods.isin(scored)], series[periods.isin(year_before)]
        ax.scatter(now["period"], now["kwh_billed"], color="black", s=18, zorder=3)
        ax.scatter(
            before["period"],
            before["kwh_billed"],
            facecolors="none",
            edgecolors="black",
            s=30,
            zorder=3,
        )
        ax.set_title(titles[index] if titles else str(customer_id), fontsize="medium")
        ax.set_ylabel(i18n.text("common.kwh", lang))
        group_thousands(ax, "y")
        _thin_period_ticks(ax, series["period"].tolist(), every=12)
        ax.grid(alpha=0.3)
    for ax in axes[len(customer_ids) :]:
        ax.set_visible(False)
    handles = [
        Line2D([], [], color="grey", marker=".", linewidth=1),
        Line2D([], [], color="tab:red", linewidth=2),
    ]
    labels = [i18n.text(f"stats.chart.{key}", lang) for key in ("monthly_kwh", "last_12")]
    if recent:
        handles += [
            Line2D([], [], color="black", marker="o", markersize=4, linestyle=""),
            Line2D(
                [], [], markeredgecolor="black", markerfacecolor="none", marker="o", linestyle=""
            ),
        ]
        labels += [
            i18n.text("stats.chart.scored_months", lang).format(months=recent),
            i18n.text("stats.chart.scored_year_before", lang),
        ]
    figure.legend(handles, labels, loc="outside upper center", ncols=len(handles))
    return figure


def _scored_months(bills: pd.DataFrame, recent: int) -> tuple[set[str], set[str]]:
    """The last `recent` months of `bills` ('YYYY-MM') and the same months a year before."""
    if not recent or bills.empty:
        return set(), set()
    last = pd.Period(str(bills["period"].max()), freq="M")
    months = pd.period_range(end=last, periods=recent, freq="M")
    return set(months.strftime("%Y-%m")), set((months - 12).strftime("%Y-%m"))


@_plain_text
def plot_level_changes(
    series: pd.DataFrame,
    changes: pd.DataFrame,
    titles: Sequence[str],
    lang: str = i18n.DEFAULT_LANG,
    columns: int = 2,
    day_shapes: pd.DataFrame | None = None,
) -> Figure:
    """Small multiples, one panel per row of `changes` (customer_id, change: first day at the
    new level, level_before, level_after in kWh a day, daily: whether the steps are days): the
    customer's kWh a day from `series` (customer_id, start, kwh_per_day, year_before), the same
    steps a year before in a lighter line, the change marked and the levels before and after
    drawn as flat lines over the year before it and the steps from it. A customer in
    `day_shapes` (customer_id, hour, before, after, year_before: mean kWh in each hour of its
    weekdays) changed the shape of its days: its panel draws those hours instead
    (`_draw_day_shape`), with its own legend."""
    count = max(len(changes), 1)
    rows = int(np.ceil(count / columns))
    figure = Figure(figsize=(5 * columns, 0.5 + 2.5 * rows), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns, squeeze=False)).ravel()
    labels = {
        key: i18n.text(f"theft.chart.{key}", lang)
        for key in ("this_period", "year_before", "levels", "change")
    }
    shaped = set() if day_shapes is None else set(day_shapes["customer_id"])
    for ax, change, title in zip(axes, changes.itertuples(index=False), titles, strict=False):
        if change.customer_id in shaped:
            hours = day_shapes[day_shapes["customer_id"] == change.customer_id]
            _draw_day_shape(ax, hours, lang)
            ax.set_title(title, fontsize="medium")
            continue
        steps = series[series["customer_id"] == change.customer_id]
        thin = {"linewidth": 0.8} if change.daily else {"linewidth": 1.2, "marker": "."}
        ax.plot(
            steps["start"],
            steps["kwh_per_day"],
            color="tab:blue",
            label=labels["this_period"],
            zorder=3,
            **thin,
        )
        ax.plot(
            steps["start"], steps["year_before"], color="0.75", label=labels["year_before"], **thin
        )
        end = steps["start"].max() + (
            pd.Timedelta(days=1) if change.daily else pd.offsets.MonthBegin(1)
        )
        ax.hlines(
            [change.level_before, change.level_after],
            [steps["start"].min(), change.change],
            [change.change, end],
            colors="black",
            linewidth=2,
            label=labels["levels"],
            zorder=4,
        )
        ax.axvline(
            change.change, color="tab:red", linestyle="--", linewidth=1, label=labels["change"]
        )
        ax.set_title(title, fontsize="medium")
        ax.set_ylabel(i18n.text("theft.chart.kwh_per_day", lang))
        ax.set_ylim(bottom=0)
        group_thousands(ax, "y")
        months = (end - steps["start"].min()).days / 30.4
        every = next((step for step in (1, 2, 3, 6) if months / step <= 5), 12)
        ax.xaxis.set_major_locator(dates.MonthLocator(bymonth=range(1, 13, every)))
        ax.xaxis.set_major_formatter(dates.DateFormatter("%Y-%m"))
        ax.tick_params(axis="x", labelsize="small")
        ax.grid(alpha=0.3)
    for ax in axes[len(changes) :]:
        ax.set_visible(False)
    drawn = zip(axes, changes["customer_id"], strict=False)
    levels = [ax for ax, customer in drawn if customer not in shaped]
    if levels:
        figure.legend(*levels[0].get_legend_handles_labels(), loc="outside upper center", ncols=4)
    return figure


def _draw_day_shape(ax: Axes, hours: pd.DataFrame, lang: str) -> None:
    """A customer's mean kWh in each clock hour of its weekdays: from the change on (strong),
    in the weeks before it (dashed) and on the same days a year before (light, broad: the
    others show on it where they match), with room above for the legend."""
    styles = {
        "year_before": ("days_year_before", {"color": "0.6", "linewidth": 2.4}),
        "before": ("weeks_before", {"color": "tab:blue", "linestyle": "--", "linewidth": 1.2}),
        "after": ("from_change", {"color": "tab:red", "linewidth": 1.8}),
    }
    for column, (key, style) in styles.items():
        ax.plot(
            hours["hour"],
            hours[column],
            marker=".",
            label=i18n.text(f"theft.chart.{key}", lang),
            **style,
        )
    ax.set_xlabel(i18n.text("theft.chart.hour", lang))
    ax.set_ylabel(i18n.text("theft.chart.kwh_per_hour", lang))
    ax.set_xticks(range(0, 24, 3))
    ax.set_xlim(-0.5, 23.5)
    drawn = hours[list(styles)].to_numpy(dtype=float)
    highest = drawn[np.isfinite(drawn)].max(initial=0.0)
    ax.set_ylim(0, 1.4 * highest if highest > 0 else 1.0)
    ax.legend(fontsize="x-small", loc="best", framealpha=0.8)
    ax.grid(alpha=0.3)


#: Bar colours of a Benford chart: a digit's observed share, and one significantly off.
BENFORD_OBSERVED, BENFORD_OFF = "tab:blue", "tab:red"


def benford_legend(lang: str, marker: str | None = ".") -> tuple[list, list[str]]:
    """The handles and labels of every Benford chart's legend, whichever colours it drew: the
    expected line, the observed share (blue) and the observed share significantly off (red)."""
    handles = [
        Line2D([], [], color="black", marker=marker),
        Patch(color=BENFORD_OBSERVED, alpha=0.7),
        Patch(color=BENFORD_OFF, alpha=0.7),
    ]
    keys = (
        "stats.chart.benford_expected",
        "stats.column.observed_share",
        "stats.chart.benford_off",
    )
    return handles, [i18n.text(key, lang) for key in keys]


@_plain_text
def plot_benford(result: BenfordResult, title: str = "", lang: str = "zh") -> Figure:
    """Observed digit proportions (bars) against Benford's expectation (line)."""
    table = result.table
    inches = 10 if result.test == "first_two" else 6
    figure = Figure(figsize=(inches, 3.6), layout="constrained")
    axes = figure.subplots()
    digits = table.index.to_numpy()
    standouts = set(result.standouts().index)
    colours = [BENFORD_OFF if digit in standouts else BENFORD_OBSERVED for digit in digits]
    axes.bar(digits, table["observed"], color=colours, alpha=0.7)
    marker = "." if len(digits) < 20 else None
    axes.plot(digits, table["expected"], color="black", marker=marker)
    axes.set_xlabel(i18n.text(f"stats.chart.benford_digit_{result.test}", lang))
    axes.yaxis.set_major_formatter(PercentTicks())
    title = title or i18n.text("stats.chart.benford_title", lang).format(mad=result.mad)
    axes.set_title(_wrapped(title, inches, lang))
    axes.legend(*benford_legend(lang, marker), fontsize="small")
    axes.grid(alpha=0.3, axis="y")
    return figure


@_plain_text
def plot_funnel(
    result: FunnelResult, rate_label: str = "", title: str = "", lang: str = "zh"
) -> Figure:
    """Funnel plot: each unit's rate against its volume, the target and the limits; units outside
    the widest limits are labelled."""
    figure = Figure(figsize=(8, 5), layout="constrained")
    axes = figure.subplots()
    curve = result.curve()
    styles = {result.levels[0]: "--", result.levels[-1]: "-"}
    for level in result.levels:
        suffix = result.level_label(level)
        for side in ("lower", "upper"):
            axes.plot(
                curve["volume"],
                curve[f"{side}_{suffix}"],
                color="grey",
                linestyle=styles.get(level, ":"),
                label=i18n.text("stats.column.limits", lang).format(level=result.level_text(level))
                if side == "lower"
                else None,
            )
    axes.axhline(
        result.target,
        color="black",
        linewidth=1,
        label=i18n.text("stats.chart.target", lang).format(
            target=formatting.percent(result.target)
        ),
    )
    rated = result.table[result.table["volume"] > 0]
    outside = rated["status"] != "within"
    axes.scatter(
        rated.loc[~outside, "volume"], rated.loc[~outside, "rate"], color="tab:blue", zorder=3
    )
    axes.scatter(
        rated.loc[outside, "volume"], rated.loc[outside, "rate"], color="tab:red", zorder=3
    )
    for row in rated.itertuples():
        axes.annotate(
            str(row.unit),
            (row.volume, row.rate),
            textcoords="offset points",
            xytext=(4, 4),
            fontsize="small",
            color="tab:red" if row.status != "within" else "black",
        )
    axes.set_xlabel(i18n.text("stats.column.volume", lang))
    axes.set_ylabel(rate_label or i18n.text("stats.column.rate", lang))
    axes.yaxis.set_major_formatter(PercentTicks())
    group_thousands(axes, "x")  # volumes are counts: 20,000
    widest = result.level_label(result.levels[-1])
    top = max(float(rated["rate"].max()), float(curve[f"upper_{widest}"].iloc[0]))
    bottom = min(float(rated["rate"].min()), float(curve[f"lower_{widest}"].iloc[0]))
    margin = 0.1 * (top - bottom) if top > bottom else 0.05
    axes.set_ylim(max(0.0, bottom - margin), min(1.0, top + margin))
    axes.set_title(title or i18n.text("stats.chart.funnel", lang))
    axes.legend(fontsize="small")
    axes.grid(alpha=0.3)
    return figure


@_plain_text
def plot_daily(profile: DailyProfile, lang: str = i18n.DEFAULT_LANG) -> Figure:
    """kWh per customer and day, one line per district, with its 7-day mean."""
    figure = Figure(figsize=(10, 4), layout="constrained")
    axes = figure.subplots()
    for district, rows in profile.by_day.groupby("district", sort=True):
        line = axes.plot(rows["date"], rows["kwh_per_customer"], linewidth=0.6, alpha=0.4)[0]
        weekly = rows["kwh_per_customer"].rolling(7, min_periods=1, center=True).mean()
        axes.plot(rows["date"], weekly, color=line.get_color(), label=str(district))
    axes.set_ylabel(i18n.text("stats.chart.daily_axis", lang))
    axes.set_title(i18n.text("stats.chart.daily_title", lang))
    axes.legend(ncol=3, fontsize="small")
    axes.grid(alpha=0.3)
    return figure


#: Deviation of a digit's share from 10 % at which the last-digit heat map's colour is full
#: (or the largest deviation shown, if larger): an honest reader of 300 reads is about 1.7 points
#: off per digit by chance (the share's sd, sqrt(0.09 / 300)) and stays pale; one who writes a
#: third of his reads rounded to 5 units is about 10 points over on 0 and 5.
DIGIT_SHARE_SCALE = 0.05


@_plain_text
def plot_last_digits(
    shares: pd.DataFrame,
    verdicts: pd.DataFrame,
    alpha: float,
    min_mad: float,
    lang: str = i18n.DEFAULT_LANG,
) -> Figure:
    """Last-digit test per meter reader, one row each. Left: each digit's share minus 10 %
    (orange more, purple fewer: which digits, never the verdict). Right: the verdict's two
    figures, the mean deviation from 10 % (bar, dashed line at `min_mad`) and the Holm-adjusted
    p written beside it. Red is the verdict alone: the bars and names of the readers `flagged`
    (adjusted p below `alpha` and deviation above `min_mad`); `verdicts` has mad, p_adjusted and
    flagged per reader of `shares`."""
    verdicts = verdicts.reindex(shares.index)
    flagged = verdicts["flagged"].fillna(False).to_numpy(dtype=bool)
    figure = Figure(figsize=(9.5, 2.2 + 0.32 * max(len(shares), 1)), layout="constrained")
    heat, bars = figure.subplots(1, 2, sharey=True, width_ratios=(3, 1.4))
    deviations = shares.to_numpy(dtype=float) - 0.1
    largest = float(np.nanmax(np.abs(deviations))) if deviations.size else 0.0
    spread = max(largest, DIGIT_SHARE_SCALE)
    image = heat.imshow(deviations, cmap="PuOr_r", vmin=-spread, vmax=spread, aspect="auto")
    heat.set_xticks(range(shares.shape[1]), [str(digit) for digit in shares.columns])
    heat.set_yticks(range(len(shares)), [str(reader) for reader in shares.index])
    for label, red in zip(heat.get_yticklabels(), flagged, strict=True):
        if red:
            label.set_color("tab:red")
    heat.set_xlabel(i18n.text("digits.chart.last_digit", lang))
    heat.set_title(i18n.text("digits.chart.shares_title", lang), fontsize="medium")
    bar = figure.colorbar(image, ax=heat, location="bottom", shrink=0.6, aspect=30)
    bar.set_label(i18n.text("digits.chart.share_minus_uniform", lang))
    bar.ax.xaxis.set_major_formatter(PercentTicks())

    deviation = verdicts["mad"].to_numpy(dtype=float)
    positions = np.arange(len(shares))
    bars.barh(positions, deviation, color=np.where(flagged, "tab:red", "tab:gray"), height=0.6)
    bars.axvline(min_mad, color="tab:red", linestyle="--", linewidth=0.8)
    for position, value, p_adjusted in zip(
        positions, deviation, verdicts["p_adjusted"], strict=True
    ):
        bars.annotate(
            formatting.p_clause(p_adjusted),
            (value, position),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize="x-small",
        )
    bars.set_xlim(0, 1.8 * max(float(np.nanmax(deviation, initial=0.0)), min_mad))
    bars.xaxis.set_major_formatter(PercentTicks())
    mad = formatting.percent(min_mad, 0)
    bars.set_xlabel(i18n.text("digits.chart.mean_deviation", lang).format(min_mad=mad))
    bars.set_title(i18n.text("digits.chart.verdict_title", lang), fontsize="medium")
    bars.tick_params(axis="y", left=False)
    figure.suptitle(i18n.text("digits.chart.readers_title", lang).format(alpha=alpha, min_mad=mad))
    return figure


@_plain_text
def plot_loss_rates(
    rates: dict[str, np.ndarray], high_loss_rate: float, title: str, lang: str = i18n.DEFAULT_LANG
) -> Figure:
    """Histogram of the line-loss rates of each level (area, feeder) with the reasonable band
    [0, `high_loss_rate`] shaded; rates are clipped to [-20 %, 40 %] so outliers stay visible."""
    figure = Figure(figsize=(8, 3.8), layout="constrained")
    axes = figure.subplots()
    bins = np.linspace(-0.2, 0.4, 61)
    axes.axvspan(0, high_loss_rate, color="tab:green", alpha=0.08)
    for level, values in rates.items():
        if len(values):
            axes.hist(
                np.clip(values, bins[0], bins[-1]),
                bins=bins,
                alpha=0.6,
                label=i18n.text(f"network.level.{level}", lang),
            )
    axes.axvline(0, color="black", linewidth=0.8)
    axes.axvline(high_loss_rate, color="tab:red", linestyle="--", linewidth=0.8)
    axes.xaxis.set_major_formatter(PercentTicks())
    axes.set_xlabel(i18n.text("network.chart.loss_rate", lang))
    axes.set_ylabel(i18n.text("network.column.unit_months", lang))
    axes.set_title(title)
    axes.legend(fontsize="small")
    axes.grid(alpha=0.3, axis="y")
    return figure


def _thin_period_ticks(
    axes, periods: list[str], positions: np.ndarray | None = None, every: int = 6
) -> None:
    """Label every `every`-th period so 36 months stay legible."""
    positions = np.arange(len(periods)) if positions is None else positions
    shown = positions[::every] if len(periods) > every else positions
    axes.set_xticks(shown, [periods[int(i)] for i in shown], rotation=45, fontsize="small")
