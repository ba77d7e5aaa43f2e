"""Penalties (违约使用电费): a figure apart from the revenue, by the rule's penalty class and the
regime of the finding's first month (1996 rules before 2024-06-01, the 2024 caps from then)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from rule_builder import TWO_PART_BY_CAPACITY, Utility, flat, run

from auditkit import rules
from auditkit.errors import ParameterError
from auditkit.periods import month_number
from auditkit.rules.params import load_defaults
from auditkit.rules.penalty import penalties

COMMON = load_defaults()["common"]
MAY, JUNE = month_number(["2024-05", "2024-06"])


def test_multiples_per_class_under_the_1996_rules():
    revenue = np.array([100.0, 100.0, 100.0, 100.0])
    found = [penalties(kind, np.full(1, MAY), revenue[:1], COMMON)[0] for kind in (
        "tariff_misuse", "capacity_increase", "sealed_equipment", "theft")]  # fmt: skip
    assert found == [200.0, 300.0, 200.0, 300.0]
    assert penalties(None, np.array([MAY]), np.array([100.0]), COMMON).tolist() == [0.0]


def test_the_2024_rules_take_the_contract_multiple_capped_by_the_1996_one():
    months, revenue = np.array([MAY, JUNE]), np.array([33.335, 33.335])
    assert penalties("tariff_misuse", months, revenue, COMMON).tolist() == [66.67, 66.67]
    contract = COMMON | {"penalty_2024_tariff_misuse": 1.5}
    # 1.5 × 33.335 = 50.0025 → 50.00 (half up to the fen)
    assert penalties("tariff_misuse", months, revenue, contract).tolist() == [66.67, 50.0]
    above_cap = COMMON | {"penalty_2024_tariff_misuse": 5.0}
    assert penalties("tariff_misuse", months, revenue, above_cap).tolist() == [66.67, 66.67]
    # The regime starts on the date: a month that begins before it is still under 1996.
    mid_june = contract | {"penalty_regime_date": "2024-06-15"}
    assert penalties("tariff_misuse", months, revenue, mid_june).tolist() == [66.67, 66.67]


def _business_on_the_residential_tariff(first_month_on_res: int = 0) -> Utility:
    # A shop on RES (0.50 until June, 0.60 from July) where COM (0.80) is due, 100 kWh a month,
    # billed on COM before `first_month_on_res` (0 = January).
    u = Utility()
    u.customer("shop", usage_type="commercial", tariff_category="RES")
    u.monthly(
        "shop", flat(100), tariff=["COM"] * first_month_on_res + ["RES"] * (12 - first_month_on_res)
    )
    return u


def test_tariff_misuse_penalty_on_either_side_of_2024_06_01():
    # On RES all the data: as of July, January to June 100 × 0.30 and July 100 × 0.20 = 200.00
    # under-billed from 2024-01: the 1996 rules, 2× the price difference of the 3 months
    # recoverable when the start is unknown (May 30 + June 30 + July 20 = 80.00).
    u = _business_on_the_residential_tariff()
    january = run(u, "tariff_mismatch", as_of="2024-07").iloc[0]
    assert (january["period_from"], january["revenue_impact"], january["penalty"]) == (
        "2024-01",
        200.0,
        160.0,
    )
    # On RES from June: as of August, 30 + 20 + 20 = 70.00 from 2024-06: the 2024 rules, the
    # contract's multiple.
    u = _business_on_the_residential_tariff(first_month_on_res=5)
    june = run(u, "tariff_mismatch", as_of="2024-08").iloc[0]
    assert (june["period_from"], june["revenue_impact"], june["penalty"]) == (
        "2024-06",
        70.0,
        140.0,
    )
    lower = run(
        u, "tariff_mismatch", as_of="2024-08", params={"common.penalty_2024_tariff_misuse": 1.5}
    )
    assert lower.iloc[0]["penalty"] == 105.0
    capped = run(
        u,
        "tariff_mismatch",
        as_of="2024-08",
        params={"common": {"penalty_2024_tariff_misuse": 3.0}},
    )
    assert capped.iloc[0]["penalty"] == 140.0


def test_a_billing_error_carries_no_penalty_and_a_capacity_increase_three_times():
    u = Utility()
    u.customer("A")
    u.monthly("A", flat(100), rate=[0.5] * 12)  # 0.6 due from July: the utility's error
    u.customer("big", contract_capacity_kva=400.0, **TWO_PART_BY_CAPACITY)
    u.monthly("big", flat(100_000), multiplier=1000.0, tariff="IND2", capacity=400.0,
              demand=[300.0] * 8 + [500.0] * 4, basis="capacity")  # fmt: skip
    found = run(u, ["rate_mismatch", "demand_over_capacity"]).set_index("rule_id")
    assert found.loc["rate_mismatch", "revenue_impact"] == 60.0
    assert found.loc["rate_mismatch", "penalty"] == 0.0
    over = found.loc["demand_over_capacity"]
    assert over["revenue_impact"] > 0
    assert over["penalty"] == round(3 * over["revenue_impact"], 2)


@pytest.mark.parametrize("value", ["2024-13-01", "2024/06/01", 20240601, ""])
def test_a_bad_regime_date_is_named(value):
    u = _business_on_the_residential_tariff()
    with pytest.raises(ParameterError, match=re.escape("params.common.penalty_regime_date")):
        rules.run(u.dataset(), params={"common.penalty_regime_date": value})
