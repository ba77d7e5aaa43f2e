"""The field sheet: the selection written to .xlsx for inspectors, and read back as inspections.

The workbook has the sheet inspectors fill in (a statement of what is evaluated, the header, then
one row per selected row: identifying columns, book value, times, then empty inspected_at,
audited_value, error_found, note; see `fieldformat` for protection, validation and printing), an
instructions sheet, and two hidden sheets that record the selection (how it was drawn, the
direction evaluated, and its rows) so a returned sheet can be checked on its own. Every problem
of a returned sheet is reported, one line each naming the file, sheet, row and column, what was
expected and what was found. Every data cell is written as text or a number, never a formula.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from auditkit import __version__, formatting, i18n
from auditkit.atomic import write_bytes_atomic
from auditkit.billing.money import round_half_up
from auditkit.checks import choice
from auditkit.data.column_typing import refused_text, shown_cell
from auditkit.data.schema import LARGEST_NUMBER, LARGEST_SHOWN
from auditkit.errors import ParameterError, require_type, shown
from auditkit.formulas import put_cell
from auditkit.options.sampling import (
    AUDIT_KINDS,
    ESTIMATORS,
    LIKELIHOODS,
    STRINGER_METHODS,
    VARIABLES_METHODS,
)
from auditkit.periods import after_today, today
from auditkit.sampling.errors import FieldSheetError, SampleDataError
from auditkit.sampling.evaluate import (
    CERTAIN_ABOVE_INTERVAL,
    DEFAULT_DIRECTION,
    DIRECTIONS,
    DISTRIBUTION_METHODS,
    evaluate,
)
from auditkit.sampling.fieldformat import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    NOTE_LENGTH,
    STATEMENT_ROW,
    flag_choices,
    format_field_sheet,
)
from auditkit.sampling.notes import method_name
from auditkit.sampling.personal import masked_values, personal_columns
from auditkit.sampling.results import Evaluation, Plan, Selection
from auditkit.sheet_dates import sheet_day
from auditkit.sheets import SheetProblems
from auditkit.workbooks import (
    ReturnedSheets,
    open_returned_workbook,
    refuse_if_open,
    stable_xlsx_bytes,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from openpyxl.worksheet.worksheet import Worksheet

#: The tabs the inspectors see, in English: a sheet in another language names them in its own
#: (`tab`); sheets written before the tabs were worded name them so in every language.
FIELD_SHEET = "field_sheet"
INSTRUCTIONS = "instructions"
META_SHEET = "auditkit_selection"
ROWS_SHEET = "auditkit_rows"


def tab(name: str, lang: str) -> str:
    """The title of the visible tab `name` (FIELD_SHEET, INSTRUCTIONS) in `lang` (the
    instructions tab worded as every workbook's)."""
    key = "common.tab.instructions" if name == INSTRUCTIONS else f"sampling.sheet.tab.{name}"
    return i18n.text(key, lang)


#: The field sheet's tab in each language a sheet is written in (FIELD_SHEET among them, the
#: name of an English sheet and of any sheet written before the tabs were worded).
FIELD_SHEET_TITLES = tuple(
    dict.fromkeys([FIELD_SHEET, *(tab(FIELD_SHEET, lang) for lang in i18n.LANGS)])
)


@dataclass(frozen=True)
class FieldSheetTabs(ReturnedSheets):
    """The sheets a returned field sheet holds, its field sheet by its tab in any language
    (FIELD_SHEET_TITLES): the first of `needed` stands for whichever the workbook holds."""

    def refused(self, names: Sequence[str]) -> tuple[str, str] | None:
        """ReturnedSheets.refused, the field sheet's tab being the one `names` holds."""
        title = next((title for title in FIELD_SHEET_TITLES if title in names), FIELD_SHEET)
        named = ReturnedSheets((title, *self.needed[1:]), self.most, self.said_by)
        return named.refused(names)


#: A returned field sheet holds these three sheets by name (the field sheet in any language), and
#: no more than the four written (the instructions may be deleted): checked before it is loaded.
RETURNED_SHEETS = FieldSheetTabs(
    needed=(FIELD_SHEET, META_SHEET, ROWS_SHEET),
    most=len((FIELD_SHEET, INSTRUCTIONS, META_SHEET, ROWS_SHEET)),
    said_by=(
        ("auditkit_worklist", "a returned worklist (import it with auditkit register import)"),
    ),
)
IDENTIFYING = ("customer_id", "district", "period", "stratum")
#: The column naming each unit of a selection unless `ids` names others.
DEFAULT_ID = "customer_id"
INSPECTOR_COLUMNS = ("inspected_at", "audited_value", "error_found", "note")
#: Columns the field sheet and the inspections table make of their own: a column of the frame of
#: one of these names cannot be carried to the sheet (it would stand twice in its header).
OWN_COLUMNS = (
    "sample_no",
    "book_value",
    "times",
    *INSPECTOR_COLUMNS,
    "audit_kind",
    "auditing_district",
)
# Spellings of the error flag accepted on reading (case and full/half width ignored); anything
# else is a problem naming the cell. Ambiguous marks (x, ✓, 对, 错) are refused on purpose.
YES = frozenset({"是", "有", "有误", "y", "yes", "true", "1"})
NO = frozenset({"否", "无", "无误", "n", "no", "false", "0"})
ACCEPTED_FLAGS = "是/否, 有/无, 有误/无误, Y/N, yes/no, true/false, 1/0"
AMOUNT_TOLERANCE = 0.005
#: An audited value above this many times its (positive) book value is refused as a slip unless
#: allowed (`large_amounts`), as `auditkit register import` refuses a recovery over 10 × the
#: revenue at stake: an amount typed in fen (× 100) or a number pasted into the cell. An audited
#: value above book is an understatement found, and may be large (a bypassed meter billed a
#: tenth of what was used), so the bound is wide and can be lifted; a value of LARGEST_NUMBER
#: yuan or more is refused always, as the dataset loader refuses it (no bill is that large).
SLIP_MULTIPLE = 10
#: Columns of the inspection results a report shows, and the key of each one's label.
ERROR_COLUMNS = {
    "sample_no": "sampling.column.sample_no",
    "customer_id": "common.customer_id",
    "period": "sampling.column.period",
    "book_value": "sampling.column.book_value",
    "audited_value": "sampling.column.audited_value",
    "difference": "sampling.column.difference",
    "times": "sampling.column.times",
    "note": "sampling.column.note",
}
MONEY_COLUMNS = ("book_value", "audited_value", "difference")
#: Fen of float noise an amount to the fen may carry once read (1234.57 * 100 = 123456.99999...).
FEN_TOLERANCE = 1e-4


def to_the_fen(amounts: pd.Series) -> pd.Series:
    """Yuan rounded half up to the fen (0.01), as bills are, with no negative zero."""
    rounded = round_half_up(amounts.to_numpy(dtype=float)) + 0.0
    return pd.Series(rounded, index=amounts.index, name=amounts.name)


@dataclass(frozen=True)
class FieldResults:
    """A filled field sheet read back: `inspections` (DATA.md columns) and the `sample` to evaluate."""

    inspections: pd.DataFrame
    sample: pd.DataFrame
    units: str
    population_size: int
    population_value: float | None
    strata: pd.DataFrame | None
    path: Path
    direction: str = DEFAULT_DIRECTION
    selection_method: str | None = None
    interval: float | None = None
    plan: Mapping[str, Any] | None = None

    @property
    def n(self) -> int:
        """Sampling units inspected (a row hit k times counts k times)."""
        return int(self.sample["times"].sum())

    @property
    def errors(self) -> int:
        """Sampling units with an error found."""
        return int(self.sample.loc[self.sample["error_found"], "times"].sum())

    def errors_table(self) -> pd.DataFrame:
        """The inspected rows with an error, largest misstatement first (with `difference`),
        money to the fen: audited − book in floats left 30865.910000000003 in the results CSV."""
        errors = self.sample[self.sample["error_found"]].copy()
        for column in ("book_value", "audited_value"):
            if column in errors.columns:
                errors[column] = to_the_fen(errors[column])
        if "book_value" in errors.columns:
            errors["difference"] = to_the_fen(errors["audited_value"] - errors["book_value"])
            errors = errors.sort_values("difference", key=np.abs, ascending=False)
        keep = [column for column in ERROR_COLUMNS if column in errors.columns]
        errors = errors[keep].reset_index(drop=True)
        # Columns no error filled are left out; with no error at all the headings stay.
        return errors.dropna(axis="columns", how="all") if len(errors) else errors

    def summary(self) -> dict[str, Any]:
        """What the inspectors returned: rows and units inspected, errors, the total difference."""
        errors = self.errors_table()
        difference = None
        if "difference" in errors:  # a sum of amounts in fen is no amount in fen in floats
            difference = float(to_the_fen(pd.Series([errors["difference"].sum()])).iloc[0])
        return {
            "units": self.units,
            "direction": self.direction,
            "rows": len(self.sample),
            "n": self.n,
            "errors": self.errors,
            "misstated_rows": len(errors),
            "difference": difference,
        }

    def explain(self, lang: str = "zh") -> str:
        """What the inspectors found, in one sentence."""
        figures = self.summary()
        return i18n.text("sampling.explain.field", lang).format(
            rows=figures["rows"],
            n=figures["n"],
            errors=figures["misstated_rows"],
            difference=formatting.money(figures["difference"]),
        )

    def to_table(self, lang: str = "zh") -> pd.DataFrame:
        """The inspected rows with an error (largest misstatement first), labelled in `lang`."""
        labels = {column: i18n.text(key, lang) for column, key in ERROR_COLUMNS.items()}
        return self.errors_table().rename(columns=labels)

    def money_columns(self, lang: str = "zh") -> list[str]:
        """The columns of `to_table(lang)` that hold yuan."""
        table = self.errors_table()
        return [i18n.text(ERROR_COLUMNS[c], lang) for c in MONEY_COLUMNS if c in table.columns]

    def plot(self, lang: str = "zh") -> Figure:
        """The difference found on each misstated row (or, by items, rows with and without error)."""
        from auditkit.sampling.charts import field_chart

        return field_chart(self, lang)

    def _check_every_stratum_sampled(self) -> None:
        """A FieldSheetError naming each stratum of the selection without a selected row (a
        sheet drawn before every stratum got a unit): no verdict may cover the population then."""
        if self.strata is None:
            return
        sampled = set(self.sample["stratum"].astype(str))
        missing = self.strata[~self.strata["stratum"].astype(str).isin(sampled)]
        if missing.empty:
            return
        weights = self.strata["value" if self.strata["value"].notna().all() else "items"]
        shares = ", ".join(
            f"{row.stratum!r} ({row.items} row(s), {formatting.percent(float(weight) / float(weights.sum()))} of "
            f"the {'value' if weights.name == 'value' else 'rows'})"
            for row, weight in zip(missing.itertuples(), weights[missing.index], strict=True)
        )
        raise FieldSheetError(
            f"field sheet {self.path.name!r}: stratum {shares} has no selected row, so no "
            "verdict can cover the population; select again (every stratum now gets a unit), or "
            "evaluate the strata sampled with evaluate(data=results.sample, strata='stratum', "
            "population_value=...) leaving the others out"
        )

    def planned(
        self,
        materiality: float | None = None,
        method: str | None = None,
        confidence: float | None = None,
        prior: object = None,
    ) -> dict[str, Any]:
        """The materiality, method, confidence and prior the sample is evaluated with: each one
        given, else the plan the sheet records (`self.plan`: a sample planned binomial at 90 %
        is evaluated so, or a clean sample of the planned n would fail the default test), else
        the defaults: no materiality, binomial for items and the Poisson Stringer bound for
        monetary units, 95 %, no prior. A prior is the plan's only with the plan's method."""
        recorded = self.plan or {}
        if method is None:
            method = recorded.get("method") or (
                "stringer.poisson" if self.units == "values" else "binomial"
            )
        if prior is None and method == recorded.get("method"):
            prior = recorded.get("prior")
        return {
            "materiality": recorded.get("materiality") if materiality is None else materiality,
            "method": method,
            "confidence": recorded.get("confidence", 0.95) if confidence is None else confidence,
            "prior": prior,
        }

    def departures(self, **given: object) -> dict[str, tuple[object, object]]:
        """The settings among `given` (materiality, method, confidence, prior; None: not
        given) that differ from the plan the sheet records, each as (planned, given): a clean
        sample of the planned n may fail a test it was not planned for."""
        recorded = self.plan or {}
        return {
            name: (recorded.get(name), value)
            for name, value in given.items()
            if value is not None and name in recorded and recorded[name] != value
        }

    def evaluate(
        self,
        materiality: float | None = None,
        method: str | None = None,
        confidence: float | None = None,
        direction: str | None = None,
        prior: object = None,
        pooling: str = "none",
    ) -> Evaluation:
        """Evaluate the inspected sample against materiality.

        Materiality, method, confidence and prior not given are the plan's the sheet records
        (`planned`). Without a plan items are evaluated as an attribute test (binomial on the
        errors found) and monetary units with the Poisson Stringer bound on the taints, at 95 %,
        in the direction the sheet
        states (`self.direction`; another `direction` overrides it). Stratified selections are
        evaluated per stratum. A method that does not fit the sheet's design is refused
        (`SHEET_METHODS`); by values the population is the yuan, so no population size is used.
        The selection method and interval the sheet records tell the Stringer methods whether a
        bill of the interval or more was certain to be hit (`evaluate`'s `selection_method`).
        """
        direction = self.direction if direction is None else direction
        self._check_every_stratum_sampled()
        has_book = "book_value" in self.sample.columns
        common = self.planned(materiality, method, confidence, prior)
        method = common["method"]
        _check_method_fits(method, self.units, has_book)
        if method in DISTRIBUTION_METHODS and (self.units == "items" or not has_book):
            if self.strata is not None and self.units == "items":
                # Each row flagged as an error is a full taint (1) in the direction evaluated, so
                # every stratum counts the errors the inspectors found, as the unstratified test does.
                misstated = 2.0 if direction == "understatement" else 0.0
                return evaluate(
                    **common,
                    data=self.sample.assign(
                        _book=1.0, _audit=np.where(self.sample["error_found"], misstated, 1.0)
                    ),
                    book="_book",
                    audit="_audit",
                    times="times",
                    strata="stratum",
                    direction=direction,
                    population_size=dict(
                        zip(self.strata["stratum"], self.strata["items"], strict=True)
                    ),
                    pooling=pooling,
                )
            return evaluate(**common, x=self.errors, n=self.n, population_size=self.population_size)
        data_args = {
            "data": self.sample,
            "book": "book_value",
            "audit": "audited_value",
            "times": None if method in ESTIMATORS else "times",
            "direction": direction,
        }
        # By values the units drawn are the population's yuan, not its bills: the bills' count is
        # no population size (no finite population correction counts them, and a bill may be
        # hit more often than there are bills); the book values tell when every bill was examined.
        by_items = self.units == "items"
        if self.strata is not None:
            return evaluate(
                **common,
                **data_args,
                **self._design(per_stratum=True),
                strata="stratum",
                population_size=dict(zip(self.strata["stratum"], self.strata["items"], strict=True))
                if by_items
                else None,
                population_value=dict(
                    zip(self.strata["stratum"], self.strata["value"], strict=True)
                ),
                pooling=pooling,
            )
        return evaluate(
            **common,
            **data_args,
            **self._design(per_stratum=False),
            population_size=self.population_size if by_items else None,
            population_value=self.population_value,
        )

    def _design(self, per_stratum: bool) -> dict[str, Any]:
        """`evaluate`'s selection_method and interval for this sheet's monetary units: the
        recorded ones when the design hits every bill of the interval or more (fixed interval,
        sieve), else none, so every taint is projected (random, cell, items, or a sheet that
        records no method; a stratified sieve sheet without its strata's intervals)."""
        method = self.selection_method
        if self.units != "values" or method not in CERTAIN_ABOVE_INTERVAL:
            return {}
        if not per_stratum:
            return {"selection_method": method, "interval": self.interval}
        intervals = self.strata.get("interval")
        if intervals is not None and intervals.notna().all():
            return {
                "selection_method": method,
                "interval": dict(zip(self.strata["stratum"], intervals, strict=True)),
            }
        # Without them the fixed interval's J is each stratum's value / n; the sieve's is unknown.
        return {"selection_method": method} if method == "interval" else {}


#: The evaluation methods that fit a sheet's design. By items (a simple random sample of
#: accounts) the attribute tests on the errors flagged and, with book values, mpu and the
#: classical variables estimators; by values (monetary units, a bill drawn in proportion to its
#: yuan) the Stringer bounds, the binomial and Poisson bounds on the taints and mpu (the mean taint
#: per monetary unit). The estimators of a sample of items would weigh large bills as often as
#: small ones, Stringer would read an item's error as a monetary unit's, and the hypergeometric
#: counts items drawn from a finite number of them, where monetary units are yuan.
SHEET_METHODS = {
    "items": (*LIKELIHOODS, *VARIABLES_METHODS),
    "values": (*STRINGER_METHODS, "binomial", "poisson", "mpu"),
}


def sheet_plan(plan: Plan, units: str) -> dict[str, Any]:
    """What a field sheet records of the `plan` of its sample, drawn by `units`: n, materiality,
    confidence, expected errors, likelihood and the evaluation method and prior kind that match
    them: by items the likelihood itself, by values the Stringer bound with the likelihood's
    factors (its bound with no error found is the likelihood's), or with a prior the likelihood
    (a Bayesian bound). A hypergeometric plan of monetary units is a ParameterError naming
    `plan`: the hypergeometric counts items drawn from a finite number of them, not yuan."""
    require_type(plan, Plan, "plan", "a plan of sampling.plan")
    stringer = {likelihood: method for method, likelihood in STRINGER_METHODS.items()}
    if units == "values" and plan.likelihood not in stringer:
        raise ParameterError(
            "plan",
            f"a plan of monetary units by {' or '.join(stringer)} (the hypergeometric counts "
            "items drawn from a finite number of them, not yuan)",
            plan.likelihood,
        )
    prior = None if plan.prior is None else plan.prior.kind or None
    by_stringer = units == "values" and plan.prior is None
    return {
        "n": plan.n,
        "materiality": plan.materiality,
        "confidence": plan.confidence,
        "expected": plan.expected,
        "likelihood": plan.likelihood,
        "method": stringer[plan.likelihood] if by_stringer else plan.likelihood,
        "prior": prior,
    }


def _check_method_fits(method: str, units: str, has_book: bool) -> None:
    """A ParameterError naming `method` when it does not fit a sheet sampled by `units` (by
    items without book values, only the attribute tests on the errors flagged)."""
    fits = SHEET_METHODS[units] if has_book else LIKELIHOODS
    if method in fits:
        return
    what = "monetary units (values)" if units == "values" else "items"
    without = "" if has_book else " without book values"
    raise ParameterError(
        "method",
        f"a method that fits a sheet sampled by {what}{without}: {', '.join(fits)}",
        method,
    )


def write_field_sheet(
    selection: Selection,
    path: str | os.PathLike[str],
    lang: str = "zh",
    direction: str = DEFAULT_DIRECTION,
    ids: Sequence[str] | None = None,
    carry: Sequence[str] = (),
    mask: bool = True,
    personal: Mapping[str, str | None] | Sequence[str] = (),
    keep: Sequence[str] = (),
    plan: Plan | None = None,
    districts: Sequence[str] = (),
) -> Path:
    """Write the selection as a field sheet (.xlsx) for the inspectors; returns the path.

    Each row names its unit by the `ids` columns of the selection (default customer_id: a
    selection without it is refused, as the inspectors could not tell which unit to check), then
    district, period and stratum where the selection has them and the `carry` columns (a name,
    an address, a meter number the inspectors need), each as the frame holds it, except that
    with `mask` on (the default) a carried column holding personal data is written masked, on
    the sheet and in its hidden copy of the selection: one whose header names a name, an
    address or a phone (`personal.personal_kind`: name, 户名, 用户名称, 用电地址, 联系电话, 手机号…)
    and those `personal` marks (columns masked as names, or a mapping of column → name,
    address or phone), less the carried columns `keep` names (written as they are whatever
    their header says: a meter's address a header's words take for a person's); `mask=False`
    writes every carried column as it is (`personal` and `keep` then refused). Ids are never
    masked: the returned sheet is checked against them. The instructions name the columns
    masked. The sheet states the misstatement `direction` that will be evaluated and records
    it, so
    evaluating the returned sheet uses what the inspectors read. The file is written under a
    temporary name and renamed, so an interrupted write never leaves a half sheet that looks whole.
    A file already at `path` is replaced only when it is a field sheet with nothing filled in
    (see `check_sheet_path`): the inspectors' work is never written over. The `plan` the
    sample size came from is recorded (`sheet_plan`), so the returned sheet is evaluated as
    planned. So are the `districts` of the utility it was drawn from (`Dataset.districts`; none
    for a population table alone), so that evaluating it refuses an auditing district that is
    none of them (`read_field_sheet`).
    """
    require_type(selection, Selection, "selection", "a selection of sampling.select")
    planned = None if plan is None else sheet_plan(plan, selection.units)
    i18n.language(lang)
    direction = choice("direction", direction, DIRECTIONS)
    target = check_sheet_path(path)
    ids, carry = sheet_columns(list(selection.sample.columns), ids, carry, "the selection")
    keep = [keep] if isinstance(keep, str) else list(keep)  # one column, not its characters
    masked = personal_columns(carry, personal, mask, keep=keep)
    kept = [column for column in carry if column in keep]  # none with mask off: refused above
    rows = _selection_rows(selection, ids, carry, masked)
    columns = [*rows.columns, *INSPECTOR_COLUMNS]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = tab(FIELD_SHEET, lang)
    put_cell(sheet.cell(STATEMENT_ROW, 1), statement(direction, lang))
    for index, column in enumerate(columns, start=1):
        put_cell(sheet.cell(HEADER_ROW, index), _header(column, lang))
    shown = _shown_rows(rows, carry, masked, lang, selection.strata_column)
    _put_rows(sheet, shown, FIRST_DATA_ROW)
    credits = (
        [FIRST_DATA_ROW + at for at in np.flatnonzero(rows["book_value"].to_numpy() < 0)]
        if "book_value" in rows.columns
        else []
    )
    format_field_sheet(sheet, columns, INSPECTOR_COLUMNS, len(rows), lang, credit_rows=credits)
    instructions = workbook.create_sheet(tab(INSTRUCTIONS, lang))
    _write_instructions(instructions, selection, direction, lang, masked)
    meta = workbook.create_sheet(META_SHEET)
    record = _metadata(selection, list(rows.columns), direction, lang)
    record["ids"] = list(ids)
    record["masked"] = masked
    record["kept"] = kept
    record["plan"] = planned
    record["districts"] = sorted(str(name) for name in districts)
    put_cell(meta["A1"], json.dumps(record, ensure_ascii=False))
    meta.sheet_state = "hidden"
    hidden_rows = workbook.create_sheet(ROWS_SHEET)
    for index, column in enumerate(rows.columns, start=1):
        put_cell(hidden_rows.cell(1, index), column)
    _put_rows(hidden_rows, rows, 2)
    hidden_rows.sheet_state = "hidden"
    return write_bytes_atomic(target, stable_xlsx_bytes(workbook))  # same sample, same bytes


def field_worksheet(workbook: Workbook, file_name: str) -> Worksheet:
    """The sheet the inspectors fill, whatever language its tab is named in; a FieldSheetError
    naming `file_name`, the titles looked for and the sheets found when it holds none of them."""
    for title in FIELD_SHEET_TITLES:
        if title in workbook.sheetnames:
            return workbook[title]
    raise FieldSheetError(
        f"field sheet {file_name!r}: expected a sheet named "
        f"{' or '.join(map(repr, FIELD_SHEET_TITLES))} (the one the inspectors fill), found the "
        f"sheets {', '.join(map(repr, workbook.sheetnames))}: give its tab its name back"
    )


def sheet_columns(
    columns: Sequence[object],
    ids: Sequence[str] | None,
    carry: Sequence[str],
    table: str,
    names: tuple[str, str] = ("ids", "carry"),
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The columns naming each unit (`ids`, default customer_id) and the other columns to show on
    the field sheet (`carry`), each once, checked against the `columns` of `table` (the
    selection, or the population file the CLI reads: it checks its flags, `names`, before the
    work): a ParameterError naming the flag for a column `table` lacks or one the sheet makes
    of its own (OWN_COLUMNS), a SampleDataError naming `table` and its columns when no `ids`
    is given and it has no customer_id."""
    present = [str(column) for column in columns]
    listed = ", ".join(present) if present else "none"
    if ids is None or not len(ids):
        if DEFAULT_ID not in present:
            raise SampleDataError(
                f"{table}: expected a column naming each unit (customer_id, or the column(s) "
                f"{names[0]} names), found the columns {listed}; name the id column with "
                f"{names[0]}"
            )
        ids = (DEFAULT_ID,)
    checked: dict[str, tuple[str, ...]] = {}
    for name, given in zip(names, (ids, carry), strict=True):
        for column in given:
            if not isinstance(column, str) or column not in present:
                raise ParameterError(name, f"a column of {table} ({listed})", column)
            if column in OWN_COLUMNS:
                raise ParameterError(
                    name,
                    "a column other than those the field sheet makes of its own ("
                    + ", ".join(OWN_COLUMNS)
                    + "): rename it in the file",
                    column,
                )
        checked[name] = tuple(dict.fromkeys(given))
    id_columns = checked[names[0]]
    return id_columns, tuple(c for c in checked[names[1]] if c not in id_columns)


def check_sheet_path(path: str | os.PathLike[str], name: str = "path") -> Path:
    """`path` as the path a field sheet may be written to, or a ParameterError naming `name`
    (the CLI checks its flag before the selection is made): a file name ending in .xlsx, where
    there is no file yet or an auditkit field sheet with no inspector cell filled (a rerun writes
    it again). A file that cannot be read as a field sheet, one the inspectors began to fill
    (a value or a formula in any of INSPECTOR_COLUMNS), or one an office program has open (a
    lock file beside it: its edits not saved yet) is left as it is: it would be lost."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ParameterError(name, "a file name ending in .xlsx", str(path))
    if not target.exists():
        return target
    expected = "a new file, or an auditkit field sheet with nothing filled in"
    refuse_if_open(target, name, f"{expected}, open in no office program")
    try:
        title, filled = _inspector_cells_filled(target)
    except FieldSheetError as error:  # it names the file
        raise ParameterError(name, expected, f"{error}: move it away first") from None
    if filled:
        row, column, letter = filled[0]
        raise ParameterError(
            name,
            expected,
            f"{target} with {len(filled)} inspector cell(s) filled (the first: sheet "
            f"{title!r}, row {row}, column {letter} ({column})): evaluate it and move it "
            "away first, or write the field sheet to another file",
        )
    return target


def _inspector_cells_filled(path: Path) -> tuple[str, list[tuple[int, str, str]]]:
    """The field sheet's tab and (row, column, letter) of each of its inspector cells holding a
    value or a formula; a FieldSheetError saying why when the file cannot be read as a field
    sheet."""
    workbook = open_returned_workbook(
        path,
        kind="field sheet",
        error=FieldSheetError,
        then="write the field sheet again",
        sheets=RETURNED_SHEETS,
        read_only=True,
        data_only=False,  # a formula typed into an inspector cell is filled too
    )
    try:
        sheet = field_worksheet(workbook, path.name)
        sheet.reset_dimensions()  # a stored extent cut short would hide filled rows
        header_row, columns = header_columns(sheet)
        missing = [column for column in INSPECTOR_COLUMNS if column not in columns]
        if missing:
            raise FieldSheetError(
                f"field sheet {path.name!r}, sheet {sheet.title!r}: expected the columns "
                f"{', '.join(INSPECTOR_COLUMNS)} in its header, found no {', '.join(missing)}"
            )
        inputs = [(columns[name], name) for name in INSPECTOR_COLUMNS]
        return sheet.title, [
            (row, name, get_column_letter(index))
            for row, values in enumerate(
                sheet.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1
            )
            for index, name in inputs
            if index <= len(values) and not _empty(values[index - 1])
        ]
    finally:
        workbook.close()


def _cell_shown(value: object) -> str:
    """A cell as a problem shows it: 'an empty cell', or its value quoted."""
    return "an empty cell" if _empty(value) else shown_cell(value)


def _empty(value: object) -> bool:
    """A cell with nothing in it: None or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def statement(direction: str, lang: str) -> str:
    """The sentence at the top of the field sheet: what counts as an error and what to fill in."""
    yes, no = flag_choices(lang)
    lost = i18n.text("sampling.sheet.revenue_lost", lang) if direction == "understatement" else ""
    return i18n.text("sampling.sheet.statement", lang).format(
        what=i18n.text(f"sampling.direction.{direction}", lang), amount=lost, yes=yes, no=no
    )


def read_field_sheet(
    path: str | os.PathLike[str],
    audit_kind: str = "self",
    auditing_district: str | None = None,
    inspected_at: str | dt.date | None = None,
    large_amounts: bool = False,
) -> FieldResults:
    """Read a filled field sheet back, checking it against the selection recorded in it.

    `inspected_at` fills blank inspection dates (default: the file's modification date).
    `auditing_district` is who inspected; for self-audits it defaults to each row's district.
    One that is none of the districts the sheet records (those of the utility it was drawn from)
    is refused before the rows are read: 火星 typed for 城西 would count as one more district.
    An audited value of LARGEST_NUMBER yuan or more is refused, and so is one above SLIP_MULTIPLE
    times its positive book value (a slip: an amount in fen, a pasted number) unless
    `large_amounts` (an understatement checked to be that large).
    Every problem found is listed in the `FieldSheetError` raised, one line each. A formula is
    read by the result saved with it; cells holding a formula saved without its result (a file
    written by a program, not a spreadsheet) are named first, as they would read as blank. A lock
    file an office program keeps beside a workbook, a file that would unpack to more than a
    field sheet ever holds (a zip bomb) and one without the sheets read or with more sheets than
    a field sheet has (RETURNED_SHEETS) are refused before anything is loaded
    (`open_returned_workbook`).
    """
    audit_kind = choice("audit_kind", audit_kind, AUDIT_KINDS)
    source = Path(path)
    workbook = open_returned_workbook(
        source,
        kind="field sheet",
        error=FieldSheetError,
        then="evaluate it",
        sheets=RETURNED_SHEETS,
    )
    meta = json.loads(workbook[META_SHEET]["A1"].value)
    _refuse_auditor_of_no_district(auditing_district, meta.get("districts") or ())
    header_row = int(meta.get("header_row", 1))
    expected, _ = _sheet_frame(workbook[ROWS_SHEET], source.name, 1, header_labels=False)
    field = field_worksheet(workbook, source.name)
    filled, letters = _sheet_frame(
        field, source.name, header_row, header_labels=True, known=meta["columns"]
    )
    default_date = _default_date(inspected_at, source)
    problems = SheetProblems(
        f"field sheet {source.name!r}, sheet {field.title!r}", letters, FieldSheetError
    )
    # A formula saved without its result reads as blank: named before the rows are checked
    # with the blanks it would leave.
    read = [*meta["columns"], *INSPECTOR_COLUMNS]
    problems.unsaved_formulas(source, field, header_row, read)
    problems.raise_any()
    sample = _validate(
        filled, expected, meta, problems, default_date, workbook.epoch, large_amounts
    )
    inspections = _inspections(sample, audit_kind, auditing_district, meta.get("ids", ()))
    strata = None if meta["strata"] is None else pd.DataFrame(meta["strata"])
    return FieldResults(
        inspections=inspections,
        sample=sample,
        units=meta["units"],
        population_size=int(meta["population_size"]),
        population_value=meta["population_value"],
        strata=strata,
        path=source,
        direction=meta.get("direction", DEFAULT_DIRECTION),
        selection_method=meta.get("method"),
        interval=meta.get("interval"),
        plan=meta.get("plan"),
    )


def header_columns(sheet) -> tuple[int, dict[str, int]]:
    """The header row of a field sheet and its canonical column names -> column numbers.

    Sheets written before the statement row existed have their header in row 1.
    """
    for row in (HEADER_ROW, 1):
        columns = {canonical_column(cell.value): cell.column for cell in sheet[row]}
        if "sample_no" in columns:
            return row, columns
    raise FieldSheetError(f"sheet {sheet.title!r}: no header row with sample_no")


def _selection_rows(
    selection: Selection,
    ids: Sequence[str],
    carry: Sequence[str],
    masked: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The sheet's given columns: sample_no, the unit's ids, the identifying columns the sample
    has, the carried ones (those `masked` names as text masked as the personal column it maps
    them to), the book value (by values) and times."""
    masked = masked or {}
    sample = selection.sample
    rows = pd.DataFrame({"sample_no": np.arange(1, len(sample) + 1)})
    for column in dict.fromkeys([*ids, *IDENTIFYING]):
        if column in sample.columns:
            rows[column] = id_text(sample[column]).to_numpy()
    for column in carry:
        if column not in rows.columns:
            values = sample[column]
            if column in masked:  # a phone stored as a number is masked as its digits
                rows[column] = masked_values(id_text(values), masked[column]).to_numpy()
                continue
            numbers = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
                values
            )
            rows[column] = (values if numbers else values.astype("string")).to_numpy()
    if selection.values is not None:
        rows["book_value"] = sample[selection.values].to_numpy(dtype=float)
    rows["times"] = sample["times"].to_numpy(dtype=np.int64)
    return rows


#: Carried columns holding auditkit's normalised codes (a dataset's usage_type, status, the
#: stratum's flagged), by the catalogue prefix that words each code: the sheet the inspectors
#: read shows them in its language, the hidden copy of the selection keeps the codes.
CODED_COLUMNS = {"usage_type": "usage", "status": "sampling.status", "flagged": "sampling.flagged"}


def _shown_rows(
    rows: pd.DataFrame,
    carry: Sequence[str],
    masked: Mapping[str, str],
    lang: str,
    strata_column: str | None = None,
) -> pd.DataFrame:
    """`rows` as the inspectors read them: the carried CODED_COLUMNS (not masked) worded in
    `lang`, and the stratum when the strata are one of them (商业 beside 商业, not commercial), a
    value the catalogue does not word (a frame's own 正常) as it is. The hidden copy of the
    selection keeps the codes, which the sheet is read back by."""
    shown = rows.copy()
    worded = {column: CODED_COLUMNS.get(column) for column in carry if column not in masked}
    worded["stratum"] = CODED_COLUMNS.get(strata_column)
    for column, prefix in worded.items():
        if prefix is None or column not in shown.columns:
            continue
        shown[column] = shown[column].map(
            lambda code, prefix=prefix: (
                code if pd.isna(code) else i18n.text(f"{prefix}.{code}", lang, default=code)
            )
        )
    return shown


def id_text(values: pd.Series) -> pd.Series:
    """An id column as text: a whole number as its digits (1001, not 1001.0, where a spreadsheet
    stored it as a number and an empty cell made pandas read the column as decimals)."""
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values % 1 == 0)
        text = values.astype("string")
        text[whole] = values[whole].map(lambda number: str(int(number)))
        return text
    return values.astype("string")


def _put_rows(sheet, rows: pd.DataFrame, first_row: int) -> None:
    """Write the frame's values from `first_row` on: text as text (never a formula), numbers as numbers."""
    for offset, record in enumerate(rows.itertuples(index=False, name=None)):
        for index, value in enumerate(record, start=1):
            put_cell(sheet.cell(first_row + offset, index), value)


def _header(column: str, lang: str) -> str:
    """The header of `column`: its Chinese name and the column (zh), or the column alone (en)."""
    key = f"sampling.sheet.header.{column}"
    return f"{i18n.text(key, lang)} {column}" if lang == "zh" and i18n.has(key) else column


def canonical_column(header: object, known: Sequence[str] = ()) -> str:
    """The canonical column name of a header cell ('核实金额 audited_value' -> 'audited_value'):
    the column a bilingual header ends in, when it is one auditkit names (its own, the
    identifying ones or one of `known`); any other header whole (a carried column of the frame
    may hold a space: 'meter no')."""
    if header is None or not str(header).strip():
        return ""
    text = str(header).strip()
    whole = {str(column).strip(): str(column) for column in known}
    if text in whole:
        return whole[text]
    last = text.split()[-1]
    return last if last in (*OWN_COLUMNS, *IDENTIFYING, *whole) else text


INSTRUCTION_LINES = ("rows", "audited_value", "error_found", "inspected_at", "note", "sampling")


def _write_instructions(
    sheet, selection: Selection, direction: str, lang: str, masked: Mapping[str, str]
) -> None:
    """The instructions sheet: what to fill and how, how the sample was drawn, and which carried
    columns are masked (an inspector seeing 张** should know it is not a typing slip)."""
    yes, no = flag_choices(lang)
    figures = {
        "yes": yes,
        "no": no,
        "flags": ACCEPTED_FLAGS,
        "length": NOTE_LENGTH,
        "units": i18n.text(f"sampling.units.{selection.units}", lang),
        "method": method_name(selection.method, lang),
        "seed": selection.seed,
        "n": selection.n,
    }
    lines = [i18n.text("sampling.sheet.instructions", lang), statement(direction, lang)]
    lines += [
        i18n.text(f"sampling.sheet.line.{line}", lang).format(**figures)
        for line in INSTRUCTION_LINES
    ]
    if masked:
        separator = i18n.text("common.list_separator", lang)
        columns = separator.join(str(column) for column in masked)
        lines.append(i18n.text("sampling.sheet.line.masked", lang).format(columns=columns))
    for row, line in enumerate(lines, start=1):
        put_cell(sheet.cell(row, 1), line)
    sheet["A1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 110


def _metadata(selection: Selection, columns: list[str], direction: str, lang: str) -> dict:
    strata = None
    if selection.strata is not None:
        strata = (
            selection.strata[["stratum", "items", "value", "interval"]]
            .astype(object)
            .where(selection.strata.notna(), None)
        )
        strata = strata.to_dict(orient="list")
    return {
        "auditkit": __version__,
        "units": selection.units,
        "method": selection.method,
        "n": selection.n,
        "seed": selection.seed,
        "values": selection.values,
        "interval": selection.interval,
        "start": selection.start,
        "population_size": selection.population_size,
        "population_value": selection.population_value,
        "strata": strata,
        "columns": columns,
        "direction": direction,
        "lang": lang,
        "header_row": HEADER_ROW,
    }


def _sheet_frame(
    sheet, file_name: str, header_row: int, header_labels: bool, known: Sequence[str] = ()
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The sheet's rows below `header_row` (indexed by Excel row number) and column letters."""
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    if not rows:
        raise FieldSheetError(f"field sheet {file_name!r}: sheet {sheet.title!r} is empty")
    header = [canonical_column(cell, known) if header_labels else str(cell) for cell in rows[0]]
    letters = {name: get_column_letter(index) for index, name in enumerate(header, start=1) if name}
    frame = pd.DataFrame(rows[1:], columns=header, dtype=object)
    frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(frame))  # Excel's row numbers
    blank = frame.apply(lambda row: all(_empty(v) for v in row), axis=1)
    return (frame[~blank] if len(frame) else frame), letters


def _default_date(inspected_at: str | dt.date | None, source: Path) -> pd.Timestamp:
    """The day a blank inspected_at takes: `inspected_at`, a day up to today (a number, an empty
    text or a later day refused naming it), else the file's modification day (checked where a
    blank takes it: a sheet whose every date is filled in is read whatever its file's date)."""
    if inspected_at is None:
        return pd.Timestamp(dt.datetime.fromtimestamp(source.stat().st_mtime).date())
    expected = "a date YYYY-MM-DD"
    if not isinstance(inspected_at, str | dt.date):  # pd.Timestamp(2025) is 1970-01-01
        raise ParameterError("inspected_at", expected, inspected_at)
    try:
        day = pd.Timestamp(inspected_at)
    except ValueError:
        day = pd.NaT
    if pd.isna(day):
        raise ParameterError("inspected_at", expected, inspected_at)
    day = day.normalize()
    if after_today(day) is not None:
        raise ParameterError(
            "inspected_at", f"a date up to today, {today():%Y-%m-%d}", inspected_at
        )
    return day


def _validate(
    filled: pd.DataFrame,
    expected: pd.DataFrame,
    meta: dict,
    problems: SheetProblems,
    default_date: pd.Timestamp,
    epoch: dt.datetime,
    large_amounts: bool = False,
) -> pd.DataFrame:
    missing_columns = [
        c for c in [*meta["columns"], "audited_value", "error_found"] if c not in filled.columns
    ]
    if missing_columns:
        count = len(missing_columns)
        raise FieldSheetError(
            f"{problems.where}: expected the column{'s' if count > 1 else ''} "
            f"{', '.join(missing_columns)} in the header row, found no "
            f"{', '.join(missing_columns)}: write the header back as the sheet was handed out"
        )
    expected = expected.set_index(expected["sample_no"].astype(int), drop=False)
    # The columns naming the unit, as recorded (sheets written before `ids` name customer_id).
    named = [*meta.get("ids", ()), "customer_id", "period"]
    keys = [c for c in dict.fromkeys(named) if c in expected.columns]
    seen: set[int] = set()
    records = []
    for sheet_row, row in filled.iterrows():
        number = _number(row["sample_no"], problems, sheet_row, "sample_no", whole=True)
        if number is None:
            continue
        number = int(number)
        if number not in expected.index or any(
            str(row[k]) != str(expected.at[number, k]) for k in keys
        ):
            shown = ", ".join(f"{k} {_cell_shown(row[k])}" for k in ["sample_no", *keys])
            problems.add(sheet_row, None, f"this row ({shown}) is not in the selection")
            continue
        if number in seen:
            problems.expected(sheet_row, "sample_no", "each sample_no once", number)
            continue
        seen.add(number)
        record = _inspected_row(
            row, expected.loc[number], problems, sheet_row, default_date, epoch, large_amounts
        )
        if record is not None:
            records.append(record)
    absent = sorted(set(expected.index) - seen)
    if absent:
        listed = ", ".join(map(str, absent[:10])) + (" …" if len(absent) > 10 else "")
        problems.lines.append(
            f"{problems.where}: {len(absent)} selected "
            f"{'rows are' if len(absent) > 1 else 'row is'} missing from the sheet "
            f"(sample_no {listed})"
        )
    problems.raise_any()
    sample = pd.DataFrame(records).sort_values("sample_no", kind="stable").reset_index(drop=True)
    for column in dict.fromkeys([*meta.get("ids", ()), *IDENTIFYING, "note"]):
        if column in sample.columns:
            sample[column] = sample[column].astype("string")
    return sample


def _inspected_row(
    row: pd.Series,
    selected: pd.Series,
    problems: SheetProblems,
    sheet_row: int,
    default_date: pd.Timestamp,
    epoch: dt.datetime,
    large_amounts: bool = False,
) -> dict | None:
    """One inspected row as a record, or None after adding its problems (`epoch`: the
    workbook's day 0, for a date kept as its serial number; `large_amounts`: an audited value
    above SLIP_MULTIPLE times its book value accepted)."""
    before = len(problems.lines)
    record = {column: selected[column] for column in selected.index}
    record["sample_no"] = int(selected["sample_no"])
    record["times"] = int(selected["times"])
    has_book = "book_value" in selected.index
    if has_book:
        record["book_value"] = float(selected["book_value"])
        sheet_book = _number(row.get("book_value"), problems, sheet_row, "book_value")
        if sheet_book is None or abs(sheet_book - record["book_value"]) > AMOUNT_TOLERANCE:
            problems.expected(
                sheet_row,
                "book_value",
                f"the selection's {record['book_value']} unchanged",
                row.get("book_value"),
            )
    audited = _number(row["audited_value"], problems, sheet_row, "audited_value")
    credit = has_book and record["book_value"] < 0  # a credit is audited at what it should be
    if audited is not None and audited < 0 and not credit:
        problems.expected(
            sheet_row, "audited_value", "an amount of at least 0", row["audited_value"]
        )
    elif audited is not None and not _to_the_fen(audited):
        problems.expected(
            sheet_row, "audited_value", "an amount to the fen (0.01 yuan)", row["audited_value"]
        )
    elif audited is not None:
        _check_audited_size(
            audited, row["audited_value"], record.get("book_value"), problems, sheet_row,
            large_amounts,
        )  # fmt: skip
    flag = _flag(row["error_found"], problems, sheet_row)
    record["inspected_at"] = _date(
        row.get("inspected_at"), problems, sheet_row, default_date, epoch
    )
    record["note"] = _note(row.get("note"), problems, sheet_row)
    if has_book and audited is None and _empty(row["audited_value"]):
        problems.add(
            sheet_row, "audited_value", "expected the audited amount in yuan, found an empty cell"
        )
    if len(problems.lines) > before:
        return None
    if has_book:
        differs = abs(audited - record["book_value"]) > AMOUNT_TOLERANCE
        if flag is not None and flag != differs:
            state = "an error" if flag else "no error"
            relation = "differs from" if differs else "equals"
            problems.add(
                sheet_row,
                "error_found",
                f"says {state} but audited_value {audited} {relation} book_value {record['book_value']}",
            )
            return None
        flag = differs
    if flag is None:
        problems.add(
            sheet_row, "error_found", f"expected yes or no ({ACCEPTED_FLAGS}), found an empty cell"
        )
        return None
    record["audited_value"] = np.nan if audited is None else audited
    record["error_found"] = bool(flag)
    return record


def _to_the_fen(amount: float) -> bool:
    """Whether an amount in yuan is whole fen: 199.994 would be shown 199.99 in the results
    while the inspections kept 199.994, so it is refused rather than rounded unseen."""
    fen = amount * 100
    return abs(fen - round(fen)) <= FEN_TOLERANCE


def _check_audited_size(
    audited: float,
    written: object,
    book: float | None,
    problems: SheetProblems,
    sheet_row: int,
    large_amounts: bool,
) -> None:
    """A problem when the audited value is LARGEST_NUMBER yuan or more (a broken cell, never a
    bill), or, unless `large_amounts`, above SLIP_MULTIPLE times a positive `book` value (an
    amount in fen or a pasted number: it would swell the error rate a hundredfold)."""
    of_book = "" if book is None else f" (book value {book:,.2f})"
    if audited >= LARGEST_NUMBER:
        problems.expected(
            sheet_row, "audited_value", f"an amount below {LARGEST_SHOWN} yuan{of_book}", written
        )
    elif not large_amounts and book is not None and book > 0 and audited > SLIP_MULTIPLE * book:
        problems.add(
            sheet_row,
            "audited_value",
            f"expected at most {SLIP_MULTIPLE * book:,.2f} yuan ({SLIP_MULTIPLE} × the book "
            f"value {book:,.2f}), found {shown(written)}: an amount in fen or a pasted number? "
            "An understatement checked to be that large is evaluated with --large-amounts",
        )


def _note(value: object, problems: SheetProblems, sheet_row: int) -> str | None:
    """The inspector's note (None when blank): free text of at most NOTE_LENGTH characters, as
    the sheet's validation asks, refused as `auditkit validate` refuses a free text cell when it
    holds a control or invisible character (tabs and line breaks are kept; a direction override
    would reverse the report cell it is shown in). Text that looks like a formula is kept: every
    file auditkit writes keeps it text (`auditkit.formulas`)."""
    if value is None:
        return None
    text = str(value)
    expected = refused_text(text, free_text=True, longest=NOTE_LENGTH)
    if expected is not None:
        problems.add(sheet_row, "note", f"expected {expected}, found {shown_cell(text)}")
        return None
    return text


def _number(
    value: object, problems: SheetProblems, sheet_row: int, column: str, whole: bool = False
) -> float | None:
    """The cell as a number (None when blank); text, booleans and infinities are problems."""
    if _empty(value):
        return None
    expected = "a whole number" if whole else "a number"
    number = None
    if not isinstance(value, bool):
        try:
            number = (
                float(str(value).replace(",", "").strip())
                if isinstance(value, str)
                else float(value)
            )
        except (TypeError, ValueError):
            number = None
    if number is None or not np.isfinite(number) or (whole and not number.is_integer()):
        problems.expected(sheet_row, column, expected, value)
        return None
    return number


def _flag(value: object, problems: SheetProblems, sheet_row: int) -> bool | None:
    """The error flag: True, False, None when blank; an unknown spelling is a problem."""
    if _empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    problems.expected(sheet_row, "error_found", f"yes or no ({ACCEPTED_FLAGS})", value)
    return None


def _date(
    value: object,
    problems: SheetProblems,
    sheet_row: int,
    default: pd.Timestamp,
    epoch: dt.datetime,
) -> pd.Timestamp | None:
    """The day inspected (`default` when blank), read as `register import` reads the day a
    finding was checked (`sheet_day`); a problem when it is no such day or after today (an
    inspection that has not happened: a slip of the year), as `register import` refuses a check
    dated after today."""
    if _empty(value):
        if (future := after_today(default)) is not None:  # the file's date: a given one is checked
            where = "the file's modification date, which a blank takes: fill the day in"
            problems.add(sheet_row, "inspected_at", f"{future} ({where})")
            return None
        return default
    day = sheet_day(value, problems, sheet_row, "inspected_at", epoch)
    if day is None:
        return None
    if (future := after_today(day)) is not None:
        problems.add(sheet_row, "inspected_at", future)
        return None
    return day


def _refuse_auditor_of_no_district(auditing_district: str | None, districts: Sequence[str]) -> None:
    """A ParameterError naming auditing_district, the `districts` a sheet records and the one
    given where it is none of them (a sheet of a population table records none: not checked)."""
    if auditing_district is not None and districts and auditing_district not in districts:
        raise ParameterError(
            "auditing_district",
            f"one of the districts of the data the sample was drawn from ({', '.join(districts)})",
            auditing_district,
        )


def _inspections(
    sample: pd.DataFrame, audit_kind: str, auditing_district: str | None, ids: Sequence[str] = ()
) -> pd.DataFrame:
    """The inspections table (DATA.md columns) of the inspected `sample`; a ParameterError
    naming auditing_district when none is given and the rows do not tell it, or when a
    cross-audit names the district audited (counted as cross, it would inflate its rate)."""
    if auditing_district is None and (audit_kind != "self" or "district" not in sample.columns):
        raise ParameterError(
            "auditing_district",
            "who inspected (required unless a self-audit with a district column)",
            None,
        )
    if audit_kind == "cross" and "district" in sample.columns:
        audited = sample["district"].astype("string")
        if (audited == auditing_district).any():
            raise ParameterError(
                "auditing_district",
                "a district other than the one audited for a cross-audit (its own inspectors "
                "make a self-audit)",
                auditing_district,
            )
    inspections = pd.DataFrame(
        {
            "customer_id": sample["customer_id"].astype("string")
            if "customer_id" in sample.columns
            else pd.NA,
            "inspected_at": pd.to_datetime(sample["inspected_at"]),
            "audit_kind": pd.Series(audit_kind, index=sample.index, dtype="string"),
            "auditing_district": (
                sample["district"].astype("string")
                if auditing_district is None
                else pd.Series(auditing_district, index=sample.index, dtype="string")
            ),
            "error_found": sample["error_found"].astype(bool),
            "book_value": sample["book_value"].astype("float64")
            if "book_value" in sample.columns
            else np.nan,
            "audited_value": sample["audited_value"].astype("float64"),
        }
    )
    # The unit's own ids (a frame's 户号) follow the DATA.md columns, so each inspection names
    # the unit it checked even where the frame had no customer_id.
    for extra in dict.fromkeys([*ids, "period", "sample_no", "times", "note"]):
        if extra in sample.columns and extra not in inspections.columns:
            inspections[extra] = sample[extra]
    return inspections
