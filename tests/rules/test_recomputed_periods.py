"""Recomputed lines' periods: kept as codes, their texts and presence read from them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit.billing.recompute import PERIOD_ORDER
from auditkit.rules.recomputed import Recomputed


def _lines(period_code: list[int]) -> Recomputed:
    n = len(period_code)
    figures = {name: np.zeros(n) for name in ("quantity", "rate", "amount")}
    return Recomputed(
        row=np.arange(n),
        line_type=np.zeros(n, dtype=np.int64),
        period_code=np.asarray(period_code, dtype=np.int64),
        tier=np.zeros(n, dtype=np.int64),
        quantity_billed=figures["quantity"],
        quantity_due=figures["quantity"],
        rate_billed=figures["rate"],
        rate_due=figures["rate"],
        amount_billed=figures["amount"],
        amount_due=figures["amount"],
        difference=np.zeros(n),
        estimated=np.zeros(n, dtype=bool),
        tariff_due=np.full(n, None, dtype=object),
        tariff_differs=np.zeros(n, dtype=bool),
        notes=(),
    )


@pytest.mark.parametrize("codes", [[0, 4, 2, 1, 3, 4], [4], [2], []])
def test_periods_read_from_codes_as_from_their_texts(codes: list[int]):
    lines = _lines(codes)
    expected = [PERIOD_ORDER[code] for code in codes]
    assert lines.period.tolist() == expected
    assert lines.period.dtype == object
    assert lines.has_period.tolist() == pd.notna(np.array(expected, dtype=object)).tolist()
    assert lines.has_period.dtype == bool
