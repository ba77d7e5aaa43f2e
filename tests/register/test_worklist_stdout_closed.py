"""`auditkit worklist` whose output nobody reads any more (`| head`) or that Ctrl-C stops once the
register has recorded its sheets as sent: every sheet recorded is put in place all the same."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from worklist_builders import finding, findings

from auditkit.cli import main
from auditkit.register import Register, worklist_sent
from auditkit.register.sheet import worklist_source


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A register holding one run of five open findings: three in 城东, two in 城西."""
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    run = findings(
        finding("E1", 500.0),
        finding("E2", 300.0),
        finding("E3", 100.0),
        finding("W1", 400.0, district="城西"),
        finding("W2", 200.0, district="城西"),
    )
    run.attrs["as_of"] = "2024-12"
    with Register.open(url) as register:
        register.record_run(run, run_id="2024-12", as_of="2024-12", district=None)
    return url


def sheets(folder: Path) -> list[Path]:
    return sorted(folder.glob("worklist-*.xlsx"))


def hidden(folder: Path) -> list[str]:
    """What a worklist left hidden in `folder`: its staged sheets (`.worklists.*.partial`)."""
    return [path.name for path in folder.iterdir() if path.name.startswith(".")]


def sent_sources(db: str) -> list[str]:
    """The worklist each `sent` event of the register names, one entry per event."""
    with Register.open(db) as register:
        trail = register.outcomes()
    assert set(trail["event"]) <= {"sent"}
    return sorted(trail["source"])


def worklist_read(db: str, out: Path, lines: int | None) -> tuple[int, str]:
    """Run `auditkit worklist` unbuffered into a pipe whose reader reads its first `lines` lines
    and then closes it (as `| head -2`; 0: before the worklist says anything; None: reads all).
    Returns the exit code and what was read."""
    argv = ["worklist", "--db", db, "--top", "10", "--out", str(out), "--sent-by", "王工"]
    worklist = subprocess.Popen(
        [sys.executable, "-u", "-m", "auditkit", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        text=True,
    )
    assert worklist.stdout is not None
    read = []
    while lines is None or len(read) < lines:
        line = worklist.stdout.readline()
        if not line:
            break
        read.append(line)
    worklist.stdout.close()
    return worklist.wait(timeout=120), "".join(read)


def test_a_worklist_whose_reader_stops_does_put_every_sheet_recorded_as_sent_in_place(
    db: str, tmp_path: Path
) -> None:
    """`auditkit worklist ... | head -2`: the line after the register's commit failed on the
    closed pipe and the clean-up removed both sheets, their 3 + 2 = 5 findings recorded as sent
    with no sheet to send (`auditkit clean --worklists` found nothing). Now both sheets are in
    place before anything is said; the exit is 141, as a tool the pipe stopped."""
    out = tmp_path / "worklists"
    code, read = worklist_read(db, out, 2)
    assert read.splitlines()[-1] == "5 chosen by revenue"
    assert code == 128 + signal.SIGPIPE
    written = sheets(out)
    assert [path.name for path in written] == ["worklist-城东.xlsx", "worklist-城西.xlsx"]
    east, west = (worklist_source(path) for path in written)
    assert sent_sources(db) == sorted([east] * 3 + [west] * 2)  # 3 + 2 = 5 sent, each on its sheet
    assert hidden(out) == []
    # near miss: read to the end, the same worklist rewrites the two sheets, records nothing more
    code, read = worklist_read(db, out, None)
    assert code == 0
    assert "0 findings recorded as sent, already recorded 5" in read
    assert sheets(out) == written and len(sent_sources(db)) == 5 and hidden(out) == []


def test_a_worklist_whose_reader_is_gone_before_anything_is_chosen_records_and_writes_nothing(
    db: str, tmp_path: Path
) -> None:
    """Near miss: the pipe closed before the first line: the worklist stops there (141), before
    any recording, so there is no sheet and no `sent` either, which is consistent."""
    out = tmp_path / "worklists"
    assert worklist_read(db, out, 0) == (128 + signal.SIGPIPE, "")
    assert not out.exists() or (sheets(out) == [] and hidden(out) == [])
    assert sent_sources(db) == []


def test_ctrl_c_just_after_the_register_recorded_the_sheets_as_sent_does_put_them_in_place(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C between the register's commit of the 5 `sent` events and the first rename: before,
    the staged sheets were removed, now the interrupt waits until both are in place (exit 130)."""
    record_sent = worklist_sent.record_sent

    def recorded_then_interrupted(*args, **kwargs) -> int:
        recorded = record_sent(*args, **kwargs)
        signal.raise_signal(signal.SIGINT)
        return recorded

    monkeypatch.setattr(worklist_sent, "record_sent", recorded_then_interrupted)
    out = tmp_path / "worklists"
    assert main(["worklist", "--db", db, "--top", "10", "--out", str(out)]) == 130
    written = sheets(out)
    assert [path.name for path in written] == ["worklist-城东.xlsx", "worklist-城西.xlsx"]
    east, west = (worklist_source(path) for path in written)
    assert sent_sources(db) == sorted([east] * 3 + [west] * 2)
    assert hidden(out) == []
