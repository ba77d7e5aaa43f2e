"""HTML report: self-contained, code hidden, title block, contents, headline first, footer."""

from __future__ import annotations

import html
import re

import nbformat
import pandas as pd
import pytest
from report_pages import live_markup

from auditkit.pipeline.render import ReportContext, render_html
from auditkit.report import notebook

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def _executed() -> nbformat.NotebookNode:
    """A notebook as papermill leaves it: intro, parameters, injected cell, outputs."""
    nb = nbformat.v4.new_notebook()
    intro = nbformat.v4.new_markdown_cell("# Analyst intro\nrun me in JupyterLab")
    intro.metadata["tags"] = ["remove-cell"]
    parameters = nbformat.v4.new_code_cell(
        "data_dir: str = ''  # dataset folder\n"
        "district: str = 'A'  # district\n"
        "lang: str = 'zh'  # report language\n"
    )
    parameters.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell("district = 'B'")
    injected.metadata["tags"] = ["injected-parameters"]
    record = {
        "title": "稽查报告",
        "subject": "B",
        "period": "2023-01 – 2025-12",
        "as_of": "2025-12",
        "lang": "zh",
        "figures": {"findings": 3, "revenue_at_stake": 99.5},
    }
    headline = nbformat.v4.new_code_cell("SECRET_SOURCE_headline()")
    headline.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": "<div class='ak-headline'>3</div>",
                "text/plain": "3",
                notebook.HEADLINE_MIME: record,
            },
        )
    ]
    body = nbformat.v4.new_code_cell("SECRET_SOURCE_body()")
    body.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": '<h2 id="sec-findings">疑点</h2>'}
        ),
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: noise"),
        nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<figure>"}),
        nbformat.v4.new_output(
            "display_data", data={"text/html": '<h2 id="sec-appendix">附录</h2>'}
        ),
    ]
    nb.cells = [intro, parameters, injected, headline, body]
    return nb


def _context(**changes: object) -> ReportContext:
    values = {
        "run_id": "RUN-1",
        "subject": "B",
        "generated_at": "2026-01-01 00:00:00",
        "parameters": {"district": "B", "lang": "zh"},
        "input_hashes": {"bills.parquet": "ab" * 32},
        "versions": {"pandas": "3.0"},
        "commit": "abc123",
    }
    return ReportContext(**(values | changes))


def test_report_is_self_contained_with_code_hidden() -> None:
    page = render_html(_executed(), _context())
    assert page.lower().count("<script") == 1 and 'id="ak-tables-script"' in page
    policy = html.unescape(re.findall(r'<meta content="([^"]+)" http-equiv="Content-Sec', page)[0])
    assert (
        policy.startswith("default-src 'none'; img-src data:;") and "script-src 'sha256-" in policy
    )
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "@font-face" not in page
    assert "SECRET_SOURCE" not in page and "district = 'B'" not in page
    assert "Analyst intro" not in page and "FutureWarning" not in page
    assert f"data:image/png;base64,{PNG}" in page
    assert "Noto Sans CJK SC" in page  # CJK font stack, system fonts only


def test_title_block_contents_headline_then_detail_then_footer() -> None:
    page = render_html(_executed(), _context())
    title = page.index("<h1>稽查报告</h1>")
    toc = page.index('class="ak-toc"')
    headline = page.index('<div class="ak-headline">')
    detail = page.index('id="sec-findings"')
    footer = page.index('id="sec-reproducibility"')
    assert title < toc < headline < detail < footer
    for shown in ("2023-01 – 2025-12", "2025-12", "RUN-1", "供电单位", "ab" * 32, "abc123"):
        assert shown in page
    toc_block = page[toc : page.index("</nav>", toc)]
    assert [a for a in re.findall(r'href="#([^"]+)"', toc_block)] == [
        "sec-findings",
        "sec-appendix",
        "sec-reproducibility",
    ]


def test_language_follows_the_lang_parameter() -> None:
    page = render_html(_executed(), _context(parameters={"district": "B", "lang": "en"}))
    assert '<html lang="en">' in page and "Reproducibility" in page and "Contents" in page


def test_two_renders_differ_only_in_run_id_and_timestamp() -> None:
    first = render_html(_executed(), _context())
    second = render_html(_executed(), _context(run_id="RUN-2", generated_at="2027-05-05 10:00:00"))
    assert first != second
    assert first.replace("RUN-1", "RUN").replace("2026-01-01 00:00:00", "T") == second.replace(
        "RUN-2", "RUN"
    ).replace("2027-05-05 10:00:00", "T")


@pytest.mark.parametrize("rows", [10, 5000])
def test_report_size_grows_with_table_rows_only_as_shown(rows: int) -> None:
    nb = _executed()
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(rows)], "v": range(rows)})
    from auditkit.report.tables import table_html

    nb.cells[-1].outputs.append(
        nbformat.v4.new_output("display_data", data={"text/html": table_html(frame, max_rows=20)})
    )
    assert len(render_html(nb, _context())) < 60_000


PAYLOADS = (
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</title><script>document.title='pwned'</script>",
)


def test_names_and_paths_from_the_data_are_text_in_the_page() -> None:
    nb = _executed()
    payload = " ".join(PAYLOADS)
    record = nb.cells[3].outputs[0].data[notebook.HEADLINE_MIME]
    record.update(title=f"T {payload}", subject=payload, period=payload, as_of=payload)
    page = render_html(
        nb,
        _context(
            subject=payload,
            parameters={"district": payload, "data_dir": f"/data/{payload}", "lang": "zh"},
            input_hashes={f"customers {payload}.csv": "ab" * 32},
            versions={payload: payload},
            commit=payload,
        ),
    )
    assert live_markup(page) == []
    assert page.count("&lt;script&gt;window.__pwned=1&lt;/script&gt;") >= 10  # text, everywhere


def test_markdown_outputs_cannot_inject_html_or_javascript_links() -> None:
    nb = _executed()
    nb.cells[-1].outputs.append(
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/markdown": "field sheet: `x` <img src=x onerror=alert(1)> "
                "[open](javascript:alert(1))"
            },
        )
    )
    page = render_html(nb, _context())
    assert live_markup(page) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_javascript_outputs_are_not_run_in_the_report() -> None:
    nb = _executed()
    nb.cells[-1].outputs.append(
        nbformat.v4.new_output(
            "display_data", data={"application/javascript": "window.__pwned = 1"}
        )
    )
    assert "__pwned" not in render_html(nb, _context())


def test_contents_entries_are_escaped_text() -> None:
    nb = _executed()
    nb.cells[-1].outputs.append(
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": '<h2 id="sec-x&quot;&gt;">&lt;script&gt;x&lt;/script&gt;</h2>'},
        )
    )
    page = render_html(nb, _context())
    toc = page[page.index('class="ak-toc"') : page.index("</nav>", page.index('class="ak-toc"'))]
    assert live_markup(toc) == [] and "&lt;script&gt;x&lt;/script&gt;" in toc
    assert 'href="#sec-x&quot;&gt;"' in toc


def test_a_run_report_links_back_to_the_run_index() -> None:
    page = render_html(_executed(), _context())
    assert '<a href="../index.html">← 返回本次运行索引</a>' in page
    assert page.index("../index.html") < page.index('class="ak-title"')


def test_the_table_script_takes_its_words_from_the_catalogue_in_the_page_language() -> None:
    from auditkit.pipeline.render import tables_script

    assert 'data-search="Search"' in tables_script("en")
    assert 'data-shown="显示 {n} / {total} 行"' in tables_script("zh")
    assert "搜索" not in tables_script("en").split(">", 1)[1]  # the code itself holds no words


def test_a_chart_has_the_alternative_text_its_output_carries_escaped() -> None:
    executed = _executed()
    executed.cells[-1].outputs.append(
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": PNG, "text/plain": "各规则涉及电费"},
            metadata={"image/png": {"alt": '各规则涉及电费 "><b>x</b>'}},
        )
    )
    page = render_html(executed, _context())
    assert """alt='各规则涉及电费 "&gt;&lt;b&gt;x&lt;/b&gt;'""" in page
    assert "<b>x</b>" not in page
    assert "No description" not in page  # nbconvert's English words, even for the other image


def test_the_parameters_read_as_values_in_the_reports_language_not_as_python() -> None:
    """The footer showed '/work/main/data/demo' and '城东' in quotes, '' for a blank month,
    True and capacity {}."""
    parameters = {
        "data_dir": "/work/main/data/demo",
        "district": "城东",
        "as_of": "",
        "mask_personal": True,
        "capacity": {},
        "events": ["voltage_loss", "cover_open"],
    }
    for lang, shown in (
        ("zh", ["/work/main/data/demo", "城东", "—", "是", "—", "voltage_loss、cover_open"]),
        ("en", ["/work/main/data/demo", "城东", "—", "yes", "—", "voltage_loss, cover_open"]),
    ):
        page = render_html(_executed(), _context(parameters=parameters | {"lang": lang}))
        footer = page[page.index('id="sec-reproducibility"') : page.index("</footer>")]
        cells = re.findall(r"<tr><td>([^<]+)</td><td><code>([^<]*)</code></td></tr>", footer)
        assert dict(cells[: len(parameters)]) == dict(zip(parameters, shown, strict=True))
        assert "&#39;" not in footer and "True" not in footer and "{}" not in footer


def test_links_to_files_saved_by_hand_resolve_from_the_rendered_page(tmp_path) -> None:
    saved = tmp_path / "outputs" / "interactive" / "城东-0fa8be58" / "findings.csv"
    executed = _executed()
    link = f'<a href="../outputs/x/findings.csv" data-ak-file="{saved}">Full data</a>'
    executed.cells[-1].outputs.append(
        nbformat.v4.new_output("display_data", data={"text/html": f"<p>{link}</p>"})
    )
    page = render_html(executed, _context(), tmp_path / "reports")
    # the page sits in reports/: one folder up, then down to the saved file
    assert 'href="../outputs/interactive/%E5%9F%8E%E4%B8%9C-0fa8be58/findings.csv"' in page
    # near miss: a run's bare names next to the report are left as they are
    executed.cells[-1].outputs[-1]["data"]["text/html"] = '<a href="findings.csv">Full data</a>'
    assert 'href="findings.csv"' in render_html(executed, _context(), tmp_path / "reports")
