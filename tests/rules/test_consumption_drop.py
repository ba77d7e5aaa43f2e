"""consumption_drop scores from integer codes: the same as theft_scores on the measured reads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rule_builder import Utility

from auditkit import rules
from auditkit.data import Dataset
from auditkit.errors import ParameterError
from auditkit.rules.consumption import _paired_codes
from auditkit.stats import theft_scores

PERIODS = [str(pd.Period("2023-01", "M") + i) for i in range(30)]
SEASON = np.array([1.3, 1.2, 1.0, 0.9, 0.9, 1.0, 1.4, 1.4, 1.1, 0.9, 0.9, 1.2])
DROPS = {"K07": 18, "B03": 20, "K21": 24}  # customer -> first month at 35 %


def _two_districts() -> Utility:
    """60 households in two districts and two usage types, listed in the archive out of
    customer_id order; three of them fall to 35 %, one has estimated reads."""
    rng = np.random.default_rng(12)
    u = Utility()
    ids = [f"{prefix}{i:02d}" for prefix in ("K", "B") for i in range(30)]
    for cid in rng.permutation(ids):
        commercial = int(cid[1:]) % 4 == 0
        u.customer(
            cid,
            district="城东" if cid[0] == "K" else "城西",
            usage_type="commercial" if commercial else "residential",
            tariff_category="COM" if commercial else "RES",
        )
        kwh = 150 * SEASON[np.arange(30) % 12] * rng.lognormal(0, 0.08, 30)
        if cid in DROPS:
            kwh[DROPS[cid] :] *= 0.35
        estimated = [9, 10] if cid == "B11" else []
        u.monthly(
            cid,
            list(np.round(kwh, 2)),
            periods=PERIODS,
            estimated=estimated,
            tariff="COM" if commercial else "RES",
        )
    return u


def _public_scores(dataset: Dataset) -> pd.DataFrame:
    """theft_scores on the bills the rule measures (its 36 months of bills reach back before the
    30 periods), with usage type and district as peers."""
    bills = dataset.bills.reset_index(drop=True)
    estimated = (bills["read_type"] == "estimated").to_numpy()
    same = (bills["customer_id"] == bills["customer_id"].shift()).to_numpy()
    catch_up = np.r_[False, estimated[:-1] & ~estimated[1:] & same[1:]]
    measured = ~estimated & ~catch_up & (bills["kwh_billed"] > 0).to_numpy()
    reads = bills.loc[measured, ["customer_id", "period", "kwh_billed"]]
    customers = dataset.customers
    peers = pd.Series(
        (customers["usage_type"] + "|" + customers["district"]).to_numpy(),
        index=customers["customer_id"].to_numpy(),
    )
    scores = theft_scores(reads.rename(columns={"kwh_billed": "kwh"}), peers=peers)
    return scores.set_index("customer_id")


def test_findings_carry_the_scores_theft_scores_gives():
    dataset = _two_districts().dataset()
    findings = rules.run(dataset, rules=["consumption_drop"]).set_index("customer_id")
    expected = _public_scores(dataset)
    flagged = expected[(expected["score"] >= 1.0) & (expected["steps_since_change"] >= 3)]
    # Of those the score lists, the ones whose low months also fell against a year before.
    assert sorted(findings.index) == sorted(DROPS)
    assert set(DROPS) <= set(flagged.index)
    for cid, finding in findings.iterrows():
        public = expected.loc[cid]
        assert finding["period_from"] == public["change_at"] == PERIODS[DROPS[cid]]
        assert finding["score"] == round(1 - np.exp(-public["score"] / 2.0), 4)
        assert f"suspicion score {public['score']:.1f}; " in finding["evidence"]
        assert f"{public['peer_z']:.1f} robust SD beyond peers" in finding["evidence"]
        assert f"fell to {public['drop_ratio']:.0%} of its seasonal level" in finding["evidence"]


def test_no_measured_bill_means_no_finding():
    u = Utility()
    u.customer("E1")
    u.monthly("E1", [100.0] * 24, periods=PERIODS[:24], estimated=list(range(24)))
    assert rules.run(u.dataset(), rules=["consumption_drop"]).empty


def test_two_bills_for_one_month_are_named():
    u = _two_districts()
    tables = u.tables()
    bills = tables.pop("bills")
    twice = bills[(bills["customer_id"] == "K05") & (bills["period"] == "2024-08")]
    # Built without the loader's checks, as a notebook may build one.
    dataset = Dataset(**tables, bills=pd.concat([bills, twice], ignore_index=True))
    with pytest.raises(ParameterError, match="several for 'K05' at '2024-08'"):
        rules.run(dataset, rules=["consumption_drop"])


def _with_daily_reads(utility: Utility, drop_day: dict[str, str]) -> Dataset:
    """`utility` plus a year of daily reads (Jun 2024 - May 2025, inside its bills): steady with a
    weekly rhythm, and down to 35 % from `drop_day` for the customers it names."""
    rng = np.random.default_rng(3)
    days = pd.date_range("2024-06-01", "2025-05-31")
    weekly = np.where(days.day_of_week >= 5, 0.9, 1.04)
    frames = []
    for customer in utility.customers:
        cid = customer["customer_id"]
        kwh = 5.0 * weekly * rng.lognormal(0, 0.1, len(days))
        if cid in drop_day:
            kwh[days >= pd.Timestamp(drop_day[cid])] *= 0.35
        frames.append(pd.DataFrame({"customer_id": cid, "date": days, "kwh": np.round(kwh, 3)}))
    reads = pd.concat(frames, ignore_index=True)
    return Dataset.from_frames(utility.tables() | {"daily_reads": reads})


def test_daily_reads_date_the_drop_to_the_day():
    dataset = _with_daily_reads(_two_districts(), {"K05": "2024-11-13", "B17": "2025-01-20"})
    daily = {"consumption_drop.source": "daily_reads"}
    findings = rules.run(dataset, as_of="2025-05", rules=["consumption_drop"], params=daily)
    findings = findings.set_index("customer_id")
    assert sorted(findings.index) == ["B17", "K05"]
    assert findings.loc["K05", "period_from"] == "2024-11"
    assert "from 2024-11-13 and stayed down for 200 days" in findings.loc["K05", "evidence"]
    assert "fell to 3" in findings.loc["B17", "evidence"]  # 35 % give or take the noise
    # Monthly bills on the same dataset still find the monthly drops (K07 from 2024-07 ...).
    monthly = rules.run(dataset, as_of="2025-05", rules=["consumption_drop"])
    assert set(monthly["customer_id"]) <= set(DROPS)


def test_daily_source_without_daily_reads_is_named():
    with pytest.raises(ParameterError, match=r"consumption_drop\.source.*daily_reads table"):
        rules.run(
            _two_districts().dataset(),
            rules=["consumption_drop"],
            params={"consumption_drop.source": "daily_reads"},
        )


def _household_drop(archive_tariff: str) -> Utility:
    """30 households billed on RES (0.5 until June 2024, 0.6 from July); H00 falls to 30 % from
    May 2024 and its archive says `archive_tariff`."""
    rng = np.random.default_rng(5)
    periods = PERIODS[:24]
    u = Utility()
    for i in range(30):
        cid = f"H{i:02d}"
        u.customer(cid, tariff_category=archive_tariff if i == 0 else "RES")
        kwh = 150 * SEASON[np.arange(24) % 12] * rng.lognormal(0, 0.08, 24)
        if i == 0:
            kwh[16:] *= 0.3
        u.monthly(cid, list(np.round(kwh, 2)), tariff="RES", periods=periods)
    return u


def test_lost_energy_is_priced_at_the_rate_due_month_by_month():
    on_res, on_com = _household_drop("RES"), _household_drop("COM")
    res = rules.run(on_res.dataset(), rules="consumption_drop")
    com = rules.run(on_com.dataset(), rules="consumption_drop")
    assert res["customer_id"].tolist() == com["customer_id"].tolist() == ["H00"]
    assert res["revenue_kind"].tolist() == ["estimated"]
    # A fall is a suspicion (theft or a failing meter) until the field establishes theft: no
    # theft penalty (3 × the back-billing) is put on the estimate.
    assert res["revenue_impact"].iloc[0] > 0 and res["penalty"].tolist() == [0.0]
    # The same kWh and score: only the rate differs. On RES the months after the fall are
    # priced at the schedule's 0.5 (May, June) and 0.6 (July to December); archived on COM the
    # customer should pay 0.8 in each, whatever the bills charged.
    bills = on_res.dataset().bills
    after = bills[(bills["customer_id"] == "H00") & (bills["period"] >= "2024-05")]
    kwh = after["kwh_billed"].to_numpy()
    due_res = np.where(after["period"] < "2024-07", 0.5, 0.6)
    ratio = (kwh * 0.8).sum() / (kwh * due_res).sum()
    # (each figure rounded to the fen)
    expected = res.iloc[0]["revenue_impact"] * ratio
    assert com.iloc[0]["revenue_impact"] == pytest.approx(expected, abs=0.01 * ratio)
    assert com.iloc[0]["revenue_impact"] > res.iloc[0]["revenue_impact"]


def test_lost_energy_is_priced_at_the_schedule_not_at_a_wrong_rate_billed():
    right = _household_drop("RES")
    cheap = _household_drop("RES")
    for bill in cheap.bills:  # H00 billed 0.3 yuan/kWh below the schedule: rate_mismatch's
        if bill["customer_id"] == "H00":
            bill["energy_rate"] -= 0.3
            bill["energy_charge"] = round(bill["kwh_billed"] * bill["energy_rate"], 2)
            bill["amount"] = bill["energy_charge"]
    found = [rules.run(u.dataset(), rules="consumption_drop") for u in (right, cheap)]
    assert found[0].iloc[0]["revenue_impact"] == found[1].iloc[0]["revenue_impact"]


def _shops_in_a_downturn() -> Utility:
    """One district's shops: of one industry 10 of 30 kVA all fall to 60 % from May 2024 (a
    downturn), 5 of 400 kVA carry on, and L00 (400 kVA) falls to 60 % with the small ones; 30
    restaurants carry on."""
    rng = np.random.default_rng(8)
    u = Utility()
    shops = [(f"S{i:02d}", 30.0, True, "批发和零售业") for i in range(10)]
    shops += [(f"L{i:02d}", 400.0, i == 0, "批发和零售业") for i in range(6)]
    shops += [(f"R{i:02d}", 30.0, False, "住宿和餐饮业") for i in range(30)]
    for cid, capacity, falls, industry in shops:
        u.customer(
            cid,
            usage_type="commercial",
            tariff_category="COM",
            industry=industry,
            contract_capacity_kva=capacity,
        )
        kwh = capacity * 20 * SEASON[np.arange(24) % 12] * rng.lognormal(0, 0.05, 24)
        if falls:
            kwh[16:] *= 0.6
        u.monthly(cid, list(np.round(kwh, 2)), tariff="COM", periods=PERIODS[:24])
    return u


def test_peers_of_a_shared_fall_are_of_the_same_capacity_band():
    u = _shops_in_a_downturn()
    # Its band's peers (the large shops) carried on: L00's fall is its own; the small shops'
    # fall is their band's, a downturn.
    assert rules.run(u.dataset(), rules="consumption_drop")["customer_id"].tolist() == ["L00"]
    # One band for every size: the industry fell with L00, which is left out with the others.
    one_band = {"consumption_drop": {"peer_capacity_bands_kva": [100_000]}}
    assert rules.run(u.dataset(), rules="consumption_drop", params=one_band).empty


def test_pairs_of_codes_are_numbered_alike_from_a_table_or_hashed():
    first = np.array([0, 1, 0, -1, 1, 0])
    second = np.array([2, 2, 2, 0, -1, 3])
    # Pairs (0, 2), (1, 2), (0, 2), missing, missing, (0, 3): ranked 0, 2, 0, -, -, 1.
    assert _paired_codes(first, second).tolist() == [0, 2, 0, -1, -1, 1]
    # Codes far apart (more pairs than a table of a few times the rows): hashed, by appearance.
    spread = np.where(first >= 0, first * 10**6, -1)
    assert _paired_codes(spread, second).tolist() == [0, 1, 0, -1, -1, 2]


#: Three years of monthly periods, 2023-01 to 2025-12 (the audit month).
THREE_YEARS = [str(pd.Period("2023-01", "M") + i) for i in range(36)]
#: A household's seasonal profile (winter heating, summer cooling).
HOUSE_SEASON = [1.3, 1.2, 1.0, 0.9, 0.9, 1.1, 1.4, 1.5, 1.1, 0.9, 0.9, 1.1]


def _away_then_back(months_back: int) -> Utility:
    """30 ordinary households of a district, and "away": its usual 160 kWh-ish a month, then
    3-7 kWh (fridge and router) from 2025-01, back at its usual level for the last
    `months_back` months."""
    u = Utility()
    for n in range(30):
        cid = f"H{n:02d}"
        u.customer(cid)
        kwh = [round((150 + 3 * n) * HOUSE_SEASON[i % 12] * (1 + 0.03 * ((i * 7 + n) % 5 - 2)))
               for i in range(36)]  # fmt: skip
        u.monthly(cid, [float(k) for k in kwh], periods=THREE_YEARS)
    kwh = [float(round(160 * HOUSE_SEASON[i % 12] * (1 + 0.03 * ((i * 3) % 5 - 2))))
           for i in range(36)]  # fmt: skip
    low = [7.0, 7.0, 6.0, 5.0, 4.0, 5.0, 3.0, 4.0, 6.0, 5.0, 4.0, 6.0]
    kwh[24 : 36 - months_back] = low[: 12 - months_back]
    u.customer("away")
    u.monthly("away", kwh, periods=THREE_YEARS)
    return u


@pytest.mark.parametrize("months_back", [4, 3])
def test_a_drop_whose_use_came_back_for_min_months_after_is_not_listed(months_back: int):
    """A household away 2025-01..08 (or ..09) leaving the fridge on, then back at its usual
    level for 4 (or 3 = min_months_after) months by the audit month: a fall that ended, not a
    lasting one. It was listed from 2025-01 to 2025-12 with the months back at the level priced
    × (1 / 0.14 − 1) ≈ 6.1 each (¥2,446.61, more than a year of its bills)."""
    assert rules.run(_away_then_back(months_back).dataset(), rules=["consumption_drop"]).empty


def test_a_drop_whose_use_came_back_for_fewer_months_is_listed_up_to_its_last_low_month():
    """Near miss: the same fall lasting 2025-01..10, back at the level for 2 months only
    (fewer than min_months_after): listed, its run and money ending with October. The low
    months' ratio is their own against the same months a year before (geometric mean of
    7/202, 7/204, 6/160, 5/135, 4/148, 5/171, 3/237, 4/240, 6/165, 5/148 ≈ 0.028), floored at
    0.05 for the money: (7 + 7 + 6 + 5 + 4 + 5 + 3 + 4 + 6 + 5) = 52 kWh × (1 / 0.05 − 1) × 0.60
    (RES, no funds) = ¥592.80; November and December, back at the level, lose nothing."""
    found = rules.run(_away_then_back(2).dataset(), rules=["consumption_drop"])
    found = found.set_index("customer_id")
    assert list(found.index) == ["away"]
    assert found.loc["away", ["period_from", "period_to"]].tolist() == ["2025-01", "2025-10"]
    assert found.loc["away", "revenue_impact"] == pytest.approx(592.80)
    assert "stayed down for 10 months" in found.loc["away", "evidence"]


def _household_peers() -> Utility:
    """30 ordinary households of one district at 150-237 kWh a month, 2023-2025."""
    u = Utility()
    for n in range(30):
        cid = f"H{n:02d}"
        u.customer(cid)
        kwh = [150.0 + 3 * n + 6 * ((i * 7 + n) % 5 - 2) for i in range(36)]
        u.monthly(cid, kwh, periods=THREE_YEARS)
    return u


def test_a_customer_back_from_a_year_long_suspension_at_its_old_level_is_not_listed():
    """200 kWh a month 2023-01..03, suspended (暂停) 2023-04..2024-03 with no bills, 400 for six
    months of catch-up, then back at its old 200 from 2024-10: honest. A rescoring on the months
    since the empty year (reverted) took the catch-up for its level and listed 2024-10..2025-12,
    ¥1,189.07."""
    u = _household_peers()
    u.customer("back")
    u.monthly("back", [200.0] * 3 + [400.0] * 6 + [200.0] * 15,
              periods=THREE_YEARS[:3] + THREE_YEARS[15:])  # fmt: skip
    u.order("back", "suspension", "2023-04-01")
    u.order("back", "resumption", "2024-04-01")
    assert rules.run(u.dataset(), rules=["consumption_drop"]).empty


def test_a_new_connection_settling_after_its_fit_out_months_is_not_listed():
    """Connected 2024-01: 300 kWh a month for eight months of fit-out, then 150. No year before
    to compare and a score on the whole window below the threshold: not listed (the reverted
    rescoring made the fit-out its baseline: 2024-09..2025-12, ¥1,309.09). Near miss: a
    customer at 300 all 2023 and 2024-01..06 falling to 150 is listed."""
    u = _household_peers()
    u.customer("new", connection_date=pd.Timestamp("2024-01-01"))
    u.monthly("new", [300.0] * 8 + [150.0] * 16, periods=THREE_YEARS[12:])
    u.customer("fell")
    u.monthly("fell", [300.0] * 18 + [150.0] * 18, periods=THREE_YEARS)
    found = rules.run(u.dataset(), rules=["consumption_drop"])
    assert found["customer_id"].tolist() == ["fell"]
    assert found["period_from"].tolist() == ["2024-07"]
