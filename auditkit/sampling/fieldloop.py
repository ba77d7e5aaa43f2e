"""The field loop for one district, as the sampling notebook and the CLI run it.

prepare() loads the district and builds the sampling frame (accounts by items, the bills of the
last months by values, optionally only rule-flagged or unflagged customers); the verbs plan,
select and evaluate do the statistics; simulate_field_sheet() fills a blank sheet from the
synthetic `truth` table so the loop can be shown end to end without inspectors.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from auditkit.errors import ParameterError
from auditkit.formulas import put_cell
from auditkit.sampling import text
from auditkit.sampling.checks import choice, positive_int
from auditkit.sampling.errors import FieldSheetError, SampleDataError
from auditkit.sampling.fieldsheet import (
    FIELD_SHEET,
    FieldResults,
    header_columns,
    read_field_sheet,
)
from auditkit.sampling.results import Selection

STRATA = ("all", "flagged", "unflagged")
STRATUM_NAMES = {
    "all": ("全部", "all"),
    "flagged": ("稽查规则命中的用户", "customers flagged by the audit rules"),
    "unflagged": ("稽查规则未命中的用户", "customers not flagged by the audit rules"),
}
ERROR_COLUMNS = {
    "sample_no": ("序号", "Sample no."),
    "customer_id": ("户号", "Customer"),
    "period": ("电费年月", "Billing period"),
    "book_value": ("账面金额（元）", "Book value (yuan)"),
    "audited_value": ("核实金额（元）", "Audited value (yuan)"),
    "difference": ("差额（元）", "Difference (yuan)"),
    "times": ("抽中次数", "Times selected"),
    "note": ("备注", "Note"),
}
ACCOUNT_COLUMNS = ("customer_id", "district", "usage_type", "tariff_category", "status")
SIMULATION_BANNER = {
    "zh": "> **⚠ 模拟演示：** 未提供核查人员填写的核查表，以下核查结果由合成数据的 `truth` 表模拟生成，"
    "仅用于演示抽样流程，不是真实的现场核查结论。",
    "en": "> **⚠ SIMULATION:** no filled field sheet was given; the inspection results below are "
    "simulated from the synthetic `truth` table to demonstrate the loop. They are not field results.",
}


@dataclass(frozen=True)
class FieldContext:
    """One district's sampling frame and the methods that fit its units."""

    district: str
    units: str
    stratum: str
    frame: pd.DataFrame
    dataset: object
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
    def direction(self) -> str:
        """Under-billing (lost revenue) is the misstatement a marketing audit looks for."""
        return "understatement"

    def describe(self, lang: str = "zh") -> pd.DataFrame:
        """The population as a two-column table."""
        rows = [
            (text.label("units", lang), text.pick(text.UNITS[self.units], lang)),
            (text.pick(("供电单位", "District"), lang), self.district),
            (text.pick(("范围", "Scope"), lang), text.pick(STRATUM_NAMES[self.stratum], lang)),
            (text.label("population_size", lang), f"{len(self.frame):,}"),
        ]
        if self.values is not None:
            rows.append(
                (text.label("population_value", lang), text.yuan(float(self.frame["amount"].sum())))
            )
            periods = self.frame["period"]
            rows.append(
                (
                    text.pick(("电费年月", "Billing periods"), lang),
                    f"{periods.min()} – {periods.max()}",
                )
            )
        table = pd.DataFrame(rows, columns=[text.label("item", lang), text.label("value", lang)])
        return table.set_index(text.label("item", lang))


def prepare(
    data_dir: str | os.PathLike[str] | None,
    district: str,
    units: str = "items",
    stratum: str = "all",
    months: int = 12,
) -> FieldContext:
    """Load the dataset (the demo when `data_dir` is empty) and build the district's sampling frame.

    By items the frame is the district's accounts; by values, its bills of the last `months`
    billing periods. `stratum` keeps only customers the audit rules flag ("flagged") or do not
    ("unflagged"); it runs the rule library on the district.
    """
    from auditkit.data import load

    units = choice("units", units, ("items", "values"))
    stratum = choice("stratum", stratum, STRATA)
    months = positive_int("months", months)
    if not data_dir:
        from auditkit.demo import demo_data_dir

        data_dir = demo_data_dir()
    dataset = load(data_dir).for_district(district)
    flagged = None
    if stratum != "all":
        from auditkit.rules import run

        flagged = set(run(dataset)["customer_id"].astype(str))
    frame = population_frame(dataset, units, months, flagged, stratum)
    last = (
        None if dataset.bills is None or dataset.bills.empty else str(dataset.bills["period"].max())
    )
    return FieldContext(district, units, stratum, frame, dataset, last)


def population_frame(
    dataset: object, units: str, months: int, flagged: set[str] | None, stratum: str
) -> pd.DataFrame:
    """Accounts (items) or recent bills (values) of a district dataset, with a `flagged` column."""
    if units == "items":
        customers = dataset.customers
        frame = customers[[c for c in ACCOUNT_COLUMNS if c in customers.columns]].copy()
    else:
        if dataset.bills is None or dataset.bills.empty:
            raise SampleDataError("bills: the dataset has no bills to sample by values")
        periods = sorted(dataset.bills["period"].astype(str).unique())[-months:]
        bills = dataset.bills[dataset.bills["period"].astype(str).isin(periods)]
        districts = dataset.customers.set_index("customer_id")["district"]
        frame = bills[["customer_id", "period", "amount"]].copy()
        frame.insert(1, "district", frame["customer_id"].map(districts).to_numpy())
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
    blank_sheet: str | os.PathLike[str], context: FieldContext, output: str | os.PathLike[str]
) -> Path:
    """Fill a blank field sheet as inspectors would, from the synthetic truth table (a SIMULATION).

    Accounts with any injected irregularity are marked erroneous; a bill's audited value is its
    amount plus its share of the irregularity's revenue effect. The inspection date is the first
    day after the last billing period, so the simulation is reproducible.
    """
    truth = getattr(context.dataset, "truth", None)
    if truth is None:
        raise SampleDataError(
            "truth: the dataset has no truth table, so inspections cannot be simulated"
        )
    target = Path(output)
    shutil.copyfile(blank_sheet, target)
    workbook = load_workbook(target)
    sheet = workbook[FIELD_SHEET]
    header_row, header = header_columns(sheet)
    date = (pd.Period(context.as_of, "M") + 1).to_timestamp().date() if context.as_of else None
    misstated = (
        bill_misstatements(truth, context.dataset.bills) if context.units == "values" else None
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
            note = f"模拟：少计 {extra:,.2f} 元" if extra else None
        else:
            found = customer in irregular
            note = "模拟：存在植入的异常" if found else None
        put_cell(sheet.cell(row, header["error_found"]), "是" if found else "否")
        put_cell(sheet.cell(row, header["note"]), note)
        if date is not None:
            sheet.cell(row, header["inspected_at"]).value = date
    workbook.save(target)
    return target


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


def error_table(results: FieldResults, lang: str = "zh") -> pd.DataFrame:
    """The inspected rows with an error, for the report (largest misstatement first), with
    column names in `lang`."""
    errors = results.sample[results.sample["error_found"]].copy()
    if "book_value" in errors.columns:
        errors["difference"] = errors["audited_value"] - errors["book_value"]
        errors = errors.sort_values("difference", key=np.abs, ascending=False)
    keep = [c for c in ERROR_COLUMNS if c in errors.columns]
    table = errors[keep].dropna(axis="columns", how="all")
    labels = {column: text.pick(pair, lang) for column, pair in ERROR_COLUMNS.items()}
    return table.rename(columns=labels).reset_index(drop=True)


def require_file(path: str) -> Path:
    """The returned field sheet's path, checked to exist."""
    if not Path(path).is_file():
        raise ParameterError("field_sheet", "the path of a filled field sheet (.xlsx)", path)
    return Path(path)
