"""consumption_drop on daily reads: the drop found on the customer's months and dated to the day."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rule_builder import Utility

from auditkit import rules
from auditkit.data import Dataset

PERIODS = [str(pd.Period("2024-01", "M") + i) for i in range(24)]
DAYS = pd.date_range("2025-01-01", "2025-12-31")  # the last twelve billed months
DAILY = {"consumption_drop.source": "daily_reads"}


def _utility(daily_kwh: dict[str, np.ndarray], kwh_2024: dict[str, np.ndarray]) -> Dataset:
    """30 households steady at 8-12 kWh a day, and the customers of `daily_kwh` (their 2025
    days; 2024 billed `kwh_2024` by month). Every bill is its days' sum (30 kWh-days at 10
    kWh a day: 300 kWh)."""
    u = Utility()
    days_in = np.array([pd.Period(p).days_in_month for p in PERIODS], dtype=float)
    series = {f"R{i:02d}": np.full(len(DAYS), 8.0 + i * 4 / 29) for i in range(30)}
    before = {cid: level[0] * days_in[:12] for cid, level in series.items()}
    series |= daily_kwh
    before |= kwh_2024
    reads = []
    for cid, kwh in series.items():
        commercial = cid.startswith("C")
        u.customer(
            cid,
            usage_type="commercial" if commercial else "residential",
            tariff_category="COM" if commercial else "RES",
            industry="纺织" if commercial else None,
        )
        month = DAYS.month.to_numpy() - 1
        billed = np.r_[before[cid], np.bincount(month, weights=kwh, minlength=12)]
        u.monthly(
            cid, list(np.round(billed, 3)), periods=PERIODS, tariff="COM" if commercial else "RES"
        )
        reads.append(pd.DataFrame({"customer_id": cid, "date": DAYS, "kwh": kwh}))
    return Dataset.from_frames(u.tables() | {"daily_reads": pd.concat(reads, ignore_index=True)})


def _flat_2024(kwh_a_day: float) -> np.ndarray:
    return kwh_a_day * np.array([pd.Period(p).days_in_month for p in PERIODS[:12]], dtype=float)


def _drops(dataset: Dataset) -> pd.DataFrame:
    found = rules.run(dataset, as_of="2025-12", rules=["consumption_drop"], params=DAILY)
    return found.set_index("customer_id")


def test_a_fall_to_40_percent_on_17_march_is_dated_to_that_day():
    thief = np.where(DAYS >= "2025-03-17", 4.0, 10.0)
    found = _drops(_utility({"T01": thief}, {"T01": _flat_2024(10.0)}))
    assert list(found.index) == ["T01"]
    assert found.loc["T01", "period_from"] == "2025-03"
    evidence = found.loc["T01", "evidence"]
    # 17 March to 31 December: 15 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 31 = 290 days.
    assert "fell to 40% of its usual level from 2025-03-17 and stayed down for 290 days" in evidence
    # The days searched: February to April around the month of the change (10 before, 4 after),
    # the peers steady.
    assert "10.0 kWh a day in the days before, 4.0 kWh from it" in evidence
    assert "its peers used 100% of their level before" in evidence


def test_a_fall_before_the_daily_reads_keeps_its_billed_month():
    # Billed 40 % from September 2024; the daily reads, from January 2025, are low throughout.
    before = np.where(np.arange(12) >= 8, 0.4, 1.0) * _flat_2024(10.0)
    found = _drops(_utility({"B01": np.full(len(DAYS), 4.0)}, {"B01": before}))
    assert list(found.index) == ["B01"]
    assert found.loc["B01", "period_from"] == "2024-09"
    evidence = found.loc["B01", "evidence"]
    assert "from 2024-09, before the daily reads began on 2025-01-01" in evidence
    assert "stayed down for 16 months" in evidence  # September 2024 to December 2025


def test_a_two_week_holiday_does_not_fire():
    away = (DAYS >= "2025-08-01") & (DAYS <= "2025-08-14")
    holiday = np.where(away, 0.5, 10.0)
    assert _drops(_utility({"H01": holiday}, {"H01": _flat_2024(10.0)})).empty


def test_a_fall_its_eight_textile_peers_share_does_not_fire():
    # The whole industry runs at 60 % from June 2025 (a downturn, not a theft) ...
    downturn = {f"C{i}": np.where(DAYS >= "2025-06-01", 0.6, 1.0) * (50.0 + i) for i in range(8)}
    kwh_2024 = {f"C{i}": _flat_2024(50.0 + i) for i in range(8)}
    assert _drops(_utility(downturn, kwh_2024)).empty
    # ... while one of them falling to 30 % from 10 June is a drop beyond its peers.
    downturn["C0"] = np.where(DAYS >= "2025-06-10", 0.3, 1.0) * 50.0
    found = _drops(_utility(downturn, kwh_2024))
    assert list(found.index) == ["C0"]
    assert "from 2025-06-10" in found.loc["C0", "evidence"]
