"""Where things live: the project root, parameters, generated data and run outputs, in one place.

Environment variables override each location, so a scheduled job or a test can point auditkit
elsewhere without touching the code.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The checkout auditkit runs from (the folder holding pyproject.toml), else the working folder."""
    candidate = PACKAGE_DIR.parent
    return candidate if (candidate / "pyproject.toml").is_file() else Path.cwd()


def params_dir() -> Path:
    """YAML parameters of the rules and notebooks (`AUDITKIT_PARAMS` overrides)."""
    return Path(os.environ.get("AUDITKIT_PARAMS") or project_root() / "params")


def data_home() -> Path:
    """Generated datasets such as the demo utility (`AUDITKIT_DATA` overrides)."""
    return Path(os.environ.get("AUDITKIT_DATA") or project_root() / "data")


def outputs_dir() -> Path:
    """Run outputs: executed notebooks, HTML reports, manifests (`AUDITKIT_OUTPUTS` overrides)."""
    return Path(os.environ.get("AUDITKIT_OUTPUTS") or project_root() / "outputs")


def notebooks_dir() -> Path:
    """The parameterised notebooks that papermill runs."""
    return project_root() / "notebooks"
