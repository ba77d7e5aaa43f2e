"""`outputs/latest` is the newest good run by the time runs started, whichever finishes last."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditkit.cli import runs as runs_cli
from auditkit.pipeline import partials
from auditkit.pipeline.runs import RunOutcome, latest_run_id, point_latest

EARLIER = "20261206T080000Z-aaaaaa"  # a scheduled month, started first
LATER = "20261206T080500Z-bbbbbb"  # an analyst's run, started five minutes later


def _outputs(tmp_path: Path, *run_ids: str) -> Path:
    """An outputs folder holding run folders `run_ids` (each with its manifest)."""
    outputs = tmp_path / "outputs"
    outputs.mkdir(exist_ok=True)
    for run_id in run_ids:
        (outputs / run_id).mkdir()
        (outputs / run_id / "manifest.json").write_text("{}\n", encoding="utf-8")
    return outputs


def test_a_run_finishing_after_a_later_one_leaves_latest_on_the_later_one(tmp_path: Path):
    outputs = _outputs(tmp_path, EARLIER, LATER)
    point_latest(outputs, LATER)  # the later run finished first
    point_latest(outputs, EARLIER)
    assert latest_run_id(outputs) == LATER
    newest = "20261207T080000Z-cccccc"
    _outputs(tmp_path, newest)
    point_latest(outputs, newest)
    assert latest_run_id(outputs) == newest
    assert sorted(path.name for path in outputs.iterdir()) == [EARLIER, LATER, newest, "latest"]


@pytest.mark.parametrize(
    "pointer",
    [b"20991231T235959Z-ffffff\n", b"\xff\xfe", b"../elsewhere\n", b"interactive\n"],
    ids=["a removed run", "not UTF-8", "another place", "a folder that is no run"],
)
def test_a_pointer_naming_no_run_here_is_replaced(tmp_path: Path, pointer: bytes):
    outputs = _outputs(tmp_path, EARLIER)
    (outputs / "interactive").mkdir()  # sorts after every run id, and holds no manifest
    (outputs / "latest").write_bytes(pointer)
    point_latest(outputs, EARLIER)
    assert latest_run_id(outputs) == EARLIER


def test_outputs_that_cannot_be_opened_for_the_lock_still_get_latest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A write-only outputs folder (mode 0333) cannot be opened to lock: the run, published
    already, still moves latest (it stopped with exit 2 and an empty stdout)."""
    outputs = _outputs(tmp_path, EARLIER)

    def refused(path: object, flags: int) -> int:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(partials.os, "open", refused)
    point_latest(outputs, EARLIER)
    assert latest_run_id(outputs) == EARLIER


def test_the_lock_is_taken_without_a_file_and_without_fcntl_the_order_still_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(partials, "fcntl", None)
    outputs = _outputs(tmp_path, EARLIER, LATER)
    point_latest(outputs, LATER)
    point_latest(outputs, EARLIER)
    assert latest_run_id(outputs) == LATER


def test_the_earlier_run_says_latest_stays_on_the_later_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    outputs = _outputs(tmp_path, EARLIER, LATER)
    point_latest(outputs, LATER)
    point_latest(outputs, EARLIER)
    record = {"name": "A", "notebook": "n.ipynb", "status": "ok", "folder": "A"}
    assert runs_cli._finish(RunOutcome(outputs / EARLIER, {"notebooks": [record]}), "run") == 0
    out, err = capsys.readouterr()
    assert out == f"{outputs / EARLIER / 'index.html'}\n"
    assert (
        err
        == f"auditkit run: {outputs / 'latest'} stays on {LATER}, a run started after this one\n"
    )
    point_latest(outputs, LATER)
    assert runs_cli._finish(RunOutcome(outputs / LATER, {"notebooks": [record]}), "run") == 0
    assert capsys.readouterr().err == ""


def test_a_rerun_says_latest_stays_where_it_is_even_on_no_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    outputs = _outputs(tmp_path, EARLIER, LATER)
    record = {"name": "A", "notebook": "n.ipynb", "status": "ok", "folder": "A"}
    rerun = RunOutcome(outputs / LATER, {"notebooks": [record], "rerun_of": "/srv/o/r1"})
    assert runs_cli._finish(rerun, "rerun") == 0
    assert capsys.readouterr().err == (
        f"auditkit rerun: {outputs / 'latest'} is not set: a rerun never moves it (this one "
        "repeats /srv/o/r1)\n"
    )
    point_latest(outputs, EARLIER)
    assert runs_cli._finish(rerun, "rerun") == 0
    assert capsys.readouterr().err == (
        f"auditkit rerun: {outputs / 'latest'} stays on {EARLIER}: a rerun never moves it "
        "(this one repeats /srv/o/r1)\n"
    )


def test_runs_started_in_the_same_second_sort_by_when_they_started(tmp_path: Path):
    import datetime as dt

    from auditkit.pipeline.runs import new_run_id

    second = dt.datetime(2026, 12, 7, 10, 0, 0, tzinfo=dt.UTC)
    # The random suffix of the later run may sort first ('00000a' < 'f00000'): the time must not.
    ids = [new_run_id(second + dt.timedelta(microseconds=us)) for us in (1, 250_000, 999_999)]
    assert ids == sorted(ids) and ids[0].startswith("20261207T100000.000001Z-")
    outputs = _outputs(tmp_path, *ids)
    point_latest(outputs, ids[2])
    point_latest(outputs, ids[0])  # the first one started finishes last
    assert latest_run_id(outputs) == ids[2]


def test_an_old_run_id_of_the_same_second_is_older_than_a_new_one_whatever_the_text_says(
    tmp_path: Path,
):
    """Before, '20261207T100000Z-…' (an id of before the microsecond) sorted after
    '20261207T100000.250000Z-…' as text ('Z' > '.'): a run started in that second after an
    auditkit update left `latest` on the old one, and `clean` listed their partials out of
    order."""
    old = "20261207T100000Z-ffffff"  # started at 10:00:00 (to the second)
    new = "20261207T100000.250000Z-000000"  # started at 10:00:00.25
    outputs = _outputs(tmp_path, old, new)
    point_latest(outputs, new)
    point_latest(outputs, old)  # the old one finishes last: latest stays on the new one
    assert latest_run_id(outputs) == new
    # Near miss: an old id of the next second is later than a new id of this one.
    next_second = "20261207T100001Z-000000"
    _outputs(tmp_path, next_second)
    point_latest(outputs, next_second)
    assert latest_run_id(outputs) == next_second
    for run_id in (new, old, next_second):
        (outputs / f".{run_id}.partial").mkdir()
    assert [p.path.name for p in partials.find_partials(outputs)] == [
        f".{old}.partial",
        f".{new}.partial",
        f".{next_second}.partial",
    ]


@pytest.mark.parametrize(
    ("name", "started"),
    [
        ("20261207T100000Z-1a2b3c", "2026-12-07 10:00:00+00:00"),
        ("20261207T100000.000001Z-1a2b3c", "2026-12-07 10:00:00.000001+00:00"),
        ("20261399T100000Z-1a2b3c", None),  # digits that are no date
        ("20261207T100000Z", None),  # no suffix
        ("interactive", None),
    ],
)
def test_a_run_id_names_when_its_run_started_and_another_name_nothing(
    name: str, started: str | None
):
    from auditkit.pipeline.run_ids import run_started

    found = run_started(name)
    assert (None if found is None else str(found)) == started
