"""Executed notebook -> one self-contained HTML report for reviewers.

nbconvert's `lab` template loads require.js, MathJax and mermaid from a CDN and papermill's report
mode does not hide code in its HTML; this uses the `auditkit` template (lab cell markup, a small
inline stylesheet, no scripts at all) with nbconvert's `exclude_input`, adds a title block, a table
of contents and a reproducibility footer. Images are already inline (base64) in notebook outputs.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from auditkit import i18n
from auditkit.atomic import write_text_atomic
from auditkit.errors import AuditkitError, ParameterError
from auditkit.pipeline.templates_dir import TEMPLATES
from auditkit.pipeline.times import format_local_time
from auditkit.report.notebook import read_headline

if TYPE_CHECKING:  # nbformat imports jsonschema (slow): only the worker process needs it
    import nbformat

REMOVE_TAGS = frozenset({"remove-cell", "remove_cell", "parameters", "injected-parameters"})
TOC_MARK = "<!--AK-TOC-->"
CSP_MARK = 'content="AK-CSP"'
SCRIPT_ID = "ak-tables-script"
_SCRIPT = re.compile(rf'<script[^>]*\bid="{SCRIPT_ID}"[^>]*>(.*?)</script>', re.DOTALL)
#: The words the table script shows, handed to it as data-* attributes of its element.
TABLE_WORDS = ("search", "all", "shown", "sort", "wide")
_H2 = re.compile(r"""<h2 id=(?:"([^"]+)"|'([^']+)')[^>]*>(.*?)</h2>""", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
#: A link to a file a notebook run by hand saved (`auditkit.report.tables.file_link`).
_SAVED_FILE = re.compile(r'<a href="[^"]*" data-ak-file="([^"]*)"')
#: The generator tag in the head of every report page auditkit writes (attributes in either
#: order: nbconvert's HTML cleaning sorts them).
_GENERATOR_TAG = re.compile(rb'<meta (?=[^>]*\bname="generator")(?=[^>]*\bcontent="auditkit )')
#: How much of an existing file is read to tell an earlier report from any other file.
_HEAD_BYTES = 4096


@dataclass(frozen=True)
class ReportContext:
    """What the title block and the reproducibility footer show besides the notebook itself."""

    run_id: str
    subject: str
    generated_at: str
    parameters: dict[str, Any] = field(default_factory=dict)
    input_hashes: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    commit: str = "unknown"
    auditkit_version: str = ""


def prepare_for_report(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy fit for reviewers: no parameter or `remove-cell` cells, no stderr noise, stable ids.

    Cell ids are renumbered because papermill gives its injected cell a random one, which would
    make two renders of the same run differ.
    """
    prepared = copy.deepcopy(notebook)
    prepared.cells = [
        cell
        for cell in prepared.cells
        if not REMOVE_TAGS & set(cell.get("metadata", {}).get("tags", []))
    ]
    for index, cell in enumerate(prepared.cells):
        cell["id"] = f"cell-{index}"
        if cell.cell_type == "code":
            cell.outputs = [
                output
                for output in cell.outputs
                if not (output.get("output_type") == "stream" and output.get("name") == "stderr")
            ]
    return prepared


def notebook_title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first level-1 markdown heading of the notebook, or `fallback`."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def table_of_contents(body: str) -> str:
    """An ordered list linking every `<h2 id=...>` of the rendered page (text and anchors escaped)."""
    entries = []
    for double_quoted, single_quoted, inner in _H2.findall(body):
        anchor = double_quoted or single_quoted
        text = html.unescape(_TAG.sub("", inner)).replace("¶", "").strip()
        target = html.escape(html.unescape(anchor))
        entries.append(f'<li><a href="#{target}">{html.escape(text)}</a></li>')
    return f"<ol>{''.join(entries)}</ol>"


def content_security_policy(script: str | None) -> str:
    """The page's policy: nothing from the network, inline PNGs and styles, and only `script`
    (by its hash) may run, so markup that got into the page still could not run script."""
    allowed = "'none'"
    if script is not None:
        allowed = "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        allowed += "'"
    return (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src {allowed}; base-uri 'none'; form-action 'none'"
    )


def with_content_security_policy(page: str) -> str:
    """`page` with its policy placeholder filled in for the one auditkit script it holds."""
    scripts = _SCRIPT.findall(page)
    policy = content_security_policy(scripts[0] if len(scripts) == 1 else None)
    return page.replace(CSP_MARK, f'content="{html.escape(policy)}"', 1)


def tables_script(lang: str) -> str:
    """The inline script element that makes long `ak-table`s sortable, searchable, filterable,
    with its words in `lang`."""
    code = (TEMPLATES / "auditkit" / "tables.js").read_text(encoding="utf-8")
    words = "".join(
        f' data-{word}="{html.escape(i18n.text(f"pipeline.table.{word}", lang))}"'
        for word in TABLE_WORDS
    )
    return f'<script id="{SCRIPT_ID}"{words}>\n{code}</script>'


def with_saved_file_links(notebook: nbformat.NotebookNode, page_dir: Path) -> None:
    """Make every link of `notebook`'s HTML outputs to a file saved by a notebook run by hand
    relative to `page_dir`, the report page's folder: the kernel wrote it relative to its own
    working folder."""

    def relink(match: re.Match[str]) -> str:
        target = Path(html.unescape(match.group(1)))
        href = Path(os.path.relpath(target, page_dir.resolve())).as_posix()
        return f'<a href="{html.escape(quote(href, safe="/"))}" data-ak-file="{match.group(1)}"'

    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            if "text/html" in data:
                page = data["text/html"]
                page = "".join(page) if isinstance(page, list) else page
                data["text/html"] = _SAVED_FILE.sub(relink, page)


def render_html(
    notebook: nbformat.NotebookNode, context: ReportContext, page_dir: Path | None = None
) -> str:
    """The report page for an executed notebook, as a string; with `page_dir`, the folder the
    page is written to, links to the files saved by a notebook run by hand resolve from there."""
    from auditkit.pipeline.exporter import ReportExporter

    headline = read_headline(notebook) or {}
    lang = str(context.parameters.get("lang") or headline.get("lang") or i18n.DEFAULT_LANG)
    lang = lang if lang in i18n.LANGS else i18n.DEFAULT_LANG
    exporter = ReportExporter()
    resources = {
        "auditkit": {
            "lang": lang,
            "text": lambda key: i18n.text(key, lang),
            "title": headline.get("title") or notebook_title(notebook, context.subject),
            "subject": headline.get("subject") or context.subject,
            "subject_label": i18n.text(
                "common.district" if "district" in context.parameters else "pipeline.subject", lang
            ),
            "period": headline.get("period", ""),
            "as_of": headline.get("as_of") or context.parameters.get("as_of", ""),
            "run_id": context.run_id,
            "index_href": "../index.html" if context.run_id else "",
            "generated_at": format_local_time(context.generated_at),
            "parameters": {
                key: i18n.value_text(value, lang) for key, value in context.parameters.items()
            },
            "input_hashes": context.input_hashes,
            "versions": context.versions,
            "commit": context.commit,
            "auditkit_version": context.auditkit_version,
        }
    }
    prepared = prepare_for_report(notebook)
    if page_dir is not None:
        with_saved_file_links(prepared, page_dir)
    body, _ = exporter.from_notebook_node(prepared, resources=resources)
    return with_content_security_policy(body.replace(TOC_MARK, table_of_contents(body), 1))


def render_report(executed: Path, html_path: Path, context: ReportContext) -> Path:
    """Render an executed notebook file into `html_path` (written atomically)."""
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    return write_text_atomic(html_path, render_html(notebook, context, html_path.parent))


def read_executed_notebook(path: Path) -> nbformat.NotebookNode:
    """An executed notebook file, or one clear error naming the file and what is wrong."""
    import nbformat

    if not path.is_file():
        raise AuditkitError(f"{path}: expected an executed notebook (.ipynb), found no such file")
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as problem:  # nbformat raises JSON, schema, type and decoding errors alike
        first_line = (str(problem).strip().splitlines() or [type(problem).__name__])[0]
        raise AuditkitError(
            f"{path}: expected a Jupyter notebook (.ipynb JSON), found one that cannot be read: "
            f"{first_line[:200]}"
        ) from None
    if not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"):
        raise AuditkitError(
            f"{path}: expected an executed notebook, found no outputs "
            "(run it first: papermill, JupyterLab or auditkit run)"
        )
    return notebook


def executed_parameters(notebook: nbformat.NotebookNode, origin: str) -> dict[str, Any]:
    """The values the notebook ran with: its `parameters` cell's (what JupyterLab runs, edited
    there or not), then those papermill injected over them (its metadata). A name papermill
    injected that the cell does not declare is refused as `auditkit run` refuses it: papermill
    only warned, and the notebook ran on the default in its place."""
    from auditkit.notebook_params import (
        UnknownParameterError,
        is_papermill_own,
        parse_parameters_source,
    )

    injected = dict(notebook.metadata.get("papermill", {}).get("parameters", {}))
    declared: dict[str, Any] = {}
    for cell in notebook.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                schema = parse_parameters_source(cell.source, origin)
            except AuditkitError:  # an analyst's own cell, not in auditkit's form: papermill's only
                break
            declared = {name: parameter.default for name, parameter in schema.items()}
            unknown = [
                name for name in injected if name not in schema and not is_papermill_own(name)
            ]
            if unknown:
                raise UnknownParameterError(unknown[0], origin, schema)
            break
    return declared | injected


def executed_language(notebook: nbformat.NotebookNode) -> str | None:
    """The `lang` the notebook was executed with (papermill's record, else its headline)."""
    parameters = notebook.metadata.get("papermill", {}).get("parameters", {})
    recorded = parameters.get("lang") or (read_headline(notebook) or {}).get("lang")
    return recorded if recorded in i18n.LANGS else None


def failed_cell(notebook: nbformat.NotebookNode) -> str | None:
    """The first cell that raised, as `cell N raised Name: message` (one line), or None. N is
    the cell's execution count, the [N] JupyterLab shows beside it and the number `auditkit run`
    names (its position among all cells where it has none)."""
    for position, cell in enumerate(notebook.cells, start=1):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                number = cell.get("execution_count") or position
                message = (str(output.get("evalue", "")).strip().splitlines() or [""])[0][:200]
                return f"cell {number} raised {output.get('ename', 'an error')}: {message!r}"
    return None


def check_report_target(target: Path, notebook_path: Path) -> None:
    """A ParameterError naming --output unless `target` is free for the report: absent, or an
    earlier report auditkit wrote (its generator tag), never the notebook being rendered. Any
    other file (a notebook, a dataset's table, a system file) is left as it is."""
    expected = "a new file or an earlier auditkit report (.html)"
    if target.exists() and notebook_path.exists() and target.samefile(notebook_path):
        raise ParameterError("--output", f"{expected}, not the notebook rendered", str(target))
    if not target.exists() and not target.is_symlink():
        return
    if target.is_symlink() or not target.is_file():
        kind = "a link" if target.is_symlink() else "a folder"
        raise ParameterError("--output", expected, f"{target}, {kind}")
    with target.open("rb") as existing:
        head = existing.read(_HEAD_BYTES)
    if not _GENERATOR_TAG.search(head):
        raise ParameterError("--output", expected, f"{target}, another file")


def _refuse_unfound_relative_data_dir(given: str) -> None:
    """A ParameterError naming data_dir when it is relative and no folder of notebooks/, where
    auditkit run and `papermill --cwd notebooks` kernels read it: papermill does not record the
    folder its kernel ran in, so the data hashed would be a guess (an absolute one that is gone
    is only left out, as the footer says)."""
    if Path(given).is_absolute():
        return
    from auditkit.paths import notebooks_dir

    raise ParameterError(
        "data_dir",
        f"an absolute folder, or one relative to {notebooks_dir()} where auditkit run and "
        "`papermill --cwd notebooks` read it (papermill does not record the folder its kernel "
        "ran in: run it again with an absolute data_dir)",
        given,
    )


def render_standalone(notebook_path: Path, html_path: Path | None, lang: str | None) -> Path:
    """The offline report of any executed notebook (e.g. from plain papermill), outside a run.

    The footer records the parameters the notebook ran with (`executed_parameters`: JupyterLab's
    as well as papermill's), the hashes of the `data_dir` folder when it still exists (the demo
    utility's for an empty one), and the versions and commit of this installation. `lang` must
    be the language the notebook was executed in (its text is already written in it).
    """
    from auditkit import __version__
    from auditkit.paths import demo_folder, notebooks_dir, project_root
    from auditkit.pipeline.manifest import hash_inputs, package_versions, source_commit

    notebook = read_executed_notebook(notebook_path)
    failure = failed_cell(notebook)
    if failure:
        raise AuditkitError(
            f"{notebook_path}: expected a notebook that ran to its end, found {failure} "
            "(its report would show the error as the findings)"
        )
    recorded = executed_language(notebook)
    if lang is not None and recorded is not None and lang != recorded:
        raise ParameterError(
            "lang", f"{recorded!r}, the language {notebook_path.name} was executed in", lang
        )
    parameters = executed_parameters(notebook, str(notebook_path))
    parameters["lang"] = lang or recorded or i18n.DEFAULT_LANG
    # A relative data_dir was read by a kernel in notebooks/ when papermill ran it (auditkit run,
    # `papermill --cwd notebooks`), in the notebook's own folder when JupyterLab did (no papermill
    # record), never from the folder `auditkit render` happens to be typed in.
    ran_by_papermill = "papermill" in notebook.metadata
    kernel_folder = notebooks_dir() if ran_by_papermill else notebook_path.resolve().parent
    data_dir = kernel_folder / str(parameters.get("data_dir") or ".")
    if ran_by_papermill and parameters.get("data_dir") and not data_dir.is_dir():
        _refuse_unfound_relative_data_dir(str(parameters["data_dir"]))
    if "data_dir" in parameters and not parameters["data_dir"]:
        # the demo's folder (`demo.demo_data_dir`) as it is: rendering never generates a dataset
        data_dir = demo_folder()
    context = ReportContext(
        run_id="",
        subject=notebook_path.stem,
        generated_at=time.strftime("%Y-%m-%d %H:%M:%S %z"),
        parameters=parameters,
        input_hashes=hash_inputs(data_dir)
        if "data_dir" in parameters and data_dir.is_dir()
        else {},
        versions=package_versions(),
        commit=source_commit(project_root()),
        auditkit_version=__version__,
    )
    target = html_path or notebook_path.with_suffix(".html")
    check_report_target(target, notebook_path)
    return write_text_atomic(target, render_html(notebook, context, target.parent))
