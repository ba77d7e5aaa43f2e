"""`auditkit stats ...` and `auditkit crossaudit ...` on the small utility."""

from __future__ import annotations

import argparse
import re

import pandas as pd
import pytest
from stats_builders import DROP_CUSTOMER, DROP_FROM, record_false_alarm

from auditkit.cli import stats as stats_cli
from auditkit.crossaudit.assign import read_round
from auditkit.errors import AuditkitError, ParameterError
from auditkit.register.store import shown_url


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="auditkit")
    stats_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.fixture
def no_team_register(tmp_path, monkeypatch):
    """No register besides the one a test names: none in AUDITKIT_DB, the run's or outputs/."""
    for name in ("AUDITKIT_DB", "AUDITKIT_RUN_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AUDITKIT_OUTPUTS", str(tmp_path / "outputs"))


def test_theft_scores_are_written_and_printed(small_folder, tmp_path, capsys, no_team_register):
    assert run("stats", "theft", str(small_folder), "--top", "3", "--out", str(tmp_path)) == 0
    printed = capsys.readouterr().out
    assert DROP_CUSTOMER in printed.splitlines()[1]
    assert "41 customers scored, 1 above 3" in printed and "all_zero: 3" in printed
    written = pd.read_csv(tmp_path / "theft_scores.csv", encoding="utf-8-sig")
    assert len(written) == 44 and written.loc[0, "customer_id"] == DROP_CUSTOMER


def test_two_datasets_whose_folders_share_a_name_keep_their_own_theft_scores(
    small_folder, tmp_path, capsys, no_team_register
):
    import shutil

    twins = [tmp_path / city / "data" for city in ("cityA", "cityB")]
    for twin in twins:
        shutil.copytree(small_folder, twin)
        assert run("stats", "theft", str(twin), "--top", "1") == 0
    written = sorted((tmp_path / "outputs" / "stats").glob("data-*/theft-monthly-*"))
    assert len(written) == 2 and written[0].parent != written[1].parent
    assert all((folder / "theft_scores.csv").is_file() for folder in written)


def test_theft_reads_the_registers_false_alarm_on_the_drop(
    small_folder, tmp_path, capsys, no_team_register
):
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    record_false_alarm(url, DROP_CUSTOMER, "甲", DROP_FROM, "2024-08-12")
    assert run("stats", "theft", str(small_folder), "--out", str(tmp_path), "--db", url) == 0
    printed = capsys.readouterr().out
    assert "40 customers scored, 0 above 3" in printed
    assert "1 explained by a work order or a field check (ranked last)" in printed
    written = pd.read_csv(tmp_path / "theft_scores.csv", encoding="utf-8-sig")
    row = written.set_index("customer_id").loc[DROP_CUSTOMER]
    assert (row["status"], row["explained_by"], row["explained_at"]) == (
        "explained",
        "field_check",
        "2024-08-12",
    )
    # --district is the dataset's: one of its districts the register knows nothing of is read
    # as without field checks, not refused as a typo would be from a notebook
    yi = ["--district", "乙", "--out", str(tmp_path / "yi"), "--db", url]
    assert run("stats", "theft", str(small_folder), *yi) == 0


def test_benford_per_district(small_folder, capsys):
    assert run("stats", "benford", str(small_folder), "--test", "first", "--as-of", "2024-06") == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Benford first test of bill amounts, 2023-07 to 2024-06")
    assert "no amount >= 10" in printed  # district 丙 bills zero
    for months in ("0", "-3"):  # an empty window under a backwards heading, before
        with pytest.raises(
            AuditkitError,
            match=rf"'--months': expected a number of months from 1 to 600, found {months}",
        ):
            run("stats", "benford", str(small_folder), "--months", months)


@pytest.mark.parametrize("command", ["theft", "benford"])
def test_a_district_the_data_does_not_hold_is_refused_naming_the_flag(
    small_folder, tmp_path, command: str
):
    out = ["--out", str(tmp_path)] if command == "theft" else []
    with pytest.raises(ParameterError) as caught:
        run("stats", command, str(small_folder), "--district", "无此区", *out)
    assert caught.value.name == "--district"
    assert str(caught.value).endswith("found '无此区'")


@pytest.mark.parametrize("later", ["2025-01", "2030-01"])
def test_benford_as_of_after_the_last_bill_is_refused_as_the_flag_as_rules_refuse_it(
    small_folder, capsys, later
):
    """Not a window of months without bills tested as if whole, nor pandas' "Empty DataFrame"."""
    with pytest.raises(
        AuditkitError,
        match=rf"^parameter '--as-of': expected a month within the bills' periods "
        rf"2022-01\.\.2024-12, found '{later}'$",
    ):
        run("stats", "benford", str(small_folder), "--as-of", later)
    assert capsys.readouterr().out == ""


def test_benford_window_reaching_before_the_first_bill_says_how_many_months_it_holds(
    small_folder, capsys
):
    assert run("stats", "benford", str(small_folder), "--as-of", "2022-06") == 0
    assert capsys.readouterr().out.startswith(
        "Benford first_two test of bill amounts, 2022-01 to 2022-06 (6 of the 12 months asked: "
        "the bills begin there)\n"
    )


def test_assign_from_names_and_from_the_data(small_folder, tmp_path, capsys):
    out = tmp_path / "round.csv"
    assert (
        run("crossaudit", "assign", "--districts", "A,B,C,D", "--seed", "2", "--out", str(out)) == 0
    )
    first = pd.read_csv(out, encoding="utf-8-sig")
    assert sorted(first["audited_district"]) == ["A", "B", "C", "D"]
    capacity = tmp_path / "capacity.yaml"
    capacity.write_text("甲: 3\n乙: 1\n丙: 1\n丁: 1\n", encoding="utf-8")
    assert (
        run(
            "crossaudit",
            "assign",
            "--data",
            str(small_folder),
            "--seed",
            "1",
            "--capacity",
            str(capacity),
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "capacity_share" in printed
    # 甲 (capacity 3 of 6) audits more than one district: listed as text, not a Python list.
    assert "[" not in printed.split("capacity_share", 1)[1]
    assert re.search(r"甲\s+[乙丙丁], [乙丙丁]", printed)
    capacity.write_text("甲: abc\n乙: 1\n", encoding="utf-8")
    flags = ["--data", str(small_folder), "--seed", "1", "--capacity", str(capacity)]
    with pytest.raises(AuditkitError, match=r"'--capacity 甲': expected a number ≥ 0.*'abc'"):
        run("crossaudit", "assign", *flags)
    with pytest.raises(
        AuditkitError, match=r"'--seed': expected a whole number from 0 to 2\^64 − 1"
    ):
        run("crossaudit", "assign", "--districts", "A,B,C", "--seed", "-1")
    with pytest.raises(AuditkitError, match=r"'--districts': expected distinct .*'A given twice'$"):
        run("crossaudit", "assign", "--districts", "A,A,B", "--seed", "1")
    with pytest.raises(AuditkitError, match="audits each other"):
        run("crossaudit", "assign", "--districts", "A,B", "--seed", "1")


def test_a_round_written_with_formula_like_names_is_read_back_as_the_next_ones_previous(
    tmp_path,
):
    """`--out` writes `'=A` for a district named `=A`: read as `--previous` it is `=A` again,
    so the next round does not repeat its pairs."""
    names = "=A,+B,-C,@D,'E"
    first = tmp_path / "first.csv"
    assert (
        run("crossaudit", "assign", "--districts", names, "--seed", "1", "--out", str(first)) == 0
    )
    second = tmp_path / "second.csv"
    flags = ["--districts", names, "--seed", "2", "--previous", str(first), "--out", str(second)]
    assert run("crossaudit", "assign", *flags) == 0
    pairs = [read_round(path).itertuples(index=False, name=None) for path in (first, second)]
    first_pairs, second_pairs = (set(round_pairs) for round_pairs in pairs)
    assert {district for pair in first_pairs for district in pair} == set(names.split(","))
    assert len(second_pairs) == 5 and not first_pairs & second_pairs


def test_a_previous_round_or_capacity_naming_an_unknown_district_is_refused_as_its_flag(
    tmp_path,
):
    previous = tmp_path / "previous.csv"
    previous.write_text("auditing_district,audited_district\nA,B\nB,C\nC区,A\n", encoding="gbk")
    flags = ["--districts", "A,B,C,D", "--seed", "1"]
    with pytest.raises(AuditkitError) as caught:
        run("crossaudit", "assign", *flags, "--previous", str(previous))
    assert str(caught.value) == (  # the district as typed, not a Python list ['C区']
        "previous.csv row 4, column auditing_district: expected one of the districts A, B, C, D "
        "(a district no longer audited: remove its rows), found 'C区'"
    )
    previous.write_text("auditing_district,audited_district\nA,E\nC区,A\n", encoding="utf-8")
    with pytest.raises(AuditkitError) as caught:
        run("crossaudit", "assign", *flags, "--previous", str(previous))
    assert str(caught.value) == (  # the first cell at fault named, every other name listed
        "previous.csv row 2, column audited_district: expected one of the districts A, B, C, D "
        "(a district no longer audited: remove its rows; also unknown: 'C区'), found 'E'"
    )
    previous.write_text("auditing_district,audited_district\nA,B\n,A\n", encoding="utf-8")
    with pytest.raises(AuditkitError, match=r"^previous.csv row 3, column auditing_district: .*"):
        run("crossaudit", "assign", *flags, "--previous", str(previous))
    previous.write_text("auditing_district,audited\nA,B\n", encoding="utf-8")
    with pytest.raises(AuditkitError) as caught:
        run("crossaudit", "assign", *flags, "--previous", str(previous))
    assert str(caught.value) == (
        "previous.csv: expected a last round's assignment, with columns "
        "auditing_district, audited_district, found no column audited_district"
    )
    previous.write_bytes(b"auditing_district,audited_district\nA,B,C\n")
    with pytest.raises(AuditkitError, match=r"previous.csv row 2: expected at most 2 fields"):
        run("crossaudit", "assign", *flags, "--previous", str(previous))
    capacity = tmp_path / "capacity.yaml"
    capacity.write_text("A: 1\nE: 1\n", encoding="utf-8")
    with pytest.raises(AuditkitError, match=r"'--capacity': expected capacities of the districts"):
        run("crossaudit", "assign", *flags, "--capacity", str(capacity))


def test_capacity_keys_are_district_names_as_written_not_yaml_numbers(tmp_path, capsys):
    """`010:` names the district 010 (YAML 1.1 would read 8) and `no:` the district no."""
    capacity = tmp_path / "capacity.yaml"
    capacity.write_text("010: 2\nno: 1\n'7': 1\n", encoding="utf-8")
    flags = ["--districts", "010,no,7", "--seed", "1", "--capacity", str(capacity)]
    assert run("crossaudit", "assign", *flags) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^\s*010\s+\S+\s+1\.0\s+0\.333333\s+0\.50$", printed, re.MULTILINE)


def test_compare_prints_conclusions(small_folder, capsys):
    assert run("crossaudit", "compare", str(small_folder), "--lang", "en") == 0
    printed = capsys.readouterr().out
    assert "- 甲 (by field inspections): self-audits found errors in 10.0%" in printed
    # The report's table, in the language asked: not the raw frame's column names and floats.
    assert "Self-audits under-report" in printed and "self_value_per_inspection" not in printed


def test_an_assignment_csv_keeps_formula_like_district_names_as_text(tmp_path):
    out = tmp_path / "round.csv"
    names = "=SUM(1+2),B,C,@D"
    assert run("crossaudit", "assign", "--districts", names, "--seed", "2", "--out", str(out)) == 0
    written = pd.read_csv(out, encoding="utf-8-sig")
    assert sorted(written["audited_district"]) == ["'=SUM(1+2)", "'@D", "B", "C"]


def test_theft_as_of_after_the_last_bill_is_named_as_the_flag_not_a_linear_algebra_error(
    small_folder, small_tables, tmp_path
):
    first, last = small_tables["bills"]["period"].agg(["min", "max"])
    later = str(pd.Period(last, freq="M") + 1)
    with pytest.raises(
        AuditkitError,
        match=rf"'--as-of': expected a month from {first} to {last} \(the months the reads cover\), "
        rf"found '{later}'",
    ):
        run("stats", "theft", str(small_folder), "--as-of", later, "--out", str(tmp_path))
    assert not any(tmp_path.iterdir())  # nothing written


def test_theft_with_a_register_reads_the_decisions_up_to_as_of_and_names_a_bad_one(
    small_folder, tmp_path, no_team_register
):
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    record_false_alarm(url, DROP_CUSTOMER, "甲", DROP_FROM, "2024-10-05")
    for register in ([], ["--db", url]):  # refused alike, with a register and without
        with pytest.raises(AuditkitError, match="'--as-of': expected a month YYYY-MM or a date"):
            run("stats", "theft", str(small_folder), *register, "--as-of", "2024-13")
    missing = f"sqlite:///{tmp_path / 'typo.sqlite'}"
    with pytest.raises(AuditkitError, match="'--db': expected an existing register"):
        run("stats", "theft", str(small_folder), "--db", missing)
    assert not (tmp_path / "typo.sqlite").exists()
    statuses = {}
    for as_of in ("2024-09", "2024-10"):  # before the visit, and the month of it
        out = tmp_path / as_of
        assert run("stats", "theft", str(small_folder), "--db", url, "--as-of", as_of,
                   "--out", str(out)) == 0  # fmt: skip
        written = pd.read_csv(out / "theft_scores.csv", encoding="utf-8-sig")
        statuses[as_of] = written.set_index("customer_id").loc[DROP_CUSTOMER, "status"]
    assert statuses == {"2024-09": "scored", "2024-10": "explained"}


def test_an_out_that_is_a_file_is_one_line_naming_it_and_the_file_is_kept(
    small_folder, tmp_path, capsys, no_team_register
):
    from auditkit.cli import main

    taken = tmp_path / "notes.txt"
    taken.write_text("kept", encoding="utf-8")
    assert main(["stats", "theft", str(small_folder), "--out", str(taken)]) == 2
    error = capsys.readouterr().err.strip()
    assert error == (  # said before the scoring, not as the file system's "File exists" after
        "auditkit stats theft: error: parameter '--out': expected a folder for "
        f"theft_scores.parquet and theft_scores.csv, found '{taken}, a file'"
    )
    assert taken.read_text(encoding="utf-8") == "kept"


def test_theft_scores_of_each_month_keep_their_own_folder(small_folder, tmp_path, no_team_register):
    for month in ("2024-06", "2024-12"):
        assert run("stats", "theft", str(small_folder), "--as-of", month) == 0
    from auditkit.paths import dataset_output_name

    folder = tmp_path / "outputs" / "stats" / dataset_output_name(small_folder, None)
    assert sorted(path.name for path in folder.iterdir()) == [
        "theft-monthly-2024-06",
        "theft-monthly-2024-12",
    ]


def test_theft_top_must_be_a_whole_number_of_at_least_one(small_folder):
    with pytest.raises(ParameterError, match=r"'--top': expected a whole number ≥ 1, found -1"):
        run("stats", "theft", str(small_folder), "--top", "-1")


def test_assign_writes_over_its_own_output_only(tmp_path):
    """--out replaced any file: the last round read as --previous, or a file of notes."""
    first, notes = tmp_path / "round1.csv", tmp_path / "notes.txt"
    flags = ["--districts", "A,B,C,D", "--out", str(first)]
    assert run("crossaudit", "assign", *flags, "--seed", "1") == 0
    written = first.read_bytes()
    assert run("crossaudit", "assign", *flags, "--seed", "1") == 0  # the same run again
    assert first.read_bytes() == written
    with pytest.raises(AuditkitError) as caught:
        run("crossaudit", "assign", *flags, "--seed", "2", "--previous", str(first))
    assert str(caught.value) == (
        "parameter '--out': expected a new CSV file or an assignment this command wrote, not "
        f"the last round read (--previous), found {str(first)!r}"
    )
    notes.write_text("auditors: call 王 first\n", encoding="utf-8")
    with pytest.raises(AuditkitError, match=r"\(another file is not replaced\), found '.*notes"):
        run("crossaudit", "assign", "--districts", "A,B,C,D", "--seed", "1", "--out", str(notes))
    with pytest.raises(AuditkitError, match=r"wrote, not a folder, found"):
        run("crossaudit", "assign", "--districts", "A,B,C,D", "--seed", "1", "--out", str(tmp_path))
    assert first.read_bytes() == written
    assert notes.read_text(encoding="utf-8") == "auditors: call 王 first\n"


def test_a_last_round_in_which_a_district_audits_itself_is_refused_naming_the_row(tmp_path):
    previous = tmp_path / "previous.csv"
    previous.write_text("auditing_district,audited_district\nA,B\nC,C\n", encoding="utf-8")
    with pytest.raises(AuditkitError) as caught:
        run("crossaudit", "assign", "--districts", "A,B,C,D", "--seed", "1", "--previous",
            str(previous))  # fmt: skip
    assert str(caught.value) == (
        "previous.csv row 3, column audited_district: expected a district other than its auditor "
        "(a round has no self-audits: a row naming one district twice is a typing slip), found 'C'"
    )


def test_theft_scores_of_another_register_do_not_replace_the_default_folders_unasked(
    small_folder, tmp_path, capsys, no_team_register
):
    """Before, a run reading no register replaced the scores a run with --db had written (its
    field check explaining the drop of DROP_CUSTOMER) in the same default folder without a
    word: 1 explained became 0."""
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    record_false_alarm(url, DROP_CUSTOMER, "甲", DROP_FROM, "2024-08-12")
    assert run("stats", "theft", str(small_folder), "--db", url) == 0
    (folder,) = (tmp_path / "outputs" / "stats").glob("*/theft-monthly-*")
    with_checks = (folder / "theft_scores.csv").read_bytes()
    capsys.readouterr()
    with pytest.raises(AuditkitError) as refused:
        run("stats", "theft", str(small_folder))
    assert str(refused.value) == (
        f"{folder}: holds the theft scores of another run (field checks of {shown_url(url)}), "
        "which this "
        "run (no register) would replace: --replace replaces them, --out DIR writes this "
        "run's elsewhere"
    )
    assert (folder / "theft_scores.csv").read_bytes() == with_checks
    # Near misses: the same run again replaces its own scores; --out writes elsewhere.
    assert run("stats", "theft", str(small_folder), "--db", url) == 0
    assert run("stats", "theft", str(small_folder), "--out", str(tmp_path / "elsewhere")) == 0
    assert not (tmp_path / "elsewhere" / "run.json").exists()
    # Asked for: replaced, and the run with the register is then the one refused.
    assert run("stats", "theft", str(small_folder), "--replace") == 0
    assert "0 explained" in capsys.readouterr().out
    with pytest.raises(AuditkitError, match="holds the theft scores of another run"):
        run("stats", "theft", str(small_folder), "--db", url)
