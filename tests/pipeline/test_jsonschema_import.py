"""Run workers import jsonschema without building rfc3987-syntax's IRI grammars."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("rfc3987_syntax")  # installed with JupyterLab: what this saves time on

PROBE = """
import sys
from auditkit.pipeline.jsonschema_import import import_jsonschema_without_iri_grammars
import_jsonschema_without_iri_grammars()
import jsonschema, nbformat
checks = jsonschema.Draft7Validator.FORMAT_CHECKER.checkers
print("iri" in checks, "uri" in checks, "rfc3987_syntax" in sys.modules)
notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
nbformat.validate(notebook)
bad = nbformat.from_dict({**notebook, "cells": [{"cell_type": "code"}]})
print(not nbformat.validator.isvalid(bad))
import rfc3987_syntax  # still importable by whoever asks for it afterwards
print(rfc3987_syntax.is_valid_syntax("iri", "http://例子.测试/路径"))
"""


def test_jsonschema_checks_notebooks_without_the_iri_grammars_which_stay_importable() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    assert shown.stdout.split() == ["False", "True", "False", "True", "True"]
