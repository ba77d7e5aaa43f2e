"""Text a library caller gives the register (a run's id and district, who sent or checked a
finding, the auditing bureau, an event's source) is refused at the register's boundary as
`auditkit validate` refuses a key-like text cell, whatever path it came by; and the id a run
gets when none is given always fits the register."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from register_builders import event, events, finding, findings
from worklist_builders import finding as worklist_finding
from worklist_builders import findings as worklist_findings

from auditkit.data.column_typing import SHOWN_CHARACTERS
from auditkit.errors import ParameterError
from auditkit.register import (
    Register,
    RegisterError,
    finding_key,
    select_worklist,
    write_worklist,
)
from auditkit.register.schema import RUN_ID_LENGTH
from auditkit.register.texts import default_run_id

NO_HIDDEN = (
    "expected text without control characters (tab, line break, NUL, escape) or invisible "
    "characters (zero-width spaces, direction marks)"
)

#: A text too long shown as `shown_cell` cuts it (its first SHOWN_CHARACTERS, then its length).
CUT_ACTOR = f"{'王' * SHOWN_CHARACTERS!r}… (101 characters)"
CUT_SOURCE = f"{'s' * SHOWN_CHARACTERS!r}… (501 characters)"


@pytest.fixture
def register(database_url: str):
    with Register.open(database_url) as opened:
        yield opened


@pytest.fixture
def key(register: Register) -> str:
    """The key of the one finding recorded, for its events."""
    register.record_run(findings(finding("C1")), run_id="2024-07", as_of="2024-07", district=None)
    return finding_key("C1", "rate_mismatch", "2024-01")


def record(register: Register, run_id: str, district: str | None = None) -> None:
    given = findings(finding("C1", district=district or "north"))
    register.record_run(given, run_id=run_id, as_of="2024-07", district=district)


def test_a_run_id_with_a_line_break_is_refused_naming_the_parameter_and_records_nothing(
    register: Register,
) -> None:
    with pytest.raises(ParameterError) as refused:
        record(register, "2024-07\n城东")

    assert str(refused.value) == f"parameter 'run_id': {NO_HIDDEN}, found '2024-07\\n城东'"
    assert register.runs().empty


def test_a_run_id_of_200_characters_is_recorded_and_of_201_refused(register: Register) -> None:
    with pytest.raises(ParameterError, match="'run_id': expected at most 200 characters"):
        register.check_run(
            findings(finding("C1")), run_id="r" * 201, as_of="2024-07", district=None
        )

    record(register, "r" * 200)

    assert register.runs()["run_id"].tolist() == ["r" * 200]


def test_a_run_district_with_a_zero_width_space_is_refused(register: Register) -> None:
    with pytest.raises(ParameterError) as refused:
        record(register, "2024-07", district="城东\u200b")

    assert refused.value.name == "district"
    assert register.runs().empty


@pytest.mark.parametrize(
    ("column", "given", "expected", "found"),
    [
        ("actor", "王工\u202e", NO_HIDDEN, r"'王工\u202e'"),  # reverses the cell it is shown in
        ("actor", "王" * 101, "expected at most 100 characters", CUT_ACTOR),
        ("source", "worklist:\x1b]0;x\x07", NO_HIDDEN, r"'worklist:\x1b]0;x\x07'"),
        ("source", "s" * 501, "expected at most 500 characters", CUT_SOURCE),
        ("auditor", "城\t西", NO_HIDDEN, r"'城\t西'"),
        ("auditor", "城" * 65, "expected at most 64 characters", repr("城" * 65)),
    ],
)
def test_an_event_text_the_register_refuses_records_nothing_naming_source_row_and_column(
    register: Register, key: str, column: str, given: str, expected: str, found: str
) -> None:
    given_event = event(key) | {column: given}

    with pytest.raises(RegisterError) as refused:
        register.record_outcomes(events(given_event))

    where = f"source {given_event['source']!r} row 5: column {column!r}"
    assert refused.value.problems == [f"{where}: {expected}, found {found}"]
    assert register.outcomes(key).empty


def test_event_texts_at_their_limits_are_recorded_as_given_spaces_around_them_stripped(
    register: Register, key: str
) -> None:
    given = event(key, actor="王" * 100, source="s" * 500) | {"auditor": " " + "城" * 64 + "\t"}

    assert register.record_outcomes(events(given)).recorded == 1
    [recorded] = register.outcomes(key).to_dict("records")
    assert (recorded["actor"], recorded["source"], recorded["auditor"]) == (
        "王" * 100,
        "s" * 500,
        "城" * 64,
    )


def test_a_worklist_for_an_auditor_with_a_line_break_is_refused_before_it_is_written(
    tmp_path: Path,
) -> None:
    worklist = select_worklist(worklist_findings(worklist_finding("a", 500)), by="revenue", top=1)

    with pytest.raises(ParameterError) as refused:
        write_worklist(worklist, tmp_path / "worklist.xlsx", auditor="城西\n")

    assert str(refused.value) == f"parameter 'auditor': {NO_HIDDEN}, found '城西\\n'"
    assert not (tmp_path / "worklist.xlsx").exists()


def test_a_default_run_id_of_a_short_folder_name_is_the_name_then_the_rest() -> None:
    assert default_run_id("data", " 2025-06 城东") == "data 2025-06 城东"
    assert default_run_id("d" * 187, " 2025-06 城东") == "d" * 187 + " 2025-06 城东"  # 200


def test_a_300_character_folder_name_keeps_its_end_after_a_hash_within_200_characters() -> None:
    folder = "营销稽查导出" * 40 + "-2025-06"  # 248 characters; with the rest 300
    rest = " 2025-06 " + "城东" * 23  # 55 characters
    assert len(folder + rest) == 303

    run_id = default_run_id(folder, rest)

    digest = hashlib.sha256(folder.encode("utf-8")).hexdigest()[:8]
    assert len(run_id) == RUN_ID_LENGTH == 200
    assert run_id == f"{digest}…{folder[-136:]}{rest}"  # 8 + 1 + 136 + 55 = 200
    assert default_run_id(folder, rest) == run_id
    assert default_run_id("x" + folder[1:], rest) != run_id  # the same end, another name


def test_a_run_of_a_long_folder_name_is_recorded_under_its_cut_default_id(
    register: Register,
) -> None:
    run_id = default_run_id("d" * 300, " 2024-07 north")

    record(register, run_id, district="north")

    assert register.runs()["run_id"].tolist() == [run_id]
