"""A worklist written from the API is recorded as sent as the CLI records it (one mechanism), so
the audit cycle counts the findings that went to the field."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from worklist_builders import finding, findings

from auditkit.errors import ParameterError
from auditkit.periods import today
from auditkit.register import Register
from auditkit.register.sheet import FIRST_DATA_ROW, worklist_source, write_worklist
from auditkit.register.worklist import select_worklist
from auditkit.register.worklist_sent import record_sent


@pytest.fixture
def register(tmp_path: Path):
    with Register.open(f"sqlite:///{tmp_path / 'register.sqlite'}") as opened:
        run = findings(finding("a", 500), finding("b", 300), finding("c", 100))
        run.attrs["as_of"] = "2024-12"
        opened.record_run(run, run_id="2024-12", as_of="2024-12", district=None)
        yield opened


def test_a_written_worklist_is_recorded_as_sent_once_per_row(register, tmp_path: Path):
    """The docs' loop (record_run → select_worklist → write_worklist) recorded no `sent`: the
    cycle read "sent to the field 0, checked 3". Now the three rows are sent, rows 1-3 of the
    sheet in revenue order (a 500, b 300, c 100), by 王工, today."""
    worklist = select_worklist(register.findings(), by="revenue", top=10)
    path = write_worklist(worklist, tmp_path / "worklist-城东.xlsx", lang="zh")
    assert record_sent(register, [(path, worklist)], sent_by="王工") == 3
    sent = register.outcomes()
    assert sent["event"].tolist() == ["sent"] * 3
    assert sent["source_row"].tolist() == [FIRST_DATA_ROW, FIRST_DATA_ROW + 1, FIRST_DATA_ROW + 2]
    assert set(sent["actor"]) == {"王工"} and set(sent["source"]) == {worklist_source(path)}
    assert set(sent["selected_by"]) == {"revenue"}
    assert pd.Timestamp(sent["happened_at"].iloc[0]).normalize() == today()
    by_key = register.findings().set_index("finding_key")["customer_id"]
    assert by_key.loc[sent["finding_key"]].tolist() == ["a", "b", "c"]
    # near miss: the same sheet written and sent again records nothing more
    write_worklist(worklist, path, lang="zh")
    assert record_sent(register, [(path, worklist)], sent_by="王工") == 0
    assert len(register.outcomes()) == 3


def test_who_sent_it_must_be_named(register, tmp_path: Path):
    worklist = select_worklist(register.findings(), by="revenue", top=1)
    path = write_worklist(worklist, tmp_path / "worklist.xlsx")
    with pytest.raises(ParameterError, match="parameter 'sent_by'"):
        record_sent(register, [(path, worklist)], sent_by=" ")
    assert register.outcomes().empty
