"""theft_scores on hand-built populations: who ranks first, calibration, and bad series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditkit.errors import ParameterError
from auditkit.stats import theft, theft_scores
from auditkit.stats.matrix import to_matrix

MONTHS = [f"{2022 + m // 12}-{m % 12 + 1:02d}" for m in range(36)]


def _population(customers: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Monthly kWh with customer-specific seasonal amplitude, trend and noise."""
    rng = np.random.default_rng(seed)
    month = np.arange(36)
    season = np.cos(2 * np.pi * (month - 7) / 12)
    log_kwh = (
        rng.normal(5, 1, customers)[:, None]
        + rng.uniform(0.1, 0.5, customers)[:, None] * season
        + rng.normal(0, 0.05, customers)[:, None] * month / 12
        + rng.normal(0, 1, (customers, 36)) * rng.uniform(0.03, 0.15, customers)[:, None]
    )
    return _long(np.exp(log_kwh)), np.exp(log_kwh)


def _long(kwh: np.ndarray, columns: list[str] | None = None) -> pd.DataFrame:
    customers, steps = kwh.shape
    return pd.DataFrame(
        {
            "customer_id": np.repeat([f"C{i:04d}" for i in range(customers)], steps),
            "period": np.tile(columns or MONTHS[:steps], customers),
            "kwh": kwh.ravel(),
        }
    )


def test_a_sustained_drop_ranks_first_with_its_change_point():
    _, kwh = _population()
    kwh[7, 24:] *= 0.5
    scores = theft_scores(_long(kwh))
    top = scores.iloc[0]
    assert top["customer_id"] == "C0007"
    assert top["score"] > 5
    assert top["change_at"] == MONTHS[24]
    assert top["steps_since_change"] == 12
    assert top["drop_ratio"] == pytest.approx(0.5, abs=0.08)
    assert top["peer_z"] > 3
    assert list(scores.columns) == [
        "customer_id",
        "score",
        "drop_ratio",
        "change_at",
        "steps_since_change",
        "peer_z",
        "n_readings",
        "status",
    ]


def test_honest_customers_rarely_score_above_three():
    reads, _ = _population(customers=2000, seed=1)
    scores = theft_scores(reads)
    assert (scores["status"] == "scored").all()
    assert (scores["score"] > 3).mean() < 0.01
    assert (scores["score"] > 2).mean() < 0.05


def test_scores_ignore_row_order_and_the_unit_of_energy():
    reads, _ = _population(customers=200, seed=2)
    first = theft_scores(reads)
    shuffled = theft_scores(
        reads.sample(frac=1, random_state=3).assign(kwh=lambda f: f["kwh"] * 1000)
    )
    pd.testing.assert_frame_equal(first, shuffled, check_exact=False, rtol=1e-9)


def test_a_rise_scores_low_and_a_drop_after_as_of_is_not_seen():
    _, kwh = _population(customers=200, seed=3)
    kwh[3, 20:] *= 2.0
    kwh[4, 30:] *= 0.3
    scores = theft_scores(_long(kwh)).set_index("customer_id")
    assert scores.loc["C0003", "score"] < 0
    assert scores.loc["C0004", "score"] > 5
    early = theft_scores(_long(kwh), as_of=MONTHS[29]).set_index("customer_id")
    assert early.loc["C0004", "score"] < 3
    assert early.loc["C0004", "n_readings"] == 30


def test_missing_months_neither_hide_nor_create_a_drop():
    _, kwh = _population(customers=200, seed=4)
    kwh[5, 24:] *= 0.4
    kwh[5, [3, 10, 27]] = np.nan
    kwh[6, 12:18] = np.nan  # a gap in an honest customer
    reads = _long(kwh).dropna()
    scores = theft_scores(reads).set_index("customer_id")
    assert scores["score"].idxmax() == "C0005"
    assert scores.loc["C0006", "score"] < 3
    assert scores.loc["C0006", "n_readings"] == 30


def test_all_zero_and_short_series_carry_no_signal():
    _, kwh = _population(customers=100, seed=5)
    kwh[0] = 0.0
    kwh[1, :31] = np.nan  # only five months
    scores = theft_scores(_long(kwh).dropna()).set_index("customer_id")
    assert scores.loc["C0000", "status"] == "all_zero"
    assert scores.loc["C0001", "status"] == "too_short"
    for customer in ("C0000", "C0001"):
        assert scores.loc[customer, "score"] == 0
        assert np.isnan(scores.loc[customer, "drop_ratio"])


def test_a_handful_of_customers_and_a_single_one_are_scored():
    _, kwh = _population(customers=5, seed=6)
    kwh[2, 24:] *= 0.3
    few = theft_scores(_long(kwh)).set_index("customer_id")
    assert few["score"].idxmax() == "C0002" and few.loc["C0002", "score"] > 3
    single = theft_scores(_long(kwh[2:3]))
    assert single.loc[0, "score"] > 3


def test_daily_reads_with_a_weekly_pattern():
    rng = np.random.default_rng(7)
    days = pd.date_range("2024-01-01", periods=200, freq="D")
    weekly = np.where(days.day_of_week >= 5, 0.3, 0.0)
    log_kwh = rng.normal(3, 0.5, (150, 1)) + weekly + rng.normal(0, 0.2, (150, 200))
    kwh = np.exp(log_kwh)
    kwh[11, 120:] *= 0.4
    reads = pd.DataFrame(
        {
            "customer_id": np.repeat([f"D{i:03d}" for i in range(150)], 200),
            "date": np.tile(days, 150),
            "kwh": kwh.ravel(),
        }
    )
    scores = theft_scores(reads)
    assert scores.iloc[0]["customer_id"] == "D011"
    assert scores.iloc[0]["change_at"] == days[120]
    assert (scores["score"].iloc[1:] > 3).mean() < 0.02


def test_peer_z_compares_within_the_given_groups():
    _, kwh = _population(customers=150, seed=8)
    kwh[:20, 24:] *= 0.5  # a whole group fell (say the factories of one district)
    kwh[100, 24:] *= 0.5  # one customer of the other group fell alike
    ids = [f"C{i:04d}" for i in range(150)]
    peers = pd.Series(np.where(np.arange(150) < 20, "A", "B"), index=ids)
    scores = theft_scores(_long(kwh), peers=peers).set_index("customer_id")
    group_a = scores.loc[ids[:20]]
    assert (group_a["score"] > 3).mean() > 0.9  # each fell: suspicious on its own
    assert (group_a["peer_z"].abs() < 3).mean() > 0.9  # but not against its peers
    assert scores.loc["C0100", "peer_z"] > 3
    assert theft_scores(_long(kwh)).set_index("customer_id").loc[ids[:20], "peer_z"].min() > 3


def test_peers_keyed_by_ids_written_as_text_group_customers_read_as_numbers():
    _, kwh = _population(customers=150, seed=8)
    kwh[:20, 24:] *= 0.5
    reads = _long(kwh)
    reads["customer_id"] = reads["customer_id"].str[1:].astype(int)  # C0007 read as 7
    peers = pd.Series(np.where(np.arange(150) < 20, "A", "B"), index=[str(i) for i in range(150)])
    as_text = theft_scores(reads.assign(customer_id=reads["customer_id"].astype(str)), peers=peers)
    as_numbers = theft_scores(reads, peers=peers)
    by_text = as_text.set_index("customer_id")["peer_z"]
    np.testing.assert_allclose(
        as_numbers.set_index("customer_id")["peer_z"],
        by_text[[str(i) for i in as_numbers["customer_id"]]],
    )
    assert (as_numbers.set_index("customer_id").loc[range(20), "peer_z"].abs() < 3).mean() > 0.9


def test_peers_naming_a_customer_twice_are_refused_by_name():
    _, kwh = _population(customers=30, seed=8)
    peers = pd.Series(["A", "B"], index=["C0001", "C0001"])
    with pytest.raises(ParameterError, match=r"'peers'.*one group per customer.*'C0001' twice"):
        theft_scores(_long(kwh), peers=peers)


def test_a_drop_shared_by_many_customers_at_once_is_a_common_pattern():
    _, kwh = _population(customers=400, seed=9)
    kwh[:120, 24:] *= 0.6  # 30 % of customers at the same month: a tariff or policy change
    scores = theft_scores(_long(kwh))
    assert (scores["score"] > 3).mean() < 0.05


def test_min_drop_is_checked():
    reads, _ = _population(customers=10)
    with pytest.raises(ParameterError, match="'min_drop'"):
        theft_scores(reads, min_drop=1.5)


def test_the_matrix_entry_point_gives_what_theft_scores_gives():
    _, kwh = _population(customers=150, seed=10)
    kwh[12, 26:] *= 0.4
    kwh[30, :30] = np.nan  # too short
    reads = _long(kwh).dropna()
    ids = [f"C{i:04d}" for i in range(150)]
    peers = pd.Series(np.where(np.arange(150) % 3 == 0, "A", "B"), index=ids)
    expected = theft_scores(reads, peers=peers).set_index("customer_id").loc[ids]
    matrix = to_matrix(reads)
    groups = (peers.loc[ids] == "A").to_numpy().astype(int)
    shifts = theft.score_level_shifts(matrix.values, "M", 0.2, groups)
    np.testing.assert_array_equal(shifts.score, expected["score"])
    np.testing.assert_array_equal(shifts.drop_ratio, expected["drop_ratio"])
    np.testing.assert_array_equal(shifts.peer_z, expected["peer_z"])
    np.testing.assert_array_equal(shifts.steps_since_change, expected["steps_since_change"])
    np.testing.assert_array_equal(shifts.n_readings, expected["n_readings"])
    assert shifts.scorable.tolist() == (expected["status"] == "scored").tolist()
    assert (
        matrix.times[shifts.first_low_step[12]] == expected.loc["C0012", "change_at"] == MONTHS[26]
    )


def test_scores_do_not_depend_on_how_customers_are_chunked(monkeypatch):
    _, kwh = _population(customers=120, seed=11)
    kwh[40, 20:] *= 0.5
    reads = _long(kwh)
    whole = theft_scores(reads)
    monkeypatch.setattr(theft, "CHUNK_CELLS", 7 * 36)  # seven customers at a time
    pd.testing.assert_frame_equal(theft_scores(reads), whole, check_exact=False, rtol=1e-9)


def test_the_matrix_entry_point_checks_its_inputs():
    values = np.ones((3, 12))
    with pytest.raises(ParameterError, match="'frequency'"):
        theft.score_level_shifts(values, "W", 0.2, np.zeros(3, int))
    with pytest.raises(ParameterError, match=r"'peer_groups'.*one group per row"):
        theft.score_level_shifts(values, "M", 0.2, np.zeros(2, int))
    with pytest.raises(ParameterError, match="'min_drop'"):
        theft.score_level_shifts(values, "M", -0.1, np.zeros(3, int))


def test_a_matrix_pivoted_already_scores_as_its_long_table_and_keeps_its_own_as_of():
    _, kwh = _population(customers=60, seed=8)
    kwh[3, 24:] *= 0.5
    reads = _long(kwh)
    last = sorted(reads["period"].unique())[-2]
    matrix = to_matrix(reads, last)
    pd.testing.assert_frame_equal(theft_scores(matrix), theft_scores(reads, as_of=last))
    with pytest.raises(ParameterError, match="'as_of': expected none with a pivoted matrix"):
        theft_scores(matrix, as_of=last)
