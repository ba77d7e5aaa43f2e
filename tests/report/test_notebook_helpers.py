"""Helpers notebooks call: headline record, sections, figures and deterministic files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from report_chromium import find_chromium

from auditkit import i18n
from auditkit.errors import ParameterError
from auditkit.report import figures, notebook
from auditkit.results import with_total


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    bundles: list[dict[str, Any]] = []
    monkeypatch.setattr(notebook, "_display", bundles.append)
    return bundles


def test_headline_is_shown_and_recorded_for_the_index(shown: list[dict[str, Any]]) -> None:
    notebook.headline(
        {"findings": 12, "revenue_at_stake": 1234.5, "用户数": 7},
        title="T",
        subject="城东",
        period="2024-01",
        lang="en",
    )
    bundle = shown[0]
    assert "1,234.50" in bundle["text/html"] and "Revenue at stake (yuan)" in bundle["text/html"]
    assert "用户数: 7" in bundle["text/plain"]  # a figure the catalogue does not name: its key
    executed = {"cells": [{"outputs": [{"data": bundle}]}]}
    record = notebook.read_headline(executed)
    assert record == {
        "title": "T",
        "subject": "城东",
        "period": "2024-01",
        "as_of": "",
        "lang": "en",
        "figures": {"findings": 12, "revenue_at_stake": 1234.5, "用户数": 7},
    }
    assert notebook.read_headline({"cells": [{"outputs": []}]}) is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_headline_of_simulated_results_records_it_and_says_so(
    shown: list[dict[str, Any]], lang: str
) -> None:
    notebook.headline({"sample_size": 93}, title="T", subject="城东", lang=lang, simulated=True)
    warning = i18n.text("report.figure.simulated", lang)
    assert warning.startswith("⚠ 模拟演示" if lang == "zh" else "⚠ Simulated")
    assert warning in shown[-1]["text/html"] and warning in shown[-1]["text/plain"]
    assert notebook.read_headline({"cells": [{"outputs": [{"data": shown[-1]}]}]})["simulated"]
    notebook.headline({"sample_size": 93}, title="T", subject="城东", lang=lang)
    assert "simulated" not in notebook.read_headline(
        {"cells": [{"outputs": [{"data": shown[-1]}]}]}
    )
    assert warning not in shown[-1]["text/html"]


@pytest.mark.parametrize(
    ("lang", "title", "cut"),
    [
        ("zh", "各规则涉及电费，核算确认与估算分列", "（前 12 条，有金额的规则共 14 条）"),
        (
            "en",
            "Revenue per rule, proved and estimated apart",
            " (top 12 of 14 rules with revenue)",
        ),
    ],
)
def test_a_revenue_chart_title_says_when_rules_were_left_out_of_the_rules_with_revenue(
    lang: str, title: str, cut: str
) -> None:
    from auditkit.audit.charts import revenue_by_rule_chart

    # fourteen rules with money and two without: the chart counts the fourteen, and says they
    # are the rules with revenue (the report counts sixteen rules fired)
    revenue = pd.DataFrame(
        {"proved": [float(n) for n in range(1, 15)] + [0.0, 0.0], "estimated": 0.0},
        index=[f"rule {n}" for n in range(16)],
    )
    figure = revenue_by_rule_chart(revenue, lang)
    axes = figure.axes[0]
    assert axes.get_title("left") == title + cut and figure.get_label() == title + cut
    assert len(axes.get_yticklabels()) == 12
    few = revenue_by_rule_chart(revenue.iloc[:5], lang)
    assert few.axes[0].get_title("left") == title  # nothing left out: no note


def test_a_study_of_every_district_records_a_subject_code_the_index_can_name(
    shown: list[dict[str, Any]],
) -> None:
    for district, code in (("", "all_districts"), ("城东", ""), ("all_districts", "")):
        notebook.headline(
            {},
            title="T",
            subject=district or "全部供电单位",
            subject_code=notebook.subject_code_of(district),
        )
        assert (
            notebook.read_headline({"cells": [{"outputs": [{"data": shown[-1]}]}]})["subject_code"]
            == code
        )
    assert [key for key in notebook.SUBJECT_WORDS.values() if not i18n.has(key)] == []
    # A notebook that gives no code (an analyst's own) records none: the index then reads the
    # subject by its wording (`pipeline.index`), as for a headline recorded before the codes.
    notebook.headline({}, title="T", subject="全部供电单位")
    assert "subject_code" not in notebook.read_headline(
        {"cells": [{"outputs": [{"data": shown[-1]}]}]}
    )


def test_headline_cards_carry_their_look_in_their_own_markup(
    shown: list[dict[str, Any]],
) -> None:
    notebook.headline({"findings": 142, "customers": 4457}, title="T", subject="城东", lang="zh")
    page = shown[0]["text/html"]
    assert page.startswith(
        '<div class="ak-headline" style="display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0">'
    )
    card = (
        '<div class="ak-figure" style="box-sizing:border-box;flex:1 1 10rem;max-width:18rem;'
        "padding:.75rem 1rem;border:1px solid #d9e2ec;border-radius:8px;background:#f5f7fa;"
        'color:#1f2933">'
    )
    assert page.count(card) == 2
    value = '<div class="ak-figure-value" style="font-size:1.6rem;font-weight:700;line-height:1.3">'
    label = '<div class="ak-figure-label" style="font-size:.9rem;color:#616e7c">'
    assert f"{card}{value}4,457</div>{label}用户数</div></div>" in page
    assert "<style" not in page  # JupyterLab drops it from a notebook it does not trust


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium")
def test_headline_and_tables_read_right_in_a_plain_nbconvert_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The executed notebook as `jupyter nbconvert --to html` shows it: JupyterLab's stylesheet
    (every table cell aligned right), none of auditkit's."""
    from nbconvert import HTMLExporter
    from report_chromium import offline_chromium, visit

    bundles: list[dict[str, Any]] = []
    monkeypatch.setattr(notebook, "_display", lambda bundle, meta=None: bundles.append(bundle))
    figures_shown = {"findings": 142, "customers": 4457, "revenue_proved": 1717696.49}
    notebook.headline(figures_shown, title="T", subject="城东", lang="zh")
    findings = pd.DataFrame(
        {
            "rule": ["暂停超期（超期未恢复基本电费）", "换表电量丢失"],
            "customer_id": ["SY00005346", "SY00008571"],
            "evidence": ["2024-01-19 起暂停，截至 2025-12 未恢复：2024 年累计暂停已达 348 天"] * 2,
            "revenue": [343860.0, 340918.62],
        }
    )
    notebook.show_table(findings, money_columns=["revenue"], lang="zh")
    bundles.append(
        {"text/html": '<table class="plain"><tr><td>a table of its own</td></tr></table>'}
    )
    executed = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("report.headline(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle) for bundle in bundles]
    executed.cells = [cell]
    page = tmp_path / "notebook.html"
    page.write_text(HTMLExporter().from_notebook_node(executed)[0], encoding="utf-8")
    probe = """(() => {
      const align = selector => [...document.querySelectorAll(selector)]
        .map(cell => getComputedStyle(cell).textAlign);
      const cards = [...document.querySelectorAll(".ak-figure")];
      return {
        tops: cards.map(card => Math.round(card.getBoundingClientRect().top)),
        background: getComputedStyle(cards[0]).backgroundColor,
        text: align(".ak-table th:not(.ak-num), .ak-table td:not(.ak-num)"),
        numbers: align(".ak-table .ak-num"),
        plain: align("table.plain td"),
      };
    })()"""
    with offline_chromium(find_chromium()) as browser:
        seen = visit(browser, page, probe=probe, settle=0)
    tops = seen.probed["tops"]
    assert len(tops) == 3 and len(set(tops)) == 1  # three cards side by side, not a list
    assert seen.probed["background"] == "rgb(245, 247, 250)"
    assert seen.probed["plain"] == ["right"]  # JupyterLab's stylesheet is in the page
    assert seen.probed["text"] == ["left"] * 3 * 3  # three text columns: header and two rows
    assert seen.probed["numbers"] == ["right"] * 3


def test_every_named_headline_figure_has_its_words_in_the_catalogue() -> None:
    assert [key for key in figures.FIGURE_WORDS.values() if not i18n.has(key)] == []
    assert figures.figure_name("sample_size", "en") == "Sample size"


def test_section_has_a_stable_anchor(shown: list[dict[str, Any]]) -> None:
    notebook.section("common.findings", "zh")
    notebook.section("profile", "en", level=3, title="District profile")
    assert shown[0]["text/html"] == '<h2 id="sec-common.findings">疑点数</h2>'
    assert shown[1]["text/markdown"] == "### District profile"


def test_figures_are_identical_png_bytes() -> None:
    def draw() -> Figure:
        figure = Figure(figsize=(2, 1))
        figure.subplots().plot([1, 2, 3])
        return figure

    first = notebook.figure_png(draw())
    assert first.startswith(b"\x89PNG") and first == notebook.figure_png(draw())
    assert b"Matplotlib" not in first


def test_save_table_writes_identical_bytes_in_a_stable_order(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"customer_id": ["c2", "c1", "c3"], "v": [2.0, 1.0, 3.5], "t": ["乙", "甲", "丙"]}
    )
    frame.attrs["timings"] = {"rule": 0.123}  # run details must not reach the files
    parquet, csv = notebook.save_table(frame, tmp_path / "one", "findings", sort_by=["customer_id"])
    reversed_frame = frame.iloc[::-1]
    reversed_frame.attrs["timings"] = {"rule": 0.456}
    again = notebook.save_table(
        reversed_frame, tmp_path / "two", "findings", sort_by=["customer_id"]
    )
    assert parquet.read_bytes() == again[0].read_bytes()
    assert csv.read_bytes() == again[1].read_bytes()
    assert csv.read_bytes().decode("utf-8-sig").splitlines()[1] == "c1,1.0,甲"
    assert pd.read_parquet(parquet)["customer_id"].tolist() == ["c1", "c2", "c3"]
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == [
        "findings.csv",
        "findings.parquet",
    ]


def test_a_table_cut_to_its_row_limit_is_saved_whole_and_masked_for_its_full_data_link(
    tmp_path: Path,
) -> None:
    events = pd.DataFrame(
        {
            "customer_id": [f"c{n:03d}" for n in range(120)],
            "name": ["徐小明"] * 120,
            "amount": [1.25] * 120,
        }
    )
    csv = notebook.save_cut_table(events, tmp_path, "since_events", 50)
    assert csv == tmp_path / "since_events.csv" and (tmp_path / "since_events.parquet").exists()
    saved = pd.read_csv(csv, encoding="utf-8-sig")
    assert len(saved) == 120  # the 50 shown and the 70 the report leaves out
    assert saved["customer_id"].tolist()[:2] == ["c000", "c001"]  # in the table's order
    assert set(saved["name"]) == {"徐**"}  # masked as the table shows it
    unmasked = notebook.save_cut_table(events, tmp_path / "open", "since_events", 50, mask=False)
    assert set(pd.read_csv(unmasked, encoding="utf-8-sig")["name"]) == {"徐小明"}


def test_a_table_shown_whole_saves_no_file_even_with_its_total_row_past_the_limit(
    tmp_path: Path,
) -> None:
    rules = with_total(
        pd.DataFrame({"rule": [f"r{n}" for n in range(50)], "findings": [2] * 50}),
        {"rule": "合计", "findings": 100},  # 50 × 2
    )
    assert notebook.save_cut_table(rules, tmp_path, "since_by_rule", 50) is None  # 51 rows
    assert list(tmp_path.iterdir()) == []


def test_report_dir_follows_the_run_or_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(notebook.REPORT_DIR_ENV, str(tmp_path / "job"))
    assert notebook.report_dir("城东") == tmp_path / "job"
    monkeypatch.delenv(notebook.REPORT_DIR_ENV)
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))
    assert notebook.report_dir("城东") == tmp_path / "outputs" / "interactive" / "城东"


@pytest.mark.parametrize("district", ["../../x", "/tmp/x", "..", "a/b", "x" * 300])
def test_report_dir_run_by_hand_stays_in_the_interactive_folder_whatever_the_district(
    district: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(notebook.REPORT_DIR_ENV, raising=False)
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))
    folder = notebook.report_dir(district)
    assert folder.resolve().parent == (tmp_path / "outputs" / "interactive").resolve()


def test_chinese_chart_text_has_glyphs(recwarn: pytest.WarningsRecorder) -> None:
    import os

    from auditkit.audit.charts import monthly_billing_chart
    from auditkit.plots import available_cjk_font

    if available_cjk_font() is None:
        if os.environ.get("CI"):
            pytest.fail("no CJK font installed (the setup installs fonts-noto-cjk)")
        pytest.skip("no CJK font installed")
    monthly = pd.DataFrame({"period": ["2024-01", "2024-02"], "kwh_billed": [1.0, 2.0]})
    notebook.figure_png(monthly_billing_chart(monthly, "zh"))
    assert not [w for w in recwarn if "missing from font" in str(w.message)]


def test_the_plain_text_copy_of_a_table_is_masked_and_formatted(
    shown: list[dict[str, Any]],
) -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["c1"],
            "name": ["张三丰"],
            "address": ["城东区中山路831号"],
            "phone": ["13812345678"],
            "revenue_impact": [1234.5],
        }
    )
    notebook.show_table(frame, money_columns=["revenue_impact"], column_labels={"name": "户名"})
    plain = shown[0]["text/plain"]
    for personal in ("张三丰", "中山路831号", "13812345678"):
        assert personal not in plain and personal not in shown[0]["text/html"]
    assert "张**" in plain and "138****5678" in plain and "1,234.50" in plain and "户名" in plain


def test_save_table_takes_a_folder_as_text_and_keeps_its_files_inside(tmp_path: Path) -> None:
    """A folder given as text raised TypeError (str / str); '../escape' and an absolute name
    wrote beside or far from the folder."""
    frame = pd.DataFrame({"customer_id": ["c1"]})
    parquet, csv = notebook.save_table(frame, str(tmp_path), "城东_scores-1")  # near miss
    assert (parquet.parent, csv.name) == (tmp_path, "城东_scores-1.csv")
    inside = tmp_path / "inside"
    for name in ("../escape", str(tmp_path / "abs_out"), "a/b", "", ".hidden"):
        with pytest.raises(ParameterError, match="parameter 'name': expected a file name"):
            notebook.save_table(frame, inside, name)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "城东_scores-1.csv",
        "城东_scores-1.parquet",
    ]
    with pytest.raises(ParameterError, match="parameter 'folder': expected a folder"):
        notebook.save_table(frame, 5, "c")


def test_a_language_auditkit_does_not_speak_or_a_series_is_refused_before_showing() -> None:
    """lang='fr' was accepted silently (headings fell back to their keys); show_table(series)
    raised AttributeError."""
    frame = pd.DataFrame({"kwh": [1.0]})
    with pytest.raises(ParameterError, match="parameter 'lang'"):
        notebook.show_table(frame, lang="fr")
    with pytest.raises(ParameterError, match="parameter 'lang'"):
        notebook.section("stats.heading.summary", lang="fr")
    with pytest.raises(ParameterError, match="parameter 'lang'"):
        notebook.headline({"customers": 1}, title="t", subject="s", lang="fr")
    with pytest.raises(ParameterError, match="parameter 'frame': expected a table"):
        notebook.show_table(frame["kwh"])


def test_save_table_masks_personal_fields_and_defuses_formulas(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["c1", "c2"],
            "district": ["=SUM(1+2)", "城东"],
            "name": ["张三丰", "@李四"],
            "phone": ["13812345678", None],
        }
    )
    parquet, csv = notebook.save_table(frame, tmp_path, "findings")
    text = csv.read_bytes().decode("utf-8-sig")
    stored = pd.read_parquet(parquet)
    for personal in ("张三丰", "13812345678"):
        assert personal not in text and personal not in stored.to_string()
    assert text.splitlines()[1].startswith("c1,'=SUM(1+2),张**,138****5678")
    assert stored["district"].tolist() == ["=SUM(1+2)", "城东"]  # Parquet keeps the data as is
    unmasked, _ = notebook.save_table(frame, tmp_path / "raw", "findings", mask=False)
    assert pd.read_parquet(unmasked)["name"].tolist() == ["张三丰", "@李四"]


def _tick_text(figure: Figure) -> tuple[str, list[str]]:
    """The y axis's offset text and tick labels once the figure is drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure).draw()
    axes = figure.axes[0]
    return axes.yaxis.get_offset_text().get_text(), [t.get_text() for t in axes.get_yticklabels()]


def test_chart_axes_show_plain_grouped_numbers() -> None:
    from auditkit.audit.charts import monthly_billing_chart
    from auditkit.plots import group_thousands, use_cjk_font

    monthly = pd.DataFrame(
        {"period": ["2024-01", "2024-02", "2024-03"], "kwh_billed": [1.2e7, 1.25e7, 1.3e7]}
    )
    offset, labels = _tick_text(monthly_billing_chart(monthly, "en"))
    assert offset == "" and "12,000,000" in labels
    assert monthly_billing_chart(monthly, "en").axes[0].get_ylim()[0] == 0
    use_cjk_font()  # what every chart module calls first: no offset for any chart after it
    figure = Figure()
    figure.subplots().plot([0, 1, 2], [1.2e7, 1.25e7, 1.3e7])
    offset, labels = _tick_text(figure)
    assert offset == "" and "12400000" in labels
    group_thousands(figure.axes[0])
    assert "12,400,000" in _tick_text(figure)[1]


def test_names_from_the_data_with_dollar_signs_are_drawn_as_written() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from auditkit.plots import use_cjk_font

    use_cjk_font()
    figure = Figure()
    axes = figure.subplots()
    axes.bar(["R$\\frac$", "$x^2$ 城东"], [1, 2])
    axes.set_title("$\\unfinished")
    FigureCanvasAgg(figure).draw()  # mathtext would fail on the unfinished commands
    assert [label.get_text() for label in axes.get_xticklabels()] == ["R$\\frac$", "$x^2$ 城东"]


def test_an_empty_table_is_a_sentence_and_lines_are_escaped_bullets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[dict] = []
    monkeypatch.setattr(notebook, "_display", lambda bundle: shown.append(dict(bundle)))
    notebook.show_table(pd.DataFrame(columns=["a"]), lang="en")
    notebook.show_lines("<b>城东</b> first\n\nsecond")
    notebook.show_lines([])
    assert shown[0]["text/plain"] == "(nothing to show)" and "<table" not in shown[0]["text/html"]
    assert shown[1]["text/html"] == "<ul><li>&lt;b&gt;城东&lt;/b&gt; first</li><li>second</li></ul>"
    assert len(shown) == 2


def test_an_empty_table_that_knows_what_no_rows_mean_says_it_in_its_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from auditkit.stats.seasonal import decompose, outlier_table

    shown: list[dict] = []
    monkeypatch.setattr(notebook, "_display", lambda bundle: shown.append(dict(bundle)))
    steady = pd.Series(
        100 + 10 * np.sin(np.arange(36) * 2 * np.pi / 12),
        index=pd.period_range("2023-01", periods=36, freq="M").astype(str),
    )
    for lang in ("zh", "en"):
        for threshold in (3.0, 2.5):
            made = {"城东": decompose(steady, "城东", threshold=threshold)}
            notebook.show_table(outlier_table(made, lang), lang=lang)
    notebook.show_table(outlier_table({}, "en"), lang="en")  # nothing decomposed: nothing said
    assert [bundle["text/plain"] for bundle in shown] == [
        "没有异常月份：各区的残差稳健 z 绝对值均不大于 3。",
        "没有异常月份：各区的残差稳健 z 绝对值均不大于 2.5。",
        "No out-of-line month: every district's |robust z| of the residual is 3 or less.",
        "No out-of-line month: every district's |robust z| of the residual is 2.5 or less.",
        "(nothing to show)",
    ]
    hostile = pd.DataFrame(columns=["a"])
    hostile.attrs["empty"] = "<script>x</script>"
    notebook.show_table(hostile, lang="en")
    assert shown[-1]["text/html"] == "<p>&lt;script&gt;x&lt;/script&gt;</p>"


def test_a_figure_is_shown_with_its_own_words_as_alternative_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from auditkit.audit.charts import monthly_billing_chart, revenue_by_rule_chart

    shown: list[tuple[dict[str, Any], dict[str, Any]]] = []
    monkeypatch.setattr(
        notebook, "_display", lambda bundle, meta=None: shown.append((bundle, meta))
    )
    revenue = pd.DataFrame({"proved": [100.0], "estimated": [50.0]}, index=["倍率不符"])
    notebook.show_figure(revenue_by_rule_chart(revenue, "zh"))
    monthly = pd.DataFrame({"period": ["2024-01", "2024-02"], "kwh_billed": [1.0e6, 1.2e6]})
    notebook.show_figure(monthly_billing_chart(monthly, "en"))
    untitled = Figure()
    untitled.subplots().set(xlabel="样本量", ylabel="上限")
    notebook.show_figure(untitled, alt="")
    alts = [meta["image/png"]["alt"] for _, meta in shown]
    assert alts == [
        i18n.text("report.district.revenue_by_rule_chart", "zh"),
        i18n.text("report.district.monthly_billing", "en"),
        "上限 / 样本量",
    ]
    assert [bundle["text/plain"] for bundle, _ in shown] == alts


def test_proved_and_estimated_bars_look_the_same_on_the_district_and_the_cycle_pages() -> None:
    from matplotlib.colors import to_rgba

    from auditkit.audit.charts import revenue_by_rule_chart
    from auditkit.cycle.charts import plot_recovered

    revenue = pd.DataFrame({"proved": [300.0], "estimated": [200.0]}, index=["倍率"])
    recovered = pd.DataFrame(
        {"district": ["城东"], "recovered_proved": [300.0], "recovered_estimated": [200.0]}
    )
    looks = []
    for figure in (revenue_by_rule_chart(revenue, "en"), plot_recovered(recovered, "en")):
        handles, labels = figure.axes[0].get_legend_handles_labels()
        looks.append(
            {
                label: (to_rgba(h.get_facecolor()), h.get_hatch())
                for h, label in zip(
                    [container.patches[0] for container in handles], labels, strict=True
                )
            }
        )
    assert looks[0] == looks[1]
    assert len({colour for colour, _ in looks[0].values()}) == 2


def test_a_run_by_hand_with_other_values_writes_to_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(notebook.REPORT_DIR_ENV, raising=False)
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))
    december = notebook.report_dir("城东", as_of="2025-12", lang="zh")
    june = notebook.report_dir("城东", as_of="2025-06", lang="zh")
    english = notebook.report_dir("城东", as_of="2025-12", lang="en")
    assert len({december, june, english}) == 3  # June's files never replace December's
    assert notebook.report_dir("城东", lang="zh", as_of="2025-12") == december  # same values
    assert december.name == f"城东-{notebook.content_digest({'as_of': '2025-12', 'lang': 'zh'})}"
    assert december.parent == tmp_path / "outputs" / "interactive"
    # near miss: inside a run the job folder is the folder, whatever the values
    monkeypatch.setenv(notebook.REPORT_DIR_ENV, str(tmp_path / "job"))
    assert notebook.report_dir("城东", as_of="2025-06") == tmp_path / "job"


def test_a_notebook_run_by_hand_says_where_its_files_are_in_its_language(
    shown: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(notebook.REPORT_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "outputs" / "interactive" / "城东-0fa8be58"
    notebook.show_saved_folder(folder, "en")
    notebook.show_saved_folder(folder, "zh")
    assert shown[0]["text/plain"] == f"This report's data files are saved in: {folder}"
    assert shown[1]["text/plain"] == f"本报告保存的数据文件在：{folder}"
    assert 'href="outputs/interactive/%E5%9F%8E%E4%B8%9C-0fa8be58"' in shown[0]["text/html"]
    # near miss: a run's files sit next to its report, which need not say where it is
    monkeypatch.setenv(notebook.REPORT_DIR_ENV, str(tmp_path / "job"))
    notebook.show_saved_folder(tmp_path / "job", "en")
    assert len(shown) == 2


def test_a_full_data_link_run_by_hand_resolves_from_the_notebook_s_folder(
    shown: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(notebook.REPORT_DIR_ENV, raising=False)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    saved = tmp_path / "outputs" / "interactive" / "城东-0fa8be58" / "findings.csv"
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(3)]})
    notebook.show_table(frame, lang="en", max_rows=2, full_data=saved)
    page = shown[-1]["text/html"]
    # JupyterLab starts the kernel in the notebook's folder: the link climbs out of notebooks/
    href = "../outputs/interactive/%E5%9F%8E%E4%B8%9C-0fa8be58/findings.csv"
    assert f'<a href="{href}" data-ak-file="{saved}">Full data: findings.csv</a>' in page


def test_a_full_data_link_in_a_run_is_the_name_next_to_the_report(
    shown: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(notebook.REPORT_DIR_ENV, str(tmp_path / "job"))
    frame = pd.DataFrame({"customer_id": ["C1", "C2"]})
    notebook.show_table(frame, lang="en", max_rows=1, full_data=tmp_path / "job" / "findings.csv")
    assert '<a href="findings.csv">Full data: findings.csv</a>' in shown[-1]["text/html"]
