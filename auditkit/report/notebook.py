"""Helpers a report notebook calls: headline figures, sections, tables and its output files.

When `auditkit run` executes a notebook it sets `AUDITKIT_REPORT_DIR` (the notebook's folder in the
run) in the kernel's environment; opened by hand in JupyterLab or run by papermill, files go to
`<outputs>/interactive/<subject>-<digest>/` instead, one folder per content (the digest of what
the files depend on), so the analyst gets the same files and a later run with other parameters
never replaces an earlier one's.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from auditkit import i18n
from auditkit.atomic import write_files_together
from auditkit.errors import ParameterError, require_type
from auditkit.formulas import csv_bytes
from auditkit.masking import mask_personal
from auditkit.paths import outputs_dir, safe_name
from auditkit.report.figures import figure_name, figure_value, in_order
from auditkit.report.tables import (
    REPORT_DIR_ENV,
    file_link,
    format_frame,
    shown_rows,
    table_html,
    table_note,
    total_rows,
)

HEADLINE_MIME = "application/vnd.auditkit.headline+json"
#: The headline cards' look, carried in their own markup: JupyterLab and a plain nbconvert page
#: load no auditkit stylesheet (and JupyterLab drops <style> from a notebook it does not trust,
#: keeping style attributes), and a style attribute reaches nothing but its own element.
HEADLINE_STYLE = "display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0"
FIGURE_STYLE = (
    "box-sizing:border-box;flex:1 1 10rem;max-width:18rem;padding:.75rem 1rem;"
    "border:1px solid #d9e2ec;border-radius:8px;background:#f5f7fa;color:#1f2933"
)
FIGURE_VALUE_STYLE = "font-size:1.6rem;font-weight:700;line-height:1.3"
FIGURE_LABEL_STYLE = "font-size:.9rem;color:#616e7c"
SIMULATED_STYLE = "flex:1 1 100%;font-weight:700;color:#8a4b00"
#: The headline's `subject_code` for a study of every district (its `district` parameter empty):
#: the run's index names such a subject by its code, in the index's language, which may differ
#: from the notebook's. A district's own name needs no code (it reads the same in every language).
ALL_DISTRICTS = "all_districts"
#: The catalogue key of each subject code's wording.
SUBJECT_WORDS = {ALL_DISTRICTS: "common.all_districts"}


def report_dir(subject: str, **content: Any) -> Path:
    """The folder for this notebook's files: the run's job folder, or an interactive folder
    named by `paths.safe_name(subject)` (the subject may be a district from the data) and, when
    `content` names what the files depend on (month, language, parameters), `-` and a digest of
    it (`content_digest`): a run by hand with other values writes to a folder of its own."""
    folder = os.environ.get(REPORT_DIR_ENV)
    name = safe_name(subject) + (f"-{content_digest(content)}" if content else "")
    path = Path(folder) if folder else outputs_dir() / "interactive" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def content_digest(content: Mapping[str, Any]) -> str:
    """8 hex digits of SHA-256 of `content` as sorted JSON: the same values, the same digest."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def show_saved_folder(folder: Path, lang: str = i18n.DEFAULT_LANG) -> None:
    """Say where this notebook's files are, when run by hand: a run's are next to its report,
    but JupyterLab's and papermill's go to an interactive folder nobody would guess."""
    if os.environ.get(REPORT_DIR_ENV):
        return
    sentence = i18n.text("report.saved_folder", lang)
    link = file_link(folder.resolve(), str(folder.resolve()))
    _display(
        {
            "text/html": f"<p>{html.escape(sentence)}{link}</p>",
            "text/plain": f"{sentence}{folder.resolve()}",
        }
    )


def _display(bundle: Mapping[str, Any], metadata: Mapping[str, Any] | None = None) -> None:
    """Show a mime bundle (with its output `metadata`) in the notebook (deferred import: IPython
    is only there in a kernel)."""
    from IPython.display import display

    display(dict(bundle), raw=True, metadata=dict(metadata or {}))


def _plain(value: Any) -> Any:
    """A JSON-ready Python number for numpy and pandas scalars."""
    if hasattr(value, "item"):
        value = value.item()
    return value


def subject_code_of(district: str) -> str:
    """The `subject_code` of a study of `district` (its notebook's parameter): `ALL_DISTRICTS`
    when it is empty, none (empty) for a district, whose name is the subject itself."""
    return "" if district else ALL_DISTRICTS


def headline(
    figures: Mapping[str, float],
    *,
    title: str,
    subject: str,
    subject_code: str | None = None,
    period: str = "",
    as_of: str = "",
    lang: str = i18n.DEFAULT_LANG,
    simulated: bool = False,
) -> None:
    """Show the headline figures and record them (machine-readable) for the run's index page.

    The output carries a JSON copy under its own mime type, so the executed notebook itself is the
    record: the index and the report's title block read it from there. `subject` is written in
    `lang`; `subject_code` (`subject_code_of(district)`) says what it is in no language, so that the
    index can name it in its own (`SUBJECT_WORDS`). Without one (an analyst's own notebook) none is
    recorded, and the index reads the subject by its wording, as for a headline recorded before
    the codes. `simulated` says the figures come from simulated results (the sampling study's
    inspections simulated from the demo's truth table): recorded, so that the index says so
    too, and said under the cards.
    """
    i18n.language(lang)
    code = {} if subject_code is None else {"subject_code": subject_code}
    record = {
        "title": title,
        "subject": subject,
        **code,
        "period": period,
        "as_of": as_of,
        "lang": lang,
        "figures": {key: _plain(value) for key, value in figures.items()},
        **({"simulated": True} if simulated else {}),
    }
    cards = "".join(
        f'<div class="ak-figure" style="{FIGURE_STYLE}">'
        f'<div class="ak-figure-value" style="{FIGURE_VALUE_STYLE}">'
        f"{html.escape(figure_value(key, value))}</div>"
        f'<div class="ak-figure-label" style="{FIGURE_LABEL_STYLE}">'
        f"{html.escape(figure_name(key, lang))}</div></div>"
        for key, value in in_order(record["figures"])
    )
    text = "\n".join(
        f"{figure_name(key, lang)}: {figure_value(key, value)}"
        for key, value in in_order(record["figures"])
    )
    if simulated:
        warning = i18n.text("report.figure.simulated", lang)
        cards += f'<div class="ak-simulated" style="{SIMULATED_STYLE}">{html.escape(warning)}</div>'
        text += f"\n{warning}"
    _display(
        {
            "text/html": f'<div class="ak-headline" style="{HEADLINE_STYLE}">{cards}</div>',
            "text/plain": text,
            HEADLINE_MIME: record,
        }
    )


def show_html(fragment: str, plain: str = "") -> None:
    """Display an HTML fragment (trusted text built by auditkit, e.g. the methodology)."""
    _display({"text/html": fragment, "text/plain": plain or fragment})


def show_lines(lines: str | Iterable[str]) -> None:
    """Sentences (a text with one a line, or a list) as a bullet list, escaped: they may quote
    names from the data. Nothing is shown for none."""
    items = lines.splitlines() if isinstance(lines, str) else list(lines)
    shown = "".join(f"<li>{html.escape(line)}</li>" for line in items if line)
    if shown:
        _display({"text/html": f"<ul>{shown}</ul>", "text/plain": "\n".join(items)})


def section(
    key: str, lang: str = i18n.DEFAULT_LANG, level: int = 2, title: str | None = None
) -> None:
    """A heading (`title`, else the wording of catalogue key `key` in `lang`) anchored `sec-<key>`
    for the contents."""
    heading = title or i18n.text(key, i18n.language(lang), default=key)
    _display(
        {
            "text/html": f'<h{level} id="sec-{html.escape(key)}">{html.escape(heading)}</h{level}>',
            "text/markdown": f"{'#' * level} {heading}",
        }
    )


def show_table(
    frame: pd.DataFrame,
    *,
    lang: str = i18n.DEFAULT_LANG,
    money_columns: Iterable[str] = (),
    column_labels: Mapping[str, str] | None = None,
    max_rows: int = 20,
    full_data: str | os.PathLike[str] | None = None,
    mask: bool = True,
) -> None:
    """Display a formatted table (see `auditkit.report.tables.table_html`).

    The plain-text copy kept beside the HTML in the executed notebook is made from the same
    formatted, masked rows: the notebook file is an output of the run too. A table without rows
    is shown as a sentence saying so, in `lang`: its own (`frame.attrs["empty"]`, set by a table
    that knows what having no rows means, already in `lang`) or a general one.
    """
    require_type(frame, pd.DataFrame, "frame", "a table (a DataFrame)")
    i18n.language(lang)
    if frame.empty:
        own = frame.attrs.get("empty")
        nothing = own if isinstance(own, str) and own else i18n.text("common.nothing", lang)
        _display({"text/html": f"<p>{html.escape(nothing)}</p>", "text/plain": nothing})
        return
    shown = format_frame(shown_rows(frame, max_rows), money_columns, mask)
    plain = shown.rename(columns=dict(column_labels or {})).to_string(index=False)
    if note := table_note(frame):
        plain = f"{plain}\n{note}"
    _display(
        {
            "text/html": table_html(
                frame,
                lang=lang,
                money_columns=money_columns,
                column_labels=column_labels,
                max_rows=max_rows,
                full_data=full_data,
                mask=mask,
            ),
            "text/plain": plain,
        }
    )


def figure_png(figure: Any, dpi: int = 100) -> bytes:
    """A matplotlib figure as PNG bytes, without the software tag (identical bytes every run)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def figure_text(figure: Any) -> str:
    """What a figure shows, in its own words (so in the report's language), on one line (a title
    wrapped to the figure's width is one sentence): its label (`figure.set_label`), else its
    title, else its axes' titles, else their axis labels."""
    return " ".join(_figure_words(figure).split())


def _figure_words(figure: Any) -> str:
    """`figure_text` before its lines are joined."""
    if figure.get_label():
        return str(figure.get_label())
    if figure.get_suptitle():
        return figure.get_suptitle()
    axes = figure.get_axes()
    titles = [ax.get_title(loc) for ax in axes for loc in ("left", "center", "right")]
    if any(titles):
        return " · ".join(dict.fromkeys(title for title in titles if title))
    labels = [label for ax in axes for label in (ax.get_ylabel(), ax.get_xlabel()) if label]
    return " / ".join(dict.fromkeys(labels))


def show_figure(figure: Any, alt: str = "") -> None:
    """Display a figure as an embedded PNG (works in JupyterLab and in the offline report), with
    `alt` (default: `figure_text`) as its alternative text and its plain-text copy."""
    import base64

    text = alt or figure_text(figure) or "<figure>"
    _display(
        {
            "image/png": base64.b64encode(figure_png(figure)).decode("ascii"),
            "text/plain": text,
        },
        {"image/png": {"alt": text}},
    )


def save_table(
    frame: pd.DataFrame,
    folder: str | os.PathLike[str],
    name: str,
    sort_by: Sequence[str] = (),
    mask: bool = True,
) -> tuple[Path, Path]:
    """Write `frame` as `<name>.parquet` and `<name>.csv` with identical bytes for identical data.

    Rows are put in a stable order (`sort_by` columns present in the frame), the index and the
    frame's `attrs` (run details such as timings) are dropped, the personal fields are masked
    (unless `mask` is False), the CSV is UTF-8 with a BOM (Excel shows Chinese correctly) and
    `\\n` line ends, with text that a spreadsheet would evaluate as a formula kept as text; the
    two files are replaced together (`write_files_together`: never one from another run).
    `folder` is a path (text or Path); `name` a plain file name (letters, digits, - and _): one
    naming another folder ('../x', '/tmp/x') is refused, so the files stay in `folder`.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    require_type(folder, (str, os.PathLike), "folder", "a folder (a path)")
    if not isinstance(name, str) or not name or safe_name(name) != name:
        raise ParameterError("name", "a file name of letters, digits, - and _", name)
    folder = Path(folder)

    keys = [column for column in sort_by if column in frame.columns]
    ordered = frame.sort_values(keys, kind="mergesort") if keys else frame
    ordered = ordered.reset_index(drop=True)
    if mask:
        ordered = mask_personal(ordered)
    ordered.attrs = {}  # pandas would store attrs (e.g. rule timings) in the Parquet metadata
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(ordered, preserve_index=False), buffer)
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    write_files_together({parquet: buffer.getvalue(), csv: csv_bytes(ordered)})
    return parquet, csv


def save_cut_table(
    frame: pd.DataFrame,
    folder: str | os.PathLike[str],
    name: str,
    max_rows: int,
    mask: bool = True,
) -> Path | None:
    """The CSV of a table that `show_table` cuts to `max_rows` data rows, saved whole with
    `save_table` (masked as the table is shown), for its `full_data` link: no row of a report is
    in no file of its run. None, and no file, for a table shown whole."""
    if len(frame) - total_rows(frame) <= max_rows:
        return None
    return save_table(frame, folder, name, mask=mask)[1]


def read_headline(notebook: Mapping[str, Any]) -> dict[str, Any] | None:
    """The headline record a notebook showed (from its outputs), or None when it showed none."""
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data", {})
            if HEADLINE_MIME in data:
                record = data[HEADLINE_MIME]
                return json.loads(record) if isinstance(record, str) else dict(record)
    return None
