"""Masking of personal fields (name, address, phone): every output file shows them masked
unless masking is turned off, so reports, workbooks and field sheets mask them the same way."""

from __future__ import annotations

import pandas as pd

#: The customer columns that hold personal data.
PERSONAL_COLUMNS = ("name", "address", "phone")


def mask_name(value: str) -> str:
    """Keep the family name (first character): 张三丰 -> 张**."""
    return value[:1] + "*" * (len(value) - 1) if value else value


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits: 13812345678 -> 138****5678."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str) -> str:
    """Keep the first 6 characters (city and district level), hide the rest."""
    return value[:6] + "****" if len(value) > 6 else value[:2] + "****" if value else value


_MASKERS = {"name": mask_name, "phone": mask_phone, "address": mask_address}


def mask_value(column: str, value: str) -> str:
    """`value` of the personal `column` (name, address or phone) masked as outputs mask it."""
    return _MASKERS[column](value)


def mask_personal(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with the personal columns (name, address, phone) masked."""
    masked = frame.copy()
    for column, masker in _MASKERS.items():
        if column in masked.columns:
            masked[column] = masked[column].map(
                lambda value, mask=masker: value if pd.isna(value) else mask(str(value))
            )
    return masked
