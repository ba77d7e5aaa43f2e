"""Penalties (违约使用电费): a figure apart from the revenue, by the rule's penalty class and the
regime of each month of its base (1996 rules before 2024-06-01, the 2024 caps from then)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from rule_builder import PERIODS, TWO_PART_BY_CAPACITY, Utility, flat, run

from auditkit import rules
from auditkit.data import Dataset
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
    # under-billed from 2024-01, of which the 3 months recoverable when the start is unknown
    # (May 30 + June 30 + July 20 = 80.00) are the revenue; the penalty 2× their difference.
    u = _business_on_the_residential_tariff()
    january = run(u, "tariff_mismatch", as_of="2024-07").iloc[0]
    assert (january["period_from"], january["revenue_impact"], january["penalty"]) == (
        "2024-01",
        80.0,
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


def _cheap_com_until(last_day: str) -> Dataset:
    # The shop of `_business_on_the_residential_tariff`, COM at 0.30 until `last_day`, 0.80 after.
    tables = _business_on_the_residential_tariff().tables()
    tariffs = tables["tariffs"]
    com = tariffs["tariff_category"] == "COM"
    cheap = tariffs[com].assign(energy_rate=0.3, valid_to=pd.Timestamp(last_day))
    dear = tariffs[com].assign(valid_from=pd.Timestamp(last_day) + pd.Timedelta(days=1))
    tables["tariffs"] = pd.concat([tariffs[~com], cheap, dear], ignore_index=True)
    return Dataset.from_frames(tables)


def test_a_tariff_misuse_that_nets_to_a_refund_does_not_carry_a_penalty():
    # COM 0.30 until September: January to June (0.30 − 0.50) × 100 = −20.00 × 6, July to
    # September (0.30 − 0.60) × 100 = −30.00 × 3, October to December (0.80 − 0.60) × 100 =
    # +20.00 × 3: −120 − 90 + 60 = −150.00, over-billed, a refund. The last three months alone
    # under-billed 60.00, which was penalised 2 × 60 = 120.00 beside a revenue of 0.
    refund = rules.run(_cheap_com_until("2024-09-30"), rules="tariff_mismatch").iloc[0]
    assert (refund["revenue_impact"], refund["penalty"]) == (0.0, 0.0)
    assert "over-billed ¥150.00 (to refund" in refund["evidence"]
    # Near miss: COM cheap until March only: −20.00 × 3 + 30.00 × 3 + 20.00 × 6 = +150.00
    # under-billed over the data; the start unknown, October to December recoverable, 60.00,
    # and penalised 2 × 60.00 = 120.00.
    owed = rules.run(_cheap_com_until("2024-03-31"), rules="tariff_mismatch").iloc[0]
    assert (owed["revenue_impact"], owed["penalty"]) == (60.0, 120.0)


@pytest.mark.parametrize("by", ["connection_date", "new_connection"])
def test_a_tariff_misuse_since_the_connection_does_recover_and_penalise_all_of_it(by):
    # A shop connected on 10 April 2024 (its archive says so, or a new_connection order does
    # beside an archive date of 2020, an account's first connection), billed on RES from then: April to June 3 × 100 × (0.8 − 0.5) = 90.00, July
    # to December 6 × 100 × (0.8 − 0.6) = 120.00: 210.00 since the connection, its start.
    # The penalty, 2× each month's difference (1996 rules for April and May, the 2024 rules'
    # 2.0 by default from June): 2 × 210.00 = 420.00.
    u = Utility()
    connected = "2024-04-10" if by == "connection_date" else "2020-01-01"
    u.customer(
        "shop",
        usage_type="commercial",
        tariff_category="RES",
        connection_date=pd.Timestamp(connected),
    )
    u.monthly("shop", flat(100, 9), tariff="RES", periods=PERIODS[3:])
    if by == "new_connection":
        u.order("shop", "new_connection", "2024-04-10")
    found = run(u, "tariff_mismatch").iloc[0]
    assert (found["revenue_impact"], found["penalty"]) == (210.0, 420.0)
    assert found["evidence"].endswith("(the bills show it began in 2024-04: all of it recoverable)")


def test_a_customer_connected_before_the_data_does_keep_an_unknown_start():
    # Near miss: connected in 2020, its bills in the data from April only: the start is not in
    # the data. October to December recoverable, 3 × 100 × 0.2 = 60.00; penalty 120.00.
    u = Utility()
    u.customer("shop", usage_type="commercial", tariff_category="RES")
    u.monthly("shop", flat(100, 9), tariff="RES", periods=PERIODS[3:])
    found = run(u, "tariff_mismatch").iloc[0]
    assert (found["revenue_impact"], found["penalty"]) == (60.0, 120.0)
    assert "recoverable for 2024-10..2024-12, the start being unknown" in found["evidence"]


def test_each_month_of_a_penalty_base_is_under_the_regime_in_force_that_month():
    # The shop on RES all the data, its contract's multiple 1.0 under the 2024 rules. As of
    # July the base is May to July (the start unknown): May 100 × 0.30 = 30.00 under the 1996
    # rules (2 × 30.00 = 60.00), June 30.00 and July 100 × 0.20 = 20.00 under the 2024 rules
    # (1 × 50.00): 110.00. (It was 2 × 80.00 = 160.00, the regime of January, the data's first
    # month.)
    u = _business_on_the_residential_tariff()
    contract = {"common.penalty_2024_tariff_misuse": 1.0}
    spanning = run(u, "tariff_mismatch", as_of="2024-07", params=contract).iloc[0]
    assert (spanning["revenue_impact"], spanning["penalty"]) == (80.0, 110.0)
    # As of September, July to September (3 × 20.00 = 60.00) are all under 2024: 1 × 60.00.
    later = run(u, "tariff_mismatch", as_of="2024-09", params=contract).iloc[0]
    assert (later["revenue_impact"], later["penalty"]) == (60.0, 60.0)
    # Near miss: as of May, March to May (3 × 30.00 = 90.00) are all under 1996: 2 × 90.00.
    earlier = run(u, "tariff_mismatch", as_of="2024-05", params=contract).iloc[0]
    assert (earlier["revenue_impact"], earlier["penalty"]) == (90.0, 180.0)


def test_a_refund_on_one_side_of_2024_06_01_does_not_push_the_penalty_outside_its_multiples():
    # The contract's multiple 1.0 under the 2024 rules, 2 under 1996: the penalty lies between
    # 1 × and 2 × the revenue, the regime whose months net to a refund counting none of it.
    contract = {"common.penalty_2024_tariff_misuse": 1.0}
    u = Utility()
    # Residential, archived AGR. March to May on AGR: 3 × 1,000 × (0.5 − 0.4) = 300.00 under
    # the 1996 rules; June on COM: 500 × (0.8 − 0.5) = 150.00 over-billed, under 2024. Revenue
    # 300 − 150 = 150.00; all of it under 1996: 2 × 150.00 = 300.00 (it was 2 × 300 − 150 = 450).
    u.customer("refund_late", usage_type="residential", tariff_category="AGR")
    kwh = [1000] * 5 + [500] + [1000] * 6
    u.monthly("refund_late", kwh, tariff=["RES"] * 2 + ["AGR"] * 3 + ["COM"] + ["RES"] * 6)
    # May on COM: 500 × (0.8 − 0.5) = 150.00 over-billed, under 1996; June to August on AGR:
    # 1,000 × (0.5 − 0.4) + 2 × 1,000 × (0.6 − 0.4) = 500.00 under 2024. Revenue 350.00, all
    # of it under 2024: 1 × 350.00 = 350.00 (it was 2 × −150 + 500 = 200, below 1 × 350).
    u.customer("refund_early", usage_type="residential", tariff_category="AGR")
    kwh = [1000] * 4 + [500] + [1000] * 7
    u.monthly("refund_early", kwh, tariff=["RES"] * 4 + ["COM"] + ["AGR"] * 3 + ["RES"] * 4)
    # Near miss: under-billed on both sides keeps the split. March to May on AGR (300.00, 1996),
    # June on AGR (1,000 × 0.1 = 100.00, 2024): 2 × 300.00 + 1 × 100.00 = 700.00.
    u.customer("both_under", usage_type="residential", tariff_category="AGR")
    u.monthly("both_under", flat(1000), tariff=["RES"] * 2 + ["AGR"] * 4 + ["RES"] * 6)
    found = run(u, "tariff_mismatch", params=contract).set_index("customer_id")
    assert found.loc["refund_late", ["revenue_impact", "penalty"]].tolist() == [150.0, 300.0]
    assert found.loc["refund_early", ["revenue_impact", "penalty"]].tolist() == [350.0, 350.0]
    assert found.loc["both_under", ["revenue_impact", "penalty"]].tolist() == [400.0, 700.0]
