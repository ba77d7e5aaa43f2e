"""Money as a billing system keeps it: every amount rounded half up (away from zero) to the fen.

numpy's `round` rounds half to even (0.125 → 0.12); a bill rounds 0.125 yuan to 0.13. Values are
first rounded to 9 decimals so a product such as 0.615 × 100 = 61.49999… still counts as a half.
"""

from __future__ import annotations

import numpy as np


def round_half_up(values: np.ndarray | float, decimals: int = 2) -> np.ndarray:
    """`values` rounded to `decimals`, halves away from zero (NaN stays NaN)."""
    scale = 10.0**decimals
    scaled = np.round(np.asarray(values, dtype=float) * scale, 9 - decimals)
    return np.sign(scaled) * np.floor(np.abs(scaled) + 0.5) / scale
