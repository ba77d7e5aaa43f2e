"""`auditkit render NOTEBOOK`: any executed notebook into the offline report; one-line errors."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import nbformat
import pytest
from pipeline_helpers import TINY_BODY, TINY_PARAMETERS, write_notebook
from report_pages import live_markup
from test_render import _executed

from auditkit import cli


def _write_executed(path: Path, lang: str = "zh") -> Path:
    notebook = _executed()
    notebook.metadata["papermill"] = {"parameters": {"district": "B", "lang": lang}}
    nbformat.write(notebook, path)
    return path


def test_render_writes_the_offline_report_beside_the_notebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    executed = _write_executed(tmp_path / "district_audit.out.ipynb")
    assert cli.main(["render", str(executed)]) == 0
    report = tmp_path / "district_audit.out.html"
    assert capsys.readouterr().out.strip() == str(report)
    page = report.read_text(encoding="utf-8")
    assert "<h1>稽查报告</h1>" in page and 'id="sec-reproducibility"' in page
    assert "SECRET_SOURCE" not in page and live_markup(page) == []
    assert "../index.html" not in page  # not part of a run: no link back to an index


def test_render_to_a_chosen_file_in_the_notebook_language(tmp_path: Path) -> None:
    executed = _write_executed(tmp_path / "nb.ipynb", lang="en")
    out = tmp_path / "out" / "report.html"
    out.parent.mkdir()
    assert cli.main(["render", str(executed), "-o", str(out), "--lang", "en"]) == 0
    assert '<html lang="en">' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "found no such file"),
        ("not json", "cannot be read: Notebook does not appear to be JSON"),
        ('{"cells": 3, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "cannot be read"),
        (b"\xff\xfe", "cannot be read"),
    ],
)
def test_a_missing_or_invalid_notebook_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None, expected: str
) -> None:
    path = tmp_path / "broken.ipynb"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    assert cli.main(["render", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(path) in error and expected in error


def test_a_notebook_never_executed_or_in_another_language_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blank = write_notebook(tmp_path / "blank.ipynb", TINY_PARAMETERS, *TINY_BODY)
    assert cli.main(["render", str(blank)]) == 2
    assert "expected an executed notebook, found no outputs" in capsys.readouterr().err
    executed = _write_executed(tmp_path / "zh.ipynb", lang="zh")
    assert cli.main(["render", str(executed), "--lang", "en"]) == 2
    assert "parameter 'lang': expected 'zh'" in capsys.readouterr().err


@pytest.mark.slow
def test_a_plain_papermill_run_renders_offline(tmp_path: Path, tiny_data: Path) -> None:
    import papermill

    source = write_notebook(
        tmp_path / "tiny.ipynb", TINY_PARAMETERS, *TINY_BODY, markdown="# Tiny audit"
    )
    executed = tmp_path / "tiny.out.ipynb"
    papermill.execute_notebook(
        str(source),
        str(executed),
        parameters={"data_dir": str(tiny_data)},
        progress_bar=False,
        cwd=str(tmp_path),
    )
    assert cli.main(["render", str(executed)]) == 0
    page = executed.with_suffix(".html").read_text(encoding="utf-8")
    assert "1,234.25" in page and "张**" in page and "张三丰" not in page
    assert "data:image/png;base64," in page and live_markup(page) == []
    assert str(tiny_data) in page  # the injected parameters are in the footer


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EROFS])
def test_a_full_disk_is_one_line_naming_the_file_being_written_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
) -> None:
    executed = _write_executed(tmp_path / "nb.ipynb")
    write_text = Path.write_text

    def full(path: Path, *args: object, **kwargs: object) -> int:
        if path.name.startswith(".nb.html."):  # the atomic write's temporary file
            raise OSError(code, os.strerror(code))  # as a write(2) fails: no file named
        return write_text(path, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    assert cli.main(["render", str(executed)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert f"refused '{tmp_path / 'nb.html'}': {os.strerror(code)}" in error
    assert sorted(path.name for path in tmp_path.iterdir()) == ["nb.ipynb"]  # nothing half-written


def test_a_failed_notebook_is_refused_naming_the_cell_that_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = _executed()
    failing = nbformat.v4.new_code_cell("check_parameters(globals())")
    failing.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="ParameterError",
            evalue="parameter 'district': expected one of 城东, 城西, found '不存在'",
            traceback=["ParameterError: ..."],
        )
    ]
    notebook.cells.insert(3, failing)
    path = tmp_path / "fail.ipynb"
    nbformat.write(notebook, path)
    assert cli.main(["render", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"{path}: expected a notebook that ran to its end" in error
    assert "cell 4 raised ParameterError: \"parameter 'district'" in error
    assert not path.with_suffix(".html").exists()
    # Executed, the cell carries its execution count: the [2] JupyterLab shows and `auditkit
    # run` names, not its place among markdown cells.
    failing.execution_count = 2
    nbformat.write(notebook, path)
    assert cli.main(["render", str(path)]) == 2
    assert "cell 2 raised ParameterError" in capsys.readouterr().err


def test_a_relative_data_dir_is_hashed_from_the_notebooks_folder_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditkit import paths

    notebooks = tmp_path / "project" / "notebooks"
    (tmp_path / "project" / "data" / "x").mkdir(parents=True)
    (tmp_path / "project" / "data" / "x" / "bills_marker.csv").write_text("a\n", encoding="utf-8")
    notebooks.mkdir()
    monkeypatch.setattr(paths, "notebooks_dir", lambda: notebooks)
    executed = _executed()
    executed.metadata["papermill"] = {"parameters": {"data_dir": "../data/x", "lang": "zh"}}
    path = tmp_path / "rel.ipynb"
    nbformat.write(executed, path)
    monkeypatch.chdir(tmp_path)  # where ../data/x names nothing
    assert cli.main(["render", str(path)]) == 0
    assert "bills_marker.csv" in path.with_suffix(".html").read_text(encoding="utf-8")


def test_a_notebook_run_in_jupyterlab_lists_its_parameters_and_the_demo_s_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_folder = tmp_path / "demo"
    demo_folder.mkdir()
    (demo_folder / "bills_marker.csv").write_text("a\n", encoding="utf-8")
    monkeypatch.setenv("AUDITKIT_DATA", str(tmp_path))
    executed = _executed()  # no papermill metadata: the parameters cell is what ran
    executed.cells[1].source = (
        'data_dir: str = ""  # dataset folder; empty: the demo\n'
        'district: str = "城东"  # district\n'
        'as_of: str = "2025-06"  # month\n'
        "top_n: int = 7  # findings listed\n"
    )
    path = tmp_path / "lab.ipynb"
    nbformat.write(executed, path)
    assert cli.main(["render", str(path)]) == 0
    page = path.with_suffix(".html").read_text(encoding="utf-8")
    footer = page.split('id="sec-reproducibility"', 1)[1]
    for name, value in (("district", "城东"), ("as_of", "2025-06"), ("top_n", "7")):
        assert re.search(rf"{name}\W.*?{value}", footer, re.DOTALL), name
    assert "bills_marker.csv" in footer  # data_dir "" is the demo: its files are hashed
    assert "供电单位" in page.split('id="sec-reproducibility"', 1)[0]  # not 对象 (subject)


def test_rendering_a_demo_run_generates_no_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No demo folder (or one from another auditkit): nothing to hash, and none written."""
    from auditkit import demo

    monkeypatch.setenv("AUDITKIT_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(demo.synth, "generate", lambda *_: pytest.fail("generated the demo"))
    executed = _executed()
    executed.cells[1].source = 'data_dir: str = ""  # dataset folder; empty: the demo\n'
    path = tmp_path / "lab.ipynb"
    nbformat.write(executed, path)
    assert cli.main(["render", str(path)]) == 0
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("other", ["bills.csv", "notes.html"])
def test_render_does_not_overwrite_a_file_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], other: str
) -> None:
    executed = _write_executed(tmp_path / "nb.ipynb")
    target = tmp_path / other
    target.write_text("customer_id,kwh\nC1,100\n", encoding="utf-8")
    assert cli.main(["render", str(executed), "-o", str(target)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "parameter '--output'" in error and str(target) in error
    assert target.read_text(encoding="utf-8") == "customer_id,kwh\nC1,100\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["nb.ipynb", other])


def test_render_never_writes_over_the_notebook_it_renders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    executed = _write_executed(tmp_path / "nb.ipynb")
    before = executed.read_bytes()
    assert cli.main(["render", str(executed), "-o", str(executed)]) == 2
    assert "not the notebook rendered" in capsys.readouterr().err
    named_html = _write_executed(tmp_path / "nb.html")  # its default report is itself
    assert cli.main(["render", str(named_html)]) == 2
    assert "not the notebook rendered" in capsys.readouterr().err
    assert executed.read_bytes() == before and nbformat.read(named_html, as_version=4).cells


def test_render_replaces_its_own_earlier_report(tmp_path: Path) -> None:
    """Near miss: rendering again over the report auditkit wrote before is what users expect."""
    executed = _write_executed(tmp_path / "nb.ipynb")
    report = tmp_path / "nb.html"
    assert cli.main(["render", str(executed)]) == 0
    report.write_text(report.read_text(encoding="utf-8") + "<!-- stale -->", encoding="utf-8")
    assert cli.main(["render", str(executed), "-o", str(report)]) == 0
    assert "<!-- stale -->" not in report.read_text(encoding="utf-8")


def test_render_refuses_a_parameter_papermill_injected_that_the_notebook_does_not_declare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`papermill … -p distrct 城南` only warned; the report audited the default district."""
    notebook = _executed()
    notebook.metadata["papermill"] = {"parameters": {"distrct": "城南", "lang": "zh"}}
    path = tmp_path / "typo.ipynb"
    nbformat.write(notebook, path)
    assert cli.main(["render", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and not path.with_suffix(".html").exists()
    assert (
        "unknown parameter 'distrct' for typo.ipynb: expected one of data_dir, district, lang"
        in (error)
    )


def test_render_takes_the_paths_papermill_injects_itself(tmp_path: Path) -> None:
    """`papermill --inject-paths` records PAPERMILL_INPUT_PATH / PAPERMILL_OUTPUT_PATH among its
    parameters; before, render refused them as unknown (exit 2, no report)."""
    notebook = _executed()
    notebook.metadata["papermill"] = {
        "parameters": {
            "lang": "zh",
            "PAPERMILL_INPUT_PATH": "in.ipynb",
            "PAPERMILL_OUTPUT_PATH": "paths.ipynb",
        }
    }
    path = tmp_path / "paths.ipynb"
    nbformat.write(notebook, path)
    assert cli.main(["render", str(path)]) == 0
    assert path.with_suffix(".html").is_file()


def test_render_takes_any_name_where_the_parameters_cell_is_the_analyst_s_own(
    tmp_path: Path,
) -> None:
    """Near miss: a cell not in auditkit's form declares nothing auditkit can check against."""
    notebook = _executed()
    notebook.cells[1].source = "district = 'A'; extra = 1"
    notebook.metadata["papermill"] = {"parameters": {"extra": 2, "lang": "zh"}}
    path = tmp_path / "own.ipynb"
    nbformat.write(notebook, path)
    assert cli.main(["render", str(path)]) == 0


def test_a_relative_data_dir_not_under_the_notebooks_folder_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A papermill run typed elsewhere: its kernel's folder is not recorded, so nothing hashed
    would be a guess; before, the footer's input hashes were silently empty."""
    from auditkit import paths

    notebooks = tmp_path / "project" / "notebooks"
    notebooks.mkdir(parents=True)
    monkeypatch.setattr(paths, "notebooks_dir", lambda: notebooks)
    (tmp_path / "d1").mkdir()  # where the kernel read it, which render cannot know
    executed = _executed()
    executed.metadata["papermill"] = {"parameters": {"data_dir": "d1", "lang": "zh"}}
    path = tmp_path / "rel.ipynb"
    nbformat.write(executed, path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["render", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "parameter 'data_dir': expected an absolute folder" in error
    assert error.rstrip().endswith("found 'd1'") and not path.with_suffix(".html").exists()


def test_a_jupyterlab_run_reads_a_relative_data_dir_from_the_notebook_s_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JupyterLab's kernel runs in the notebook's folder and leaves no papermill record: its
    relative data_dir is hashed from there; before, render refused it as no folder of
    notebooks/ (exit 2), saying papermill had run it."""
    from auditkit import paths

    notebooks = tmp_path / "project" / "notebooks"
    notebooks.mkdir(parents=True)
    monkeypatch.setattr(paths, "notebooks_dir", lambda: notebooks)
    studies = tmp_path / "studies"
    (studies / "d1").mkdir(parents=True)
    (studies / "d1" / "bills_marker.csv").write_text("a\n", encoding="utf-8")
    executed = _executed()  # no papermill metadata: the parameters cell is what ran
    executed.cells[1].source = "data_dir: str = 'd1'  # dataset folder\ndistrict: str = 'A'\n"
    path = studies / "lab.ipynb"
    nbformat.write(executed, path)
    monkeypatch.chdir(tmp_path)  # where d1 names nothing
    assert cli.main(["render", str(path)]) == 0
    page = path.with_suffix(".html").read_text(encoding="utf-8")
    assert "bills_marker.csv" in page.split('id="sec-reproducibility"', 1)[1]


def test_a_jupyterlab_run_whose_relative_data_dir_is_gone_renders_without_hashes(
    tmp_path: Path,
) -> None:
    """Near miss: no folder beside the notebook either is left out, as a gone absolute one is."""
    executed = _executed()
    executed.cells[1].source = "data_dir: str = 'gone'  # dataset folder\ndistrict: str = 'A'\n"
    path = tmp_path / "lab.ipynb"
    nbformat.write(executed, path)
    assert cli.main(["render", str(path)]) == 0
    assert "bills_marker.csv" not in path.with_suffix(".html").read_text(encoding="utf-8")


def test_an_absolute_data_dir_that_is_gone_still_renders_without_hashes(tmp_path: Path) -> None:
    """Near miss: an absolute folder names itself; one removed since is only left out."""
    executed = _executed()
    gone = str(tmp_path / "gone")
    executed.metadata["papermill"] = {"parameters": {"data_dir": gone, "lang": "zh"}}
    path = tmp_path / "abs.ipynb"
    nbformat.write(executed, path)
    assert cli.main(["render", str(path)]) == 0
