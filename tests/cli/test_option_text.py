"""Text typed on the command line that the register, the sheets or the reports keep (who sent a
worklist, the auditing bureau, a run's id, district names) is refused as `auditkit validate`
refuses a key-like text cell: a control or invisible character, or more characters than its
place holds. Text that merely looks like a formula is kept as typed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from auditkit.cli import main
from auditkit.register import Register

#: What every refusal of a character says, as `refused_text` says it of a cell.
NO_HIDDEN = (
    "expected text without control characters (tab, line break, NUL, escape) or invisible "
    "characters (zero-width spaces, direction marks)"
)


@pytest.fixture(scope="module")
def utility(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic utility of two districts, 城东 and 城西, written once for the module."""
    folder = tmp_path_factory.mktemp("utility") / "data"
    args = ["synth", "--customers", "300", "--districts", "2", "--months", "24", "--seed", "3"]
    assert main([*args, "--out", str(folder)]) == 0
    return folder


@pytest.fixture
def recorded(utility: Path, tmp_path: Path) -> str:
    """The URL of a fresh register holding the utility's rule run."""
    db = f"sqlite:///{tmp_path / 'register.sqlite'}"
    assert main(["rules", str(utility), "--out", str(tmp_path / "findings"), "--db", db]) == 0
    return db


def one_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The one line the command printed as its error."""
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    return lines[0]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("王\x1b]0;x\x07工", r"found '王\x1b]0;x\x07工'"),  # retitles the terminal it is shown in
        ("王\n工", r"found '王\n工'"),
        ("工\u202e王", r"found '工\u202e王'"),  # reverses the cell a report shows it in
        ("王工\u200b", r"found '王工\u200b'"),
    ],
)
def test_a_sender_holding_a_control_or_invisible_character_is_refused_before_any_sheet(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: str, found: str
) -> None:
    out = tmp_path / "worklists"
    capsys.readouterr()
    assert (
        main(["worklist", "--db", recorded, "--top", "2", "--out", str(out), "--sent-by", typed])
        == 2
    )
    assert (
        one_error(capsys)
        == f"auditkit worklist: error: parameter '--sent-by': {NO_HIDDEN}, {found}"
    )
    assert not out.exists()
    with Register.open(recorded) as register:
        assert register.outcomes().empty  # nothing recorded as sent


def test_a_sender_is_at_most_100_characters_and_a_longer_one_is_shown_cut(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["worklist", "--db", recorded, "--top", "1", "--out", str(tmp_path / "w")]
    capsys.readouterr()
    assert main([*args, "--sent-by", "王" * 101]) == 2
    assert one_error(capsys).endswith(
        "parameter '--sent-by': expected at most 100 characters, found " + repr("王" * 101)
    )
    assert main([*args, "--sent-by", "z" * 5_000]) == 2  # a 5 KB value: a short error line
    assert one_error(capsys).endswith(f"found {'z' * 80!r}… (5,000 characters)")
    assert main([*args, "--sent-by", "王" * 100]) == 0
    with Register.open(recorded) as register:
        assert set(register.outcomes()["actor"]) == {"王" * 100}


def test_a_sender_that_looks_like_a_formula_is_recorded_as_typed(
    recorded: str, tmp_path: Path
) -> None:
    out = tmp_path / "worklists"
    assert (
        main(["worklist", "--db", recorded, "--top", "1", "--out", str(out), "--sent-by", "=1+1"])
        == 0
    )
    with Register.open(recorded) as register:
        assert set(register.outcomes()["actor"]) == {"=1+1"}


def test_an_auditor_with_a_direction_override_is_refused_as_text_not_as_an_unknown_district(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["worklist", "--db", recorded, "--top", "1", "--out", str(tmp_path / "w")]
    capsys.readouterr()
    assert main([*args, "--auditor", "城西\u202e"]) == 2
    assert one_error(capsys).endswith(f"parameter '--auditor': {NO_HIDDEN}, found '城西\\u202e'")
    assert main([*args, "--auditor", "城" * 65]) == 2
    assert "parameter '--auditor': expected at most 64 characters" in capsys.readouterr().err
    assert main([*args, "--auditor", "城西"]) == 0


def test_a_run_id_with_a_line_break_or_over_200_characters_is_refused_before_any_file(
    utility: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, out = f"sqlite:///{tmp_path / 'register.sqlite'}", tmp_path / "findings"
    args = ["rules", str(utility), "--out", str(out), "--db", db, "--run-id"]
    capsys.readouterr()
    assert main([*args, "2025-06\n城东"]) == 2
    assert one_error(capsys).endswith(f"parameter '--run-id': {NO_HIDDEN}, found '2025-06\\n城东'")
    assert main([*args, "r" * 201]) == 2
    assert "parameter '--run-id': expected at most 200 characters" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "register.sqlite").exists()
    assert main([*args, '=HYPERLINK("x")']) == 0
    with Register.open(db) as register:
        assert register.runs()["run_id"].tolist() == ['=HYPERLINK("x")']


def test_cross_audit_district_names_are_checked_each_and_written_as_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "round.csv"
    assign = ["crossaudit", "assign", "--seed", "1", "--out", str(out), "--districts"]
    capsys.readouterr()
    assert main([*assign, "城东, 城西\u200b,城南"]) == 2
    assert one_error(capsys).endswith(f"parameter '--districts': {NO_HIDDEN}, found '城西\\u200b'")
    assert not out.exists()
    assert main([*assign, "城东, 城西 ,城南"]) == 0  # spaces around a name are the list's
    written = pd.read_csv(out, encoding="utf-8-sig")
    assert set(written["auditing_district"]) == {"城东", "城西", "城南"}


def test_an_auditing_district_with_a_tab_is_refused_before_the_sheet_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "filled.xlsx"  # not there: the option is refused first
    evaluate = ["sample", "evaluate", "--sheet", str(sheet), "--materiality", "0.05"]
    capsys.readouterr()
    assert main([*evaluate, "--audit-kind", "cross", "--auditing-district", "城\t西"]) == 2
    assert one_error(capsys).endswith(
        f"parameter '--auditing-district': {NO_HIDDEN}, found '城\\t西'"
    )
