"""duplicate_account compares whole addresses by name, and from the street on by phone: a common
name at a street name two cities (or two towns) share is two people."""

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
        u.customer(customer_id, connection_date=pd.Timestamp(2000 + position, 1, 1))
        u.monthly(customer_id, flat(100))
    tables = u.tables()
    name, address, phone = zip(*people.values(), strict=True)
    tables["customers"] = tables["customers"].assign(name=name, address=address, phone=phone)
    return rules.run(Dataset.from_frames(tables), rules="duplicate_account")


def test_a_name_at_an_address_with_and_without_its_district_is_found_by_its_phone_only():
    findings = _duplicates(
        {
            # One name, the district written once and left out once, one phone: archived twice.
            "first": ("王伟", "城东区人民路12号3室", "13800000001"),
            "again": ("王伟", "人民路十二号3室", "13800000001"),
            # Near miss: the street in another district, another phone (from the street on it is
            # the same, but a common name alone does not make the two addresses one).
            "elsewhere": ("王伟", "城西区人民路十二号3室", "13900000002"),
        }
    )
    assert findings["customer_id"].tolist() == ["again"]
    assert findings["evidence"].iat[0].startswith("same name and phone as active account first")


def test_a_common_name_at_a_like_address_elsewhere_does_not_fire():
    """The pairs the review of session 51 found matched on name alone: each is two people."""
    people = {}
    pairs = [
        ("王伟", "江苏省南京市人民路12号", "江苏省苏州市人民路12号"),
        ("张建国", "丰县欢口镇张庄村", "丰县师寨镇张庄村"),
        ("李娜", "城东区北市街5号", "城东区南市街5号"),
        ("刘洋", "东乡路3号", "西乡路3号"),
        ("陈刚", "镇海路5号", "海路5号"),
        ("周强", "市场路1号", "农贸市场路1号"),
    ]
    for position, (name, one, other) in enumerate(pairs):
        people[f"a{position}"] = (name, one, f"138000000{position:02d}")
        people[f"b{position}"] = (name, other, f"139000000{position:02d}")
    assert _duplicates(people).empty
