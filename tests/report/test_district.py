"""District report figures on a small hand-made district (numbers checked by hand)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from auditkit import rules, synth
from auditkit.data import Dataset
from auditkit.report import district

# Three English words in a row: an English sentence, not a code (IND2, WO0001) or a unit (kV).
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;:()]+[A-Za-z]{2,}[ ,;:()]+[A-Za-z]{2,}")
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


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
            "evidence_code": [
                '[{"code":"estimated_streak","reads":3,"months":["2024-01","2024-03"]}]',
                '[{"code":"zero.no_history"}]',
                '[{"code":"archive_defect","defects":[{"code":"archive.odd_ct","ct":32.5}]}]',
            ],
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
            "checks_en": ["multiplier billed against the archive", "no kWh for months"],
            "checks_zh": ["计费倍率与档案倍率核对", "连续多月零电量"],
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
    assert top["依据"].tolist() == [
        "2024-01 至 2024-03 连续 3 次估抄，未实际抄表",
        "电流互感器变比 32.50 非标准",
    ]
    assert top["严重程度"].tolist() == ["高", "高"]
    assert top["期间"].tolist()[0] == "2024-01 – 2024-02"
    english = district.top_findings(findings, local.customers, catalog, "en", 2)
    assert english["Evidence"].tolist() == [
        "3 estimated reads in a row 2024-01..2024-03: the meter was not read",
        "non-standard CT ratio 32.50",
    ]


def test_catalog_appendix_in_both_languages(catalog: pd.DataFrame) -> None:
    zh = district.catalog_table(catalog, "zh")
    assert zh["规则"].tolist() == ["倍率不符", "零电量"]
    assert zh["检查内容"].tolist() == ["计费倍率与档案倍率核对", "连续多月零电量"]
    assert zh["稽查领域"].tolist() == ["计量装置", "常态稽查"]
    en = district.catalog_table(catalog, "en")
    assert en["What it checks"].tolist() == [
        "multiplier billed against the archive",
        "no kWh for months",
    ]
    assert "Revenue impact" in district.methodology_html("en")


@pytest.fixture(scope="module")
def audited_district() -> tuple[Dataset, pd.DataFrame]:
    """One district of a small synthetic utility and its findings (every rule fires there)."""
    utility = Dataset.from_frames(synth.generate(customers=3000, districts=3, seed=5))
    findings = rules.run(utility)
    name = findings["district"].iloc[0]
    local = utility.for_district(name)
    return local, findings[findings["district"] == name].reset_index(drop=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_report_speaks_one_language_in_its_evidence_and_appendix(
    lang: str, audited_district: tuple[Dataset, pd.DataFrame]
) -> None:
    local, findings = audited_district
    assert findings["rule_id"].nunique() >= 12
    catalog = rules.catalog()
    top = district.top_findings(findings, local.customers, catalog, lang, len(findings))
    appendix = district.catalog_table(catalog, lang)
    by_rule = district.findings_by_rule(findings, catalog, lang)
    shown = [
        *top[district.text("evidence", lang)],
        *top[district.text("rule", lang)],
        *top[district.text("severity", lang)],
        *appendix[district.text("checks", lang)],
        *appendix[district.text("rule", lang)],
        *appendix[district.text("area", lang)],
        *by_rule[district.text("area", lang)],
    ]
    if lang == "zh":
        assert not [text for text in shown if ENGLISH.search(text)]
    else:
        assert not [text for text in shown if CHINESE.search(text)]


def test_saved_findings_follow_the_report_language_in_csv_parquet_and_workbook(
    tmp_path, audited_district: tuple[Dataset, pd.DataFrame]
) -> None:
    import openpyxl

    _, findings = audited_district
    written = district.save_findings(findings, tmp_path, "zh")
    assert sorted(path.name for path in written) == [
        "findings.csv",
        "findings.parquet",
        "findings.xlsx",
    ]
    saved = pd.read_csv(tmp_path / "findings.csv", dtype=str, encoding="utf-8-sig")
    assert len(saved) == len(findings)
    assert not [text for text in saved["evidence"] if ENGLISH.search(text)]
    assert set(pd.read_parquet(tmp_path / "findings.parquet")["evidence"]) == set(saved["evidence"])
    sheet = openpyxl.load_workbook(tmp_path / "findings.xlsx").active
    assert sheet.max_row == len(findings) + 1
    header = [cell.value for cell in sheet[1]]
    assert "依据" in header or any(CHINESE.search(str(value)) for value in header)
