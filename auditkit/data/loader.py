"""`load` and `validate`: a dataset folder, plain or converted for scale, → a checked Dataset.

A folder of table files is read through `intake`; a folder written by `auditkit convert` through
`partitioned`.
"""

from __future__ import annotations

import os
from pathlib import Path

from auditkit.data.dataset import Dataset
from auditkit.data.intake import read_folder
from auditkit.data.partitioned import (
    PartitionedDataset,
    is_partitioned,
    load_partitioned,
)
from auditkit.data.problems import DataValidationError, Problem
from auditkit.errors import require_type

#: What `load` and `validate` read, as their refusal says.
FOLDER = "a dataset folder (a path)"


def load(
    path: str | Path, *, validate: bool = True, lazy: bool = False
) -> Dataset | PartitionedDataset:
    """Read and check the dataset folder at `path` (see docs/data.md for the contract).

    Raises DataValidationError listing every error. With `validate=False` the values are still
    typed and checked cell by cell, but keys, references and kWh consistency are not checked.
    A folder written by `auditkit convert` (Parquet partitioned by district) is read as a
    `PartitionedDataset`; `lazy=True` reads nothing until a district or table is asked for.
    Its checks, recorded by `convert` with the sha256 of every file, are not run again while
    every file hashes the same (the same Dataset, warnings included; see docs/scale.md).
    """
    require_type(path, (str, os.PathLike), "path", FOLDER)
    if lazy or is_partitioned(path):
        return load_partitioned(path, validate=validate, lazy=lazy)
    folder = Path(path)
    return Dataset.from_intake(read_folder(folder, check=validate), folder)


def validate(path: str | Path) -> list[Problem]:
    """Every problem (errors and warnings) of the dataset folder at `path`, without raising."""
    return validate_with_rows(path)[0]


def validate_with_rows(path: str | Path) -> tuple[list[Problem], dict[str, tuple[str, int]]]:
    """Every problem of the dataset folder at `path`, and per table read its file and the rows
    read from it (so a user sees a table that came out short). A converted folder gives its row
    counts only when it loads without errors."""
    require_type(path, (str, os.PathLike), "path", FOLDER)
    if is_partitioned(path):
        try:
            dataset = PartitionedDataset(path).dataset(validate=True)
        except DataValidationError as error:
            return error.problems, {}
        return list(dataset.problems), {
            name: (dataset.sources[name].file, len(frame))
            for name, frame in dataset.tables().items()
        }
    intake = read_folder(Path(path))
    rows = {
        name: (intake.sources[name].file, len(typed.frame)) for name, typed in intake.tables.items()
    }
    return intake.problems, rows
