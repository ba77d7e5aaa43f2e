"""Repricings recomputed together price every bill as each would alone, a customer repriced twice
included (its copies are customers of their own)."""

from __future__ import annotations

import numpy as np
import pytest

from auditkit.rules.context import RuleContext
from auditkit.rules.repriced import Repricing, on_tariff, reprice
from tests.rules.itemized_builder import INDUSTRIAL, Itemized


def _context() -> RuleContext:
    """A 400 kVA factory at 10 kV on IND2 (by capacity, no power-factor standard) and a 50 kVA
    shop at 0.4 kV on COM, 10,000 and 1,000 kWh billed in January 2024, billed right."""
    u = Itemized()
    u.customer("factory", **INDUSTRIAL)
    u.customer("shop")
    u.bill("factory", "2024-01", 10_000, [("energy", 10_000.0, 0.60), ("basic", 400.0, 30.0),
           ("fund", 10_000.0, 0.03)], tariff="IND2")  # fmt: skip
    u.bill("shop", "2024-01", 1_000, [("energy", 1_000.0, 0.80)])
    return RuleContext.build(u.dataset(), "2024-01")


def _figures(amounts: list) -> list[tuple[list[float], list[float], list[int]]]:
    return [
        (np.round(a.total, 2).tolist(), a.pf_adjustment.tolist(), a.tariff.tolist())
        for a in amounts
    ]


def test_each_repricing_prices_its_customers_bills_on_its_own_archive() -> None:
    """As billed: 6,000 + 12,000 + 300 = 18,300.00 and 800.00. Swapped: the factory on COM,
    10,000 × 0.80 = 8,000.00 (COM has no basic or fund rate); the shop on IND2 by capacity,
    its 50 kVA below the 100 kVA that may choose a two-part tariff (params/billing.yaml
    `two_part_choice_from_kva`), pays no basic charge: 1,000 × 0.60 + 1,000 × 0.03 = 630.00
    (it was 2,130.00 with 50 × 30, where the capacity rules call it single-part)."""
    ctx = _context()
    assert ctx.customers["customer_id"].tolist() == ["factory", "shop"]  # codes 0 and 1
    both, rows = np.array([0, 1]), np.array([0, 1])
    swapped = on_tariff(both, np.array(["COM", "IND2"], dtype=object), np.array([False, True]))
    as_billed, on_swapped = reprice(ctx, rows, [Repricing(both), swapped])
    codes = ctx.tariff_code(np.array(["IND2", "COM"], dtype=object)).tolist()
    assert np.round(as_billed.total, 2).tolist() == [18_300.00, 800.00]
    assert as_billed.tariff.tolist() == codes
    assert np.round(on_swapped.total, 2).tolist() == [8_000.00, 630.00]
    assert on_swapped.tariff.tolist() == codes[::-1]


def test_repricings_together_give_what_each_gives_alone() -> None:
    ctx = _context()
    rows = np.array([0, 1])
    factory_on = [
        on_tariff(np.array([0]), np.array([tariff], dtype=object), np.array([two_part]))
        for tariff, two_part in (("COM", False), ("IND2", True), ("RES", False))
    ]
    repricings = [*factory_on, Repricing(np.array([1])), Repricing(np.array([0, 1]))]
    together = _figures(reprice(ctx, rows, repricings))
    alone = [_figures(reprice(ctx, rows, [repricing]))[0] for repricing in repricings]
    assert together == alone
    assert together[0][0] == [8_000.00, 0.0]  # the factory on COM; the shop not repriced
    assert together[0][2][1] == -1


def test_bills_of_customers_not_repriced_are_left_unpriced() -> None:
    ctx = _context()
    (only,) = reprice(ctx, np.array([1]), [Repricing(np.array([0]))])
    assert _figures([only]) == [([0.0], [0.0], [-1])]
    assert reprice(ctx, np.array([0, 1]), []) == []


@pytest.mark.parametrize("rows", [np.array([], dtype=np.int64), np.array([0])])
def test_no_rows_or_no_bills_price_nothing(rows: np.ndarray) -> None:
    ctx = _context()
    nobody = Repricing(np.array([], dtype=np.int64))
    (amounts,) = reprice(ctx, rows, [nobody])
    assert amounts.total.tolist() == [0.0] * len(rows)
    assert amounts.tariff.tolist() == [-1] * len(rows)
