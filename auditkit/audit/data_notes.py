"""What the data's warnings mean for a district's report, in the report's language.

Loading a dataset keeps its warnings (`Dataset.problems`): a table read while an office program
had it open (read as last saved, without the edits not saved yet), bills whose kWh the registers
do not give, a tariff billed that the schedule lacks ... They did not stop the audit, but a
reviewer reading its figures must know of them: the report says so beside its conclusion. Their
own texts are English and may quote the data, so the report names only the files, tables and
columns (the contract's names) and how many rows, and points to `auditkit validate` for each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable

from auditkit import i18n
from auditkit.data.intake import LOCK_SKIPPED, TABLE_CLOSED
from auditkit.data.problems import Problem


def district_warnings(problems: Iterable[Problem], customer_ids: Collection[str]) -> list[Problem]:
    """The warnings that concern a district: those of its customers' rows and those of no one
    customer (a file, a tariff row: shared by every district; the rows past a listing limit,
    whose customers are not known), but not a lock file skipped beside a file that is no
    table's (nothing of the data was read from it)."""
    return [
        problem
        for problem in problems
        if problem.severity == "warning"
        and problem.expected != LOCK_SKIPPED
        and (problem.customer_id is None or problem.customer_id in customer_ids)
    ]


def data_notes(warnings: Iterable[Problem], lang: str = i18n.DEFAULT_LANG) -> list[str]:
    """One sentence per table read while an office program had it open, one counting the other
    warnings listed by table and column, and one counting those past the listing limit (a
    Problem standing for many rows, whose customers and so districts are not known); none
    when the data gave no warning."""
    warnings = list(warnings)
    notes = [
        i18n.text("report.data.read_while_open", lang).format(file=problem.file)
        for problem in warnings
        if problem.expected == TABLE_CLOSED
    ]
    listed: Counter[str] = Counter()
    unlisted: Counter[str] = Counter()
    for problem in warnings:
        if problem.expected != TABLE_CLOSED:
            place = problem.table or problem.file
            place = f"{place}.{problem.column}" if problem.column else place
            (unlisted if problem.count > 1 else listed)[place] += problem.count
    for key, counts in (("report.data.warnings", listed), ("report.data.unlisted", unlisted)):
        if counts:
            where = i18n.text("common.list_separator", lang).join(
                i18n.text("report.data.rows_at", lang).format(place=place, count=count)
                for place, count in counts.items()
            )
            if key == "report.data.warnings" and counts.total() == 1:
                key = "report.data.warning"  # one warning: "gave 1 warning: it did not ..."
            notes.append(i18n.text(key, lang).format(count=counts.total(), where=where))
    return notes
