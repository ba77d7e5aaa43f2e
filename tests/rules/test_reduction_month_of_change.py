"""reduction_without_drop prices what escaped on a bill against the basic charge it billed.

In the month a reduction or suspension takes effect (and the month it is resumed) the bill's
basic charge is prorated by day: the days before the order were charged on the old capacity
already. What escaped there is the old capacity's month less the charge billed, not the kVA
taken off × the rate (which counted those days twice). Calendar-month reads; every figure by
hand, to the fen.
"""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builder import PERIODS, TWO_PART_BY_CAPACITY, Utility, flat

from auditkit import rules
from auditkit.data import Dataset

#: A two-part industrial tariff at 26.4 yuan per kVA-month (the rate of the reviewer's case),
#: and one at 23.3.
RATES = {"IND3": 26.4, "IND4": 23.3}


def _tariff(category: str, kva_rate: float) -> dict:
    return {"tariff_category": category, "usage_type": "industrial", "energy_rate": 0.6,
            "basic_rate_kva_month": kva_rate, "basic_rate_kw_month": 40.0,
            "valid_from": pd.Timestamp("2018-01-01"), "valid_to": pd.NaT}  # fmt: skip


def _charged(u: Utility, cid: str, bills: dict[str, tuple[float | None, float | None]]) -> None:
    """`cid`'s bills of the periods in `bills` record (capacity_billed_kva, basic_charge), the
    amount following; a charge of None is unknown (the amount cannot say: no adjustment or fund
    columns)."""
    for bill in u.bills:
        if bill["customer_id"] == cid and bill["period"] in bills:
            kva, charge = bills[bill["period"]]
            bill["capacity_billed_kva"] = kva
            bill["basic_charge"] = charge
            bill["amount"] = round(bill["energy_charge"] + (charge or 0.0), 2)


def _dataset(u: Utility, itemized: bool = False) -> Dataset:
    """The utility with IND3 and IND4 in the schedule; `itemized`: each bill's energy and basic
    charge also as lines, the basic line on the kVA-months charged at the tariff's rate."""
    tables = u.tables()
    extra = pd.DataFrame([_tariff(name, rate) for name, rate in RATES.items()])
    tables["tariffs"] = pd.concat([tables["tariffs"], extra], ignore_index=True)
    if itemized:
        lines = []
        for bill in u.bills:
            key = {"customer_id": bill["customer_id"], "period": bill["period"],
                   "tou_period": None, "tier": None}  # fmt: skip
            lines.append(key | {"line_type": "energy", "quantity": bill["kwh_billed"],
                                "rate": bill["energy_rate"], "amount": bill["energy_charge"]})  # fmt: skip
            rate = RATES[bill["tariff_billed"]]
            lines.append(key | {"line_type": "basic", "quantity": bill["basic_charge"] / rate,
                                "rate": rate, "amount": bill["basic_charge"]})  # fmt: skip
        tables["bill_lines"] = pd.DataFrame(lines)
    return Dataset.from_frames(tables)


def _reduced(u: Utility, cid: str) -> None:
    """800 kVA reduced to 315 from 8 September 2024 on IND3 (26.4 per kVA-month), demand 500 kW
    all year (the sealed transformer in use): January to August 800 × 26.4 = 21,120.00, October
    to December 315 × 26.4 = 8,316.00 a month; September as `_charged` sets it."""
    u.customer(
        cid, contract_capacity_kva=315.0, **TWO_PART_BY_CAPACITY | {"tariff_category": "IND3"}
    )
    u.monthly(
        cid,
        flat(150_000),
        multiplier=1000.0,
        tariff="IND3",
        rate=0.6,
        capacity=[800.0] * 8 + [315.0] * 4,
        demand=500.0,
        basis="capacity",
    )
    _charged(u, cid, {p: (800.0, 21_120.0) for p in PERIODS[:8]})
    _charged(u, cid, {p: (315.0, 8_316.0) for p in PERIODS[9:]})
    u.order(cid, "capacity_reduction", "2024-09-08", 800, 315)


def _run(u: Utility, rule_ids: str | list[str], itemized: bool = False) -> pd.DataFrame:
    return rules.run(_dataset(u, itemized), rules=rule_ids)


@pytest.mark.parametrize("itemized", [False, True], ids=["monthly", "itemized"])
def test_the_month_of_change_escaped_only_what_its_prorated_charge_left(itemized):
    """September billed (7 × 800 + 23 × 315) / 30 = 428.1667 kVA-months × 26.4 = 11,303.60 (315
    kVA recorded): 21,120.00 − 11,303.60 = 9,816.40 escaped, not 485 × 26.4 = 12,804.00 (the 7
    days before the order counted as escaped though charged). October to December 3 × 485 ×
    26.4 = 38,412.00: ¥48,228.40 in all (was 51,216.00), penalty 2× ¥96,456.80."""
    u = Utility()
    _reduced(u, "A")
    _charged(u, "A", {"2024-09": (315.0, 11_303.60)})
    found = _run(u, "reduction_without_drop", itemized)
    assert found["customer_id"].tolist() == ["A"]
    row = found.iloc[0]
    assert row["revenue_impact"] == pytest.approx(48_228.40, abs=0.005)
    assert row["penalty"] == pytest.approx(96_456.80, abs=0.005)
    assert (row["period_from"], row["period_to"]) == ("2024-09", "2024-12")
    assert row["evidence"].endswith("(¥48,228.40 basic charge escaped)")
    # Nothing of it is a proved rule's: September charged what the orders prorate.
    proved = ["capacity_underbilled", "suspension_overrun", "suspension_backdated"]
    assert _run(u, proved, itemized).empty


def test_a_month_of_change_billed_whole_on_the_old_capacity_escaped_nothing():
    """Near miss: September charged the full 800 × 26.4 = 21,120.00 (recording the 315 kVA
    after the order): nothing escaped that month, only October to December, 38,412.00."""
    u = Utility()
    _reduced(u, "A")
    _charged(u, "A", {"2024-09": (315.0, 21_120.0)})
    row = _run(u, "reduction_without_drop").iloc[0]
    assert row["revenue_impact"] == pytest.approx(3 * 485 * 26.4, abs=0.005)


def test_whole_months_and_an_unknown_charge_keep_the_capacity_figure():
    """Monthly bills whose charge is unknown (basic_charge blank, the amount unreadable without
    the adjustment and fund columns) are priced on the capacity they record, as before:
    September's 315 kVA recorded, 485 × 26.4 = 12,804.00, of which (428.1667 − 315) × 26.4 =
    2,987.60 is billed short of the capacity the orders prorate, capacity_underbilled's;
    whole months (October to December) are (800 − 315) × 26.4 either way. 4 × 12,804.00 =
    51,216.00 in all, 48,228.40 of it escaped (the same figures as before the fix)."""
    u = Utility()
    _reduced(u, "A")
    _charged(u, "A", {"2024-09": (315.0, None)})
    found = _run(u, ["reduction_without_drop", "capacity_underbilled"]).set_index("rule_id")
    assert found["revenue_impact"].to_dict() == pytest.approx(
        {"reduction_without_drop": 48_228.40, "capacity_underbilled": 2_987.60}, abs=0.005
    )
    assert found.loc["reduction_without_drop", "evidence"].endswith(
        "(¥48,228.40 basic charge escaped); ¥2,987.60 more, billed short of the capacity the "
        "orders leave, is counted under capacity_underbilled"
    )


def test_a_suspension_counts_its_first_and_resumption_months_by_the_day():
    """1000 kVA suspended to 400 from 11 April 2024, resumed 11 August, on IND4 (23.3 per
    kVA-month), demand 549 kW throughout. April billed (10 × 1000 + 20 × 400) / 30 = 600
    kVA-months = 13,980.00: 23,300.00 − 13,980.00 = 9,320.00 escaped (not 600 × 23.3 =
    13,980.00); May to July 3 × 600 × 23.3 = 41,940.00; August billed (10 × 400 + 21 × 1000) /
    30 = 833.3333 kVA-months = 19,416.67: its 10 suspended days escaped 3,883.33 (August was
    left out of the window). ¥55,143.33 in all (was 55,920.00), nothing a proved rule's."""
    u = Utility()
    u.customer(
        "S", contract_capacity_kva=1000.0, **TWO_PART_BY_CAPACITY | {"tariff_category": "IND4"}
    )
    u.monthly(
        "S",
        flat(150_000),
        multiplier=1000.0,
        tariff="IND4",
        rate=0.6,
        capacity=[1000.0] * 3 + [400.0] * 4 + [1000.0] * 5,
        demand=549.0,
        basis="capacity",
    )
    _charged(u, "S", {p: (1000.0, 23_300.0) for p in PERIODS[:3] + PERIODS[8:]})
    _charged(u, "S", {p: (400.0, 9_320.0) for p in PERIODS[4:7]})
    _charged(u, "S", {"2024-04": (400.0, 13_980.0), "2024-08": (1000.0, 19_416.67)})
    u.order("S", "suspension", "2024-04-11", 1000, 400, issued="2024-03-20")
    u.order("S", "resumption", "2024-08-11", 400, 1000, issued="2024-07-20")
    everything = ["reduction_without_drop", "capacity_underbilled", "suspension_overrun",
                  "suspension_backdated"]  # fmt: skip
    found = _run(u, everything)
    assert found["rule_id"].tolist() == ["reduction_without_drop"]
    row = found.iloc[0]
    assert row["revenue_impact"] == pytest.approx(55_143.33, abs=0.005)
    assert (row["period_from"], row["period_to"]) == ("2024-04", "2024-08")
