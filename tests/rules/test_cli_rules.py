"""`auditkit rules` writes each finding's evidence in the language asked (Chinese by default, as
the reports) beside its clauses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from rule_builder import Utility, flat

from auditkit import rules
from auditkit.cli import main
from auditkit.paths import dataset_output_name


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A folder with one household billed at the wrong rate from July and one estimated streak."""
    u = Utility()
    u.customer("A")
    u.monthly("A", flat(100), rate=[None] * 6 + [0.55] * 6, estimated=[1, 2, 3])
    return u.write(tmp_path / "data")


def written(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    csv = pd.read_csv(out / "findings.csv", encoding="utf-8-sig").set_index("rule_id")
    return csv, pd.read_parquet(out / "findings.parquet").set_index("rule_id")


def test_evidence_is_written_in_chinese_by_default(dataset: Path, tmp_path: Path, capsys) -> None:
    assert main(["rules", str(dataset), "--out", str(tmp_path / "zh")]) == 0
    csv, parquet = written(tmp_path / "zh")
    expected = "2024-02 至 2024-04 连续 3 次估抄，未实际抄表"
    assert csv.loc["estimated_streak", "evidence"] == parquet.loc["estimated_streak", "evidence"]
    assert csv.loc["estimated_streak", "evidence"] == expected
    assert csv.loc["rate_mismatch", "evidence"].startswith("2024-07 至 2024-12：6 期账单执行电价")
    clauses = json.loads(parquet.loc["estimated_streak", "evidence_code"])
    assert clauses == [{"code": "estimated_streak", "reads": 3, "months": ["2024-02", "2024-04"]}]
    assert "findings written" in capsys.readouterr().out


def test_evidence_in_english_on_request(dataset: Path, tmp_path: Path) -> None:
    assert main(["rules", str(dataset), "--out", str(tmp_path / "en"), "--lang", "en"]) == 0
    csv, parquet = written(tmp_path / "en")
    assert csv.loc["estimated_streak", "evidence"] == (
        "3 estimated reads in a row 2024-02..2024-04: the meter was not read"
    )
    # Rendering the written clauses again gives the sentence written, in either language.
    assert rules.evidence_text(parquet, "en").tolist() == parquet["evidence"].tolist()


def test_an_unknown_language_is_refused(dataset: Path, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["rules", str(dataset), "--out", str(tmp_path / "fr"), "--lang", "fr"])
    assert refused.value.code == 2
    assert "--lang: invalid choice: 'fr'" in capsys.readouterr().err
    assert not (tmp_path / "fr").exists()


def test_a_district_name_cannot_lead_the_findings_out_of_their_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    u = Utility()
    u.customer("A", district="../../../../escaped")
    u.monthly("A", flat(100), estimated=[1, 2, 3])
    folder = u.write(tmp_path / "work" / "data")
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "work" / "outputs"))
    assert main(["rules", str(folder), "--district", "../../../../escaped"]) == 0
    written = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("findings.*"))
    digest = dataset_output_name(folder, None).removeprefix("data-")
    assert [path.parent for path in written] == [
        Path(
            "work/outputs/findings/"
            f"data-%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fescaped-{digest}/2024-12"
        )
    ] * 2


def test_each_audit_month_keeps_its_own_findings_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    u = Utility()
    u.customer("A")
    u.monthly("A", flat(100), estimated=[1, 2, 3])
    folder = u.write(tmp_path / "data")
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))
    for month in ("2024-06", "2024-12"):
        assert main(["rules", str(folder), "--as-of", month]) == 0
    found = tmp_path / "outputs" / "findings" / dataset_output_name(folder, None)
    assert sorted(path.name for path in found.iterdir()) == ["2024-06", "2024-12"]


@pytest.mark.parametrize(
    "given, expected",
    [
        ("", "one or more rule ids, comma-separated"),  # was: every rule run
        (" ", "one or more rule ids, comma-separated"),
        ("estimated_streak,,", "rule ids separated by single commas, none of them empty"),
        (
            "estimated_streak,,rate_mismatch",
            "rule ids separated by single commas, none of them empty",
        ),
    ],
)
def test_an_empty_rules_or_an_empty_rule_id_in_it_is_refused_naming_the_flag(
    dataset: Path, tmp_path: Path, capsys, given: str, expected: str
) -> None:
    out = tmp_path / "out"
    assert main(["rules", str(dataset), "--rules", given, "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"auditkit rules: error: parameter '--rules': expected {expected}, found {given!r}\n"
    )
    assert not out.exists()


def test_an_audit_month_after_the_last_bill_is_refused_naming_the_flag(
    dataset: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out"
    assert main(["rules", str(dataset), "--as-of", "2025-01", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "auditkit rules: error: parameter '--as-of': expected a month within the bills' periods "
        "2024-01..2024-12, found '2025-01'\n"
    )
    assert not out.exists()


def test_an_out_folder_that_is_a_file_is_refused_before_the_rules_run(
    dataset: Path, tmp_path: Path, capsys
) -> None:
    """It was the file system's "File exists" once the findings were ready."""
    out = tmp_path / "keep.txt"
    out.write_text("notes\n", encoding="utf-8")
    assert main(["rules", str(dataset), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "auditkit rules: error: parameter '--out': expected a folder for findings.parquet and "
        f"findings.csv, found '{out}, a file'\n"
    )
    assert out.read_text(encoding="utf-8") == "notes\n"


@pytest.mark.parametrize(("written", "holding"), [("", "no values"), ("- 1\n", "a list")])
def test_a_params_file_that_is_no_mapping_says_what_it_holds(
    dataset: Path, tmp_path: Path, capsys, written: str, holding: str
) -> None:
    params = tmp_path / "p.yaml"
    params.write_text(written, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["rules", str(dataset), "--params", str(params), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "auditkit rules: error: parameter '--params': expected a mapping of rule id → "
        f"{{parameter: value}}, found '{params} holding {holding}'\n"
    )
    assert not out.exists()


def _findings_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_run_of_other_rules_or_params_does_not_replace_the_months_findings_unasked(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Before, `--rules estimated_streak` replaced the month's findings of every rule (66 lines
    of the synthetic utility's findings.csv became 2) without a word."""
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))
    month = tmp_path / "outputs" / "findings" / dataset_output_name(dataset, None) / "2024-12"
    assert main(["rules", str(dataset)]) == 0
    every_rule = _findings_of(month)
    assert set(written(month)[0].index) == {"estimated_streak", "rate_mismatch"}
    capsys.readouterr()
    assert main(["rules", str(dataset), "--rules", "estimated_streak"]) == 2
    assert capsys.readouterr().err == (
        f"auditkit rules: error: {month}: holds the findings of another run (every rule, "
        "no --params), which this run (estimated_streak, no --params) would replace: "
        "--replace replaces them, --out DIR writes this run's elsewhere\n"
    )
    assert _findings_of(month) == every_rule
    params = tmp_path / "params.yaml"
    params.write_text("estimated_streak: {min_months: 2}\n")
    assert main(["rules", str(dataset), "--params", str(params)]) == 2
    assert _findings_of(month) == every_rule
    # Near misses: the same run again, or every rule listed, replaces its own findings.
    assert main(["rules", str(dataset)]) == 0
    assert main(["rules", str(dataset), "--rules", ",".join(reversed(rules.RULES))]) == 0
    assert _findings_of(month) == every_rule
    # Asked for: replaced, and the next run of every rule is the one refused.
    assert main(["rules", str(dataset), "--rules", "estimated_streak", "--replace"]) == 0
    assert list(written(month)[0].index) == ["estimated_streak"]
    assert main(["rules", str(dataset)]) == 2


def test_two_datasets_whose_folders_share_a_name_keep_their_own_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """cityA/data and cityB/data both wrote outputs/findings/data/2024-12, the second replacing
    the first; each now has its folder, the dataset's name and its path's digest."""
    folders = []
    for city, streak in (("cityA", [1, 2, 3]), ("cityB", [4, 5, 6, 7])):
        u = Utility()
        u.customer("A")
        u.monthly("A", flat(100), estimated=streak)
        folders.append(u.write(tmp_path / city / "data"))
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))
    for folder in folders:
        assert main(["rules", str(folder)]) == 0
    found = sorted((tmp_path / "outputs" / "findings").iterdir())
    assert len(found) == 2 and all(re.fullmatch(r"data-[0-9a-f]{8}", path.name) for path in found)
    evidence = {
        folder.parent.name: written(
            tmp_path / "outputs" / "findings" / dataset_output_name(folder, None) / "2024-12"
        )[0].loc["estimated_streak", "evidence_code"]
        for folder in folders
    }
    assert '"reads":3' in evidence["cityA"] and '"reads":4' in evidence["cityB"]
    assert f"findings/{dataset_output_name(folders[1], None)}/2024-12" in capsys.readouterr().out


def test_out_replaces_only_its_own_files_whatever_run_wrote_them(
    dataset: Path, tmp_path: Path
) -> None:
    """An explicit --out is the user's choice: a run of other rules writes over the findings
    there as before, without a run record, and leaves the folder's other files alone."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("kept")
    assert main(["rules", str(dataset), "--out", str(out)]) == 0
    assert main(["rules", str(dataset), "--out", str(out), "--rules", "rate_mismatch"]) == 0
    assert list(written(out)[0].index) == ["rate_mismatch"]
    assert sorted(path.name for path in out.iterdir()) == [
        "findings.csv",
        "findings.parquet",
        "notes.txt",
    ]
