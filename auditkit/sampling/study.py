"""The sampling study of one district, as `notebooks/sampling_plan.ipynb` shows it.

`build(dataset, district, ...)` takes a loaded Dataset: it builds the sampling frame (accounts by
items, the bills of the last months by values, optionally only rule-flagged or unflagged
customers), plans and selects the sample, writes the field sheet into the report's folder, reads
it back filled (or, without inspectors, fills a copy from the synthetic `truth` table: a
SIMULATION) and evaluates it. The returned `SamplingStudy` gives the headline, tables and figures.
"""

from __future__ import annotations

import html
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from openpyxl import load_workbook

from auditkit import formatting, i18n
from auditkit.atomic import write_bytes_atomic
from auditkit.checks import choice, positive_int
from auditkit.data import Dataset
from auditkit.errors import ParameterError
from auditkit.formulas import put_cell
from auditkit.options.sampling import STRATA, UNITS
from auditkit.periods import last_months
from auditkit.report.tables import file_link
from auditkit.sampling.errors import FieldSheetError, SampleDataError
from auditkit.sampling.fieldsheet import (
    FieldResults,
    field_worksheet,
    header_columns,
    read_field_sheet,
    write_field_sheet,
)
from auditkit.sampling.plan import plan, within_population
from auditkit.sampling.results import Evaluation, Plan, Selection, item_table
from auditkit.sampling.select import select
from auditkit.workbooks import stable_xlsx_bytes

SUBJECT_PREFIX = "sampling_plan"
ACCOUNT_COLUMNS = ("customer_id", "district", "usage_type", "tariff_category", "status")
TABLES = ("population", "plan", "selection", "results", "evaluation")
FIGURES = ("plan", "evaluation")
#: The simulated inspectors fill a sheet in its own language (Chinese unless the sheet is English):
#: its yes/no list accepts only that language's words, and the report quotes their notes.
INSPECTORS_LANG = "zh"


@dataclass(frozen=True)
class Population:
    """One district's sampling frame and the methods that fit its units."""

    district: str
    units: str
    stratum: str
    frame: pd.DataFrame
    dataset: Dataset
    as_of: str | None

    @property
    def values(self) -> str | None:
        """The column of book values (bills' amount) when sampling by values."""
        return "amount" if self.units == "values" else None

    @property
    def likelihood(self) -> str:
        """Binomial for an attribute test of accounts, Poisson for monetary units."""
        return "binomial" if self.units == "items" else "poisson"

    @property
    def evaluation_method(self) -> str:
        """Binomial on errors found for accounts, the Poisson Stringer bound for bills."""
        return "binomial" if self.units == "items" else "stringer.poisson"

    @property
    def period(self) -> str:
        """The billing periods sampled (by values), else the last billing period of the data."""
        if self.values is not None:
            periods = self.frame["period"].astype(str)
            return f"{periods.min()} – {periods.max()}"
        return self.as_of or ""

    def summary(self) -> dict[str, Any]:
        """The population's figures: units, scope, size and (by values) value."""
        value = float(self.frame["amount"].sum()) if self.values is not None else None
        return {
            "units": self.units,
            "district": self.district,
            "stratum": self.stratum,
            "population_size": len(self.frame),
            "population_value": value,
        }

    def explain(self, lang: str = "zh") -> str:
        """What is sampled, in one sentence."""
        figures = self.summary()
        return i18n.text(f"sampling.population.explain.{self.units}", lang).format(
            district=self.district,
            scope=i18n.text(f"sampling.stratum.{self.stratum}", lang),
            size=int(figures["population_size"]),
            value=formatting.money(figures["population_value"]),
            period=self.period,
        )

    def plot(self, lang: str = "zh") -> Figure:
        """The book values (by values) or the accounts by usage type (by items)."""
        from auditkit.sampling.charts import population_chart

        return population_chart(self, lang)

    def to_table(self, lang: str = "zh") -> pd.DataFrame:
        """The population as a two-column table."""
        rows = [
            ("units", i18n.text(f"sampling.units.{self.units}", lang)),
            ("common.district", self.district),
            ("scope", i18n.text(f"sampling.stratum.{self.stratum}", lang)),
            ("population_size", formatting.count(len(self.frame))),
        ]
        if self.values is not None:
            rows.append(("population_value", formatting.money(float(self.frame["amount"].sum()))))
            rows.append(("periods", self.period))
        return item_table(rows, lang)


def population(
    dataset: Dataset, district: str, units: str = "items", stratum: str = "all", months: int = 12
) -> Population:
    """The district's sampling frame: its accounts (items) or its bills of the last `months`
    billing periods (values); `stratum` keeps only customers the audit rules flag ("flagged")
    or do not ("unflagged"). The rules run on the whole utility and keep the district's
    findings (`rules.of_district`), as the district's report does: a meter shared with another
    district's account is a finding only a run that sees both districts makes."""
    units = choice("units", units, UNITS)
    stratum = choice("stratum", stratum, STRATA)
    months = positive_int("months", months)
    flagged = None
    if stratum != "all":
        from auditkit.rules import of_district, run

        flagged = set(of_district(run(dataset), district)["customer_id"].astype(str))
    dataset = dataset.for_district(district)
    frame = population_frame(dataset, units, months, flagged, stratum)
    bills = dataset.bills
    last = None if bills is None or bills.empty else str(bills["period"].max())
    return Population(district, units, stratum, frame, dataset, last)


def utility_frame(
    dataset: Dataset, units: str = "items", stratum: str = "all", months: int = 12
) -> pd.DataFrame:
    """The sampling frame of the whole utility, every district's accounts or recent bills (see
    `population_frame`): a utility-wide sample, stratified by district if asked (`select`'s
    strata="district"); `stratum` keeps the customers the rules flag or do not."""
    units = choice("units", units, UNITS)
    stratum = choice("stratum", stratum, STRATA)
    months = positive_int("months", months)
    flagged = None
    if stratum != "all":
        from auditkit.rules import run

        flagged = set(run(dataset)["customer_id"].astype(str))
    return population_frame(dataset, units, months, flagged, stratum)


def population_frame(
    dataset: Dataset, units: str, months: int, flagged: set[str] | None, stratum: str
) -> pd.DataFrame:
    """Accounts (items) or recent bills (values) of a district dataset, with a `flagged` column;
    in the order of customer_id (and period), whatever the order of the files' rows: positions
    are what `select` draws, so the same data and seed give the same sample."""
    if units == "items":
        customers = dataset.customers
        frame = customers[[c for c in ACCOUNT_COLUMNS if c in customers.columns]].copy()
        frame = frame.sort_values("customer_id", kind="stable")
    else:
        if dataset.bills is None or dataset.bills.empty:
            raise SampleDataError("bills: the dataset has no bills to sample by values")
        bills = last_months(dataset.bills, months)
        frame = bills[["customer_id", "period", "amount"]]
        # each bill with its account's columns, so bills stratify (--strata tariff_category)
        # and carry (--carry usage_type) as accounts do
        accounts = dataset.customers[[c for c in ACCOUNT_COLUMNS if c in dataset.customers]]
        frame = frame.merge(
            accounts.drop_duplicates("customer_id"), on="customer_id", how="left", sort=False
        )
        frame = frame[["customer_id", "district", "period", "amount", *accounts.columns[2:]]]
        frame = frame.sort_values(["customer_id", "period"], kind="stable")
    frame = frame.reset_index(drop=True)
    if flagged is not None:
        frame["flagged"] = frame["customer_id"].astype(str).isin(flagged)
        keep = frame["flagged"] if stratum == "flagged" else ~frame["flagged"]
        frame = frame[keep.to_numpy()].reset_index(drop=True)
    if frame.empty:
        raise SampleDataError(
            f"the {stratum} population of this district is empty: nothing to sample"
        )
    return frame


def subject_folder(district: str) -> str:
    """The name `auditkit.report.report_dir` gets for this report's own files."""
    return f"{SUBJECT_PREFIX}-{district}"


def sheet_name(units: str, seed: int) -> str:
    """The field sheet's file name: from parameters auditkit checked, never from the data."""
    return f"field_sheet_{units}_seed{int(seed)}.xlsx"


@dataclass(frozen=True)
class SamplingStudy:
    """plan -> select -> field sheet -> evaluate for one district (the `Study` shape)."""

    population: Population
    plan: Plan
    selection: Selection
    sheet: Path
    simulated: Path | None
    results: FieldResults
    evaluation: Evaluation

    table_names = TABLES
    figure_names = FIGURES

    def headline(self) -> dict[str, float]:
        """The figures the run index shows: sample size, sample items with an error, upper limit
        (%), and for monetary units the projected misstatement in yuan. Keys of their own: a
        sample's errors are not a district audit's findings, nor its projection revenue."""
        figures: dict[str, float] = {
            "sample_size": int(self.selection.n),
            "sample_errors": int(self.results.sample["error_found"].sum()),
            "upper_limit_pct": round(self.evaluation.upper * 100, 2),
        }
        projected = self.evaluation.projected_misstatement
        if projected is not None:
            figures["projected_misstatement"] = round(float(projected), 2)
        return figures

    def explain(self, lang: str = "zh") -> str:
        """The conclusion (markdown): the verdict, the sample, the projection, every caveat."""
        return self.evaluation.explain(lang)

    def table(self, name: str, lang: str = "zh") -> pd.DataFrame:
        """One of `table_names`, labelled in `lang` ('results': the rows with an error)."""
        name = choice("name", name, TABLES)
        part = {
            "population": self.population,
            "plan": self.plan,
            "selection": self.selection,
            "results": self.results,
            "evaluation": self.evaluation,
        }[name]
        return part.to_table(lang)

    def figure(self, name: str, lang: str = "zh") -> Figure:
        """One of `figure_names`, labelled in `lang`."""
        name = choice("name", name, FIGURES)
        return (self.plan if name == "plan" else self.evaluation).plot(lang)

    def money_columns(self, lang: str = "zh") -> list[str]:
        """The columns of the 'results' table (in `lang`) that hold yuan."""
        return self.results.money_columns(lang)

    def section_html(self, name: str, lang: str = "zh") -> str:
        """The explanatory paragraph of a section of the report (HTML); the plan's says when
        it was planned over the finite population of accounts, or is a census of them."""
        text = i18n.text(f"sampling.section.{name}.explain", lang)
        if name == "plan" and self.plan.likelihood != self.population.likelihood:
            key = "census" if self.plan.n == self.plan.population_size else "finite"
            text += " " + i18n.text(f"sampling.plan.{key}", lang).format(
                accounts=self.plan.population_size, likelihood=self.population.likelihood
            )
        return f"<p>{html.escape(text)}</p>"

    def notes_html(self, lang: str = "zh") -> str:
        """The selection's notes as a list (empty when none)."""
        notes = self.selection.notes
        items = "".join(f"<li>{html.escape(note.text(lang))}</li>" for note in notes)
        return f'<ul class="ak-notes">{items}</ul>' if notes else ""

    def field_sheet_html(self, lang: str = "zh") -> str:
        """Links to the field sheet (and the simulated filled copy), wherever the report is read
        (`auditkit.report.tables.file_link`)."""
        links = [("sampling.section.field_sheet", self.sheet)]
        if self.simulated is not None:
            links.append(("sampling.simulated_sheet", self.simulated))
        separator = i18n.text("sampling.separator", lang)
        items = "".join(
            f"<li>{html.escape(i18n.text(key, lang))}{separator}{file_link(path, path.name)}</li>"
            for key, path in links
        )
        return f"<ul>{items}</ul>"

    def simulation_html(self, lang: str = "zh") -> str:
        """The warning that the inspection results are simulated (when `simulated` is set)."""
        return f"<blockquote><p>{i18n.text('sampling.simulation', lang)}</p></blockquote>"

    def conclusion_html(self, lang: str = "zh") -> str:
        """`explain(lang)` as HTML for the report."""
        import mistune

        return mistune.create_markdown(escape=True)(self.explain(lang))


def build(
    dataset: Dataset,
    district: str,
    *,
    folder: str | os.PathLike[str],
    units: str = "values",
    method: str = "interval",
    materiality: float = 0.05,
    expected: float = 0.01,
    confidence: float = 0.95,
    seed: int = 0,
    stratum: str = "all",
    months: int = 12,
    field_sheet: str = "",
    lang: str = "zh",
) -> SamplingStudy:
    """Run the field loop for `district` of a loaded `dataset`; the field sheet and, without a
    returned `field_sheet`, its simulated filled copy are written into `folder`. `lang` is the
    field sheet's language (the inspectors read it); the study itself is worded when shown.

    A rerun writes the field sheet again over the blank one of the run before; a sheet filled
    in where it was written is kept as it is: given as `field_sheet` it is the one evaluated,
    else `write_field_sheet` refuses to write over it."""
    frame = population(dataset, district, units, stratum, months)
    planned = plan(materiality, expected, likelihood=frame.likelihood, confidence=confidence)
    if units == "items":  # accounts are drawn without replacement: at most all of them
        planned = within_population(planned, len(frame.frame))
    selection = select(
        frame.frame, planned.n, units=units, method=method, values=frame.values, seed=seed
    )
    sheet = Path(folder) / sheet_name(units, seed)
    returned = require_file(field_sheet) if field_sheet else None
    if returned is None or not (sheet.exists() and sheet.samefile(returned)):
        try:
            sheet = write_field_sheet(
                selection, sheet, lang=lang, plan=planned, districts=dataset.districts
            )
        except ParameterError as error:  # named as the notebook's parameter, not the writer's
            filled, marked, _ = str(error.found).partition(": evaluate it")
            if error.name != "path" or not marked:  # unreadable, or open in an office program:
                raise  # evaluating it is no way out, moving or closing it is, as the error says
            raise ParameterError(
                "field_sheet", f"{sheet} (filled in) given as field_sheet to evaluate it", filled
            ) from None
    simulated = None
    if returned is None:
        copy = sheet.with_name(sheet.stem + "_simulated.xlsx")
        returned = simulated = simulate_field_sheet(sheet, frame, copy, lang=lang)
    # simulated answers come from the truth table, not a keyboard: a large one is no slip
    results = read_returned_sheet(returned, selection, large_amounts=simulated is not None)
    evaluation = results.evaluate(
        materiality, method=planned_method(planned, frame), confidence=confidence
    )
    return SamplingStudy(frame, planned, selection, sheet, simulated, results, evaluation)


def planned_method(planned: Plan, population: Population) -> str:
    """How the study evaluates its sample: the population's method (`evaluation_method`), or
    the hypergeometric of a plan over the finite population of accounts (`within_population`),
    as the field sheet records it."""
    if population.units == "items" and planned.likelihood == "hypergeometric":
        return "hypergeometric"
    return population.evaluation_method


def bill_misstatements(truth: pd.DataFrame, bills: pd.DataFrame) -> pd.Series:
    """Simulated under-billing per (customer_id, period) from the synthetic truth table.

    Each irregularity's revenue effect (yuan over the data window) is spread evenly over the
    customer's bills from its first period on: a simulation, not a field result.
    """
    effects = truth[truth["revenue_effect"] > 0][["customer_id", "from_period", "revenue_effect"]]
    keys = bills[["customer_id", "period"]].astype({"customer_id": str, "period": str})
    merged = keys.merge(effects.astype({"customer_id": str, "from_period": str}), on="customer_id")
    merged = merged[merged["period"] >= merged["from_period"]]
    if merged.empty:
        return pd.Series(dtype=float)
    counts = merged.groupby(["customer_id", "from_period", "revenue_effect"])["period"].transform(
        "size"
    )
    merged = merged.assign(share=merged["revenue_effect"] / counts)
    return merged.groupby(["customer_id", "period"])["share"].sum()


def simulate_field_sheet(
    blank_sheet: str | os.PathLike[str],
    population: Population,
    output: str | os.PathLike[str],
    lang: str = INSPECTORS_LANG,
) -> Path:
    """Fill a blank field sheet as inspectors would, from the synthetic truth table (a SIMULATION),
    in `lang`, the sheet's language (its yes/no answers and notes).

    Accounts with any injected irregularity are marked erroneous; a bill's audited value is its
    amount plus its share of the irregularity's revenue effect. The inspection date is the first
    day after the last billing period, so the simulation is reproducible.
    """
    truth = getattr(population.dataset, "truth", None)
    if truth is None:
        raise SampleDataError(
            "truth: the dataset has no truth table, so inspections cannot be simulated"
        )
    target = Path(output)
    shutil.copyfile(blank_sheet, target)
    workbook = load_workbook(target)
    sheet = field_worksheet(workbook, target.name)
    header_row, header = header_columns(sheet)
    date = (
        (pd.Period(population.as_of, "M") + 1).to_timestamp().date() if population.as_of else None
    )
    misstated = (
        bill_misstatements(truth, population.dataset.bills)
        if population.units == "values"
        else None
    )
    irregular = set(truth["customer_id"].astype(str))
    for row in range(header_row + 1, sheet.max_row + 1):
        customer = str(sheet.cell(row, header["customer_id"]).value)
        if misstated is not None:
            book = float(sheet.cell(row, header["book_value"]).value)
            period = str(sheet.cell(row, header["period"]).value)
            extra = round(float(misstated.get((customer, period), 0.0)), 2)
            sheet.cell(row, header["audited_value"]).value = round(book + extra, 2)
            found = extra != 0
            note = (
                _inspector_note("under_billed", lang, amount=formatting.money(extra))
                if extra
                else None
            )
        else:
            found = customer in irregular
            note = _inspector_note("irregular", lang) if found else None
        flag = i18n.text("common.yes" if found else "common.no", lang)
        put_cell(sheet.cell(row, header["error_found"]), flag)
        put_cell(sheet.cell(row, header["note"]), note)
        if date is not None:
            sheet.cell(row, header["inspected_at"]).value = date
    return write_bytes_atomic(target, stable_xlsx_bytes(workbook))  # same answers, same bytes


def _inspector_note(code: str, lang: str, **figures: str) -> str:
    """A simulated inspector's note, in the sheet's language."""
    return i18n.text(f"sampling.simulated.{code}", lang).format(**figures)


def read_returned_sheet(
    path: str | os.PathLike[str], selection: Selection, **options: object
) -> FieldResults:
    """Read a filled sheet and check it belongs to `selection` (same rows, same order of draw)."""
    results = read_field_sheet(path, **options)
    drawn = selection.sample["customer_id"].astype(str).tolist()
    returned = results.sample["customer_id"].astype(str).tolist()
    if drawn != returned:
        first = next(
            (i for i, (a, b) in enumerate(zip(drawn, returned, strict=False)) if a != b),
            min(len(drawn), len(returned)),
        )
        raise FieldSheetError(
            f"field sheet {Path(path).name!r}: its rows are not this selection's (sample_no {first + 1}: "
            f"selected {drawn[first] if first < len(drawn) else None!r}, sheet has "
            f"{returned[first] if first < len(returned) else None!r}); check seed and parameters"
        )
    return results


def require_file(path: str) -> Path:
    """The returned field sheet's path, checked to exist."""
    if not Path(path).is_file():
        raise ParameterError("field_sheet", "the path of a filled field sheet (.xlsx)", path)
    return Path(path)
