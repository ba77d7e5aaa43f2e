"""The run's `index.html`: one row per notebook with status, headline figures and links.

The main figures have columns of their own: findings, and the three money figures of an audit
(revenue proved, revenue estimated, penalties), each in its own column and never added together.
A study run more than once (the district audit, once per district) gets a total row below the
table, each figure summed on its own.

Every text from the manifest (district names, errors, file names) is escaped; links point into
each job's folder (`folder`, the safe name of the job) with every path part URL-quoted. On a
phone each row is shown as a card so that the links stay reachable.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from auditkit import i18n
from auditkit.billing.money import round_half_up
from auditkit.formatting import MISSING, is_missing
from auditkit.pipeline.reasons import describe, reason_of
from auditkit.pipeline.render import CSP_MARK, tables_script, with_content_security_policy
from auditkit.pipeline.templates_dir import TEMPLATES
from auditkit.pipeline.times import format_duration, format_local_time
from auditkit.report.figures import (
    MONEY_FIGURES,
    figure_basis,
    figure_name,
    figure_value,
    in_order,
    qualified_name,
)
from auditkit.report.notebook import ALL_DISTRICTS, SUBJECT_WORDS
from auditkit.report.tables import groups_rows

MAIN_FIGURES = ("findings", "revenue_proved", "revenue_estimated", "penalties")
COLUMNS = ("subject", "notebook", "status", *MAIN_FIGURES, "headline", "duration", "links")
#: The columns whose words may group the rows (`_grouping_words`); the others differ row by row.
GROUPING_COLUMNS = ("subject", "notebook", "status")


def _link(folder: str, file_name: str | None, text: str) -> str:
    """A relative link to a file of a job folder (each part URL-quoted, `%` and `:` included)."""
    if not file_name:
        return ""
    href = f"{quote(folder, safe='')}/{quote(file_name, safe='')}"
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _figure(key: str, value: Any) -> str:
    """A headline figure formatted for the index."""
    if not isinstance(value, int | float):
        return html.escape(str(value))
    return figure_value(key, value)


def _column_name(key: str, lang: str) -> str:
    """A column's heading: a headline figure's name, or the pipeline's word for it."""
    return figure_name(key, lang) if key in MAIN_FIGURES else i18n.text(f"pipeline.{key}", lang)


def study_name(notebook: str, lang: str) -> str:
    """A notebook's name in words (`district_audit` -> 营销稽查报告), the file stem when unknown."""
    stem = Path(notebook).stem
    return i18n.text(f"pipeline.study.{stem}", lang, default=stem)


def _subject(record: Mapping[str, Any], lang: str) -> str:
    """What the row is about: the headline's subject, else the job's name (a study in words).

    A subject with a code (`report.notebook.SUBJECT_WORDS`: every district) is named in the
    index's language, which may differ from the notebook's (notebooks of mixed languages, or a
    run recorded before `--lang` set the notebooks')."""
    headline = record.get("headline") or {}
    if headline.get("subject"):
        code = (
            headline["subject_code"]
            if "subject_code" in headline
            else _code_before_codes(record, headline)
        )
        if code in SUBJECT_WORDS:
            return i18n.text(SUBJECT_WORDS[code], lang)
        return str(headline["subject"])
    name = str(record["name"])
    return study_name(name, lang) if name == Path(record["notebook"]).stem else name


def _code_before_codes(record: Mapping[str, Any], headline: Mapping[str, Any]) -> str:
    """The subject code of a headline recorded before headlines carried one (manifests in users'
    outputs folders): every district where the `district` parameter is empty and the subject is
    that wording in one of the languages; none otherwise."""
    every = {i18n.text(SUBJECT_WORDS[ALL_DISTRICTS], other) for other in i18n.LANGS}
    empty = (record.get("parameters") or {}).get("district") == ""
    return ALL_DISTRICTS if empty and headline["subject"] in every else ""


def _cell(
    key: str,
    lang: str,
    content: str,
    kind: str = "",
    sort_value: float | None = None,
    filter_value: str | None = None,
) -> str:
    """One cell, labelled for the phone layout (each row a card); `sort_value` is the number the
    tables script sorts by where the text is none ("1 分 05 秒": 65 seconds), `filter_value` the
    words it filters by where the text holds more ("失败" of "失败" and the error's line)."""
    css = f' class="{kind}"' if kind else ""
    sort = f' data-sort="{sort_value}"' if sort_value is not None else ""
    value = f' data-ak-value="{html.escape(filter_value)}"' if filter_value is not None else ""
    label = html.escape(_column_name(key, lang))
    return f'<td{css}{sort}{value} data-label="{label}">{content}</td>'


def _seconds(value: Any) -> float | None:
    """A recorded elapsed time as the number the index sorts by; none when none was recorded."""
    return None if is_missing(value) else float(value)


def _grouping_words(record: Mapping[str, Any], lang: str) -> dict[str, str]:
    """A record's words in the columns that may group the rows: what its cells filter by (the
    status without a failed notebook's error line), so that the filter offered is decided on the
    very words the tables script lists."""
    return {
        "subject": _subject(record, lang),
        "notebook": study_name(record["notebook"], lang),
        "status": i18n.text(f"pipeline.status.{record['status']}", lang),
    }


def _filtered_columns(notebooks: Sequence[Mapping[str, Any]], lang: str) -> set[str]:
    """The columns whose words group the rows (`tables.groups_rows`), offered as filters by the
    tables script: never the figures or the links, which differ from row to row."""
    words = [_grouping_words(record, lang) for record in notebooks]
    return {key for key in GROUPING_COLUMNS if groups_rows(row[key] for row in words)}


def _basis(record: Mapping[str, Any], key: str, lang: str) -> str:
    """What figure `key` of a record counts (`figures.figure_basis`): its study's own basis,
    else the period its headline records."""
    headline = record.get("headline") or {}
    study = Path(str(record["notebook"])).stem
    return figure_basis(study, key, str(headline.get("period") or ""), lang)


def differing_bases(notebooks: Sequence[Mapping[str, Any]], lang: str) -> set[str]:
    """The headline figures (outside the main columns) that rows of the index count on
    different bases (customers on file and customers billed in a year, a rate over two
    periods): their names say their basis, so that one label never carries two numbers."""
    bases: dict[str, set[str]] = {}
    for record in notebooks:
        for key in (record.get("headline") or {}).get("figures", {}):
            if key not in MAIN_FIGURES:
                bases.setdefault(key, set()).add(_basis(record, key, lang))
    return {key for key, seen in bases.items() if len(seen) > 1}


def _error(record: Mapping[str, Any], lang: str) -> str:
    """Why a notebook failed or timed out, in the index's language (`pipeline.reasons`): the
    exception's own message quoted as it is; an error no run worded this way shown as it is."""
    why = reason_of(record)
    return describe(why, lang) if why else str(record["error"])


def _shown_headline(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """The headline the index shows and sums: none for a notebook that did not succeed (one
    failed as `inputs_changed` has figures, from data other than the manifest names)."""
    return (record.get("headline") or {}) if record["status"] == "ok" else {}


def _row(record: Mapping[str, Any], lang: str, qualify: Collection[str] = ()) -> str:
    """One table row for one notebook record of the manifest; figures in `qualify` named with
    their basis (`differing_bases`). A headline of simulated results says so first."""
    folder = str(record.get("folder") or record["name"])
    status = str(record["status"])
    seconds = record.get("seconds", 0)
    headline = _shown_headline(record)
    figures = headline.get("figures", {})
    main = "".join(
        _cell(key, lang, _figure(key, figures[key]) if key in figures else MISSING, "ak-num")
        for key in MAIN_FIGURES
    )
    named = {
        key: qualified_name(key, _basis(record, key, lang) if key in qualify else "", lang)
        for key in figures
    }
    lines = [
        f"{html.escape(named[key])}: {_figure(key, value)}"
        for key, value in in_order(figures)
        if key not in MAIN_FIGURES
    ]
    if headline.get("simulated"):
        warning = html.escape(i18n.text("report.figure.simulated", lang))
        lines.insert(0, f'<strong class="ak-simulated">{warning}</strong>')
    others = "<br>".join(lines)
    links = " · ".join(
        link
        for link in (
            _link(
                folder,
                record.get("report") if record["status"] == "ok" else None,
                i18n.text("pipeline.report", lang),
            ),
            _link(folder, record.get("executed"), i18n.text("pipeline.executed_notebook", lang)),
            *(_link(folder, file_name, file_name) for file_name in record.get("files", [])),
        )
        if link
    )
    words = _grouping_words(record, lang)
    error = f"<br><small>{html.escape(_error(record, lang))}</small>" if record.get("error") else ""
    state = html.escape(words["status"]) + error
    status_css = f"ak-status-{html.escape(status)}"
    return (
        "<tr>"
        + _cell("subject", lang, html.escape(words["subject"]))
        + _cell("notebook", lang, html.escape(words["notebook"]))
        + _cell("status", lang, state, status_css, filter_value=words["status"])
        + main
        + _cell("headline", lang, others, "ak-figures")
        + _cell("duration", lang, format_duration(seconds, lang), "ak-num", _seconds(seconds))
        + _cell("links", lang, links, "ak-links")
        + "</tr>"
    )


def _total(key: str, values: Sequence[float]) -> float:
    """The total of one figure over several records: money rounded half up to the fen."""
    total = sum(values)
    return float(round_half_up(total)) if key in MONEY_FIGURES else total


def _total_rows(notebooks: Sequence[Mapping[str, Any]], lang: str) -> str:
    """A total row per study with main figures from two records or more: each main figure summed
    over the records that have it, on its own (revenue proved and estimated never together)."""
    by_study: dict[str, list[Mapping[str, Any]]] = {}
    for record in notebooks:
        figures = _shown_headline(record).get("figures", {})
        if any(isinstance(figures.get(key), int | float) for key in MAIN_FIGURES):
            by_study.setdefault(str(record["notebook"]), []).append(figures)
    rows = []
    for notebook, records in by_study.items():
        if len(records) < 2:
            continue
        main = ""
        for key in MAIN_FIGURES:
            values = [f[key] for f in records if isinstance(f.get(key), int | float)]
            shown = _figure(key, _total(key, values)) if values else MISSING
            main += _cell(key, lang, shown, "ak-num")
        reports = i18n.text("pipeline.total_of", lang).format(n=len(records))
        rows.append(
            '<tr class="ak-total">'
            + _cell("subject", lang, html.escape(i18n.text("common.total", lang)))
            + _cell("notebook", lang, html.escape(study_name(notebook, lang)))
            + _cell("status", lang, "")
            + main
            + _cell("headline", lang, html.escape(reports), "ak-figures")
            + _cell("duration", lang, "")
            + _cell("links", lang, "")
            + "</tr>"
        )
    return "\n".join(rows)


def render_index(manifest: Mapping[str, Any], lang: str = "zh") -> str:
    """The index page of a run (self-contained: inline style and the tables script only)."""
    css = (TEMPLATES / "auditkit" / "auditkit.css").read_text(encoding="utf-8")
    notebooks: Sequence[Mapping[str, Any]] = manifest["notebooks"]
    filtered = _filtered_columns(notebooks, lang)
    headers = "".join(
        f'<th class="{"ak-num" if key in (*MAIN_FIGURES, "duration") else ""}"'
        f"{' data-ak-filter' if key in filtered else ''}>"
        f"{html.escape(_column_name(key, lang))}</th>"
        for key in COLUMNS
    )
    qualify = differing_bases(notebooks, lang)
    rows = "\n".join(_row(record, lang, qualify) for record in notebooks)
    totals = _total_rows(notebooks, lang)
    footer = f"<tfoot>\n{totals}\n</tfoot>\n" if totals else ""
    title = html.escape(i18n.text("pipeline.run_index", lang))
    run_id = html.escape(manifest["run_id"])
    status = html.escape(manifest["status"])

    def meta(key: str, value: str, css_class: str) -> str:
        name = html.escape(i18n.text(f"pipeline.{key}", lang))
        return f'<div><dt>{name}</dt><dd class="{css_class}">{value}</dd></div>'

    page = f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta http-equiv="Content-Security-Policy" {CSP_MARK}>
<title>{title} · {run_id}</title>
<style>
{css}
</style>
</head>
<body class="ak-report ak-run-index">
<header class="ak-title">
<h1>{title}</h1>
<dl class="ak-meta">
{meta("run_id", run_id, "ak-run-id")}
{meta("started", html.escape(format_local_time(manifest["started_at"])), "ak-timestamp")}
{meta("finished", html.escape(format_local_time(manifest["finished_at"])), "ak-timestamp")}
{meta("status", html.escape(i18n.text(f"pipeline.status.{manifest['status']}", lang)), f"ak-status-{status}")}
</dl>
</header>
<main>
<div class="ak-table-wrap"><table class="ak-table ak-index">
<thead><tr>{headers}</tr></thead>
<tbody>
{rows}
</tbody>
{footer}</table></div>
<p class="ak-table-note"><a href="manifest.json">manifest.json</a></p>
</main>
{tables_script(lang)}
</body>
</html>
"""
    return with_content_security_policy(page)
