"""`auditkit render NOTEBOOK`: an executed notebook (from papermill, JupyterLab or a run) as the
offline HTML report, with the auditkit template and nothing loaded from the network."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditkit.report.labels import LANGUAGES


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
        "-o", "--output", type=Path, metavar="OUT.html",
        help="report file to write (default: NOTEBOOK with .html)",
    )  # fmt: skip
    parser.add_argument(
        "--lang", choices=LANGUAGES,
        help="report language; must be the one the notebook was executed in (default: that one)",
    )  # fmt: skip
    parser.set_defaults(func=run_render)


def run_render(args: argparse.Namespace) -> int:
    """Render the notebook and print the report's path."""
    from auditkit.report.render import render_standalone

    print(render_standalone(args.notebook, args.output, args.lang))
    return 0
