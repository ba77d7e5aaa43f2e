"""Why a notebook failed or timed out: recorded as a kind with its numbers, worded where shown."""

from __future__ import annotations

import pytest

from auditkit.pipeline.reasons import KINDS, describe, failure_fields, reason, reason_from_error

EXAMPLES = {
    "time_limit_in_cell": reason("time_limit_in_cell", seconds=1.0, cell=4),
    "time_limit": reason("time_limit", seconds=1800.0),
    "cell_error": reason("cell_error", cell=5, detail="ParameterError: parameter 'n': a: b; c"),
    "kernel_died": reason("kernel_died", detail="Kernel died before replying to kernel_info"),
    "kernel_failed": reason("kernel_failed", detail="RuntimeError: Kernel didn't respond"),
    "render_failed": reason("render_failed", detail="TypeError: bad"),
    "worker_exited": reason("worker_exited", code=-9),
    "hard_limit": reason("hard_limit", seconds=1860.0),
    "cluster_workers_died": reason("cluster_workers_died"),
    "cluster_error": reason("cluster_error", detail="OSError: gone"),
    "worker_error": reason("worker_error", detail="KeyError: 'spec'"),
    "inputs_changed": reason("inputs_changed", detail="/data/work_orders.parquet: changed"),
}


def test_every_kind_has_an_example() -> None:
    assert set(EXAMPLES) == set(KINDS)


def test_the_english_error_is_worded_as_runs_always_wrote_it() -> None:
    assert failure_fields(EXAMPLES["time_limit_in_cell"]) == {
        "reason": {"kind": "time_limit_in_cell", "seconds": 1.0, "cell": 4},
        "error": "time limit of 1 s exceeded in cell 4",
    }
    more = EXAMPLES["cell_error"] | {"more": 3}
    assert describe(more, "en") == "cell 5: ParameterError: parameter 'n': a: b; c; and 3 more"
    assert describe(EXAMPLES["hard_limit"], "en") == "killed after 1860 s (hard time limit)"
    assert describe(EXAMPLES["worker_exited"], "en") == (
        "worker exited with code -9 without a result"
    )


@pytest.mark.parametrize("kind", sorted(set(KINDS) - {"kernel_failed", "worker_error"}))
def test_an_english_error_reads_back_as_its_reason(kind: str) -> None:
    """An older manifest holds only the English error: it gives back the kind and numbers."""
    assert reason_from_error(describe(EXAMPLES[kind], "en")) == EXAMPLES[kind]
    more = EXAMPLES[kind] | {"more": 2}
    if "detail" in EXAMPLES[kind]:
        assert reason_from_error(describe(more, "en")) == more


def test_a_bare_exception_reads_as_no_reason() -> None:
    """Near miss: the kinds worded as the exception alone say nothing of what failed."""
    assert reason_from_error("RuntimeError: Kernel didn't respond") is None
    assert reason_from_error("time limit of a while exceeded") is None
    assert reason_from_error("") is None


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_reason_is_worded_in_chinese_without_english_framing(kind: str) -> None:
    words = describe(EXAMPLES[kind], "zh")
    detail = str(EXAMPLES[kind].get("detail", ""))
    leftover = words.replace(detail, "")
    assert leftover and not any(word in leftover for word in ("cell", "time", "killed", "worker"))
