"""One rule for a reopened finding's verdict, read alike by every reader: the worklist
(`undecided`), the audit-cycle report (`study_of_register`) and "since last month" leave aside a
verdict dated before the cycle of the finding's latest reopening, and keep it for the months
before that reopening.

| finding | found | what happened |
|---|---|---|
| X | 08, gone in 09, reopened in 10, persisting in 11 | sent 09-03, confirmed 09-10 |
| Y (near miss) | 08..11 | sent 09-03, confirmed 09-10 |
"""

from __future__ import annotations

import pandas as pd
import pytest

from auditkit.audit.since import since_last_month
from auditkit.cycle import study_of_register
from auditkit.register import Register, finding_key
from auditkit.register.decided import undecided
from auditkit.rules import FINDING_COLUMNS

FOUND = {"X": ("2026-08", "2026-10", "2026-11"), "Y": ("2026-08", "2026-09", "2026-10", "2026-11")}


def run_findings(month: str) -> pd.DataFrame:
    """The findings a run of `month` found (north, rate_mismatch since 2026-06), as
    `auditkit.rules.run` returns them."""
    rows = [
        {"rule_id": "rate_mismatch", "area": "tariff", "severity": "medium",
         "customer_id": f"C-{name}", "district": "north", "period_from": "2026-06",
         "period_to": month, "evidence": "hand-made", "revenue_impact": 100.0,
         "revenue_kind": "proved", "penalty": 0.0, "score": 0.5, "evidence_code": "[]"}
        for name, months in FOUND.items()
        if month in months
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    frame.attrs["as_of"] = month
    return frame


def key(name: str) -> str:
    return finding_key(f"C-{name}", "rate_mismatch", "2026-06")


@pytest.fixture
def register(tmp_path) -> Register:
    with Register.open(f"sqlite:///{tmp_path / 'register.sqlite'}") as opened:
        for month in ("2026-08", "2026-09", "2026-10", "2026-11"):
            opened.record_run(run_findings(month), run_id=f"run {month}", as_of=month,
                              district=None)  # fmt: skip
        events = [
            (key(name), event, day)
            for name in "XY"
            for event, day in (("sent", "2026-09-03"), ("confirmed", "2026-09-10"))
        ]
        trail = pd.DataFrame(events, columns=["finding_key", "event", "happened_at"])
        opened.record_outcomes(
            trail.assign(amount=None, actor="王工", source="hand", source_row=range(1, 5))
        )
        yield opened


def test_a_reopened_finding_confirmed_before_its_reopening_is_undecided_in_every_reader(register):
    # worklist after the 2026-11 run: X goes out again, Y (never reopened) stays decided
    open_now = undecided(register.state_of(run_findings("2026-11")), register.outcomes())
    assert open_now["customer_id"].tolist() == ["C-X"]
    # audit-cycle report of 2026-11: X was found and sent, its 09-10 verdict is on the earlier
    # occurrence, so it awaits a check (before: confirmed, awaiting rectification with Y)
    november = study_of_register(register, as_of="2026-11", months=1).states
    states = november.set_index("customer_id")
    assert pd.isna(states.loc["C-X", "decision"])
    assert states["awaiting_check"].to_dict() == {"C-X": True, "C-Y": False}
    assert states["awaiting_rectification"].to_dict() == {"C-X": False, "C-Y": True}
    # "since last month" of 2026-12 (previous run 2026-11, after X's reopening in 2026-10):
    # 1 confirmed (Y) and 1 still open (X, sent); before: 2 confirmed, 0 still open
    december = run_findings("2026-11")
    december.attrs["as_of"] = "2026-12"
    figures = since_last_month(december, "north", register).summary()
    assert (figures["confirmed"], figures["still_open"]) == (1, 1)


def test_a_verdict_before_the_reopening_still_counts_for_the_months_before_it(register):
    august = study_of_register(register, as_of="2026-08", months=1).states
    # both confirmed on 09-10, in 2026-08's cycle: checked 2, confirmed 2, as before X reopened
    assert august.set_index("customer_id")["confirmed"].to_dict() == {"C-X": True, "C-Y": True}
    # near miss: the cut-off is the reopening's month (2026-10), not any later month found
    october = study_of_register(register, as_of="2026-10", months=1).states
    assert october.set_index("customer_id")["awaiting_check"].to_dict() == {
        "C-X": True,
        "C-Y": False,
    }
