"""The one "last N months of bills" window."""

from __future__ import annotations

import pandas as pd

from auditkit.periods import last_months

BILLS = pd.DataFrame(
    {"period": ["2024-01", "2024-02", "2024-03", "2024-03", "2024-05"], "kwh": range(5)}
)


def test_last_months_counts_billing_periods_up_to_the_latest():
    assert last_months(BILLS, 2)["kwh"].tolist() == [2, 3, 4]


def test_last_months_ends_at_as_of():
    assert last_months(BILLS, 2, "2024-03")["kwh"].tolist() == [1, 2, 3]
    assert last_months(BILLS, None, "2024-02")["kwh"].tolist() == [0, 1]


def test_without_months_or_as_of_every_bill_is_kept():
    assert last_months(BILLS).equals(BILLS)
