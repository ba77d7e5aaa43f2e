"""A worklist written from the API is recorded as sent as the CLI records it (one mechanism), so
the audit cycle counts the findings that went to the field."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from worklist_builders import finding, findings

from auditkit.errors import ParameterError
from auditkit.periods import today
from auditkit.register import Register, worklist_sent
from auditkit.register.decided import undecided
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


def test_a_reopened_finding_goes_out_on_a_new_worklist_and_its_new_check_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """a, sent and confirmed after the 2024-12 run, is gone in 2025-01's and found again by
    2025-02's (persisting in 2025-03's). Its worklist rows read as before (same finding, same
    figures), so the sheet had the August id: "0 recorded as sent, already recorded 1", and its
    new 误报 was refused as a change of the confirmed row. Now the occurrence (reopened_as_of
    2025-02) is part of the worklist's id: a new send, the false alarm a new event, the earlier
    confirmation kept."""
    run = findings(finding("a", 500), finding("b", 300))
    with Register.open(f"sqlite:///{tmp_path / 'register.sqlite'}") as register:
        register.record_run(run, run_id="r1", as_of="2024-12", district=None)
        monkeypatch.setattr(worklist_sent, "today", lambda: pd.Timestamp("2025-01-03"))
        first = select_worklist(register.state_of(run), by="revenue", top=1)
        path = write_worklist(first, tmp_path / "first" / "worklist-城东.xlsx", lang="zh")
        assert record_sent(register, [(path, first)], sent_by="王工") == 1
        checked = {"finding_key": first["finding_key"].iloc[0], "event": "confirmed",
                   "amount": None, "actor": "李四", "happened_at": "2025-01-10",
                   "source": worklist_source(path), "source_row": FIRST_DATA_ROW}  # fmt: skip
        register.record_outcomes(pd.DataFrame([checked]))
        register.record_run(run[run["customer_id"] != "a"], run_id="r2", as_of="2025-01",
                            district=None)  # fmt: skip
        for month in ("2025-02", "2025-03"):
            register.record_run(run, run_id=month, as_of=month, district=None)
        again = select_worklist(
            undecided(register.state_of(run), register.outcomes()), by="revenue", top=1
        )
        assert again["customer_id"].tolist() == ["a"]
        monkeypatch.setattr(worklist_sent, "today", lambda: pd.Timestamp("2025-04-03"))
        later = write_worklist(again, tmp_path / "later" / "worklist-城东.xlsx", lang="zh")
        assert worklist_source(later) != worklist_source(path)
        assert record_sent(register, [(later, again)], sent_by="王工") == 1  # before: 0
        recheck = checked | {"event": "false_alarm", "actor": "赵六",
                             "happened_at": "2025-04-07", "source": worklist_source(later)}  # fmt: skip
        assert register.record_outcomes(pd.DataFrame([recheck])).recorded == 1  # before: refused
        trail = register.outcomes(superseded=True)
        assert trail["event"].tolist() == ["sent", "confirmed", "sent", "false_alarm"]
        assert not trail["superseded"].any()  # the confirmation of the earlier occurrence stays
        # near miss: b, never reopened, written the same way keeps the id it always had
        kept = select_worklist(
            register.state_of(run[run["customer_id"] == "b"]), by="revenue", top=1
        )
        plain = kept.drop(columns=["reopened_as_of"])
        assert worklist_source(write_worklist(kept, tmp_path / "b1.xlsx")) == worklist_source(
            write_worklist(plain, tmp_path / "b2.xlsx")
        )
