"""Account rules by parts: duplicates across districts and unbilled accounts found as in one run."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from auditkit import rules
from auditkit.engine.sources import MemorySource

RULES = ["duplicate_account", "unbilled_account"]


def test_a_duplicate_in_another_part_and_district_is_found_as_in_one_run(
    utility, by_parts, bills_per_part
):
    customers = utility.customers.copy()
    part = MemorySource(utility, bills_per_part).part_of_customer
    active = (customers["status"] == "active").to_numpy()
    first = customers[active].iloc[0]
    elsewhere = active & (part != part[active][0]) & (customers["district"] != first["district"])
    second = customers[elsewhere].iloc[0]
    at = customers["customer_id"] == second["customer_id"]
    # The same person, the address written with full-width digits; connected later.
    customers.loc[at, "name"] = first["name"]
    customers.loc[at, "address"] = first["address"].translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    customers.loc[at, "connection_date"] = first["connection_date"] + pd.Timedelta(days=1)
    copied = replace(utility, customers=customers)
    expected = rules.run(copied, rules=RULES)
    pd.testing.assert_frame_equal(by_parts(copied, rules=RULES), expected)
    duplicates = expected[expected["rule_id"] == "duplicate_account"]
    found = duplicates[duplicates["customer_id"] == second["customer_id"]]
    assert found["evidence"].str.contains(f"as active account {first['customer_id']}").all()
    assert len(found) == 1
