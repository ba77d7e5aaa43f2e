"""The dataset contract: load a folder of tables, type and check them, hash their content.

`load(path)` returns a `Dataset` with one DataFrame per table of DATA.md or raises
`DataValidationError` listing every problem (file, row, column, expected, found);
`validate(path)` returns those problems without raising. docs/data.md documents the contract.
"""

from auditkit.data.dataset import Dataset
from auditkit.data.intake import TableSource
from auditkit.data.loader import load, validate
from auditkit.data.problems import DataValidationError, Problem, count_problems, format_problems
from auditkit.data.schema import TABLES, Column, TableSpec

__all__ = [
    "TABLES",
    "Column",
    "DataValidationError",
    "Dataset",
    "Problem",
    "TableSource",
    "TableSpec",
    "count_problems",
    "format_problems",
    "load",
    "validate",
]
