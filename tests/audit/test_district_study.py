"""The district audit study on a small hand-made district (numbers checked by hand) and on a
synthetic utility where every rule fires."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from auditkit import i18n, rules, synth
from auditkit.audit import study
from auditkit.audit.study import DistrictAudit
from auditkit.data import Dataset
from auditkit.errors import ParameterError
from auditkit.results import TOTAL_ROWS, Study

# Three English words in a row: an English sentence, not a code (IND2, WO0001) or a unit (kV).
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;:()]+[A-Za-z]{2,}[ ,;:()]+[A-Za-z]{2,}")
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def outside_brackets(text: str) -> str:
    """`text` without its bracketed parts (innermost first)."""
    while (shorter := re.sub(r"\([^()]*\)", "", text)) != text:
        text = shorter
    return text


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
    frame = pd.DataFrame(
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
            "revenue_kind": ["proved", "estimated", "proved"],
            "penalty": [0.0, 16.5, 0.0],
            "score": [0.9, 0.2, 0.5],
            "evidence_code": [
                '[{"code":"estimated_streak","reads":3,"months":["2024-01","2024-03"]}]',
                '[{"code":"zero.no_history"}]',
                '[{"code":"archive_defect","defects":[{"code":"archive.odd_ct","ct":32.5}]}]',
            ],
        }
    )
    frame.attrs["as_of"] = "2024-02"
    return frame


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
            "source_en": ["Rules of Electricity Supply Business (1996), art. 81", "audit practice"],
            "source_zh": ["《供电营业规则》（1996）第八十一条", "营销稽查实践"],
            "needs": ["n", "n"],
            "parameters_en": ["", "months=3; usage=residential, commercial"],
            "parameters_zh": ["", "months=3；usage=residential、commercial"],
            "revenue_kind": ["proved", "estimated"],
        }
    )


@pytest.fixture
def audit(local: SimpleNamespace, findings: pd.DataFrame, catalog: pd.DataFrame) -> DistrictAudit:
    """The hand-made district's study, as `study.build` makes it from the rules' findings."""
    profile = study.profile_figures(local, findings.attrs["as_of"])
    return DistrictAudit("X", local, findings, catalog, profile, top_n=2)


def test_profile_up_to_as_of(audit: DistrictAudit) -> None:
    assert audit.profile == {
        "customers": 3,
        "active_customers": 2,
        "two_part_customers": 1,
        "billing_months": "2024-01 – 2024-02",
        "kwh_billed": 1000,
        "amount_billed": 700.0,
        "estimated_share": 25.0,
        "line_loss": round(100 * (1 - 1000 / 1150), 2),
    }
    table = audit.table("profile", "en")
    assert list(table.columns) == ["Item", "Value"]
    assert table.iloc[4].tolist() == ["Energy billed (kWh)", "1,000"]
    # Shares written as every share is (formatting.percent): 1 - 1,000 / 1,150 = 13.04 %.
    assert table.iloc[-2].tolist() == ["Estimated reads", "25.00%"]
    # the line loss names the months it is over: the statistics report has its own months
    assert table.iloc[-1].tolist() == ["Line loss (2024-01 – 2024-02)", "13.04%"]
    assert audit.table("profile", "zh").iloc[-1].tolist() == [
        "线损率（2024-01 – 2024-02）",
        "13.04%",
    ]


def test_a_single_billing_month_is_written_once(local: SimpleNamespace) -> None:
    assert study.profile_figures(local, "2024-01")["billing_months"] == "2024-01"
    one_month = pd.DataFrame(
        {
            "rule_id": ["multiplier_mismatch", "multiplier_mismatch"],
            "area": ["metering"] * 2,
            "severity": ["high"] * 2,
            "customer_id": ["c1", "c2"],
            "district": ["X"] * 2,
            "period_from": ["2024-01", "2023-11"],
            "period_to": ["2024-01", "2024-01"],
            "evidence": ["e1", "e2"],
            "revenue_impact": [10.0, 5.0],
            "revenue_kind": ["proved"] * 2,
            "penalty": [0.0] * 2,
            "score": [0.5] * 2,
            "evidence_code": ['[{"code":"zero.no_history"}]'] * 2,
        }
    )
    one_month.attrs["as_of"] = "2024-01"
    audit = DistrictAudit("X", local, one_month, rules.catalog(), {}, top_n=5)
    for lang, period in (("zh", "期间"), ("en", "Period")):
        assert audit.table("top_findings", lang)[period].tolist() == [
            "2024-01",
            "2023-11 – 2024-01",
        ]


def test_usage_mix_and_monthly_billing(local: SimpleNamespace, audit: DistrictAudit) -> None:
    mix = study.usage_mix(local)
    assert mix["usage_type"].tolist() == ["residential", "industrial"]
    assert mix["customers"].tolist() == [2, 1]
    assert mix["share"].tolist() == [round(100 * 250 / 1050, 2), round(100 * 800 / 1050, 2)]
    usage = audit.table("usage_mix", "zh")
    assert usage.iloc[:, 0].tolist() == ["居民", "工业"]
    assert usage["电量占比"].tolist() == ["20.00%", "80.00%"]  # 200 and 800 of 1,000 kWh to as_of
    assert study.monthly_billing(local, "2024-02").to_dict("list") == {
        "period": ["2024-01", "2024-02"],
        "kwh_billed": [800.0, 200.0],
        "amount": [560.0, 140.0],
    }


def test_headline_and_findings_by_rule(audit: DistrictAudit) -> None:
    assert audit.headline() == {
        "customers": 3,
        "findings": 3,
        "customers_flagged": 2,
        "rules_fired": 2,
        "revenue_proved": 1020.0,
        "revenue_estimated": 5.5,
        "penalties": 16.5,
    }
    table = audit.table("findings_by_rule", "en")
    assert table["Rule"].tolist() == ["Wrong multiplier", "Zero use", ""]
    assert table["Revenue proved (yuan)"].tolist() == [1020.0, 0.0, 1020.0]
    assert table["Revenue estimated (yuan)"].tolist() == [0.0, 5.5, 5.5]
    assert table["Penalties (yuan)"].tolist() == [0.0, 16.5, 16.5]
    assert "Revenue at stake (yuan)" not in table.columns
    assert table.iloc[-1]["Area"] == "Total" and table.iloc[-1]["Findings"] == 3
    assert table.attrs[TOTAL_ROWS] == 1  # shown last, out of sorting and filters
    assert table.iloc[0]["Area"] == "metering devices"
    zh = audit.table("findings_by_rule", "zh")
    assert zh.iloc[0, 0] == "计量装置" and zh.iloc[0, 1] == "倍率不符"


def test_top_findings_carry_customer_and_evidence(audit: DistrictAudit) -> None:
    top = audit.table("top_findings", "zh")
    assert top["customer_id"].tolist() == ["c2", "c1"]
    assert top["name"].tolist() == ["李四", "张三"]  # masked later, by show_table
    assert top["依据"].tolist() == [
        "2024-01 至 2024-03 连续 3 次估抄，未实际抄表",
        "电流互感器变比 32.50 非标准",
    ]
    assert top["风险等级"].tolist() == ["高", "高"]
    assert top["期间"].tolist()[0] == "2024-01 – 2024-02"
    assert audit.table("top_findings", "en")["Evidence"].tolist() == [
        "3 estimated reads in a row 2024-01..2024-03: the meter was not read",
        "non-standard CT ratio 32.50",
    ]


def test_catalog_appendix_in_both_languages(audit: DistrictAudit) -> None:
    zh = audit.table("catalog", "zh")
    assert zh["稽查规则"].tolist() == ["倍率不符", "零电量"]
    assert zh["检查内容"].tolist() == ["计费倍率与档案倍率核对", "连续多月零电量"]
    assert zh["稽查领域"].tolist() == ["计量装置", "常态稽查"]
    assert audit.table("catalog", "en")["What it checks"].tolist() == [
        "multiplier billed against the archive",
        "no kWh for months",
    ]
    assert zh["规则来源"].tolist() == ["《供电营业规则》（1996）第八十一条", "营销稽查实践"]
    assert audit.table("catalog", "en")["Where it comes from"].iloc[0].endswith("art. 81")
    inputs = audit.table("rule_inputs", "zh")
    assert inputs["规则编号"].tolist() == zh["规则编号"].tolist()  # the catalog's order
    assert inputs["参数及默认值"].iloc[1] == "months=3；usage=residential、commercial"
    assert audit.table("rule_inputs", "en")["Parameters and defaults"].iloc[1] == (
        "months=3; usage=residential, commercial"
    )
    assert "参数及默认值" not in zh.columns  # in a table of its own, so the catalog fits
    assert "Revenue impact" in audit.methodology("en")


def test_a_methodology_with_masking_off_says_so_in_both_languages_not_that_fields_are_masked(
    audit: DistrictAudit,
) -> None:
    unmasked_zh = audit.methodology("zh", mask=False)
    unmasked_en = audit.methodology("en", mask=False)
    assert "本报告未脱敏" in unmasked_zh and "已脱敏" not in unmasked_zh
    assert "Masking is OFF" in unmasked_en and "are masked" not in unmasked_en
    assert "findings.csv" in unmasked_zh and "findings.csv" in unmasked_en
    # near miss: masking on (the default) keeps saying the fields are masked
    assert audit.methodology("zh") == audit.methodology("zh", mask=True)
    assert "已脱敏" in audit.methodology("zh") and "未脱敏" not in audit.methodology("zh")
    assert "are masked in tables" in audit.methodology("en")
    assert "OFF" not in audit.methodology("en")


def test_the_study_has_the_shared_shape_and_says_its_outcome(audit: DistrictAudit) -> None:
    assert isinstance(audit, Study)
    assert audit.explain("en") == (
        "3 findings on 2 customers from 2 rules: 1,020.00 yuan under-billed as proved by "
        "recomputing the bills and 5.50 yuan estimated (two kinds, shown apart, never added); "
        "penalties of 16.50 yuan are a separate figure."
    )
    assert "1,025.50" not in audit.explain("zh")
    assert audit.heading("top_findings", "zh") == "涉及电费最多的疑点"
    for name in audit.figure_names:
        assert audit.figure(name, "en").axes
    quiet = DistrictAudit("X", audit.dataset, audit.findings.iloc[0:0], audit.catalog, {})
    assert quiet.explain("zh") == "本期未发现疑点。"
    with pytest.raises(ParameterError, match="parameter 'table': expected one of profile, "):
        audit.table("nope")
    with pytest.raises(ParameterError, match="parameter 'figure': expected one of "):
        audit.figure("nope")
    with pytest.raises(ParameterError, match="parameter 'heading': expected one of "):
        audit.heading("nope")


@pytest.mark.parametrize("top_n", [0, -1, 2.5, "3"])
def test_a_top_n_under_one_or_not_whole_is_refused_not_read_as_all_but_n(
    top_n, utility: Dataset
) -> None:
    """top_n=-1 listed 16 of a district's 17 findings (.head(-1)), 0 none."""
    with pytest.raises(ParameterError, match="parameter 'top_n': expected a whole number from 1"):
        study.build(utility, utility.districts[0], top_n=top_n)


def test_a_study_of_a_folder_path_is_refused_naming_dataset() -> None:
    with pytest.raises(ParameterError, match="parameter 'dataset': expected a dataset loaded by"):
        study.build("/tmp/demo", "城东")


@pytest.fixture(scope="module")
def utility() -> Dataset:
    """A small synthetic utility: 5 % of its customers irregular, so each district has some of
    nearly every irregularity."""
    return Dataset.from_frames(
        synth.generate(customers=3000, districts=3, seed=5, irregular_share=0.05)
    )


@pytest.fixture(scope="module")
def audited_district(utility: Dataset) -> DistrictAudit:
    """One district of the small synthetic utility, audited (most rules fire there)."""
    name = rules.run(utility)["district"].iloc[0]
    return study.build(utility, name, top_n=10_000)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_report_speaks_one_language_in_its_evidence_and_appendix(
    lang: str, audited_district: DistrictAudit
) -> None:
    assert audited_district.findings["rule_id"].nunique() >= 12
    top = audited_district.table("top_findings", lang)
    appendix = audited_district.table("catalog", lang)
    by_rule = audited_district.table("findings_by_rule", lang)
    rule, area = i18n.text("common.rule", lang), i18n.text("common.area", lang)
    shown = [
        *top[i18n.text("common.evidence", lang)],
        *top[rule],
        *top[i18n.text("common.severity", lang)],
        *appendix[i18n.text("report.district.checks", lang)],
        # a source may quote the Chinese title of the document it cites, in brackets
        *[outside_brackets(text) for text in appendix[i18n.text("report.district.source", lang)]],
        *appendix[rule],
        *appendix[area],
        *by_rule[area],
    ]
    if lang == "zh":
        assert not [text for text in shown if ENGLISH.search(text)]
    else:
        assert not [text for text in shown if CHINESE.search(text)]


def test_saved_findings_follow_the_report_language_in_csv_parquet_and_workbook(
    tmp_path: Path, audited_district: DistrictAudit
) -> None:
    import openpyxl

    findings = audited_district.findings
    written = audited_district.save_findings(tmp_path, "zh")
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
    assert "依据" in [cell.value for cell in sheet[1]]


def test_a_rules_needs_and_their_alternatives_are_listed_in_the_reports_language() -> None:
    from auditkit.audit.study import _needs_text

    needs = ("customers.contract_capacity_kva", "bills.capacity_billed_kva|bill_lines")
    assert _needs_text(needs, "zh") == (
        "customers.contract_capacity_kva、bills.capacity_billed_kva 或 bill_lines"
    )
    assert _needs_text(needs, "en") == (
        "customers.contract_capacity_kva, bills.capacity_billed_kva or bill_lines"
    )
