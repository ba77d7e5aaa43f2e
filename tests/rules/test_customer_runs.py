"""A table's runs of one customer pick a few customers' rows in the table's order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.rules.context import CustomerRuns, RuleContext


def test_rows_of_flagged_customers_come_from_each_of_their_runs_in_table_order_with_owner() -> None:
    # rows: c0 c0 | c2 | c0 | unknown unknown | c1
    runs = CustomerRuns(np.array([0, 2, 3, 4, 6]), np.array([0, 2, 0, -1, 1]), 7)
    flagged = np.array([True, False, True])
    rows, customers = runs.rows_with_customers(flagged)
    assert rows.tolist() == [0, 1, 2, 3] and customers.tolist() == [0, 0, 2, 0]
    rows, customers = runs.rows_with_customers(np.array([False, True, False]))
    assert rows.tolist() == [6] and customers.tolist() == [1]
    rows, customers = runs.rows_with_customers(np.zeros(3, dtype=bool))
    assert rows.tolist() == [] and customers.tolist() == []


def test_a_line_without_customer_id_belongs_to_nobody_even_beside_an_archive_gap() -> None:
    customers = pd.DataFrame({"customer_id": pd.Categorical(["A", None, "B"])})
    lines = pd.DataFrame({"customer_id": pd.Categorical(["B", None, None, "A"])})
    empty = pd.DataFrame()
    context = RuleContext(customers, empty, empty, None, 0, bill_lines=lines)
    runs = context.line_customer_runs
    assert runs is not None and context.transformer_customer_runs is None
    assert runs.customer.tolist() == [2, -1, -1, 0]
    rows, customers = runs.rows_with_customers(np.array([True, True, True]))
    assert rows.tolist() == [0, 3] and customers.tolist() == [2, 0]
