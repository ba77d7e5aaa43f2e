"""District report figures on a small hand-made district (numbers checked by hand)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from auditkit.report import district


@pytest.fixture
def local() -> SimpleNamespace:
    customers = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3"],
            "usage_type": ["residential", "industrial", "residential"],
            "status": ["active", "active", "closed"],
            "basic_charge_basis": ["none", "capacity", "none"],
            "name": ["张三", "李四", "王五"],
            "address": ["城东区中山路1号", "城东区长江路2号", "城东区3号"],
        }
    )
    bills = pd.DataFrame(
        {
            "customer_id": ["c1", "c1", "c2", "c2", "c3"],
            "period": ["2024-01", "2024-02", "2024-01", "2024-02", "2024-03"],
            "kwh_billed": [100.0, 100.0, 700.0, 100.0, 50.0],
            "amount": [60.0, 60.0, 500.0, 80.0, 30.0],
            "read_type": ["actual", "estimated", "actual", "actual", "actual"],
        }
    )
    supply = pd.DataFrame(
        {
            "district": ["X"] * 3,
            "period": ["2024-01", "2024-02", "2024-03"],
            "kwh_supplied": [900.0, 250.0, 100.0],
        }
    )
    return SimpleNamespace(customers=customers, bills=bills, district_supply=supply)


@pytest.fixture
def findings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule_id": ["multiplier_mismatch", "zero_consumption", "multiplier_mismatch"],
            "area": ["metering", "routine", "metering"],
            "severity": ["high", "medium", "high"],
            "customer_id": ["c2", "c1", "c1"],
            "district": ["X"] * 3,
            "period_from": ["2024-01", "2024-02", "2024-01"],
            "period_to": ["2024-02", "2024-02", "2024-02"],
            "evidence": ["e1", "e2", "e3"],
            "revenue_impact": [1000.0, 5.5, 20.0],
            "score": [0.9, 0.2, 0.5],
        }
    )


@pytest.fixture
def catalog() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule_id": ["multiplier_mismatch", "zero_consumption"],
            "area": ["metering", "routine"],
            "title_en": ["Wrong multiplier", "Zero use"],
            "title_zh": ["倍率不符", "零电量"],
            "checks": ["c", "c"],
            "needs": ["n", "n"],
            "parameters": ["", "months=3"],
        }
    )


def test_profile_up_to_as_of(local: SimpleNamespace) -> None:
    figures = district.profile_figures(local, "2024-02")
    assert figures == {
        "customers": 3,
        "active_customers": 2,
        "two_part_customers": 1,
        "billing_months": "2024-01 – 2024-02",
        "kwh_billed": 1000,
        "amount_billed": 700.0,
        "estimated_share": 25.0,
        "line_loss": round(100 * (1 - 1000 / 1150), 2),
    }
    table = district.profile_table(figures, "en")
    assert table.iloc[4].tolist() == ["Energy billed (kWh)", "1,000"]


def test_usage_mix_and_monthly(local: SimpleNamespace) -> None:
    mix = district.usage_mix(local, "zh")
    assert mix.iloc[:, 0].tolist() == ["居民", "工业"]
    assert mix.iloc[:, 1].tolist() == [2, 1]
    assert mix.iloc[:, 3].tolist() == [round(100 * 250 / 1050, 2), round(100 * 800 / 1050, 2)]
    monthly = district.monthly_billing(local, "2024-02")
    assert monthly.to_dict("list") == {
        "period": ["2024-01", "2024-02"],
        "kwh_billed": [800.0, 200.0],
        "amount": [560.0, 140.0],
    }


def test_headline_and_findings_by_rule(
    local: SimpleNamespace, findings: pd.DataFrame, catalog: pd.DataFrame
) -> None:
    assert district.headline_figures(local, findings) == {
        "customers": 3,
        "findings": 3,
        "customers_flagged": 2,
        "rules_fired": 2,
        "revenue_at_stake": 1025.5,
    }
    table = district.findings_by_rule(findings, catalog, "en")
    assert table["Rule"].tolist() == ["Wrong multiplier", "Zero use", ""]
    assert table["Revenue impact (yuan)"].tolist() == [1020.0, 5.5, 1025.5]
    assert table.iloc[-1]["Area"] == "Total" and table.iloc[-1]["Findings"] == 3
    assert table.iloc[0]["Area"] == "metering devices"
    zh = district.findings_by_rule(findings, catalog, "zh")
    assert zh.iloc[0, 0] == "计量装置" and zh.iloc[0, 1] == "倍率不符"


def test_top_findings_carry_customer_and_evidence(
    findings: pd.DataFrame, local: SimpleNamespace, catalog: pd.DataFrame
) -> None:
    top = district.top_findings(findings, local.customers, catalog, "zh", 2)
    assert top["customer_id"].tolist() == ["c2", "c1"]
    assert top["name"].tolist() == ["李四", "张三"]  # masked later, by show_table
    assert top["依据"].tolist() == ["e1", "e3"]
    assert top["期间"].tolist()[0] == "2024-01 – 2024-02"


def test_catalog_appendix_in_both_languages(catalog: pd.DataFrame) -> None:
    assert district.catalog_table(catalog, "zh")["规则"].tolist() == ["倍率不符", "零电量"]
    assert "Revenue impact" in district.methodology_html("en")
