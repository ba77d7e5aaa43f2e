"""The run's `index.html`: one row per notebook with status, headline figures and links."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from auditkit.report.labels import MONEY_FIGURES, label
from auditkit.report.render import TEMPLATES
from auditkit.report.tables import format_money, format_number

MAIN_FIGURES = ("findings", "revenue_at_stake")


def _link(job: str, file_name: str | None, text: str) -> str:
    """A relative link to a file of a job folder (path parts URL-quoted, Chinese names included)."""
    if not file_name:
        return ""
    return f'<a href="{quote(job)}/{quote(file_name)}">{html.escape(text)}</a>'


def _figure(key: str, value: Any) -> str:
    """A headline figure formatted for the index."""
    if not isinstance(value, int | float):
        return html.escape(str(value))
    return format_money(value) if key in MONEY_FIGURES else format_number(value)


def _row(record: Mapping[str, Any], lang: str) -> str:
    """One table row for one notebook record of the manifest."""
    name = record["name"]
    status = record["status"]
    figures = (record.get("headline") or {}).get("figures", {})
    main = "".join(
        f'<td class="ak-num">{_figure(key, figures[key]) if key in figures else "—"}</td>'
        for key in MAIN_FIGURES
    )
    others = "<br>".join(
        f"{html.escape(label(key, lang))}: {_figure(key, value)}"
        for key, value in figures.items()
        if key not in MAIN_FIGURES
    )
    links = " · ".join(
        link
        for link in (
            _link(name, record.get("report"), label("report", lang)),
            _link(name, record.get("executed"), label("executed_notebook", lang)),
            *(_link(name, file_name, file_name) for file_name in record.get("files", [])),
        )
        if link
    )
    error = f"<br><small>{html.escape(record['error'])}</small>" if record.get("error") else ""
    return (
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(Path(record['notebook']).stem)}</td>"
        f'<td class="ak-status-{html.escape(status)}">{html.escape(label("status_" + status, lang))}'
        f'{error}</td>{main}<td class="ak-figures">{others}</td>'
        f'<td class="ak-num">{format_number(round(record.get("seconds", 0), 1))}</td><td>{links}</td></tr>'
    )


def render_index(manifest: Mapping[str, Any], lang: str = "zh") -> str:
    """The index page of a run (self-contained: inline style, no scripts)."""
    css = (TEMPLATES / "auditkit" / "auditkit.css").read_text(encoding="utf-8")
    notebooks: Sequence[Mapping[str, Any]] = manifest["notebooks"]
    headers = "".join(
        f"<th>{html.escape(label(key, lang))}</th>"
        for key in (
            "name",
            "notebook",
            "status",
            *MAIN_FIGURES,
            "headline",
            "duration",
            "links",
        )
    )
    rows = "\n".join(_row(record, lang) for record in notebooks)
    title = label("run_index", lang)
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)} · {html.escape(manifest["run_id"])}</title>
<style>
{css}
</style>
</head>
<body class="ak-report">
<header class="ak-title">
<h1>{html.escape(title)}</h1>
<dl class="ak-meta">
<div><dt>{label("run_id", lang)}</dt><dd class="ak-run-id">{html.escape(manifest["run_id"])}</dd></div>
<div><dt>{label("started", lang)}</dt><dd class="ak-timestamp">{html.escape(manifest["started_at"])}</dd></div>
<div><dt>{label("finished", lang)}</dt><dd class="ak-timestamp">{html.escape(manifest["finished_at"])}</dd></div>
<div><dt>{label("status", lang)}</dt><dd class="ak-status-{html.escape(manifest["status"])}">{html.escape(label("status_" + manifest["status"], lang))}</dd></div>
</dl>
</header>
<main>
<div class="ak-table-wrap"><table class="ak-table">
<thead><tr>{headers}</tr></thead>
<tbody>
{rows}
</tbody>
</table></div>
<p class="ak-table-note"><a href="manifest.json">manifest.json</a></p>
</main>
</body>
</html>
"""
