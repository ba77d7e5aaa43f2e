"""consumption_drop reads and writes the bills a chunk at a time: where the chunks end changes
nothing, not even a bill billed twice for one month across two chunks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rule_builder import Utility

from auditkit import rules
from auditkit.data import Dataset
from auditkit.errors import ParameterError
from auditkit.rules import consumption
from auditkit.rules.context import RuleContext

PERIODS = [str(pd.Period("2023-01", "M") + i) for i in range(30)]
SEASON = np.array([1.3, 1.2, 1.0, 0.9, 0.9, 1.0, 1.4, 1.4, 1.1, 0.9, 0.9, 1.2])


def _shops() -> Utility:
    """40 shops listed out of customer_id order; three fall to 35 %, one has estimated reads
    followed by a catch-up read, one was connected mid-month."""
    rng = np.random.default_rng(5)
    u = Utility()
    for number in rng.permutation(40):
        cid = f"S{number:02d}"
        connected = pd.Timestamp("2023-03-17") if number == 9 else pd.Timestamp("2020-01-01")
        u.customer(cid, connection_date=connected)
        kwh = 150 * SEASON[np.arange(30) % 12] * rng.lognormal(0, 0.08, 30)
        if number in (3, 17, 31):
            kwh[18 + number % 5 :] *= 0.35
        estimated = [11, 12] if number == 4 else []
        u.monthly(cid, list(np.round(kwh, 2)), periods=PERIODS, estimated=estimated)
    return u


@pytest.mark.parametrize("chunk", [1, 7, 30, 31])
def test_where_the_chunks_end_changes_no_finding(monkeypatch, chunk):
    dataset = _shops().dataset()
    whole = rules.run(dataset, rules=["consumption_drop"])
    assert {"S03", "S17", "S31"} <= set(whole["customer_id"])
    monkeypatch.setattr(consumption, "BILL_CHUNK", chunk)
    pd.testing.assert_frame_equal(rules.run(dataset, rules=["consumption_drop"]), whole)


def test_measured_months_of_chunks_are_those_of_all_bills(monkeypatch):
    ctx = RuleContext.build(_shops().dataset(), None)
    params = {"lookback_months": 36}
    every_bill = consumption._measured_months(ctx)
    # The catch-up read after S04's estimates and S09's first (part) month are not measured.
    s04 = ctx.customer_is("customer_id", "S04")
    assert not every_bill[s04 & (ctx.bill_month == ctx.bill_month.min() + 13)].any()
    s09 = ctx.customer_is("customer_id", "S09")
    assert np.count_nonzero(s09 & ~every_bill) == 1
    for chunk in (1, 13, 30):
        monkeypatch.setattr(consumption, "BILL_CHUNK", chunk)
        assert np.array_equal(consumption._recent_measured(ctx, params), every_bill)


@pytest.mark.parametrize("chunk", [1, 30, 31])
def test_a_month_billed_twice_is_named_wherever_the_chunks_end(monkeypatch, chunk):
    tables = _shops().tables()
    bills = tables.pop("bills")
    twice = bills[(bills["customer_id"] == "S00") & (bills["period"] == "2023-01")]
    # The two January bills are neighbours once the bills are sorted: with chunks of one bill
    # they are two chunks.
    dataset = Dataset(**tables, bills=pd.concat([twice, bills], ignore_index=True))
    monkeypatch.setattr(consumption, "BILL_CHUNK", chunk)
    with pytest.raises(ParameterError, match="several for 'S00' at '2023-01'"):
        rules.run(dataset, rules=["consumption_drop"])
