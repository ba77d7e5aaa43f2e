"""`auditkit rules` on a dataset folder holding an office program's lock file says so on stderr
(the warning `load` gives), and the id it records a run under when --run-id is not given fits
the register however long the dataset folder's name. `auditkit stats theft` refuses another
run's default folder before it scores anyone."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from lock_files import excel_owner_file

from auditkit.cli import main
from auditkit.register import Register

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "rules"))
from rule_builder import Utility, flat  # the rules tests' builder


def write_utility(folder: Path) -> Path:
    """One household billed at the wrong rate from July."""
    u = Utility()
    u.customer("A")
    u.monthly("A", flat(100), rate=[None] * 6 + [0.55] * 6)
    return u.write(folder)


def test_a_lock_file_in_the_dataset_folder_is_named_on_stderr_and_the_rules_still_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_utility(tmp_path / "data")
    excel_owner_file(folder / "~$bills.xlsx")  # left by an Excel that stopped: no bills.xlsx

    assert main(["rules", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"auditkit rules: {folder}: warning: ~$bills.xlsx: expected a table file, not the lock file an "
        "office program keeps (skipped), found a lock file Excel or WPS left for 'bills.xlsx', "
        "which is not in the folder (the program stopped without closing it: delete the lock "
        "file)"
    ]


def test_a_clean_dataset_folder_gives_no_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_utility(tmp_path / "data")

    assert main(["rules", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().err == ""


def test_the_default_run_id_of_a_250_character_folder_keeps_its_end_within_200_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "export-" + "x" * 238 + "-2024"  # 250 characters (a folder name holds 255 bytes)
    folder = write_utility(tmp_path / name)
    db = f"sqlite:///{tmp_path / 'register.sqlite'}"
    args = ["rules", str(folder), "--out", str(tmp_path / "out"), "--as-of", "2024-12"]

    assert main([*args, "--db", db, "--district", "城东"]) == 0
    assert main([*args, "--db", db, "--district", "城东"]) == 0  # the same id: recorded once

    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    rest = "-城东 2024-12"
    with Register.open(db) as register:
        assert register.runs()["run_id"].tolist() == [
            f"{digest}…{name[-(200 - 9 - len(rest)) :]}{rest}"
        ]
    assert "already recorded, nothing changed" in capsys.readouterr().out


def test_theft_scores_another_run_wrote_are_refused_before_any_customer_is_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run reading no register, in the default folder of one that read a register's field
    checks, scored every customer and then was refused: the scoring went for nothing."""
    import auditkit.stats

    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))
    for name in ("AUDITKIT_DB", "AUDITKIT_RUN_DB"):
        monkeypatch.delenv(name, raising=False)
    folder = write_utility(tmp_path / "data")
    db = f"sqlite:///{tmp_path / 'register.sqlite'}"
    Register.open(db).close()
    assert main(["stats", "theft", str(folder), "--db", db]) == 0
    scored: list[str] = []
    scores = auditkit.stats.theft_scores

    def counted(*args, **options):
        scored.append("scored")
        return scores(*args, **options)

    monkeypatch.setattr(auditkit.stats, "theft_scores", counted)
    capsys.readouterr()
    assert main(["stats", "theft", str(folder)]) == 2
    assert "holds the theft scores of another run" in capsys.readouterr().err
    assert scored == []
    # near miss: the same run again is scored and replaces its own scores
    assert main(["stats", "theft", str(folder), "--db", db]) == 0
    assert scored == ["scored"]


@pytest.mark.parametrize(
    ("command", "inside"),
    [
        (["rules", "{data}", "--out", "{out}"], ""),
        (["rules", "{data}", "--out", "{out}"], "findings"),
        (["stats", "theft", "{data}", "--out", "{out}"], ""),
        (["crossaudit", "assign", "--data", "{data}", "--seed", "1", "--out", "{out}"], "x.csv"),
    ],
)
def test_an_output_inside_the_dataset_folder_is_refused_naming_out_and_the_data_still_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], inside: str
) -> None:
    from auditkit.data import load

    folder = write_utility(tmp_path / "data")
    before = sorted(path.name for path in folder.iterdir())
    out = folder / inside if inside else folder
    arguments = [part.format(data=folder, out=out) for part in command]
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "parameter '--out': expected a" in error
    assert f"outside the dataset folder {folder}" in error
    assert sorted(path.name for path in folder.iterdir()) == before
    assert len(load(folder).bills) == 12  # one household, twelve months


def test_an_output_folder_beside_the_dataset_is_written(tmp_path: Path) -> None:
    """Near miss: a sibling whose name starts like the dataset's is outside it."""
    folder = write_utility(tmp_path / "data")
    assert main(["rules", str(folder), "--out", str(tmp_path / "data-findings")]) == 0
    assert (tmp_path / "data-findings" / "findings.csv").is_file()


@pytest.mark.parametrize(
    ("command", "flag"),
    [
        (["sample", "select", "--data", "{data}", "--n", "1", "--output", "{out}"], "--output"),
        (
            [
                "crossaudit",
                "assign",
                "--districts",
                "城东,城西,城南",
                "--seed",
                "1",
                "--out",
                "{out}",
            ],
            "--out",
        ),
    ],
)
def test_a_sheet_or_round_written_into_a_dataset_folder_is_refused_naming_its_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], flag: str
) -> None:
    """Before, `sample select --data D --output D/sheet.xlsx` and `crossaudit assign --out
    D/next_round.csv` (no --data: D is known by its tables) wrote into the dataset."""
    from auditkit.data import load

    folder = write_utility(tmp_path / "data")
    before = sorted(path.name for path in folder.iterdir())
    out = folder / ("sheet.xlsx" if flag == "--output" else "next_round.csv")
    assert main([part.format(data=folder, out=out) for part in command]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"parameter '{flag}': expected a file outside" in error
    assert sorted(path.name for path in folder.iterdir()) == before
    assert len(load(folder).bills) == 12  # one household, twelve months


def test_a_round_written_beside_a_dataset_or_in_a_folder_of_other_files_is_written(
    tmp_path: Path,
) -> None:
    """Near misses: the dataset's parent, and a folder of a population table named bills.csv
    and customers_notes.txt (not every required table), are no dataset folder."""
    folder = write_utility(tmp_path / "data")
    beside = tmp_path / "next_round.csv"
    assign = ["crossaudit", "assign", "--districts", "城东,城西,城南", "--seed", "1", "--out"]
    assert main([*assign, str(beside)]) == 0 and beside.is_file()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "customers_notes.txt").write_text("x\n", encoding="utf-8")
    (notes / "bills.csv").write_text("customer_id,amount\nC1,100\n", encoding="utf-8")
    assert main([*assign, str(notes / "round.csv")]) == 0
    assert (notes / "round.csv").is_file() and folder.is_dir()


@pytest.mark.parametrize("names", ["城东,,城西", "城东,城西,", ",城东,城西", "城东, ,城西"])
def test_crossaudit_assign_refuses_an_empty_district_name_as_rules_refuses_an_empty_rule(
    capsys: pytest.CaptureFixture[str], names: str
) -> None:
    """Before, the empty item was dropped and two districts were assigned without a word."""
    assert main(["crossaudit", "assign", "--districts", names, "--seed", "1"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "parameter '--districts': expected district names " in error
    assert "none of them empty" in error


def test_crossaudit_assign_takes_names_with_spaces_around_the_commas() -> None:
    """Near miss: spaces around a name are no empty name."""
    assert main(["crossaudit", "assign", "--districts", "城东, 城西 ,城南", "--seed", "1"]) == 0
