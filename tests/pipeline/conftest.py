"""Fixtures of the pipeline tests: a tiny dataset and a tiny notebook that reads it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pipeline_helpers import TINY_BODY, TINY_PARAMETERS, write_notebook


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A dataset folder with one small table of two districts."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "values.csv").write_text(
        "customer_id,district,amount,name\n"
        "c3,A,30.5,张三丰\nc1,A,1234.25,李四\nc2,A,7,王五\nc4,B,9,赵六\nc5,A,2,钱七\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def tiny_notebook(tmp_path: Path) -> Path:
    """A notebook that reads the tiny dataset, records a headline, a table, a chart and files."""
    return write_notebook(
        tmp_path / "notebooks" / "tiny.ipynb",
        TINY_PARAMETERS,
        *TINY_BODY,
        markdown="# Tiny audit\nIntro for analysts.",
    )


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temporary folder (for TMPDIR) short enough that kernel sockets fit in it: pytest's
    `tmp_path` is too long, and a run falls back to /tmp from such a folder."""
    folder = Path(tempfile.mkdtemp(prefix="ak-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
