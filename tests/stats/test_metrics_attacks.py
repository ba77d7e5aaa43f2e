"""Ranking metrics (against scipy and hand examples) and the injected attacks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from auditkit.errors import ParameterError
from auditkit.stats import InsufficientDataError
from auditkit.stats.attacks import inject_attacks
from auditkit.stats.metrics import map_at_n, roc_auc


def test_auc_equals_mann_whitney_u_with_ties():
    rng = np.random.default_rng(1)
    labels = rng.random(500) < 0.2
    scores = np.round(rng.normal(size=500) + labels, 1)  # rounding makes ties
    u = stats.mannwhitneyu(scores[labels], scores[~labels]).statistic
    assert roc_auc(labels, scores) == pytest.approx(u / (labels.sum() * (~labels).sum()))
    assert roc_auc([True, False], [1.0, 0.0]) == 1.0


def test_map_at_n_hand_example():
    labels = np.array([True, False, True, False, False, True])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.1])
    # Positives at ranks 1 and 3 in the top 4: (1/1 + 2/3) / 2.
    assert map_at_n(labels, scores, 4) == pytest.approx((1 + 2 / 3) / 2)
    assert map_at_n(labels, scores, 6) == pytest.approx((1 + 2 / 3 + 3 / 6) / 3)
    assert map_at_n([False, True], [1.0, 0.0], 1) == 0.0
    # Ties count against the detector: the negative goes first.
    assert map_at_n([True, False], [0.5, 0.5], 2) == pytest.approx(1 / 2)


def test_metric_inputs_are_checked():
    with pytest.raises(ParameterError, match="'labels'"):
        roc_auc([True, True], [1.0, 2.0])
    with pytest.raises(ParameterError, match="'scores'"):
        roc_auc([True, False], [1.0, np.nan])
    with pytest.raises(ParameterError, match="'n'"):
        map_at_n([True, False], [1.0, 0.0], 0)


def _reads(customers: int = 40, months: int = 24) -> pd.DataFrame:
    periods = [f"{2022 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
    return pd.DataFrame(
        {
            "customer_id": np.repeat([f"C{i:03d}" for i in range(customers)], months),
            "period": np.tile(periods, customers),
            "kwh": np.tile(np.arange(1.0, months + 1), customers) * 10,
        }
    )


def test_each_attack_changes_only_its_window():
    reads = _reads()
    for attack in ("h1", "h2", "h3", "h4", "h5", "h6"):
        injected = inject_attacks(reads, fraction=0.25, seed=4, attacks=[attack])
        labels = injected.labels.set_index("customer_id")
        assert labels["attacked"].sum() == 10
        merged = reads.assign(new=injected.reads["kwh"].to_numpy())
        for customer, row in labels[labels["attacked"]].iterrows():
            mine = merged[merged["customer_id"] == customer]
            before = mine["period"] < row["start"]
            assert (mine.loc[before, "new"] == mine.loc[before, "kwh"]).all()
            after_old, after_new = mine.loc[~before, "kwh"], mine.loc[~before, "new"]
            assert (~before).sum() >= 3 and before.sum() >= 12
            if attack == "h1":
                ratio = after_new / after_old
                assert np.ptp(ratio) < 1e-12 and 0.1 <= ratio.iloc[0] <= 0.8
            elif attack == "h2":
                assert after_new.iloc[:3].eq(0).all()
            elif attack in ("h3", "h4"):
                assert (after_new < after_old.max()).all()
            elif attack == "h5":
                assert after_new.nunique() == 1
                assert after_new.sum() == pytest.approx(after_old.sum())
            else:
                assert after_new.tolist() == after_old.tolist()[::-1]
        honest = merged[merged["customer_id"].isin(labels.index[~labels["attacked"]])]
        assert (honest["new"] == honest["kwh"]).all()


def test_injection_is_deterministic_and_checked():
    reads = _reads()
    first = inject_attacks(reads, seed=9)
    second = inject_attacks(reads.sample(frac=1, random_state=2), seed=9)
    pd.testing.assert_frame_equal(first.labels, second.labels)
    assert first.reads["kwh"].sum() != reads["kwh"].sum()
    with pytest.raises(ParameterError, match="'attacks'"):
        inject_attacks(reads, attacks=["h9"])
    with pytest.raises(ParameterError, match="'fraction'"):
        inject_attacks(reads, fraction=1.5)
    with pytest.raises(InsufficientDataError, match="readings or more"):
        inject_attacks(_reads(months=10), seed=1)
