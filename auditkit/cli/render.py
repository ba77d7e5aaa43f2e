"""`auditkit render NOTEBOOK`: an executed notebook (from papermill, JupyterLab or a run) as the
offline HTML report, with the auditkit template and nothing loaded from the network."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditkit import i18n


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `render` to the parser."""
    parser = subparsers.add_parser(
        "render",
        help="turn an executed notebook into the offline HTML report",
        description=(
            "Render an executed notebook (e.g. `papermill notebooks/district_audit.ipynb out.ipynb`) "
            "into the self-contained report reviewers read offline: code hidden, title block, "
            "contents, reproducibility footer, no scripts or fonts from the network."
        ),
    )
    parser.add_argument("notebook", type=Path, metavar="NOTEBOOK", help="executed .ipynb file")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUT.html",
        help="report file to write: a new one or an earlier auditkit report, never another file "
        "(default: NOTEBOOK with .html)",
    )
    parser.add_argument(
        "--lang",
        choices=i18n.LANGS,
        help="report language; must be the one the notebook was executed in (default: that one)",
    )
    parser.set_defaults(func=run_render)


def run_render(args: argparse.Namespace) -> int:
    """Render the notebook and print the report's path."""
    from auditkit.pipeline.jsonschema_import import import_jsonschema_without_iri_grammars
    from auditkit.pipeline.render import render_standalone

    import_jsonschema_without_iri_grammars()
    print(render_standalone(args.notebook, args.output, args.lang))
    return 0
