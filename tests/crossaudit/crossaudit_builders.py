"""Inspections and datasets for the cross-audit tests, built in memory from small plans."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.data import Dataset

#: district -> kind -> (inspections, errors): A's self-audits find clearly fewer than its cross-audits.
PLAN = {
    "A": {"self": (120, 6), "cross": (80, 20), "special": (10, 2)},
    "B": {"self": (100, 15), "cross": (90, 14)},
    "C": {"self": (60, 5), "cross": (50, 9)},
}


def inspections(plan: dict[str, dict[str, tuple[int, int]]], seed: int = 0) -> pd.DataFrame:
    """One row per inspection of `plan`; an error adds 100 yuan under-billed."""
    rng = np.random.default_rng(seed)
    auditors = {"self": None, "cross": "其他", "special": "稽查中心"}
    rows = []
    for district, kinds in plan.items():
        for kind, (count, errors) in kinds.items():
            for index in range(count):
                book = float(rng.integers(100, 400))
                rows.append(
                    {
                        "customer_id": f"{district}-{kind}-{index}",
                        "district": district,
                        "inspected_at": pd.Timestamp("2024-06-01"),
                        "audit_kind": kind,
                        "auditing_district": auditors[kind] or district,
                        "error_found": index < errors,
                        "book_value": book,
                        "audited_value": book + (100.0 if index < errors else 0.0),
                    }
                )
    return pd.DataFrame(rows)


#: Who cross-audits each district of `dataset`: another district of the data.
NEXT = {"A": "B", "B": "C", "C": "A"}


def dataset(with_inspections: bool = True) -> Dataset:
    """Districts A, B, C of ten customers each; every month of 2024 each district's self-audit
    (finding an error in January only) and a cross-audit by the next district (finding one
    January to April)."""
    customers = pd.DataFrame(
        {
            "customer_id": [f"{d}{i}" for d in "ABC" for i in range(10)],
            "district": [d for d in "ABC" for _ in range(10)],
        }
    )
    rows = [
        {
            "customer_id": f"{district}{month % 10}",
            "audit_kind": kind,
            "auditing_district": auditor,
            "error_found": found,
            "inspected_at": pd.Timestamp(f"2024-{month + 1:02d}-10"),
            "book_value": 100.0,
            "audited_value": 150.0 if found else 100.0,
        }
        for district in "ABC"
        for month in range(12)
        for kind, auditor, found in (
            ("self", district, month < 1),
            ("cross", NEXT[district], month < 4),
        )
    ]
    return Dataset(
        customers=customers, inspections=pd.DataFrame(rows) if with_inspections else None
    )
