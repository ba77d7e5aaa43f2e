"""Reviewer tables: masking, number and money formats, row limits with a link to the full data."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from report_chromium import PRINT_WIDTH, TABLE_LAYOUT_PROBE, find_chromium

from auditkit import formatting, i18n
from auditkit.pipeline.render import ReportContext, render_html
from auditkit.report import tables
from auditkit.results import with_total

SHORT = 'style="text-align:left;vertical-align:top;word-break:keep-all"'
TEXT = 'style="text-align:left;vertical-align:top"'
NUMBER = 'style="text-align:right;vertical-align:top;white-space:nowrap"'
TEXT_HEADER = 'style="text-align:left;word-break:keep-all"'
NUMBER_HEADER = 'style="text-align:right;word-break:keep-all"'


def test_personal_fields_are_masked() -> None:
    frame = pd.DataFrame(
        {
            "name": ["张三丰", None],
            "phone": ["13812345678", "110"],
            "address": ["城东区中山路831号", "x"],
        }
    )
    masked = tables.mask_personal(frame)
    assert masked["name"].tolist()[0] == "张**"
    assert pd.isna(masked["name"].tolist()[1])
    assert masked["phone"].tolist() == ["138****5678", "***"]
    assert masked["address"].tolist() == ["城东区****", "x****"]
    assert frame["name"].tolist()[0] == "张三丰"  # the input is left alone


def test_numbers_money_and_missing_values_are_formatted_as_everywhere() -> None:
    frame = pd.DataFrame(
        {
            "amount": [1234.5, "合计", None],
            "kwh": [1234567.0, 0.125, float("nan")],
            "note": ["a", None, "c"],
        }
    )
    shown = tables.format_frame(frame, money_columns=["amount"])
    assert shown["amount"].tolist() == ["1,234.50", "合计", formatting.MISSING]
    assert shown["kwh"].tolist() == ["1,234,567", "0.12", formatting.MISSING]
    assert shown["note"].tolist() == ["a", formatting.MISSING, "c"]


def test_customer_columns_keep_their_names_and_are_shown_in_words() -> None:
    assert tables.personal_labels("en") == {
        "customer_id": "Customer",
        "name": "Name",
        "address": "Address",
        "phone": "Phone",
    }


def test_table_html_limits_rows_links_full_data_and_aligns_numbers() -> None:
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(30)], "amount": range(30)})
    page = tables.table_html(
        frame,
        lang="en",
        money_columns=["amount"],
        max_rows=5,
        full_data="findings.csv",
        column_labels={"amount": "Amount (yuan)"},
    )
    assert page.count("<tr>") == 6  # header + 5 rows
    assert "Showing 5 of 30 rows" in page
    assert '<a href="findings.csv">Full data: findings.csv</a>' in page
    assert f'<th class="ak-num" {NUMBER_HEADER}>Amount (yuan)</th>' in page
    assert f'<td class="ak-num" {NUMBER}>4.00</td>' in page and "c5" not in page


def test_a_total_row_of_text_keeps_numeric_columns_numeric() -> None:
    frame = pd.DataFrame({"rule": ["a", "Total"], "findings": [3, ""], "amount": [1.5, 1.5]})
    shown = tables.format_frame(frame, money_columns=["amount"])
    assert shown["findings"].tolist() == ["3", ""]
    assert tables.is_numeric_column(frame["findings"])
    assert not tables.is_numeric_column(frame["rule"])
    assert "<script>" not in tables.table_html(pd.DataFrame({"x": ["<script>"]}))


def test_short_text_columns_do_not_wrap_and_long_ones_may() -> None:
    frame = pd.DataFrame(
        {
            "rule": ["倍率错误", "容量少计"],
            "evidence": ["按合同容量 630 kVA 每月少计基本电费" * 2] * 2,
        }
    )
    page = tables.table_html(frame)
    assert f'<td class="ak-short" {SHORT}>倍率错误</td>' in page
    assert f'<td class="ak-long ak-cjk" {TEXT}>按合同容量' in page


def test_text_is_as_wide_as_it_shows_chinese_counting_double() -> None:
    assert tables.display_width("城东 A1") == 2 * 2 + 1 + 2
    assert tables.display_width("（少收）") == 8  # full-width brackets too
    assert tables.display_width("") == 0


def _kind_of(values: list[str]) -> str:
    """The class `table_html` gives a text column of `values`."""
    page = tables.table_html(pd.DataFrame({"x": values}))
    return page.split('<td class="')[1].split('"')[0]


def test_a_column_is_short_medium_or_long_by_how_wide_its_widest_text_shows() -> None:
    assert _kind_of(["城东区中山路****"]) == "ak-short"  # 6 × 2 + 4 = 16 wide
    assert _kind_of(["2023-01 – 2025-12", "x"]) == "ak-short"  # 17 wide
    assert _kind_of(["暂停超期（超期未恢复）"]) == "ak-medium"  # 11 characters, 22 wide
    assert _kind_of(["Maximum demand persistently above the registered capacity"]) == "ak-medium"
    assert _kind_of(["最大需量持续超过登记容量（疑似大换小、私增容量）"]) == "ak-medium"  # 48 wide
    assert _kind_of(["a" * 30 + " " + "b" * 30]) == "ak-long"  # 61 wide


def test_codes_stay_whole_up_to_forty_characters_and_text_with_spaces_wraps() -> None:
    assert _kind_of(["temporary_supply_overrun", "x"]) == "ak-short"  # 24, one word
    assert _kind_of(["customers.contract_capacity_kva.basic_x"]) == "ak-short"  # 39
    assert _kind_of(["customers.contract_capacity_kva.basic_xyz"]) == "ak-medium"  # 41
    assert _kind_of(["customers.status, bills.amount"]) == "ak-medium"  # a space: it may wrap
    assert _kind_of(["户号户号户号户号户号户号"]) == "ak-medium"  # one word, but 24 wide


def test_long_text_a_quarter_chinese_or_more_gets_the_chinese_reading_width() -> None:
    chinese = "电费少计" * 4  # 16 characters
    assert _kind_of([chinese + "x" * 46 + " y"]) == "ak-long ak-cjk"  # 16 of 64 characters
    assert _kind_of([chinese + "x" * 47 + " y"]) == "ak-long"  # 16 of 65: under a quarter
    parameters = "amount_tolerance=0.01, relative_tolerance=0.0001, kwh_tolerance=0.5"
    assert _kind_of([parameters]) == "ak-long"


def test_cells_carry_their_alignment_where_no_stylesheet_is_loaded() -> None:
    evidence = "最大需量超过登记容量 1,250 千伏安：2023-01 至 2025-12 共 35 个月，峰值 2,008 千瓦"
    frame = pd.DataFrame(
        {"状态": ["持续存在"], "依据": [evidence], "kwh": [1234.0], "share": ["+4.8%"]}
    )
    page = tables.table_html(frame, column_labels={"kwh": "电量"})
    assert f'<th class="ak-short" {TEXT_HEADER}>状态</th>' in page
    assert f'<th class="ak-long ak-cjk" {TEXT_HEADER}>依据</th>' in page
    assert f'<th class="ak-num" {NUMBER_HEADER}>电量</th>' in page
    assert f'<td class="ak-short" {SHORT}>持续存在</td>' in page
    assert f'<td class="ak-long ak-cjk" {TEXT}>{evidence}</td>' in page
    assert f'<td class="ak-num" {NUMBER}>1,234</td>' in page
    assert f'<td class="ak-num" {NUMBER}>+4.8%</td>' in page
    assert page.count('style="') == 8  # four headers, four cells: nothing else is styled


def test_the_full_data_link_is_a_relative_quoted_path() -> None:
    frame = pd.DataFrame({"x": [1]})
    page = tables.table_html(frame, full_data="javascript:alert(1)", lang="en")
    assert 'href="javascript%3Aalert%281%29"' in page


def test_numbers_formatted_as_text_upstream_are_aligned_right() -> None:
    frame = pd.DataFrame(
        {
            "district": ["城东", "城北"],
            "kwh": ["305,735,964", "193,584,933"],
            "yoy": ["+4.8%", None],
        }
    )
    page = tables.table_html(frame)
    assert f'<td class="ak-num" {NUMBER}>305,735,964</td>' in page
    assert f'<td class="ak-num" {NUMBER}>+4.8%</td>' in page
    assert f'<td class="ak-short" {SHORT}>城东</td>' in page
    assert not tables.is_number_text_column(pd.Series(["2023-01", "2024-02"]))


def _areas_with_total(rows: int) -> pd.DataFrame:
    """`rows` rules in two areas with their findings, then their total row."""
    table = pd.DataFrame(
        {
            "区域": ["计量装置" if i % 2 else "电价执行" for i in range(rows)],
            "疑点数": [i + 1 for i in range(rows)],
        }
    )
    return with_total(table, {"区域": "合计", "疑点数": sum(range(1, rows + 1))})


def test_a_total_row_is_shown_in_the_table_foot_even_when_rows_are_cut() -> None:
    page = tables.table_html(_areas_with_total(30), lang="en", max_rows=5)
    body, foot = page.split("<tbody>")[1].split("</tbody>")
    assert body.count("<tr>") == 5 and "合计" not in body
    assert foot.startswith("<tfoot><tr><td") and "合计" in foot and "465" in foot
    assert "Showing 5 of 30 rows" in page  # data rows only


def test_a_table_without_a_total_row_has_no_foot() -> None:
    assert "<tfoot>" not in tables.table_html(pd.DataFrame({"x": [1, 2]}))


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
def test_the_table_script_sorts_filters_and_counts_the_data_rows_only(tmp_path: Path) -> None:
    from report_chromium import offline_chromium, visit

    from auditkit.pipeline.render import tables_script

    page = tmp_path / "table.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><body>'
        + tables.table_html(_areas_with_total(12), lang="zh")
        + tables_script("zh")
        + "</body></html>",
        encoding="utf-8",
    )
    probe = """(() => {
      const errors = [];
      window.addEventListener("error", event => errors.push(event.message));
      const rows = () => [...document.querySelectorAll("table tr")].map(r => r.cells[0].textContent);
      const [area, findings] = document.querySelectorAll("thead th");
      findings.click();
      const byFindings = rows();
      area.click();
      const byArea = rows();
      const select = document.querySelector(".ak-table-tools select");
      return {errors, byFindings, byArea, choices: [...select.options].map(o => o.value),
              count: document.querySelector(".ak-table-count").textContent};
    })()"""
    with offline_chromium(find_chromium()) as browser:
        seen = visit(browser, page, probe=probe, settle=0)
    assert seen.script_errors == [] and seen.probed["errors"] == []
    assert seen.probed["byFindings"][-1] == "合计" and seen.probed["byArea"][-1] == "合计"
    assert seen.probed["byFindings"][1] == "计量装置"  # 12 findings, the most, first
    assert seen.probed["choices"] == ["", "电价执行", "计量装置"]
    assert seen.probed["count"] == "显示 12 / 12 行"


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
def test_a_column_whose_every_row_differs_gets_no_filter(tmp_path: Path) -> None:
    from report_chromium import offline_chromium, visit

    from auditkit.pipeline.render import tables_script

    table = pd.DataFrame(
        {
            "区域": ["计量装置", "电价执行", "计量装置", "电价执行"] * 3,
            "链接": [f"报告 {row}" for row in range(12)],  # a link per row: nothing to group
        }
    )
    page = tmp_path / "table.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><body>'
        + tables.table_html(table, lang="zh")
        + tables_script("zh")
        + "</body></html>",
        encoding="utf-8",
    )
    probe = """[...document.querySelectorAll(".ak-table-tools select")].map(
      s => s.getAttribute("aria-label"))"""
    with offline_chromium(find_chromium()) as browser:
        seen = visit(browser, page, probe=probe, settle=0)
    assert seen.script_errors == []
    assert seen.probed == ["区域"]


def _findings(lang: str) -> pd.DataFrame:
    """Twelve findings as the district report's top-findings table shows them: eleven columns,
    the evidence last."""
    evidence = {
        "zh": "最大需量超过登记容量 1,250 千伏安：2023-01 至 2025-12 共 35 个月，峰值 2,008 千瓦"
        "（少收基本电费至少 652,795.44 元）；电流互感器一次电流 250 A，远大于按容量计算的额定电流",
        "en": "maximum demand above the registered 1,250 kVA in 35 months 2023-01..2025-12, "
        "peak 2,008 kW; CT primary 250 A is sized for far more than the rated 57.7 A "
        "(basic charge lower bound ¥652,795.44 escaped)",
    }[lang]
    rule = {
        "zh": "最大需量持续超过登记容量（疑似大换小、私增容量）",
        "en": "Maximum demand persistently above the registered capacity",
    }[lang]
    rows = 12
    return pd.DataFrame(
        {
            "rule": [rule] * rows,
            "status": ["persisting"] * rows,
            "severity": ["high"] * rows,
            "customer_id": [f"SY000{14298 + row}" for row in range(rows)],
            "name": ["潘**"] * rows,
            "address": ["城东区中山路****"] * rows,
            "period": ["2023-01 – 2025-12"] * rows,
            "revenue": [652795.44 - 1000 * row for row in range(rows)],
            "kind": ["estimated"] * rows,
            "penalties": [1958386.32] * rows,
            "evidence": [evidence] * rows,
        }
    )


def _report_page(folder: Path, lang: str, fragments: list[str]) -> Path:
    """A report page as `auditkit run` renders it (its stylesheet and tables script), holding
    `fragments` of HTML as a notebook's outputs."""
    executed = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": fragment})
        for fragment in fragments
    ]
    executed.cells = [cell]
    context = ReportContext(
        run_id="RUN", subject="城东", generated_at="2026-01-01", parameters={"lang": lang}
    )
    page = folder / f"{lang}.html"
    page.write_text(render_html(executed, context), encoding="utf-8")
    return page


WRAPS_PROBE = """[...document.querySelectorAll(".ak-table-wrap")].map(wrap => {
  const hint = wrap.querySelector(".ak-scroll-hint");
  return {wide: wrap.classList.contains("ak-wide"),
          hint: hint.offsetParent === null ? "" : hint.textContent};
})"""


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_column_is_cut_off_on_screen_or_on_paper(tmp_path: Path, lang: str) -> None:
    from report_chromium import offline_chromium, visit

    findings = tables.table_html(_findings(lang), lang=lang, money_columns=["revenue"])
    catalog = tables.table_html(
        pd.DataFrame({f"source {n}": [_findings(lang)["evidence"][0]] for n in range(6)}), lang=lang
    )
    narrow = tables.table_html(pd.DataFrame({"district": ["城东"], "findings": [142]}), lang=lang)
    page = _report_page(tmp_path, lang, [findings, catalog, narrow])
    with offline_chromium(find_chromium()) as browser:
        screen = visit(browser, page, probe=TABLE_LAYOUT_PROBE, settle=0)
        wraps = visit(browser, page, probe=WRAPS_PROBE, settle=0)
        paper = visit(
            browser, page, probe=TABLE_LAYOUT_PROBE, width=PRINT_WIDTH, media="print", settle=0
        )
    assert screen.script_errors == [] and screen.probed == []
    assert paper.probed == []
    hint = i18n.text("pipeline.table.wide", lang)
    findings_wrap, catalog_wrap, narrow_wrap = wraps.probed
    assert findings_wrap["hint"] == (hint if findings_wrap["wide"] else "")
    # six columns of evidence cannot fit 1,280 pixels at a readable width: they scroll, said so
    assert catalog_wrap == {"wide": True, "hint": hint}
    assert narrow_wrap == {"wide": False, "hint": ""}


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
@pytest.mark.parametrize(("lang", "window"), [("en", 1400), ("zh", 1500)])
def test_the_rule_catalog_fits_a_wide_window_and_scrolls_on_a_phone(
    tmp_path: Path, lang: str, window: int
) -> None:
    """The district report's appendix: the catalog's two columns of prose at a readable width
    beside the names fit the window; the data and parameters of each rule, a table of their own
    (in one table, four columns of text at 24 em or more never fitted: 1,964 pixels in English)."""
    from report_chromium import offline_chromium, visit

    from auditkit.audit.study import DistrictAudit
    from auditkit.rules import catalog

    audit = DistrictAudit("X", None, pd.DataFrame(), catalog(), {})  # the catalog alone is read
    appendix = [
        tables.table_html(audit.table(name, lang), lang=lang, max_rows=len(audit.catalog))
        for name in ("catalog", "rule_inputs")
    ]
    page = _report_page(tmp_path, lang, appendix)
    with offline_chromium(find_chromium()) as browser:
        wide = visit(browser, page, probe=WRAPS_PROBE, width=window, settle=0)
        layout = visit(browser, page, probe=TABLE_LAYOUT_PROBE, width=window, settle=0)
        phone = visit(browser, page, probe=WRAPS_PROBE, width=390, settle=0)
    assert layout.probed == []
    assert [frame["wide"] for frame in wide.probed] == [False, False]
    assert [frame["wide"] for frame in phone.probed] == [True, True]


#: Each table cell's alignment and wrapping as computed, `[inline, sheet]`: with its style
#: attribute, then with every style attribute of the page removed (the stylesheet alone).
ALONE_PROBE = """(() => {
  const cells = [...document.querySelectorAll(".ak-table th, .ak-table td")];
  const look = () => cells.map(cell => {
    const style = getComputedStyle(cell);
    return `${cell.className} ${style.textAlign} ${style.verticalAlign} ${style.whiteSpace} ` +
      style.wordBreak;
  });
  const inline = look();
  cells.forEach(cell => cell.removeAttribute("style"));
  return [inline, look()];
})()"""


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
def test_the_stylesheet_gives_every_cell_the_look_its_inline_style_carries(tmp_path: Path) -> None:
    """Both are needed: the inline style for JupyterLab and plain nbconvert pages, which load no
    auditkit stylesheet; the stylesheet for the run index, whose cells carry classes only (an
    inline alignment would beat its phone layout). In a report they must agree."""
    from report_chromium import offline_chromium, visit

    frame = _findings("zh").assign(code=["basic_charge_error"] * 12)
    page = _report_page(tmp_path, "zh", [tables.table_html(frame, money_columns=["revenue"])])
    with offline_chromium(find_chromium()) as browser:
        seen = visit(browser, page, probe=ALONE_PROBE, settle=0)
    inline, sheet = seen.probed
    kinds = {look.split(" ")[0] for look in inline}
    assert {"ak-num", "ak-short", "ak-medium", "ak-long"} <= kinds
    assert [look for look, alone in zip(inline, sheet, strict=True) if look != alone] == []


def test_a_short_text_of_several_words_keeps_each_word_whole_for_paper() -> None:
    frame = pd.DataFrame(
        {"期间": ["2023-01 – 2025-12", "2024-10"], "户名": ["徐**", "潘**"], "x": ["a b", "c"]}
    )
    page = tables.table_html(frame)
    # a period wraps after its dash only, never as "2023-" / "01"
    assert f'<td class="ak-short" {SHORT}><span class="ak-word">2023-01 –</span> ' in page
    assert '<span class="ak-word">2025-12</span></td>' in page
    # near misses: one word is the cell itself, which stays whole as short text does
    assert f'<td class="ak-short" {SHORT}>2024-10</td>' in page
    assert f'<td class="ak-short" {SHORT}>徐**</td>' in page
    assert '<span class="ak-word">a</span> <span class="ak-word">b</span>' in page


def _districts(rows: int) -> pd.DataFrame:
    """`rows` rules by district, sorted by district as the audit cycle's table is: the first
    twelve rows in 城东 and 城北, the rest in 城南 and 城西."""
    districts = ["城东", "城北", "城南", "城西"]
    return pd.DataFrame(
        {
            "供电单位": [districts[row * len(districts) // rows] for row in range(rows)],
            "规则": [f"rule_{row:02d}" for row in range(rows)],
            "疑点数": [row + 1 for row in range(rows)],
        }
    )


#: What the tables script says above each table: its count and each filter's choices.
TOOLS_PROBE = """[...document.querySelectorAll(".ak-table-tools")].map(bar => ({
  count: bar.querySelector(".ak-table-count").textContent,
  filters: [...bar.querySelectorAll("select")].map(s => [...s.options].map(o => o.text))}))"""


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
@pytest.mark.parametrize(
    ("lang", "cut_count", "whole_count"),
    [
        ("zh", "显示 12 / 24 行 · 搜索和筛选只针对所列前 12 行", "显示 24 / 24 行"),
        ("en", "12 of 24 rows shown · search and filters cover only the first 12 rows listed",
         "24 of 24 rows shown"),
    ],
)  # fmt: skip
def test_a_cut_table_counts_all_its_rows_and_says_its_tools_cover_the_rows_shown(
    tmp_path: Path, lang: str, cut_count: str, whole_count: str
) -> None:
    from report_chromium import offline_chromium, visit

    # 24 rows, 6 a district: the first 12 shown are 城东's and 城北's only
    cut = tables.table_html(_districts(24), lang=lang, max_rows=12, full_data="rules.csv")
    whole = tables.table_html(_districts(24), lang=lang, max_rows=24)  # the near miss
    page = _report_page(tmp_path, lang, [cut, whole])
    with offline_chromium(find_chromium()) as browser:
        seen = visit(browser, page, probe=TOOLS_PROBE, settle=0)
    assert seen.script_errors == []
    cut_tools, whole_tools = seen.probed
    assert cut_tools["count"] == cut_count
    assert cut_tools["filters"][0][1:] == ["城东", "城北"]  # of the rows shown, as it says
    assert whole_tools["count"] == whole_count
    assert whole_tools["filters"][0][1:] == ["城东", "城北", "城南", "城西"]


def test_a_column_gets_a_filter_only_where_its_values_group_the_rows() -> None:
    profile = pd.DataFrame(
        {
            "项目": ["用户数", "计费月数", "售电量", "电费", "平均电价", "专变用户", "居民用户",
                   "一般工商业", "大工业", "农业", "停用户", "新装户"],
            # a key/value table's values: one repeats, they group nothing
            "数值": ["4,434", "36", "305,735,964", "1,888,098.70", "0.6996", "120", "3,900",
                   "300", "36", "78", "固定间隔抽样", "20240601"],
            "链接": [f"报告 · findings.csv · 第 {row} 行" for row in range(12)],
            # three districts of four rows each: a filter means something
            "供电单位": ["城东", "城北", "城南"] * 4,
        }
    )  # fmt: skip
    headers = tables.table_html(profile).split("<thead>")[1].split("</thead>")[0]
    assert headers.count("data-ak-filter") == 1
    assert f'<th class="ak-short" {TEXT_HEADER} data-ak-filter>供电单位</th>' in headers
    assert tables.groups_rows(["城东", "城北", "城东", "城北"])  # 2 values, 4 rows
    assert not tables.groups_rows(["城东", "城北", "城东"])  # 2 values, 3 rows: near miss
    assert not tables.groups_rows(["城东"] * 12)  # one value: nothing to choose
    assert not tables.groups_rows([f"d{n % 13}" for n in range(52)])  # 13 values: too many


#: How a printed page lays out tables, charts and headings: the display of the parts of each
#: table with a total row, each image's size and breaking, what follows each heading, and the
#: height from the chart's heading to the chart's foot.
PRINT_PROBE = """(() => ({
  parts: [...document.querySelectorAll(".ak-table:has(tfoot) thead, .ak-table tfoot")].map(
    part => `${part.tagName.toLowerCase()} ${getComputedStyle(part).display}`),
  images: [...document.querySelectorAll("img")].map(image => {
    const box = image.getBoundingClientRect();
    return {width: box.width, height: box.height, breakInside: getComputedStyle(image).breakInside};
  }),
  headings: [...document.querySelectorAll("h2, h3")].map(h => getComputedStyle(h).breakAfter),
  headingToChartEnd: document.querySelector("img").getBoundingClientRect().bottom -
    document.getElementById("sec-findings_by_rule").getBoundingClientRect().top,
}))()"""
#: A printed page's height in CSS pixels: A4 landscape's 210 mm less the 12 mm margins.
PRINT_HEIGHT = (210 - 2 * 12) / 25.4 * 96


def _tall_chart() -> str:
    """An <img> of a chart as tall as the district report's revenue chart of 12 rules: 800 ×
    880 pixels (8 × 8.8 inches at 100 dpi)."""
    import base64

    from matplotlib.figure import Figure

    from auditkit.report.notebook import figure_png

    figure = Figure(figsize=(8, 8.8))
    figure.subplots().barh(range(12), range(1, 13))
    png = base64.b64encode(figure_png(figure)).decode("ascii")
    return f'<img src="data:image/png;base64,{png}" alt="chart">'


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
def test_a_printed_report_prints_a_total_row_once_and_keeps_charts_and_headings_whole(
    tmp_path: Path,
) -> None:
    from report_chromium import offline_chromium, visit

    fragments = [
        '<h2 id="sec-findings_by_rule">疑点分布：按稽查领域与规则</h2>',
        _tall_chart(),
        tables.table_html(_areas_with_total(60), lang="zh", max_rows=60),
    ]
    page = _report_page(tmp_path, "zh", fragments)
    with offline_chromium(find_chromium()) as browser:
        paper = visit(browser, page, probe=PRINT_PROBE, width=PRINT_WIDTH, media="print", settle=0)
        screen = visit(browser, page, probe=PRINT_PROBE, settle=0)
    # on paper: the header on every page the table spans, the total once, after the last row
    assert paper.probed["parts"] == ["thead table-header-group", "tfoot table-row-group"]
    assert screen.probed["parts"] == ["thead table-header-group", "tfoot table-footer-group"]
    (chart,) = paper.probed["images"]
    assert chart["breakInside"] == "avoid" and chart["height"] <= PRINT_HEIGHT  # 703 px
    # the heading and the chart under it fit one page together (the heading is not left alone)
    assert paper.probed["headingToChartEnd"] <= PRINT_HEIGHT
    assert chart["width"] / chart["height"] == pytest.approx(800 / 880, rel=0.02)  # not squashed
    assert screen.probed["images"][0]["height"] > PRINT_HEIGHT  # the near miss: on screen, whole
    assert set(paper.probed["headings"]) == {"avoid"}
