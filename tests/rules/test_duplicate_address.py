"""duplicate_account compares one address, from the street on, whichever match finds a pair."""

from __future__ import annotations

import pandas as pd
from rule_builder import Utility, flat

from auditkit import rules
from auditkit.data import Dataset


def _duplicates(people: dict[str, tuple[str, str, str]]) -> pd.DataFrame:
    """duplicate_account's findings on households (id → name, address, phone), connected in
    the order given, each billed 100 kWh a month."""
    u = Utility()
    for position, customer_id in enumerate(people):
        u.customer(customer_id, connection_date=pd.Timestamp(f"201{position}-01-01"))
        u.monthly(customer_id, flat(100))
    tables = u.tables()
    name, address, phone = zip(*people.values(), strict=True)
    tables["customers"] = tables["customers"].assign(name=name, address=address, phone=phone)
    return rules.run(Dataset.from_frames(tables), rules="duplicate_account")


def test_a_name_at_one_address_written_with_and_without_its_district_is_archived_twice():
    findings = _duplicates(
        {
            # One name and address, the district written once and left out once, two phones:
            # one account archived twice (the phone match already said so with one phone; the
            # name and address match did not).
            "first": ("王伟", "城东区人民路12号3室", "13800000001"),
            "again": ("王伟", "人民路十二号3室", "13900000002"),
            # Near misses: the same name in another street, and in another room of the house.
            "other_street": ("王伟", "城东区解放路12号3室", "13700000003"),
            "other_room": ("王伟", "人民路12号4室", "13600000004"),
        }
    )
    assert findings["customer_id"].tolist() == ["again"]
    assert findings["evidence"].iat[0].startswith("same name and address as active account first")
