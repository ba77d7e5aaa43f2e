"""Small hand-made notebooks for the run pipeline tests, and a check that a process still runs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd


def write_notebook(path: Path, parameters: str, *cells: str, markdown: str = "") -> Path:
    """Write a notebook: optional markdown intro, a `parameters` cell, then code cells."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    if markdown:
        notebook.cells.append(nbformat.v4.new_markdown_cell(markdown))
    parameter_cell = nbformat.v4.new_code_cell(parameters)
    parameter_cell.metadata["tags"] = ["parameters"]
    notebook.cells.append(parameter_cell)
    notebook.cells.extend(nbformat.v4.new_code_cell(source) for source in cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


TINY_PARAMETERS = """data_dir: str = ""  # dataset folder
district: str = "A"  # district to audit
lang: str = "zh"  # report language
top_n: int = 3  # rows to show
"""

TINY_BODY = (
    "import pandas as pd\n"
    "from pathlib import Path\n"
    "from auditkit import report\n"
    "frame = pd.read_csv(Path(data_dir) / 'values.csv')\n"
    "mine = frame[frame['district'] == district].reset_index(drop=True)\n"
    "report.headline({'findings': len(mine), 'revenue_at_stake': float(mine['amount'].sum())},\n"
    "                title='Tiny audit', subject=district, period='2024-01', lang=lang)",
    "report.section('findings', lang)\n"
    "report.show_table(mine, lang=lang, money_columns=['amount'], max_rows=top_n,\n"
    "                  full_data='findings.csv')",
    "import matplotlib.pyplot as plt\n"
    "from IPython.display import display\n"
    "fig, ax = plt.subplots(figsize=(3, 2))\nax.bar(mine['customer_id'], mine['amount'])\n"
    "ax.set_title('金额 amount')\ndisplay(fig)\nplt.close(fig)",
    "_ = report.save_table(mine, report.report_dir(district), 'findings', sort_by=['customer_id'])",
)


def two_districts(_data_dir: Path) -> list[str]:
    """District lookup for planning tests: the tiny dataset's districts."""
    return ["A", "B"]


def alive(pid: int) -> bool:
    """True while a process runs (a zombie waiting for its parent counts as gone)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


SLEEPER_PARAMETERS = 'pid_file: str = ""  # where the kernel writes its pid\n'
SLEEPER_BODY = (
    "import os, time\nopen(pid_file, 'w').write(str(os.getpid()))",
    "time.sleep(120)",
)
FAILING_BODY = ("x = 1", "raise KeyError('no such column: kwh')", "y = 2")


def one_finding() -> pd.DataFrame:
    """One finding of district A as `auditkit.rules.run` returns it, to change a register."""
    from auditkit.rules import FINDING_COLUMNS

    row = {"rule_id": "rate_mismatch", "area": "tariff", "severity": "medium",
           "customer_id": "c1", "district": "A", "period_from": "2024-01",
           "period_to": "2024-06", "evidence": "wrong rate", "revenue_impact": 100.0,
           "revenue_kind": "proved", "penalty": 0.0, "score": 0.9,
           "evidence_code": '[["rate", {}]]'}  # fmt: skip
    return pd.DataFrame([row], columns=list(FINDING_COLUMNS))
