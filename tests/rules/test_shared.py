"""once_per_context: work several rules share, made once per context and read-only after."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest

from auditkit.rules.shared import once_per_context


@dataclass(frozen=True)
class _View:
    flags: np.ndarray
    count: int


def test_the_result_is_made_once_per_context_and_key_and_its_arrays_are_read_only():
    calls: list[tuple] = []

    @once_per_context
    def derived(ctx: object, tolerance: float) -> tuple[np.ndarray, _View]:
        calls.append((id(ctx), tolerance))
        return np.arange(3.0) * tolerance, _View(np.array([True, False]), 2)

    first, second = SimpleNamespace(), SimpleNamespace()
    values, view = derived(first, 2.0)
    assert derived(first, 2.0)[0] is values and len(calls) == 1
    derived(first, 3.0)
    derived(second, 2.0)
    assert len(calls) == 3
    for array in (values, view.flags):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = array[1]
    assert values.tolist() == [0.0, 2.0, 4.0] and view.flags.tolist() == [True, False]
