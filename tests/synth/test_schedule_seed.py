"""Chunks of one large utility share its tariff schedule through `schedule_seed`."""

from __future__ import annotations

import pandas as pd
import pytest

from auditkit import synth
from auditkit.errors import ParameterError

SMALL = {"customers": 200, "districts": 2, "months": 24}


def test_utilities_of_other_seeds_bill_from_other_market_prices_by_default() -> None:
    first = synth.generate(synth.SynthConfig(seed=1, **SMALL))["tariffs"]
    second = synth.generate(synth.SynthConfig(seed=2, **SMALL))["tariffs"]
    assert not first.equals(second)


def test_chunks_given_one_schedule_seed_share_the_tariffs_and_keep_their_own_customers() -> None:
    first = synth.generate(synth.SynthConfig(seed=1, schedule_seed=7, **SMALL))
    second = synth.generate(synth.SynthConfig(seed=2, schedule_seed=7, **SMALL))
    pd.testing.assert_frame_equal(first["tariffs"], second["tariffs"])
    assert not first["bills"]["kwh_billed"].equals(second["bills"]["kwh_billed"])
    alone = synth.generate(synth.SynthConfig(seed=1, **SMALL))
    pd.testing.assert_frame_equal(first["customers"], alone["customers"])  # other draws stay put
    pd.testing.assert_frame_equal(
        first["bills"][["customer_id", "period", "kwh_billed"]],
        alone["bills"][["customer_id", "period", "kwh_billed"]],
    )


@pytest.mark.parametrize("given", [1.5, "7", True, -1])
def test_a_schedule_seed_that_is_not_a_whole_number_is_refused(given: object) -> None:
    with pytest.raises(ParameterError, match="schedule_seed"):
        synth.SynthConfig(schedule_seed=given, **SMALL).check()  # type: ignore[arg-type]


def test_a_numpy_whole_number_is_a_schedule_seed() -> None:
    import numpy as np

    synth.SynthConfig(schedule_seed=np.int64(7), **SMALL).check()
