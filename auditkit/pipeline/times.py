"""Times as the run index and the report frame show them: local with their zone, elapsed alike."""

from __future__ import annotations

import datetime as dt

from auditkit import formatting, i18n


def format_local_time(text: str) -> str:
    """A recorded timestamp (ISO 8601 or `YYYY-MM-DD HH:MM:SS +zzzz`) in this machine's local
    time with its zone: 2026-01-05 09:30:00 (UTC+08:00); text that is not a time is unchanged."""
    for parse in (
        dt.datetime.fromisoformat,
        lambda t: dt.datetime.strptime(t, "%Y-%m-%d %H:%M:%S %z"),
    ):
        try:
            moment = parse(text)
        except (TypeError, ValueError):
            continue
        if moment.tzinfo is None:
            return text
        local = moment.astimezone()
        offset = local.strftime("%z")
        return f"{local:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})"
    return text


def format_duration(seconds: float, lang: str) -> str:
    """Elapsed time, one format everywhere: 8.4 s, 2 min 05 s, 1 h 02 min (秒 / 分 / 小时 in zh)."""
    units = [i18n.text(f"pipeline.unit.{unit}", lang) for unit in ("seconds", "minutes", "hours")]
    if formatting.is_missing(seconds):
        return ""
    if seconds < 60:
        return f"{seconds:.1f} {units[0]}"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} {units[1]} {rest:02d} {units[0]}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} {units[2]} {minutes:02d} {units[1]}"
