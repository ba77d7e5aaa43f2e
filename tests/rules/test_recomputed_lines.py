"""Recomputed lines: periods kept as codes (texts and presence read from them), the lines of a
type found once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit.billing.recompute import PERIOD_ORDER
from auditkit.rules.recomputed import Recomputed


def _lines(period_code: list[int], line_type: list[int] | None = None) -> Recomputed:
    n = len(period_code)
    figures = {name: np.zeros(n) for name in ("quantity", "rate", "amount")}
    return Recomputed(
        row=np.arange(n),
        line_type=np.zeros(n, dtype=np.int64) if line_type is None else np.array(line_type),
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


def test_the_lines_of_a_type_are_found_once_and_as_compared():
    lines = _lines([4, 4, 4, 4], line_type=[0, 2, 0, 4])
    energy = lines.of("energy")
    assert energy.tolist() == [0, 2]
    assert lines.of("energy") is energy  # not searched again
    assert lines.of("basic").tolist() == [1]
    assert lines.of("loss").tolist() == []
