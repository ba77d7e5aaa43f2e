"""`load` and `validate`: a dataset folder, plain or converted for scale, → a checked Dataset.

A folder of table files is read through `intake`; a folder written by `auditkit convert` through
`partitioned`.
"""

from __future__ import annotations

from pathlib import Path

from auditkit.data.dataset import Dataset
from auditkit.data.intake import read_folder
from auditkit.data.partitioned import (
    PartitionedDataset,
    is_partitioned,
    load_partitioned,
    validate_partitioned,
)
from auditkit.data.problems import Problem


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
    if lazy or is_partitioned(path):
        return load_partitioned(path, validate=validate, lazy=lazy)
    folder = Path(path)
    return Dataset.from_intake(read_folder(folder, check=validate), folder)


def validate(path: str | Path) -> list[Problem]:
    """Every problem (errors and warnings) of the dataset folder at `path`, without raising."""
    if is_partitioned(path):
        return validate_partitioned(path)
    return read_folder(Path(path)).problems
