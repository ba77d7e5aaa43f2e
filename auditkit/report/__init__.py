"""Reports: notebook helpers (imported by notebooks) and the run pipeline (`auditkit.report.runs`).

Only the light notebook-side helpers are imported here, so `from auditkit import report` inside a
kernel does not pull in papermill or nbconvert.
"""

from auditkit.report.kernel_params import check_parameters
from auditkit.report.notebook import (
    headline,
    report_dir,
    save_table,
    section,
    show_figure,
    show_html,
    show_table,
)

__all__ = [
    "check_parameters",
    "headline",
    "report_dir",
    "save_table",
    "section",
    "show_figure",
    "show_html",
    "show_table",
]
