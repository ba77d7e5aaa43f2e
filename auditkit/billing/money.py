"""Money as a billing system keeps it: every amount rounded half up (away from zero) to the fen.

numpy's `round` rounds half to even (0.125 → 0.12); a bill rounds 0.125 yuan to 0.13. Values are
first rounded to 9 decimals so a product such as 0.615 × 100 = 61.49999… still counts as a half.
"""

from __future__ import annotations

import numpy as np


def round_half_up(
    values: np.ndarray | float, decimals: int = 2, out: np.ndarray | None = None
) -> np.ndarray:
    """`values` rounded to `decimals`, halves away from zero (NaN stays NaN).

    Computed in one buffer (millions of amounts per recomputation), the same operations as
    sign(x) × floor(|x| + 0.5) / 10**decimals on x = round(values × 10**decimals, 9 − decimals).
    The buffer is `out` when given (a float64 array of the values' shape; `values` itself, for a
    temporary the caller lets go), else a new one."""
    scale = 10.0**decimals
    values = np.asarray(values, dtype=float)
    out = np.multiply(values, scale, out=np.empty(values.shape) if out is None else out)
    np.round(out, 9 - decimals, out=out)
    sign = np.sign(out)
    np.abs(out, out=out)
    out += 0.5
    np.floor(out, out=out)
    out *= sign
    out /= scale
    return out if out.ndim else out[()]
