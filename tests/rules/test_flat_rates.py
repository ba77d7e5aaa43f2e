"""The flat rate the rules price with, from a schedule of many rows per category: no period
(else 'flat'), no tier (else tier 1), the narrowest voltage band holding the customer's voltage,
the row in force on the month's last day."""

from __future__ import annotations

import numpy as np
from itemized_builder import Itemized

from auditkit.periods import month_number
from auditkit.rules.context import RuleContext


def _context() -> RuleContext:
    u = Itemized()
    for customer_id, tariff, voltage in (
        ("tou", "TOU", 10.0),
        ("res", "RES", 0.22),
        ("ind_10", "IND2", 10.0),
        ("ind_110", "IND2", 110.0),
        ("mkt", "MKT", 0.4),
        ("com", "COM", 0.4),
    ):
        u.customer(customer_id, tariff_category=tariff, voltage_kv=voltage)
        for period in ("2024-01", "2024-02", "2024-03"):
            u.bill(customer_id, period, 100, [("energy", 100.0, 0.5)], tariff=tariff)
    return RuleContext.build(u.dataset(), None)


def test_flat_rates_from_a_schedule_of_periods_tiers_bands_and_market_months():
    ctx = _context()
    rates = ctx.schedule_rate_due("energy_rate").reshape(6, 3)
    assert rates.tolist() == [
        [0.60, 0.60, 0.60],  # TOU: the 'flat' period row (no row without a period)
        [0.52, 0.52, 0.52],  # RES: the row without a tier wins over tier 1
        [0.60, 0.60, 0.60],  # IND2 at 10 kV: the unbounded band
        [0.55, 0.55, 0.55],  # IND2 at 110 kV: the narrower band 35-220 kV
        [0.45, 0.47, 0.44],  # MKT: a market row per month
        [0.80, 0.80, 0.90],  # COM: 0.90 is in force at the end of March
    ]
    # Another tariff at the voltage of a bill: the first customer's (10 kV).
    february, first_bill = month_number(["2024-02"]), np.array([0])
    basic = ctx.schedule_rate(np.array(["TOU"]), february, "basic_rate_kva_month", first_bill)
    assert basic.tolist() == [30.0]
    one_month = int(february[0])  # one month for every bill asked
    scalar = ctx.schedule_rate(np.array(["TOU"]), one_month, "basic_rate_kva_month", first_bill)
    assert scalar.tolist() == [30.0]
    unknown = ctx.schedule_rate(np.array(["NOPE"]), february, "energy_rate", first_bill)
    assert np.isnan(unknown).all()


def test_rates_of_codes_and_months_are_the_table_cells_and_unknown_tariffs_nan():
    ctx = _context()
    table = ctx.rate_tables.setdefault("energy_rate", ctx._rate_table("energy_rate"))
    rows = np.array([0, 4, 7, 17, 3])
    codes = np.array([0, -1, 2, 1, 3])
    months = ctx.first_month + np.array([0, 1, -5, 9, 2])  # before and after: clipped
    voltage_code, voltages = ctx.customer_voltage_code
    pair = codes * len(voltages) + voltage_code[ctx.bill_customer[rows]]
    pair[codes < 0] = len(table) - 1
    offset = np.clip(months - ctx.first_month, 0, ctx.as_of - ctx.first_month)
    rates = ctx.schedule_rate(codes, months, "energy_rate", rows)
    np.testing.assert_array_equal(rates, table[pair, offset])
    assert np.isnan(rates[1])
    assert len(ctx.schedule_rate(codes[:0], months[:0], "energy_rate", rows[:0])) == 0
