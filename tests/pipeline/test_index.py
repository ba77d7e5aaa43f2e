"""The run index: one row per notebook with status, headline figures and links."""

from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser

import pytest
from report_pages import live_markup

from auditkit import i18n
from auditkit.pipeline.index import render_index


def _manifest() -> dict:
    ok = {
        "name": "城东",
        "notebook": "notebooks/district_audit.ipynb",
        "status": "ok",
        "error": "",
        "seconds": 12.34,
        "report": "report.html",
        "executed": "district_audit.ipynb",
        "files": ["findings.csv", "findings.parquet"],
        "headline": {
            "figures": {
                "findings": 233,
                "revenue_proved": 1234567.89,
                "revenue_estimated": 2500.5,
                "penalties": 7501.5,
                "customers": 4457,
            }
        },
    }
    failed = {
        "name": "sampling_plan",
        "notebook": "notebooks/sampling_plan.ipynb",
        "status": "failed",
        "error": "cell 3: KeyError: 'x'",
        "seconds": 3.0,
        "report": None,
        "executed": "sampling_plan.ipynb",
        "files": [],
        "headline": None,
    }
    return {
        "run_id": "RUN-9",
        "started_at": "2026-01-05T01:30:00+00:00",
        "finished_at": "2026-01-05T01:32:05+00:00",
        "status": "failed",
        "notebooks": [ok, failed],
    }


def test_index_rows_status_figures_and_links() -> None:
    page = render_index(_manifest(), "zh")
    assert live_markup(page) == [] and "http:" not in page and "https:" not in page
    assert page.count("<tr>") == 3
    assert '<a href="%E5%9F%8E%E4%B8%9C/report.html">报告</a>' in page
    assert "1,234,567.89" in page and "233" in page and "用户数: 4,457" in page
    assert '<a href="sampling_plan/sampling_plan.ipynb">已执行的笔记本 (.ipynb)</a>' in page
    assert "失败" in page and "KeyError: &#x27;x&#x27;" in page
    assert "sampling_plan/report.html" not in page


def test_index_names_studies_in_words_and_formats_times_alike() -> None:
    page = render_index(_manifest(), "zh")
    assert ">营销稽查报告</td>" in page and ">统计抽样稽查</td>" in page
    assert "district_audit<" not in page and ">sampling_plan<" not in page
    assert ">12.3 秒</td>" in page and ">3.0 秒</td>" in page
    local = dt.datetime(2026, 1, 5, 1, 30, tzinfo=dt.UTC).astimezone()
    offset = local.strftime("%z")
    assert f"{local:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})" in page
    assert 'data-label="链接"' in page  # each row a card on a phone, links labelled


@pytest.mark.parametrize(
    "name",
    [
        "<script>window.__pwned=1</script>",
        '"><svg onload=alert(1)>',
        "javascript:alert(1)",
        "</title><img src=x onerror=alert(1)>",
    ],
)
def test_names_and_files_from_the_data_stay_text(name: str) -> None:
    manifest = _manifest()
    record = manifest["notebooks"][0]
    record.update(name=name, folder="safe%3Cfolder", error=name, files=[f"{name}.csv"])
    record["headline"]["subject"] = name
    record["headline"]["figures"][name] = name
    page = render_index(manifest, "en")
    assert live_markup(page) == []
    assert html.escape(name) in page
    assert 'href="safe%253Cfolder/report.html"' in page
    assert not [href for href in re.findall(r'href="([^"]*)"', page) if ":" in href]


def test_index_in_english() -> None:
    page = render_index(_manifest(), "en")
    assert "Revenue proved (yuan)" in page and ">failed<" in page.replace("<br>", "<")


def _subjects(page: str) -> list[str]:
    return re.findall(r'<td data-label="[^"]*">([^<]*)</td><td data-label', page)


def test_a_study_of_every_district_is_named_by_its_code_in_the_index_language() -> None:
    manifest = _manifest()
    ok = manifest["notebooks"][0]
    every = ok | {
        "name": "audit_cycle",
        "notebook": "notebooks/audit_cycle.ipynb",
        "parameters": {"district": "", "lang": "zh"},
        "headline": {
            "subject": "全部供电单位",
            "subject_code": "all_districts",
            "lang": "zh",
            "figures": {},
        },
    }
    # the code decides, not the text: a headline recorded without one keeps its subject as
    # written, even the wording a manifest from before the codes would have had translated
    named = every | {"headline": every["headline"] | {"subject_code": ""}}
    manifest["notebooks"] = [every, named]
    assert _subjects(render_index(manifest, "en")) == ["all districts", "全部供电单位"]
    english = every | {"headline": every["headline"] | {"subject": "all districts", "lang": "en"}}
    manifest["notebooks"] = [english]
    assert _subjects(render_index(manifest, "zh")) == ["全部供电单位"]


def test_a_manifest_recorded_before_subject_codes_still_names_every_district_in_its_language() -> (
    None
):
    manifest = _manifest()
    ok = manifest["notebooks"][0]
    every = ok | {
        "name": "audit_cycle",
        "notebook": "notebooks/audit_cycle.ipynb",
        "parameters": {"district": "", "lang": "zh"},
        "headline": {"subject": "全部供电单位", "lang": "zh", "figures": {}},
    }
    province = every | {"headline": {"subject": "全省", "lang": "zh", "figures": {}}}
    district = ok | {"parameters": {"district": "城东", "lang": "zh"}}
    district["headline"] = ok["headline"] | {"subject": "城东"}
    manifest["notebooks"] = [every, province, district]
    assert _subjects(render_index(manifest, "en")) == ["all districts", "全省", "城东"]
    assert _subjects(render_index(manifest, "zh")) == ["全部供电单位", "全省", "城东"]
    english = every | {"headline": {"subject": "all districts", "lang": "en", "figures": {}}}
    manifest["notebooks"] = [english]
    assert _subjects(render_index(manifest, "zh")) == ["全部供电单位"]


def test_sampling_figures_are_named_in_words() -> None:
    manifest = _manifest()
    manifest["notebooks"][1] |= {"status": "ok", "error": ""}  # a failed row shows no figures
    manifest["notebooks"][1]["headline"] = {
        "figures": {"sample_size": 93, "upper_limit_pct": 4.77, "projected_misstatement": 1234.5}
    }
    page = render_index(manifest, "zh")
    assert "样本量: 93" in page and "错报率上限 (%): 4.77" in page
    assert "推断错报金额 (元): 1,234.50" in page and "sample_size" not in page


def _studies_manifest(figures: dict[str, dict[str, float]]) -> dict:
    """A run of the studies with these headline figures, stored sorted by key as a manifest is."""
    manifest = _manifest()
    manifest["notebooks"] = [
        {
            **manifest["notebooks"][1],
            "name": name,
            "notebook": f"notebooks/{name}.ipynb",
            "status": "ok",
            "headline": {"lang": "zh", "figures": dict(sorted(values.items()))},
        }
        for name, values in figures.items()
    ]
    return manifest


def test_study_figures_are_recorded_by_stable_keys_and_named_in_the_index_language() -> None:
    manifest = _studies_manifest(
        {
            "audit_cycle": {"issued": 393, "checked": 384, "recovered_estimated": 5314981.96},
            "consumption_statistics": {"customers": 19855, "kwh": 1267376375.5, "revenue": 5000},
            "cross_audit": {"districts": 6, "inspections": 1888, "self_rate_pct": 7.02},
            "sampling_plan": {"sample_size": 93, "sample_errors": 23},
        }
    )
    page = render_index(manifest, "en")  # a zh run's index in English
    assert (
        "Sent to the field: 393<br>Checked: 384<br>Recovered, estimated (yuan): 5,314,981.96"
        in page
    )
    # kWh whole and a share with one decimal, as the reports' tables and sentences write them
    assert "Customers: 19,855<br>Energy (kWh): 1,267,376,376<br>Revenue (yuan): 5,000.00" in page
    assert "Districts: 6<br>Inspections: 1,888<br>Self-audit rate (%): 7.0" in page
    assert "Sample size: 93<br>Sample items with an error: 23" in page
    rows = re.findall(r"<tr>.*?</tr>", page, re.S)
    sampling = next(row for row in rows if "Sample size" in row)
    assert re.search(r'data-label="Findings">—<', sampling)  # a sample's errors are not findings
    assert not re.search(r"[\u4e00-\u9fff]", "".join(rows))


def test_an_earlier_run_recorded_by_labels_still_renders_as_recorded() -> None:
    manifest = _studies_manifest({"audit_cycle": {"下发核查": 393.0, "查实率 (%)": 88.02}})
    page = render_index(manifest, "zh")
    assert "下发核查: 393<br>查实率 (%): 88.02" in page


class _Table(HTMLParser):
    """The index table as text: header cells, and the rows of its body and of its foot."""

    def __init__(self) -> None:
        super().__init__()
        self.part, self.cell = "", None
        self.header: list[str] = []
        self.rows: dict[str, list[list[str]]] = {"tbody": [], "tfoot": []}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("thead", "tbody", "tfoot"):
            self.part = tag
        elif tag == "tr" and self.part in self.rows:
            self.rows[self.part].append([])
        elif tag in ("th", "td"):
            self.cell = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self.cell is not None:
            target = self.header if tag == "th" else self.rows[self.part][-1]
            target.append(self.cell.strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell += data


def _table(page: str) -> _Table:
    parser = _Table()
    parser.feed(page.split('<table class="ak-table ak-index">')[1].split("</table>")[0])
    return parser


def _districts() -> dict:
    manifest = _manifest()
    second = dict(manifest["notebooks"][0], name="城西", folder="城西")
    second["headline"] = {
        "figures": {
            "findings": 7,
            "revenue_proved": 0.11,
            "revenue_estimated": 0.22,
            "penalties": 0.0,
        }
    }
    manifest["notebooks"].insert(1, second)
    return manifest


@pytest.mark.parametrize(
    ("lang", "proved", "estimated", "penalties", "combined"),
    [
        ("zh", "核算确认电费 (元)", "估算电费 (元)", "违约使用电费 (元)", "涉及电费 (元)"),
        (
            "en",
            "Revenue proved (yuan)",
            "Revenue estimated (yuan)",
            "Penalties (yuan)",
            "Revenue at stake (yuan)",
        ),
    ],
)
def test_proved_and_estimated_revenue_have_columns_of_their_own_and_no_combined_total(
    lang: str, proved: str, estimated: str, penalties: str, combined: str
) -> None:
    table = _table(render_index(_districts(), lang))
    assert combined not in table.header
    column = {name: table.header.index(name) for name in (proved, estimated, penalties)}
    first, second, failed = table.rows["tbody"]
    assert [first[column[n]] for n in (proved, estimated, penalties)] == [
        "1,234,567.89",
        "2,500.50",
        "7,501.50",
    ]
    assert [second[column[n]] for n in (proved, estimated, penalties)] == ["0.11", "0.22", "0.00"]
    assert [failed[column[n]] for n in (proved, estimated, penalties)] == ["—"] * 3
    (total,) = table.rows["tfoot"]
    assert total[0] == ("合计" if lang == "zh" else "Total")
    assert total[table.header.index(i18n.text("common.findings", lang))] == "240"  # 233 + 7
    assert [total[column[n]] for n in (proved, estimated, penalties)] == [
        "1,234,568.00",  # 1,234,567.89 + 0.11
        "2,500.72",  # 2,500.50 + 0.22
        "7,501.50",
    ]
    every_cell = [cell for row in table.rows["tbody"] + table.rows["tfoot"] for cell in row]
    for sums in ("1,237,067.39", "1,237,068.72", "0.33"):  # proved + estimated, anywhere
        assert not [cell for cell in every_cell if sums in cell]


def test_a_study_run_once_has_no_total_row() -> None:
    page = render_index(_manifest(), "zh")
    assert "<tfoot>" not in page and _table(page).rows["tfoot"] == []


def _statistics_beside_districts() -> dict:
    """Two district audits (customers on file, 2023-01 – 2025-12) and the statistics (customers
    billed in 2025)."""
    manifest = _manifest()
    district, other = manifest["notebooks"]
    district["headline"]["period"] = "2023-01 – 2025-12"
    second = {**district, "name": "城北", "headline": {**district["headline"], "figures": {
        **district["headline"]["figures"], "customers": 3120}}}  # fmt: skip
    statistics = {
        **other,
        "name": "consumption_statistics",
        "notebook": "notebooks/consumption_statistics.ipynb",
        "status": "ok",
        "headline": {
            "period": "2025-01 – 2025-12",
            "figures": {"customers": 19853, "line_loss_pct": 5.21},
        },
    }
    manifest["notebooks"] = [district, second, statistics]
    return manifest


@pytest.mark.parametrize(
    ("lang", "on_file", "billed", "loss"),
    [
        ("zh", "用户数（档案）: 4,457", "用户数（2025 年有账单）: 19,853", "线损率 (%): 5.2"),
        ("en", "Customers (on file): 4,457", "Customers (billed in 2025): 19,853",
         "Line loss (%): 5.2"),
    ],
)  # fmt: skip
def test_a_figure_counted_on_different_bases_names_its_basis_in_each_row(
    lang: str, on_file: str, billed: str, loss: str
) -> None:
    page = render_index(_statistics_beside_districts(), lang)
    assert on_file in page and billed in page
    assert on_file.replace("4,457", "3,120") in page
    plain = i18n.text("common.customers", lang)
    assert f"{plain}: " not in page  # one label never carries two numbers
    assert loss in page  # a figure only one row shows keeps its plain name


def test_figures_on_one_basis_keep_their_plain_names() -> None:
    manifest = _statistics_beside_districts()
    manifest["notebooks"] = manifest["notebooks"][:2]
    page = render_index(manifest, "zh")
    assert "用户数: 4,457" in page and "用户数: 3,120" in page and "档案" not in page


@pytest.mark.parametrize(
    ("lang", "warning"),
    [("zh", "⚠ 模拟演示：核查结果为模拟数据"), ("en", "⚠ Simulated demo: the inspection results")],
)
def test_a_headline_of_simulated_results_says_so_on_its_row(lang: str, warning: str) -> None:
    manifest = _manifest()
    sampling = manifest["notebooks"][1]
    sampling.update(status="ok", error="")
    sampling["headline"] = {
        "simulated": True,
        "figures": {"sample_size": 93, "sample_errors": 26, "projected_misstatement": 3553012.73},
    }
    page = render_index(manifest, lang)
    row = next(row for row in page.split("<tr>") if "3,553,012.73" in row)
    assert f'<strong class="ak-simulated">{warning}' in row
    assert row.index(warning) < row.index("3,553,012.73")
    district_row = next(row for row in page.split("<tr>") if "1,234,567.89" in row)
    assert "ak-simulated" not in district_row
    sampling["headline"].pop("simulated")  # a field result: no warning
    assert "ak-simulated" not in render_index(manifest, lang)


def _reasons(page: str) -> list[str]:
    """The reasons under the rows' statuses, as the page shows them (unescaped)."""
    return [html.unescape(text) for text in re.findall(r"<br><small>([^<]*)</small>", page)]


def _failures(*records: dict) -> dict:
    """A run of failed or timed-out notebooks, each record's `error` and `reason` as given."""
    manifest = _manifest()
    failed = manifest["notebooks"][1]
    manifest["notebooks"] = [failed | record for record in records]
    return manifest


def test_a_zh_index_words_why_a_notebook_failed_or_timed_out_in_chinese() -> None:
    """The zh index read "超时 | time limit of 1 s exceeded in cell 4" and "cell 5:
    ParameterError: ..."; the exception's own message stays quoted as it is."""
    manifest = _failures(
        {
            "status": "timeout",
            "error": "time limit of 1 s exceeded in cell 4",
            "reason": {"kind": "time_limit_in_cell", "seconds": 1.0, "cell": 4},
        },
        {
            "error": "cell 5: ParameterError: parameter 'n': expected an int, found 'x'",
            "reason": {
                "kind": "cell_error",
                "cell": 5,
                "detail": "ParameterError: parameter 'n': expected an int, found 'x'",
            },
        },
        {
            "error": "cell 3: FieldSheetError: 8 problems: row 4; row 5; and 6 more",
            "reason": {
                "kind": "cell_error",
                "cell": 3,
                "detail": "FieldSheetError: 8 problems: row 4; row 5",
                "more": 6,
            },
        },
        {
            "status": "timeout",
            "error": "killed after 60 s (hard time limit)",
            "reason": {"kind": "hard_limit", "seconds": 60},
        },
        {
            "error": "worker exited with code -9 without a result",
            "reason": {"kind": "worker_exited", "code": -9},
        },
    )
    assert _reasons(render_index(manifest, "zh")) == [
        "第 4 个单元格超过 1 秒的时限",
        "第 5 个单元格出错：ParameterError: parameter 'n': expected an int, found 'x'",
        "第 3 个单元格出错：FieldSheetError: 8 problems: row 4; row 5；另有 6 条",
        "运行 60 秒后被强制终止（硬时限）",
        "作业进程退出（退出码 -9），未留下结果",
    ]
    # the English index words them as the manifest's `error` always has
    assert _reasons(render_index(manifest, "en")) == [
        record["error"] for record in manifest["notebooks"]
    ]


def test_a_manifest_from_before_reasons_is_worded_in_the_index_language_from_its_error() -> None:
    manifest = _failures(
        {"status": "timeout", "error": "time limit of 1.5 s exceeded"},
        {"error": "cell 5: KeyError: 'x'; and 2 more"},
        {"error": "kernel died: Kernel died before replying to kernel_info"},
        {"error": "rendering failed: TypeError: bad"},
        {
            "error": "on the cluster: the cluster workers running it died repeatedly (out of "
            "memory, or killed)"
        },
        {"error": "on the cluster: OSError: gone"},
    )
    assert _reasons(render_index(manifest, "zh")) == [
        "超过 1.5 秒的时限",
        "第 5 个单元格出错：KeyError: 'x'；另有 2 条",
        "内核意外退出：Kernel died before replying to kernel_info",
        "报告生成失败：TypeError: bad",
        "在集群上运行它的工作进程接连退出（内存不足或被终止）",
        "在集群上出错：OSError: gone",
    ]


def test_an_error_no_run_words_so_or_a_reason_edited_by_hand_is_shown_as_the_error() -> None:
    """Near misses: an exception with no frame, text that only looks like one, and reasons of
    an unknown kind or with a field of the wrong type fall back to the recorded error."""
    manifest = _failures(
        {"error": "RuntimeError: Kernel didn't respond in 60 seconds"},
        {"error": "cell x: KeyError: 'x'"},
        {"error": "time limit of 1 s exceeded", "reason": {"kind": "nap", "seconds": 1}},
        {"error": "kernel died: gone", "reason": {"kind": "time_limit", "seconds": "1"}},
        {"error": "cell 2: E: m", "reason": {"kind": "cell_error", "cell": True, "detail": "m"}},
        {"error": "cell 2: E: m", "reason": ["cell_error"]},
    )
    assert _reasons(render_index(manifest, "zh")) == [
        "RuntimeError: Kernel didn't respond in 60 seconds",
        "cell x: KeyError: 'x'",
        "超过 1 秒的时限",
        "内核意外退出：gone",
        "第 2 个单元格出错：E: m",
        "第 2 个单元格出错：E: m",
    ]


def test_a_notebook_failed_as_inputs_changed_shows_no_figures_and_is_not_summed() -> None:
    manifest = _districts()
    first, second, _failed = manifest["notebooks"]
    third = dict(first, name="城南", folder="城南", headline={"figures": {"findings": 50}})
    manifest["notebooks"].insert(2, third)
    second |= {  # its figures may come from data other than the manifest names
        "status": "failed",
        "error": "inputs changed during the run: /data/bills.csv: changed",
        "reason": {"kind": "inputs_changed", "detail": "/data/bills.csv: changed"},
    }
    table = _table(render_index(manifest, "zh"))
    findings = table.header.index(i18n.text("common.findings", "zh"))
    proved = table.header.index("核算确认电费 (元)")
    _, changed, _, _ = table.rows["tbody"]
    assert [changed[findings], changed[proved]] == ["—", "—"]
    (total,) = table.rows["tfoot"]
    assert total[findings] == "283"  # 233 + 50, not + 7 of the failed row
    assert total[proved] == "1,234,567.89"  # 1,234,567.89 alone, not + 0.11
    page = render_index(manifest, "zh")
    assert "%E5%9F%8E%E8%A5%BF/report.html" not in page  # 城西's report is not linked
    # near miss: the two ok rows keep their figures and report links
    assert "%E5%9F%8E%E5%8D%97/report.html" in page and "%E5%9F%8E%E4%B8%9C/report.html" in page


def test_a_succeeded_notebook_with_no_headline_keeps_its_report_link() -> None:
    """An analyst's own notebook writes no headline: it still succeeded, and its report is
    linked (only a notebook that did not succeed loses the link)."""
    manifest = _districts()
    first = manifest["notebooks"][0]
    first.pop("headline", None)
    assert first["status"] == "ok"
    assert "%E5%9F%8E%E4%B8%9C/report.html" in render_index(manifest, "zh")
