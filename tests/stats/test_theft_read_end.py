"""theft_scores on daily reads with a stray read after everyone's last day, or one in the future
(issue 16's review, problems 4, 5 and 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_theft_daily_signals import _population
from theft_builders import TWO_YEARS

from auditkit.errors import ParameterError
from auditkit.stats import theft_scores


def _reads(kwh: np.ndarray, days: pd.DatetimeIndex) -> pd.DataFrame:
    ids = [f"H{i:03d}" for i in range(len(kwh))]
    return pd.DataFrame(
        {
            "customer_id": np.repeat(ids, len(days)),
            "date": np.tile(days, len(kwh)),
            "kwh": kwh.ravel(),
        }
    )


@pytest.fixture(scope="module")
def reads() -> pd.DataFrame:
    kwh = _population(TWO_YEARS)
    kwh[4, 600:] *= 0.5
    return _reads(kwh, TWO_YEARS)


def test_a_stray_read_after_everyones_last_day_is_left_out_and_counted(reads):
    stray = pd.DataFrame(
        {"customer_id": ["H002"], "date": [TWO_YEARS[-1] + pd.Timedelta(days=42)], "kwh": [8.5]}
    )
    plain = theft_scores(reads).set_index("customer_id")
    scores = theft_scores(pd.concat([reads, stray], ignore_index=True))
    # Before: as_of was the stray day, 42 days nobody read ended every series (H004: 18.6 -> -5.1).
    pd.testing.assert_series_equal(scores.set_index("customer_id")["score"], plain["score"])
    assert scores.attrs["left_out"] == 1
    assert scores.attrs["as_of"] == str(TWO_YEARS[-1].date())
    assert plain.attrs == {} or plain.attrs["left_out"] == 0


def test_a_read_dated_after_today_is_refused_by_its_row(reads):
    future = pd.Timestamp.today().normalize() + pd.Timedelta(days=30)
    stray = pd.DataFrame({"customer_id": ["H002"], "date": [future], "kwh": [8.5]})
    with pytest.raises(
        ParameterError,
        match=rf"'reads.date': expected days up to today, found "
        rf"'{future.date()} in row {len(reads) + 1}'",
    ):
        theft_scores(pd.concat([reads, stray], ignore_index=True))


def test_days_nobody_read_up_to_a_given_as_of_do_not_break_the_common_patterns():
    days = TWO_YEARS[:200]  # under a year: the level-shift model and its common patterns
    short = _reads(_population(days), days)
    stray_day = days[-1] + pd.Timedelta(days=100)
    stray = pd.DataFrame({"customer_id": ["H002"], "date": [stray_day], "kwh": [8.5]})
    # Before: numpy.linalg.LinAlgError (SVD did not converge) on the 99 days nobody read.
    scores = theft_scores(pd.concat([short, stray], ignore_index=True), as_of=str(stray_day.date()))
    assert np.isfinite(scores["score"]).all()
    assert scores.attrs["left_out"] == 0


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_a_read_without_a_customer_id_is_refused_by_its_row_not_left_out(reads, empty):
    lost = pd.DataFrame({"customer_id": [empty], "date": [TWO_YEARS[5]], "kwh": [8.5]})
    # Before: the read was dropped unsaid.
    with pytest.raises(
        ParameterError,
        match=rf"'reads.customer_id': expected an id in every row, found 'none in row "
        rf"{len(reads) + 1}'",
    ):
        theft_scores(pd.concat([reads, lost], ignore_index=True))


def test_the_cli_reads_field_checks_up_to_the_day_scored_not_a_stray_later_read():
    # Before: the register's decisions were read up to the stray read's day (2025-04-20), those
    # recorded after the day scored (2025-03-31) included.
    from auditkit.cli.stats import _last_day
    from auditkit.stats.theft import read_end

    days = pd.date_range("2025-01-01", "2025-03-31")
    reads = pd.DataFrame(
        {
            "customer_id": np.repeat([f"C{index}" for index in range(30)], len(days)),
            "date": np.tile(days, 30),
            "kwh": 5.0,
        }
    )
    stray = pd.DataFrame({"customer_id": ["C0"], "date": [pd.Timestamp("2025-04-20")], "kwh": 5.0})
    read = pd.concat([reads, stray], ignore_index=True)
    assert _last_day(None, read, read_end(read, "daily_reads")) == pd.Timestamp("2025-03-31")
