"""tariff_mismatch's legal exceptions by industry match GB/T 4754 sub-classes alike."""

from __future__ import annotations

from rule_builder import Utility, flat, run


def test_a_sub_class_of_an_ev_charging_industry_does_not_fire_tariff_mismatch():
    u = Utility()
    # A housing estate's charging posts on the residential shared-meter price, their industry
    # archived as a sub-class of 充换电服务业 (a name ending with the listed one): legal, as the
    # shared-meter exception's sub-classes are.
    legal = {"estate_posts": "电动汽车充换电服务业", "listed": "充换电服务业"}
    # Near misses on the same price: a maker of charging equipment (its name does not end with a
    # listed one), and an unrelated trade.
    wrong = {"maker": "充换电服务业设备制造", "shop": "批发和零售业"}
    for cid, industry in (legal | wrong).items():
        u.customer(cid, usage_type="commercial", industry=industry, tariff_category="RES")
        u.monthly(cid, flat(100), tariff="RES")
    findings = run(u, "tariff_mismatch")
    assert sorted(findings["customer_id"]) == sorted(wrong)


def test_an_ev_charging_code_takes_its_sub_codes_in_tariff_mismatch():
    u = Utility()
    # Listed by code: F5267 (机动车充电销售) takes F52671; F5268 is another class.
    for cid, industry in {"sub_code": "F52671", "other_code": "F5268"}.items():
        u.customer(cid, usage_type="commercial", industry=industry, tariff_category="RES")
        u.monthly(cid, flat(100), tariff="RES")
    findings = run(
        u, "tariff_mismatch", params={"tariff_mismatch.ev_charging_industries": ["F5267"]}
    )
    assert findings["customer_id"].tolist() == ["other_code"]
