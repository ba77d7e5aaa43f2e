"""The district audit's money: revenue proved and revenue estimated summed apart, penalties a
third figure, never one total, in every table, chart, sentence and the findings workbook."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook

from auditkit import i18n
from auditkit.audit import study
from auditkit.audit.study import DistrictAudit
from auditkit.rules import catalog

RULES = ("multiplier_mismatch", "zero_consumption", "rate_mismatch")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Customer columns keep their names in the tables so masking finds them (report.personal_labels).
PERSONAL = {"customer_id", "name", "address"}


@pytest.fixture
def findings() -> pd.DataFrame:
    """Three rules on four customers: fen amounts whose float sums are not exact (0.1 + 0.2)."""
    frame = pd.DataFrame(
        {
            "rule_id": [RULES[0], RULES[0], RULES[1], RULES[1], RULES[2]],
            "area": ["metering", "metering", "routine", "routine", "routine"],
            "severity": ["high", "high", "medium", "medium", "low"],
            "customer_id": ["c1", "c2", "c3", "c4", "c1"],
            "district": ["X"] * 5,
            "period_from": ["2024-01"] * 5,
            "period_to": ["2024-03"] * 5,
            "evidence": ["e"] * 5,
            "revenue_impact": [0.10, 0.20, 1234.56, 0.05, 99.99],
            "revenue_kind": ["proved", "proved", "estimated", "estimated", "proved"],
            "penalty": [0.0, 0.0, 3703.68, 0.15, 199.98],
            "score": [0.9, 0.8, 0.7, 0.6, 0.5],
            "evidence_code": ['[{"code":"zero.no_history"}]'] * 5,
        }
    )
    frame.attrs["as_of"] = "2024-03"
    return frame


@pytest.fixture
def audit(findings: pd.DataFrame) -> DistrictAudit:
    customers = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4", "c5"],
            "usage_type": ["residential"] * 5,
            "status": ["active"] * 5,
            "basic_charge_basis": ["none"] * 5,
            "name": ["张三", "李四", "王五", "赵六", "钱七"],
            "address": ["城东区中山路1号"] * 5,
        }
    )
    bills = pd.DataFrame(
        {
            "customer_id": ["c1", "c2"],
            "period": ["2024-01", "2024-03"],
            "kwh_billed": [100.0, 200.0],
            "amount": [60.0, 120.0],
            "read_type": ["actual", "actual"],
        }
    )
    local = SimpleNamespace(customers=customers, bills=bills, district_supply=None)
    profile = study.profile_figures(local, "2024-03")
    return DistrictAudit("X", local, findings, catalog(), profile, top_n=5)


def test_headline_sums_each_kind_apart_to_the_fen(audit: DistrictAudit) -> None:
    figures = audit.headline()
    assert figures["revenue_proved"] == 100.29  # 0.10 + 0.20 + 99.99
    assert figures["revenue_estimated"] == 1234.61  # 1,234.56 + 0.05
    assert figures["penalties"] == 3903.81  # 3,703.68 + 0.15 + 199.98
    assert "revenue_at_stake" not in figures
    combined = {round(100.29 + 1234.61, 2), round(100.29 + 1234.61 + 3903.81, 2)}
    assert not combined & set(figures.values())


def test_a_district_with_one_kind_has_zero_of_the_other(findings: pd.DataFrame) -> None:
    proved = findings[findings["revenue_kind"] == "proved"]
    figures = study.headline_figures(SimpleNamespace(customers=findings), proved)
    assert (figures["revenue_proved"], figures["revenue_estimated"]) == (100.29, 0.0)
    empty = study.headline_figures(SimpleNamespace(customers=findings), findings.iloc[0:0])
    assert (empty["revenue_proved"], empty["revenue_estimated"], empty["penalties"]) == (0, 0, 0)


def test_by_rule_shows_the_kinds_side_by_side_proved_first(audit: DistrictAudit) -> None:
    table = audit.table("findings_by_rule", "en")
    assert list(table.columns[-3:]) == [
        "Revenue proved (yuan)",
        "Revenue estimated (yuan)",
        "Penalties (yuan)",
    ]
    assert "Revenue at stake (yuan)" not in table.columns
    assert table["Rule id"].tolist() == ["rate_mismatch", "multiplier_mismatch", RULES[1], ""]
    assert table["Revenue proved (yuan)"].tolist() == [99.99, 0.3, 0.0, 100.29]
    assert table["Revenue estimated (yuan)"].tolist() == [0.0, 0.0, 1234.61, 1234.61]
    assert table["Penalties (yuan)"].tolist() == [199.98, 0.0, 3703.83, 3903.81]
    assert table.iloc[-1]["Area"] == "Total" and table.iloc[-1]["Findings"] == 5


def test_findings_table_words_the_kind_and_shows_the_penalty(audit: DistrictAudit) -> None:
    zh = audit.table("top_findings", "zh")
    assert zh["customer_id"].tolist() == ["c3", "c1", "c2", "c1", "c4"]
    assert zh["电费性质"].tolist() == ["估算", "核算确认", "核算确认", "核算确认", "估算"]
    assert zh["涉及电费 (元)"].tolist() == [1234.56, 99.99, 0.2, 0.1, 0.05]
    assert zh["违约使用电费 (元)"].tolist() == [3703.68, 199.98, 0.0, 0.0, 0.15]
    en = audit.table("top_findings", "en")
    assert en["Revenue kind"].tolist() == ["estimated", "proved", "proved", "proved", "estimated"]
    # the yuan recovered are a column only beside findings with field outcomes (tests/audit/
    # test_since.py)
    recovered = {i18n.text("report.district.recovered", "zh")}
    tables = {*zh.columns, *audit.table("findings_by_rule", "zh"), *recovered}
    assert set(audit.money_columns("zh")) <= tables


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_rendering_uses_only_its_language_labels(audit: DistrictAudit, lang: str) -> None:
    other = CHINESE if lang == "en" else LATIN_WORD
    for name in ("findings_by_rule", "top_findings"):
        table = audit.table(name, lang)
        assert not [c for c in table.columns if c not in PERSONAL and other.search(c)], name
    kinds = [
        *audit.table("top_findings", lang).iloc[:, 7],
        *audit.table("catalog", lang).iloc[:, 4],
    ]
    assert kinds and not [kind for kind in kinds if other.search(kind)]
    figure = audit.figure("revenue_by_rule", lang)
    legend = figure.axes[0].get_legend()
    words = [legend.get_title().get_text(), *(t.get_text() for t in legend.get_texts())]
    words.append(figure.axes[0].get_xlabel())
    assert not [word for word in words if other.search(word.replace("(元)", ""))]
    sentence = audit.explain(lang)
    assert "100.29" in sentence and "1,234.61" in sentence and "3,903.81" in sentence
    assert "1,334.90" not in sentence  # the two kinds never added
    assert (CHINESE.search(sentence) is None) == (lang == "en")


def test_the_chart_draws_the_kinds_as_two_distinct_bars_per_rule(audit: DistrictAudit) -> None:
    axes = audit.figure("revenue_by_rule", "zh").axes[0]
    proved, estimated = axes.containers
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["核算确认", "估算"]
    assert proved.patches[0].get_facecolor() != estimated.patches[0].get_facecolor()
    assert proved.patches[0].get_hatch() != estimated.patches[0].get_hatch()
    ticks = [t.get_text() for t in axes.get_yticklabels()]
    widths = {
        label: (p.get_width(), e.get_width())
        for label, p, e in zip(ticks, proved.patches, estimated.patches, strict=True)
    }
    titles = catalog().set_index("rule_id")["title_zh"]
    assert widths[titles[RULES[1]]] == (0.0, 1234.61)
    assert widths[titles[RULES[2]]] == (99.99, 0.0)
    # not stacked: each estimated bar starts at zero, beside its proved bar
    assert all(bar.get_x() == 0 for bar in estimated.patches)


def test_workbook_words_the_kind_and_formats_the_penalty_as_money(
    audit: DistrictAudit, tmp_path: Path
) -> None:
    audit.save_findings(tmp_path, "zh")
    rows = list(load_workbook(tmp_path / "findings.xlsx").active.iter_rows())
    header = [cell.value for cell in rows[0]]
    kind, penalty = header.index("电费性质"), header.index("违约使用电费 (元)")
    assert sorted(row[kind].value for row in rows[1:]) == sorted(["核算确认"] * 3 + ["估算"] * 2)
    assert {row[penalty].number_format for row in rows[1:]} == {"#,##0.00"}
    saved = pd.read_csv(tmp_path / "findings.csv", encoding="utf-8-sig")
    assert set(saved["revenue_kind"]) == {"proved", "estimated"}  # codes for scripts
