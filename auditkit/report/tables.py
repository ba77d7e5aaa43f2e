"""Tables for reviewers: numbers and money as `auditkit.formatting` writes them, masked personal
fields, a sensible row limit, every cell escaped."""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from auditkit import formatting, i18n
from auditkit.masking import PERSONAL_COLUMNS, mask_personal
from auditkit.results import TOTAL_ROWS

#: Widths of text (`display_width`) that decide how a column wraps: values at most `SHORT_TEXT`
#: wide (periods, masked addresses) never wrap, nor do single words at most `CODE_TEXT` wide (rule
#: ids, customer ids); values at most `MEDIUM_TEXT` wide (rule names) wrap at a modest width, and
#: wider ones (evidence, sources, parameters) are prose, which the report's stylesheet keeps at a
#: readable width.
SHORT_TEXT = 20
CODE_TEXT = 40
MEDIUM_TEXT = 60
#: A text column gets a filter in the page (the tables script) when it groups the rows: 2 to
#: `MAX_FILTER_CHOICES` distinct values, each found on two rows or more on average (not links,
#: ids, or the values of a key/value table).
MAX_FILTER_CHOICES = 12
#: Set by `auditkit run` in the kernel's environment: the notebook's folder in the run, where its
#: files sit next to its report.
REPORT_DIR_ENV = "AUDITKIT_REPORT_DIR"


def display_width(value: object) -> int:
    """How wide a text shows, in Latin characters: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(value))


def file_link(path: str | os.PathLike[str], text: str) -> str:
    """A link to a file the notebook saved, which resolves wherever its report is read.

    In a run the file sits next to the report (`REPORT_DIR_ENV`): its bare name. Run by hand
    (JupyterLab, papermill) the link is relative to the kernel's working folder, the notebook's
    own in JupyterLab, and carries the file's absolute path in `data-ak-file`, from which
    `auditkit render` makes it relative to the HTML page it writes. A text (not a path object)
    that is not absolute is a link relative to the report, kept as it is.
    """
    if isinstance(path, str) and not Path(path).is_absolute():
        href, marker = path, ""
    else:
        target = Path(path).resolve()
        run_folder = os.environ.get(REPORT_DIR_ENV)
        if run_folder and target.parent == Path(run_folder).resolve():
            href, marker = target.name, ""
        else:
            href = Path(os.path.relpath(target, Path.cwd())).as_posix()
            marker = f' data-ak-file="{html.escape(str(target))}"'
    return f'<a href="{html.escape(quote(href, safe="/"))}"{marker}>{html.escape(text)}</a>'


def personal_labels(lang: str = i18n.DEFAULT_LANG) -> dict[str, str]:
    """Display names of the customer columns, which tables keep under their own names (`name`,
    `address`, `phone`) so that masking finds them: pass as `column_labels`."""
    return {
        column: i18n.text(f"common.{column}", lang) for column in ("customer_id", *PERSONAL_COLUMNS)
    }


def revenue_kind_name(kind: object, lang: str = i18n.DEFAULT_LANG) -> str:
    """A finding's kind of revenue (`proved`, `estimated`) in words; none: the missing mark."""
    if formatting.is_missing(kind):
        return formatting.MISSING
    return i18n.text(f"report.revenue_kind.{kind}", lang, default=str(kind))


def header_case(label: str) -> str:
    """A column label in sentence case, as every English header is (`new` -> `New`): a word
    of the catalogue also written inside sentences, lower case there. Chinese is left as it is."""
    return label[:1].upper() + label[1:] if label[:1].islower() else label


def period_range(first: object, last: object) -> str:
    """Billing months 'first – last'; a single month once ('2024-10', never '2024-10 – 2024-10');
    the missing mark for none."""
    if formatting.is_missing(first) or first == "":
        return formatting.MISSING if formatting.is_missing(last) or last == "" else str(last)
    if formatting.is_missing(last) or last == "" or first == last:
        return str(first)
    return f"{first} – {last}"


#: A table's own note (`frame.attrs[NOTE]`, already in the table's language): shown under it.
NOTE = "note"


def table_note(frame: pd.DataFrame) -> str:
    """The table's own note (`frame.attrs[NOTE]`), empty without one."""
    own = frame.attrs.get(NOTE)
    return own if isinstance(own, str) else ""


def total_rows(frame: pd.DataFrame) -> int:
    """How many rows at the end of `frame` are totals (`with_total`)."""
    return min(int(frame.attrs.get(TOTAL_ROWS, 0)), len(frame))


def shown_rows(frame: pd.DataFrame, max_rows: int) -> pd.DataFrame:
    """The rows a table shows: its first `max_rows` data rows, then its total rows."""
    totals = total_rows(frame)
    data = frame.iloc[: len(frame) - totals]
    return pd.concat([data.head(max_rows), frame.iloc[len(frame) - totals :]])


def is_numeric_column(series: pd.Series) -> bool:
    """Numbers only (blank text allowed, e.g. in a total row), booleans excluded."""
    if pd.api.types.is_bool_dtype(series):
        return False
    if pd.api.types.is_numeric_dtype(series):
        return True
    values = [
        v for v in series if not (isinstance(v, str) and v == "") and not formatting.is_missing(v)
    ]
    return bool(values) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    )


_NUMBER_TEXT = re.compile(r"[-+−]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*%?")


def is_number_text_column(series: pd.Series) -> bool:
    """Text that is all numbers already formatted (`4,434`, `0.6996`, `+1.3%`), blanks allowed:
    aligned right like numbers."""
    values = [
        text
        for text in (str(v).strip() for v in series if not formatting.is_missing(v))
        if text not in ("", formatting.MISSING)
    ]
    return bool(values) and all(_NUMBER_TEXT.fullmatch(value) for value in values)


def format_frame(
    frame: pd.DataFrame, money_columns: Iterable[str] = (), mask: bool = True
) -> pd.DataFrame:
    """Text version of `frame` for display: money and numbers formatted, personal fields masked."""
    shown = mask_personal(frame) if mask else frame.copy()
    money = set(money_columns)
    for column in shown.columns:
        series = shown[column]
        if column in money:
            shown[column] = series.map(formatting.money).astype(object)
        elif pd.api.types.is_bool_dtype(series):
            shown[column] = series.astype(object)
        elif is_numeric_column(series):
            shown[column] = series.map(formatting.number).astype(object)
        elif pd.api.types.is_datetime64_any_dtype(series):
            shown[column] = series.dt.strftime("%Y-%m-%d").fillna(formatting.MISSING).astype(object)
        else:
            shown[column] = series.astype(object).where(series.notna(), formatting.MISSING)
    return shown


def _kind(shown: pd.Series, numeric: bool) -> str:
    """The CSS class of a column: numbers right-aligned, short text unwrapped, medium text wide
    enough not to wrap a few characters a line, long text (evidence) at a readable width, so that
    a table with many columns does not squeeze it into a column of a few characters. Long text
    with Chinese in it (`ak-cjk`, a quarter of its characters or more: evidence quotes figures
    and periods) needs a wider column for as many words a line."""
    if numeric:
        return "ak-num"
    texts = shown.astype(str)
    widths = texts.map(display_width)
    longest = int(widths.max()) if len(shown) else 0
    if longest <= SHORT_TEXT or (longest <= CODE_TEXT and _single_words(texts, widths)):
        return "ak-short"
    if longest <= MEDIUM_TEXT:
        return "ak-medium"
    characters = int(texts.str.len().sum())
    wide = int(widths.sum()) - characters  # a wide character counts twice in its width
    return "ak-long ak-cjk" if 4 * wide >= characters else "ak-long"


def _single_words(texts: pd.Series, widths: pd.Series) -> bool:
    """Every text one word of narrow characters (a code, an id): nothing to wrap it at."""
    return bool((widths == texts.str.len()).all() and not texts.str.contains(r"\s").any())


def groups_rows(values: Iterable[str]) -> bool:
    """The texts of a column (the rows shown, totals left out) group the rows: 2 to
    `MAX_FILTER_CHOICES` distinct values, twice as many rows as values or more (blank and missing
    values left out), so that a filter on the column means something."""
    texts = [
        text for text in (str(v).strip() for v in values) if text not in ("", formatting.MISSING)
    ]
    distinct = len(set(texts))
    return 2 <= distinct <= MAX_FILTER_CHOICES and 2 * distinct <= len(texts)


def _cell_style(kind: str, header: bool = False) -> str:
    """The style a cell (or the header) of a column of `kind` carries in its own markup, so that
    the table reads right where no auditkit stylesheet is loaded (JupyterLab aligns every cell
    right): text left, numbers right and whole, short text and headers broken between words only
    (never inside a Chinese word). Only what holds on screen and on paper alike is set here;
    widths are the report stylesheet's, which says the same by class (auditkit.css) for pages
    whose cells carry no style, such as the run index."""
    align = "right" if kind == "ak-num" else "left"
    if header:
        return f"text-align:{align};word-break:keep-all"
    whole = {"ak-num": ";white-space:nowrap", "ak-short": ";word-break:keep-all"}.get(kind, "")
    return f"text-align:{align};vertical-align:top{whole}"


#: Where short text may wrap: at a space, but not before a dash of a range ("2023-01 –").
_WORD_BREAK = re.compile(r" (?![–—-] )")


def _cell_text(value: object, kind: str) -> str:
    """A cell's escaped text. Short text of several words has each word in a span of its own
    (`ak-word`), which the stylesheet keeps whole where the text may wrap (on paper): it then
    wraps at its spaces only, never inside a period (`2023-` / `01`) or a masked name (`徐` /
    `**`), where a browser would otherwise break it, and a range's dash stays with its first
    end (`2023-01 –` / `2025-12`)."""
    text = str(value)
    words = _WORD_BREAK.split(text)
    if kind != "ak-short" or len(words) < 2:
        return html.escape(text)
    return " ".join(f'<span class="ak-word">{html.escape(word)}</span>' for word in words)


def table_html(
    frame: pd.DataFrame,
    *,
    lang: str = i18n.DEFAULT_LANG,
    money_columns: Iterable[str] = (),
    column_labels: Mapping[str, str] | None = None,
    max_rows: int = 20,
    full_data: str | os.PathLike[str] | None = None,
    mask: bool = True,
) -> str:
    """An HTML table of at most `max_rows` rows, with a note and a link when rows were left out.

    Money columns get two decimals and separators, numbers separators, numeric cells align right;
    `full_data` is the complete CSV shown under a cut table (its path, linked by `file_link`,
    or a name relative to the report); the table's
    own note (`frame.attrs[NOTE]`) comes first under it. Total rows (`with_total`) are always
    shown, in the table's `<tfoot>`. For the tables script: a header whose column groups the
    rows shown (`groups_rows`) is marked `data-ak-filter`, and a cut table carries its number of
    data rows (`data-ak-rows`) and the sentence saying that search and filters cover the rows
    shown only (`data-ak-cut`).
    """
    totals = total_rows(frame)
    data_rows = len(frame) - totals
    shown = format_frame(shown_rows(frame, max_rows), money_columns, mask)
    numeric = {
        c for c in frame.columns if is_numeric_column(frame[c]) or is_number_text_column(shown[c])
    }
    kinds = {column: _kind(shown[column], column in numeric) for column in shown.columns}
    styles = {column: _cell_style(kind) for column, kind in kinds.items()}
    data = shown.iloc[: len(shown) - totals]
    filtered = {
        c for c in shown.columns if kinds[c] != "ak-num" and groups_rows(data[c].astype(str))
    }
    headers = "".join(
        f'<th class="{kinds[c]}" style="{_cell_style(kinds[c], header=True)}"'
        f"{' data-ak-filter' if c in filtered else ''}>"
        f"{html.escape(str((column_labels or {}).get(c, c)))}</th>"
        for c in shown.columns
    )
    rows = [
        "<tr>"
        + "".join(
            f'<td class="{kinds[c]}" style="{styles[c]}">{_cell_text(v, kinds[c])}</td>'
            for c, v in zip(shown.columns, record, strict=True)
        )
        + "</tr>"
        for record in shown.itertuples(index=False, name=None)
    ]
    body = "".join(rows[: len(rows) - totals])
    foot = "".join(rows[len(rows) - totals :]) if totals else ""
    notes = []
    cut = ""
    if data_rows > max_rows:
        tools = i18n.text("report.table.tools_cover_shown", lang).format(shown=max_rows)
        cut = f' data-ak-rows="{data_rows}" data-ak-cut="{html.escape(tools)}"'
        notes.append(
            i18n.text("report.table.showing_rows", lang).format(shown=max_rows, total=data_rows)
        )
    if full_data:
        name = full_data if isinstance(full_data, str) else Path(full_data).name
        label = f"{i18n.text('report.table.full_data', lang)}: {name}"
        notes.append(file_link(full_data, label))
    note = f'<p class="ak-table-note">{" · ".join(notes)}</p>' if notes else ""
    own = table_note(frame)
    if own:
        note = f'<p class="ak-table-note">{html.escape(own)}</p>{note}'
    return (
        f'<div class="ak-table-wrap"><table class="ak-table"{cut}><thead><tr>{headers}</tr></thead>'
        f"<tbody>{body}</tbody>{f'<tfoot>{foot}</tfoot>' if foot else ''}</table>{note}</div>"
    )
