"""Times in the run index and the report frame."""

from __future__ import annotations

from auditkit.pipeline import times


def test_durations_share_one_format() -> None:
    assert times.format_duration(8.44, "en") == "8.4 s"
    assert times.format_duration(125, "zh") == "2 分 05 秒"
    assert times.format_duration(3725, "en") == "1 h 02 min"


def test_recorded_times_are_shown_in_local_time_with_their_zone() -> None:
    import datetime as dt

    local = dt.datetime(2026, 1, 5, 1, 30, tzinfo=dt.UTC).astimezone()
    offset = local.strftime("%z")
    expected = f"{local:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})"
    assert times.format_local_time("2026-01-05T01:30:00+00:00") == expected
    assert times.format_local_time("2026-01-05 01:30:00 +0000") == expected
    assert times.format_local_time("not a time") == "not a time"
