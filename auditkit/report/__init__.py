"""Reports, inside a notebook's kernel: headline, sections, tables, figures and saved files.

Only what runs in a kernel lives here; the run pipeline that executes and renders notebooks is
`auditkit.pipeline`, so `from auditkit import report` does not pull in papermill or nbconvert.
"""

from auditkit.report.kernel_params import check_parameters
from auditkit.report.notebook import (
    headline,
    report_dir,
    save_cut_table,
    save_table,
    section,
    show_figure,
    show_html,
    show_lines,
    show_saved_folder,
    show_table,
    subject_code_of,
)
from auditkit.report.tables import personal_labels

__all__ = [
    "check_parameters",
    "headline",
    "personal_labels",
    "report_dir",
    "save_cut_table",
    "save_table",
    "section",
    "show_figure",
    "show_html",
    "show_lines",
    "show_saved_folder",
    "show_table",
    "subject_code_of",
]
