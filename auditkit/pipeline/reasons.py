"""Why a notebook of a run failed or timed out: kept as data, put in words where it is shown.

A job's result and its manifest record hold `reason`, the kind and its numbers
(`{"kind": "time_limit", "seconds": 1, "cell": 4}`) with the quoted detail where there is one
(the exception's own message, English by design as auditkit's errors are). The index words it in
its own language (`describe`); `error` keeps the English wording for stderr and for whatever
reads manifests by that text. A record written before `reason` existed (an older manifest, or
one edited by hand) has its English `error` read back into a reason (`reason_of`); an error that
reads as none of them is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from auditkit import i18n

#: Each kind of reason with the fields its wording needs (`pipeline.reason.<kind>`); a time limit
#: met inside a cell names it (`cell`), and a cell's error may count the problem lines it left
#: out (`more`).
KINDS: dict[str, tuple[str, ...]] = {
    "time_limit_in_cell": ("seconds", "cell"),
    "time_limit": ("seconds",),
    "cell_error": ("cell", "detail"),
    "kernel_died": ("detail",),
    "kernel_failed": ("detail",),
    "render_failed": ("detail",),
    "worker_exited": ("code",),
    "hard_limit": ("seconds",),
    "cluster_workers_died": (),
    "cluster_error": ("detail",),
    "worker_error": ("detail",),
    "inputs_changed": ("detail",),
}
#: What each field holds, as a JSON value and as written in an English error.
FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "seconds": ((int, float), r"\d+(?:\.\d+)?(?:e[+-]?\d+)?"),
    "cell": ((int,), r"\d+"),
    "code": ((int,), r"-?\d+"),
    "detail": ((str,), r".+"),
    "more": ((int,), r"\d+"),
}
_TEMPLATE_FIELD = re.compile(r"\{(\w+)(?::[^}]*)?\}")


def reason(kind: str, **fields: Any) -> dict[str, Any]:
    """A reason of `kind` (`KINDS`) with its fields: `reason("hard_limit", seconds=60)`."""
    return {"kind": kind, **fields}


def failure_fields(why: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a result records for a failure: the reason, and `error`, its English words."""
    return {"reason": dict(why), "error": describe(why, "en")}


def describe(why: Mapping[str, Any], lang: str) -> str:
    """A reason in words of `lang`: "第 4 个单元格超过 1 秒的时限", "time limit of 1 s exceeded
    in cell 4"."""
    words = i18n.text(f"pipeline.reason.{why['kind']}", lang).format(**why)
    if why.get("more"):
        words += i18n.text("pipeline.reason.more", lang).format(more=why["more"])
    return words


def reason_of(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The reason of a manifest record: its `reason` when it is one a run writes, else the one its
    English `error` words (a record from before `reason`), else none (the error is shown as it
    is)."""
    recorded = record.get("reason")
    if isinstance(recorded, Mapping) and _well_formed(recorded):
        return dict(recorded)
    error = record.get("error")
    return reason_from_error(error) if isinstance(error, str) else None


def reason_from_error(error: str) -> dict[str, Any] | None:
    """The reason an English `error` words (`describe(..., "en")`), or none."""
    more = f"(?:{_regex(i18n.text('pipeline.reason.more', 'en'))})?"
    for kind in KINDS:
        template = i18n.text(f"pipeline.reason.{kind}", "en")
        if template == "{detail}":  # a bare detail says nothing of its kind
            continue
        match = re.fullmatch(_regex(template) + more, error, re.DOTALL)
        if match:
            found = {name: text for name, text in match.groupdict().items() if text is not None}
            return reason(kind, **{name: _field(name, text) for name, text in found.items()})
    return None


def _regex(template: str) -> str:
    """A template's English words as a pattern, each field a named group (`FIELDS`); a detail
    takes as little as it can, so that a trailing "; and N more" is read as `more`."""
    parts = _TEMPLATE_FIELD.split(template)  # words, field, words, field, ... words
    return "".join(
        f"(?P<{part}>{FIELDS[part][1]}{'?' if part == 'detail' else ''})"
        if odd
        else re.escape(part)
        for odd, part in ((index % 2 == 1, part) for index, part in enumerate(parts))
    )


def _field(name: str, text: str) -> Any:
    """A field read from an error's words: numbers as numbers."""
    if name == "detail":
        return text
    return float(text) if name == "seconds" else int(text)


def _well_formed(why: Mapping[str, Any]) -> bool:
    """Whether a recorded reason is one a run writes: a known kind with its fields' types."""
    kind = why.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        return False
    for name in {*KINDS[kind], *(key for key in why if key in FIELDS)}:
        value = why.get(name)
        if isinstance(value, bool) or not isinstance(value, FIELDS[name][0]):
            return False
    return True
