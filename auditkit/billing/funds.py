"""Government funds and surcharges due (政府性基金及附加): fund_rate × (kWh due + loss kWh), the
loss energy being energy charged. The quantity is kWh to the hundredth, as a bill line shows it
(registers × multiplier carry float noise that could tip a half fen)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditkit.billing.basic import has_rate, line_frame
from auditkit.billing.money import round_half_up
from auditkit.billing.params import BillingParams


def fund_lines(
    bills: pd.DataFrame, loss_kwh: np.ndarray, rates: pd.DataFrame, params: BillingParams
) -> pd.DataFrame:
    """The fund line due of each bill whose tariff has a fund rate (quantity kWh, rate yuan/kWh).

    `params` is taken for the common signature of the charges; funds have no parameter of their own.
    """
    rate = rates["fund_rate"].to_numpy(dtype=float)
    kwh = bills["kwh_due"].to_numpy(dtype=float) + np.nan_to_num(np.asarray(loss_kwh, dtype=float))
    rows = np.flatnonzero(has_rate(rate) & ~np.isnan(kwh))
    kwh = kwh[rows]
    return line_frame(
        bills["bill"].to_numpy()[rows], "fund", round_half_up(kwh, 2, out=kwh), rate[rows]
    )
