"""The sampling report's parts: headline figures, sections, tables and the field sheet link.

`notebooks/sampling_plan.ipynb` calls these so that the report speaks one language (`lang`)
throughout, shows the district in its title block, feeds the run index with headline figures and
links the field sheet it wrote into the report's own folder.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from auditkit.sampling import text
from auditkit.sampling.fieldloop import ERROR_COLUMNS, FieldContext
from auditkit.sampling.fieldsheet import FieldResults
from auditkit.sampling.results import Evaluation, Selection

SUBJECT_PREFIX = "sampling_plan"
MONEY_KEYS = ("book_value", "audited_value", "difference")
TITLE = ("统计抽样稽查报告", "Statistical audit sampling report")

SECTIONS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    # key: ((zh heading, en heading), (zh explanation, en explanation))
    "population": (
        ("总体", "Population"),
        (
            "按户抽样时总体为该单位的用户档案；按金额抽样时为近几个月的电费账单，每一元是一个抽样单位。",
            "By items the population is the district's accounts; by values it is the bills of the "
            "last months, each yuan a sampling unit.",
        ),
    ),
    "plan": (
        ("抽样计划", "Sampling plan"),
        (
            "样本量是使“按预期错报计算的错报上限低于重要性水平”的最小样本。",
            "The sample size is the smallest for which the upper limit, with the expected errors, "
            "stays below materiality.",
        ),
    ),
    "selection": (
        ("选样", "Selection"),
        (
            "同一随机种子总是抽出同一样本。金额为零或负的账单无法被货币单位抽中，单独列出。",
            "The same seed always gives the same sample. Bills of zero or negative amount cannot "
            "be reached by monetary units and are set aside.",
        ),
    ),
    "field_sheet": (
        ("现场核查表", "Field sheet"),
        (
            "核查人员在表中填写核查日期、核实金额、是否有误和备注；其余列已锁定。",
            "Inspectors fill in the inspection date, the audited value, whether an error was "
            "found, and a note; the other columns are locked.",
        ),
    ),
    "results": (
        ("核查结果", "Inspection results"),
        (
            "核查发现错报的记录，按差额大小排列。",
            "The inspected records with an error, largest difference first.",
        ),
    ),
    "evaluation": (
        ("评价", "Evaluation"),
        (
            "按户抽样用二项分布评价错误率；按金额抽样用 Stringer 上限（泊松系数）。",
            "Items are evaluated with the binomial on the errors found; monetary units with the "
            "Stringer bound (Poisson factors).",
        ),
    ),
    "conclusion": (("结论", "Conclusion"), ("", "")),
}


def subject_folder(district: str) -> str:
    """The name `auditkit.report.report_dir` gets for this report's own files."""
    return f"{SUBJECT_PREFIX}-{district}"


def title(lang: str) -> str:
    """The report's title in `lang`."""
    return text.pick(TITLE, lang)


def heading(key: str, lang: str) -> str:
    """A section's heading in `lang`."""
    return text.pick(SECTIONS[key][0], lang)


def explanation_html(key: str, lang: str) -> str:
    """A section's explanatory paragraph in `lang` (HTML, empty when it has none)."""
    words = text.pick(SECTIONS[key][1], lang)
    return f"<p>{html.escape(words)}</p>" if words else ""


def period(context: FieldContext) -> str:
    """The billing periods sampled (by values), else the last billing period of the data."""
    if context.values is not None:
        periods = context.frame["period"].astype(str)
        return f"{periods.min()} – {periods.max()}"
    return context.as_of or ""


def headline_figures(
    selection: Selection, results: FieldResults, evaluation: Evaluation
) -> dict[str, float]:
    """The figures the run index shows: sample size, errors found, upper limit (%), and for
    monetary units the projected misstatement in yuan (the revenue at stake when under-billing)."""
    figures: dict[str, float] = {
        "sample_size": int(selection.n),
        "findings": int(results.sample["error_found"].sum()),
        "upper_limit_pct": round(evaluation.upper * 100, 2),
    }
    if evaluation.projected_misstatement is not None:
        key = (
            "revenue_at_stake"
            if evaluation.direction == "understatement"
            else "projected_misstatement"
        )
        figures[key] = round(float(evaluation.projected_misstatement), 2)
    return figures


def item_table(summary: pd.DataFrame) -> pd.DataFrame:
    """A two-column summary (items as index) as a plain table: the index becomes a column."""
    return summary.reset_index()


def notes_html(notes: tuple[str, ...], lang: str) -> str:
    """The notes of a selection or evaluation in `lang`, as a list (empty when none)."""
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(text.note(note, lang))}</li>" for note in notes)
    return f'<ul class="ak-notes">{items}</ul>'


def field_sheet_html(sheet: Path, lang: str, simulated: Path | None = None) -> str:
    """Links to the field sheet (and the simulated filled copy), relative to the report's folder."""
    links = [(text.pick(("现场核查表", "Field sheet"), lang), sheet)]
    if simulated is not None:
        links.append((text.pick(("模拟填写的核查表", "Simulated filled sheet"), lang), simulated))
    separator = text.pick(("：", ": "), lang)
    items = "".join(
        f"<li>{html.escape(label)}{separator}"
        f'<a href="{html.escape(quote(path.name))}">{html.escape(path.name)}</a></li>'
        for label, path in links
    )
    return f"<ul>{items}</ul>"


def sheet_name(units: str, seed: int) -> str:
    """The field sheet's file name: from parameters auditkit checked, never from the data."""
    return f"field_sheet_{units}_seed{int(seed)}.xlsx"


def money_columns(table: pd.DataFrame, lang: str) -> list[str]:
    """The columns of an `error_table` in `lang` that hold yuan."""
    names = [text.pick(ERROR_COLUMNS[key], lang) for key in MONEY_KEYS]
    return [name for name in names if name in table.columns]
