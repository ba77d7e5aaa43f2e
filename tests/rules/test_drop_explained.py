"""consumption_drop: what explains a drop (peers falling with it, the same months a year before,
an order lowering the load) and what does not (a meter replacement, a partial first month)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rule_builder import COMMERCIAL, Utility, run

from auditkit.rules.consumption import _measured_months, _year_before_ratio
from auditkit.rules.context import RuleContext
from auditkit.stats import theft_scores

PERIODS = [str(pd.Period("2023-01", "M") + i) for i in range(30)]
SEASON = np.array([1.3, 1.2, 1.0, 0.9, 0.9, 1.0, 1.4, 1.4, 1.1, 0.9, 0.9, 1.2])
#: The month (position in PERIODS) from which the falls below start: 2024-09.
FALL = 20


def _shops(u: Utility, industry: str, count: int, kept: dict[int, float], seed: int) -> None:
    """`count` shops of one industry in one district, steady but for noise; shop i keeps
    kept[i] of its energy from FALL on."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        cid = f"{industry[:2]}{i:02d}"
        u.customer(cid, industry=industry, **COMMERCIAL)
        kwh = 2000 * SEASON[np.arange(30) % 12] * rng.lognormal(0, 0.05, 30)
        kwh[FALL:] *= kept.get(i, 1.0)
        u.monthly(cid, list(np.round(kwh, 2)), periods=PERIODS, tariff="COM")


def _households(count: int = 40) -> Utility:
    """A utility of steady households (the common pattern the score removes is theirs)."""
    rng = np.random.default_rng(7)
    u = Utility()
    for i in range(count):
        u.customer(f"H{i:02d}")
        kwh = 150 * SEASON[np.arange(30) % 12] * rng.lognormal(0, 0.05, 30)
        u.monthly(f"H{i:02d}", list(np.round(kwh, 2)), periods=PERIODS)
    return u


def _district() -> Utility:
    u = _households()
    # A downturn: every hotel uses 35 % less from 2024-09; hotel 3 falls to 30 % (a theft inside
    # the downturn: 54 % beyond its peers).
    _shops(u, "住宿和餐饮业", 12, {i: 0.65 for i in range(12)} | {3: 0.30}, seed=1)
    # Shops of another industry: one falls to 40 % alone.
    _shops(u, "批发和零售业", 12, {5: 0.40}, seed=2)
    return u


def test_a_downturn_shared_by_peers_is_explained_and_a_lone_drop_is_not():
    findings = run(_district(), "consumption_drop")
    assert sorted(findings["customer_id"]) == ["住宿03", "批发05"]
    lone = findings.set_index("customer_id").loc["批发05", "evidence"]
    assert "from 2024-09" in lone
    assert "the months since used 4" in lone  # about 40 % of the same months a year before


def test_without_industries_peers_are_the_usage_type_and_district():
    u = _households()
    _shops(u, "住宿和餐饮业", 12, {i: 0.65 for i in range(12)}, seed=1)
    for customer in u.customers:
        customer["industry"] = None  # the households' usage type differs: not peers
    assert run(u, "consumption_drop").empty
    # Fewer peers than min_peers: no group to share the fall with, each drop stands alone.
    alone = run(u, "consumption_drop", params={"consumption_drop.min_peers": 13})
    assert len(alone) >= 10 and alone["customer_id"].str.startswith("住宿").all()


def test_peers_that_hardly_fell_explain_nothing():
    u = _households()
    # The hotels keep 95 %; hotel 3 keeps 70 %: beyond its peers by less than 20 %, but the
    # peers' 5 % is under peer_min_drop (10 %): the drop is the hotel's own.
    _shops(u, "住宿和餐饮业", 12, {i: 0.95 for i in range(12)} | {3: 0.70}, seed=1)
    found = run(u, "consumption_drop", params={"consumption_drop.min_score": 0.5})
    assert found["customer_id"].tolist() == ["住宿03"]


def test_a_meter_replacement_does_not_explain_a_drop():
    u = _district()
    u.order("批发05", "meter_replacement", "2024-09-01", issued="2024-08-25")
    assert "批发05" in set(run(u, "consumption_drop")["customer_id"])
    # A capacity reduction at the same time does.
    u = _district()
    u.order("批发05", "capacity_reduction", "2024-09-01", 8, 4, issued="2024-08-25")
    assert "批发05" not in set(run(u, "consumption_drop")["customer_id"])


def test_the_fall_is_checked_against_the_same_months_a_year_before():
    nan = np.nan
    values = np.array(
        [
            [100.0] * 12 + [50.0, 40.0],  # low from month 12: (50 + 40) / (100 + 100)
            [100.0] * 5 + [60.0] * 9,  # low from month 5: months 12, 13 against 0, 1
            [nan, 100.0] + [100.0] * 10 + [50.0, 40.0],  # month 0 unmeasured: 40 / 100
            [100.0, nan] + [100.0] * 11 + [40.0],  # low from 13, a year before unmeasured
        ]
    )
    ratio = _year_before_ratio(values, np.array([12, 5, 12, 13]))
    np.testing.assert_allclose(ratio[:3], [0.45, 0.6, 0.4])
    assert np.isnan(ratio[3])
    # The lone shop kept 40 % against the same months of 2023-09..2024-06: listed at 0.8, not
    # where at most a third is allowed.
    strict = run(_district(), "consumption_drop", params={"consumption_drop.max_year_ratio": 0.3})
    assert "批发05" not in set(strict["customer_id"])


def test_a_connection_month_after_its_first_day_is_not_measured():
    u = Utility()
    u.customer("whole", connection_date=pd.Timestamp("2024-01-01"))
    u.customer("partial", connection_date=pd.Timestamp("2024-01-20"))
    for cid in ("whole", "partial"):
        u.monthly(cid, [100.0] * 12)
    ctx = RuleContext.build(u.dataset(), None)
    measured = _measured_months(ctx)
    january = ctx.bill_month == ctx.bill_month.min()
    whole = ctx.customer_is("customer_id", "whole")
    assert measured[january & whole].all() and not measured[january & ~whole].any()
    assert measured[~january].all()


def _lone_shop_loss(order_type: str | None = None, effective: str = "") -> pd.Series:
    """批发05's consumption_drop finding in `_district` (it falls to 40 % from 2024-09, the data
    running to 2025-06), with an order of `order_type` effective on `effective` where given."""
    u = _district()
    if order_type:
        u.order("批发05", order_type, effective)
    found = run(u, "consumption_drop").set_index("customer_id")
    return found.loc["批发05"] if "批发05" in found.index else None


def _shop_kwh(first: str, last: str) -> float:
    """批发05's kWh billed from period `first` to `last`."""
    bills = pd.DataFrame(_district().bills)
    mine = bills[(bills["customer_id"] == "批发05") & bills["period"].between(first, last)]
    return float(mine["kwh_billed"].sum())


def test_an_ownership_transfer_long_after_a_drop_does_not_explain_it_and_ends_its_loss():
    whole = _lone_shop_loss()
    assert (whole["period_from"], whole["period_to"]) == ("2024-09", "2025-06")
    # A new owner from 2025-05-01, eight months after the fall: the old owner's months
    # 2024-09..2025-04 still lost revenue. On COM (0.80, no funds) the loss is each month's kWh ×
    # (1 / ratio − 1) × 0.80, so it shrinks in proportion to the kWh of the months it keeps:
    # whole × Σ kWh 2024-09..2025-04 / Σ kWh 2024-09..2025-06.
    moved = _lone_shop_loss("ownership_transfer", "2025-05-01")
    assert (moved["period_from"], moved["period_to"]) == ("2024-09", "2025-04")
    kept = _shop_kwh("2024-09", "2025-04") / _shop_kwh("2024-09", "2025-06")
    assert moved["revenue_impact"] == pytest.approx(whole["revenue_impact"] * kept, abs=0.01)
    # Effective on 15 May: May's bill covers the old owner's first fortnight, so May counts too.
    mid_may = _lone_shop_loss("ownership_transfer", "2025-05-15")
    assert mid_may["period_to"] == "2025-05"
    # Near misses: a transfer three months after the fall (order_window_months) explains it;
    # four months after it does not, the loss ending with December.
    assert _lone_shop_loss("ownership_transfer", "2024-12-01") is None
    four_after = _lone_shop_loss("ownership_transfer", "2025-01-01")
    assert four_after["period_to"] == "2024-12"
    # A suspension long after ends nothing: its months are not measured, the months after count.
    assert _lone_shop_loss("suspension", "2025-03-01")["period_to"] == "2025-06"


def test_a_closure_long_after_a_drop_keeps_the_months_billed_before_it():
    """The theft found after the account closed: the bills stop after March 2025, and the
    closure order (effective 2025-03-31) changes nothing of the loss of 2024-09..2025-03."""
    found = []
    for with_closure in (False, True):
        u = _district()
        u.bills = [b for b in u.bills if b["customer_id"] != "批发05" or b["period"] <= "2025-03"]
        if with_closure:
            u.order("批发05", "closure", "2025-03-31")
            next(c for c in u.customers if c["customer_id"] == "批发05")["status"] = "closed"
        found.append(run(u, "consumption_drop").set_index("customer_id").loc["批发05"])
    assert found[1]["period_to"] == "2025-03"
    assert found[1]["revenue_impact"] == found[0]["revenue_impact"] > 0
    # Near miss: a closure order three months after the fall (2024-12-15) explains it.
    u = _district()
    u.bills = [b for b in u.bills if b["customer_id"] != "批发05" or b["period"] <= "2025-03"]
    u.order("批发05", "closure", "2024-12-15")
    assert "批发05" not in set(run(u, "consumption_drop")["customer_id"])


#: Three years of monthly periods, 2023-01 to 2025-12 (the audit month).
THREE_YEARS = [str(pd.Period("2023-01", "M") + i) for i in range(36)]
#: A mill's seasonal profile.
MILL_SEASON = [1.0, 0.8, 1.0, 1.0, 1.05, 1.1, 1.2, 1.2, 1.05, 1.0, 1.0, 1.05]


def _mills(kept: list[float], elsewhere: tuple[float, ...] = ()) -> Utility:
    """Twelve steady factories of other industries in one district (城东), and len(`kept`)
    textile mills (fewer than min_peers = 5) there, mill n keeping kept[n] of its energy from
    2025-05; and len(`elsewhere`) textile mills of another district (城西), alike."""
    u = Utility()
    mills = [(f"TEXTILE{n}", "纺织业", "城东", share) for n, share in enumerate(kept)]
    mills += [(f"TEXTILE_W{n}", "纺织业", "城西", share) for n, share in enumerate(elsewhere)]
    others = [(f"OTHER{n}", f"其他{n % 4}", "城东", 1.0) for n in range(len(kept), len(kept) + 12)]
    for n, (cid, industry, district, share) in enumerate(mills + others):
        u.customer(cid, usage_type="industrial", tariff_category="IND2", industry=industry,
                   district=district)  # fmt: skip
        level = 15_000 + 1_000 * n if cid.startswith("OTHER") else 20_000 + 4_000 * n
        kwh = [float(round(level * MILL_SEASON[i % 12] * (1 + 0.02 * ((i * 7 + n) % 3 - 1))
                           * (share if i >= 28 else 1.0))) for i in range(36)]  # fmt: skip
        u.monthly(cid, kwh, tariff="IND2", periods=THREE_YEARS)
    return u


#: Textile mills of 城西 falling with those of 城东 from 2025-05: the industry's downturn.
DOWNTURN_ELSEWHERE = (0.64, 0.62, 0.60)


def test_the_few_mills_of_an_industry_falling_together_are_a_downturn():
    """The 4 textile mills of the district all fall by 35-41 % from 2025-05, and so do the
    industry's 3 mills of another district: an industry-wide downturn. The district's group is
    smaller than min_peers, and the district's other factories (steady) were their peers: 3 of
    them were listed, ¥122,868.84 estimated. Judged against the industry across the utility
    (6 other mills each, 3 of them in 城西), none is."""
    assert run(_mills([0.65, 0.63, 0.61, 0.59], DOWNTURN_ELSEWHERE), "consumption_drop").empty


@pytest.mark.parametrize(
    ("kept", "elsewhere", "found"),
    [
        ([1.0, 1.0, 1.0, 0.59], (), "TEXTILE3"),  # one mill falls, its 3 peers steady
        ([0.65, 0.63, 0.61, 0.30], DOWNTURN_ELSEWHERE, "TEXTILE3"),  # a theft in the downturn
        ([1.0, 0.63], (), "TEXTILE1"),  # a group of two: the other mill steady
    ],
)
def test_a_mill_falling_alone_or_beyond_its_few_peers_is_listed(
    kept: list[float], elsewhere: tuple[float, ...], found: str
):
    """Near misses: a mill whose few peers did not all fall with it, or which fell more than
    peer_margin (30 %) beyond them (to 30 % where they kept 60-65 %), is listed. Its money is
    its kWh since 2025-05 × (1 / ratio − 1) at IND2's 0.60 (no funds), the ratio the score's
    (theft_scores' drop_ratio: about 0.67, 0.38 and 0.71)."""
    u = _mills(kept, elsewhere)
    findings = run(u, "consumption_drop")
    assert findings["customer_id"].tolist() == [found]
    bills = pd.DataFrame(u.bills).rename(columns={"kwh_billed": "kwh"})
    ratio = theft_scores(bills[["customer_id", "period", "kwh"]]).set_index("customer_id")
    ratio = ratio.loc[found, "drop_ratio"]
    mine = bills[(bills["customer_id"] == found) & (bills["period"] >= "2025-05")]
    assert findings.iloc[0]["period_from"] == "2025-05"
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(
        round(mine["kwh"].sum() * (1 / ratio - 1) * 0.60, 2)
    )


@pytest.mark.parametrize(
    ("kept", "elsewhere"),
    [
        ([0.40, 0.40], ()),  # the district's only two mills (one owner?) bypassed together
        ([0.35, 0.35, 0.35], ()),
        ([0.40, 0.40], (1.0, 1.0, 1.0, 1.0)),  # the industry's mills elsewhere steady
    ],
)
def test_a_few_mills_of_one_district_falling_together_with_no_downturn_elsewhere_are_listed(
    kept: list[float], elsewhere: tuple[float, ...]
):
    """2 or 3 mills of one district falling together are no downturn where the industry's mills
    in other districts did not fall (or there are none): each is listed (¥0.00 before; the
    code before fix-lookA listed ¥98,746.57 for the two, ¥172,242.62 for the three)."""
    findings = run(_mills(kept, elsewhere), "consumption_drop")
    assert sorted(findings["customer_id"]) == [f"TEXTILE{n}" for n in range(len(kept))]
    assert (findings["revenue_impact"] > 0).all()


def test_a_peer_whose_fall_an_order_explains_is_no_evidence_of_a_downturn():
    """TEXTILE0 halves its capacity by order (2025-05) and uses 40 %; TEXTILE1, its only peer,
    falls to 40 % too with no order: TEXTILE0's fall is the order's, so TEXTILE1 fell alone
    and is listed (¥0.00 before; ¥53,695.32 in the code before fix-lookA)."""
    u = _mills([0.40, 0.40])
    u.order("TEXTILE0", "capacity_reduction", "2025-05-01", 8, 4, issued="2025-04-25")
    assert run(u, "consumption_drop")["customer_id"].tolist() == ["TEXTILE1"]


def _shop_05_billing(share: np.ndarray) -> tuple[Utility, np.ndarray]:
    """The households and 12 steady shops (seed 2), shop 批发05 billing `share` of its use
    month by month; with its kWh billed."""
    u = _households()
    rng = np.random.default_rng(2)
    billed = np.zeros(30)
    for i in range(12):
        cid = f"批发{i:02d}"
        u.customer(cid, industry="批发和零售业", **COMMERCIAL)
        kwh = 2000 * SEASON[np.arange(30) % 12] * rng.lognormal(0, 0.05, 30)
        if i == 5:
            billed = np.round(kwh * share, 2)
        u.monthly(cid, list(np.round(kwh * (share if i == 5 else 1.0), 2)), periods=PERIODS,
                  tariff="COM")  # fmt: skip
    return u, billed


def _low_months_loss(billed: np.ndarray, low: list[int]) -> float:
    """The low months' kWh × (1 / ratio − 1) × 0.8 yuan (COM, no funds), the ratio the low
    months' own: the geometric mean of each against the same month a year before."""
    ratio = np.exp(np.mean(np.log(billed[low] / billed[[m - 12 for m in low]])))
    return round(billed[low].sum() * (1 / ratio - 1) * 0.8, 2)


@pytest.mark.parametrize(
    ("eased", "period_to"),
    [
        (1.0, "2025-03"),  # bypass 2024-09..2025-03 at 35 %, then removed: back at the level
        (0.55, "2025-06"),  # 15 % for 7 months, then 55 %: still stealing at the audit month
    ],
)
def test_a_thief_who_stops_or_eases_off_before_the_audit_is_listed(eased: float, period_to: str):
    """Revenue lost in the past is still lost. Stopped: listed 2024-09..2025-03 (¥0.00 before;
    the truth ¥7,832.07), the 3 months back priced at nothing, the 7 low ones at their own
    ratio (≈ 0.35). Eased off to 55 % (not back: below back_share 0.85 of the level): every
    month since 2024-09 low, priced at the score's ratio as any lasting drop (¥14,807.29; the
    truth ¥12,264.30)."""
    share = np.ones(30)
    share[FALL:27] = 0.35 if eased == 1.0 else 0.15
    share[27:] = eased
    u, billed = _shop_05_billing(share)
    findings = run(u, "consumption_drop")
    assert findings["customer_id"].tolist() == ["批发05"]
    assert findings.iloc[0][["period_from", "period_to"]].tolist() == ["2024-09", period_to]
    if eased == 1.0:
        expected = _low_months_loss(billed, list(range(FALL, 27)))
        assert findings.iloc[0]["revenue_impact"] == pytest.approx(expected, abs=0.01)
        assert expected == pytest.approx(7_701.93)
    else:
        assert findings.iloc[0]["revenue_impact"] == pytest.approx(14_807.29)


def test_months_back_between_low_ones_are_not_priced_and_do_not_dilute_the_fall():
    """A bypass at 35 % 2024-09..2025-02, lifted for 2 months, resumed 2025-05..06: the 8 low
    months priced at their own ratio (≈ 0.35), the 2 back at nothing: ¥8,580.77 (the truth
    ¥8,869.05; ¥6,307.31 when the months back diluted the ratio)."""
    share = np.ones(30)
    share[FALL:26] = 0.35
    share[28:] = 0.35
    u, billed = _shop_05_billing(share)
    findings = run(u, "consumption_drop")
    expected = _low_months_loss(billed, [*range(FALL, 26), 28, 29])
    assert findings.iloc[0][["period_from", "period_to"]].tolist() == ["2024-09", "2025-06"]
    assert findings.iloc[0]["revenue_impact"] == pytest.approx(expected, abs=0.01)
    assert expected == pytest.approx(8_580.77)
