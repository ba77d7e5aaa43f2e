"""Found and the backlog (awaiting check, awaiting rectification) of a window: counted from the
months the runs actually found each finding, and only for findings the window found or sent."""

from __future__ import annotations

import pandas as pd
from cycle_builders import RECORDED, key, outcomes_frame, run_findings

from auditkit.cycle import study_of_register
from auditkit.cycle.evaluate import finding_states, summarize, window_events
from auditkit.cycle.window import cycle_window
from auditkit.register import Register

MONTHS = ("2026-08", "2026-09", "2026-10")


def finding(name: str, first: str, last: str) -> dict:
    """A finding of 城西 as `Register.findings` gives it, first and last found as given."""
    return {"finding_key": name, "customer_id": f"C-{name}", "rule_id": "multiplier_mismatch",
            "district": "城西", "revenue_impact": 100.0, "revenue_kind": "proved",
            "first_as_of": first, "last_as_of": last}  # fmt: skip


def events(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Outcome events (finding, event, day) in the order they happened."""
    frame = pd.DataFrame(rows, columns=["finding_key", "event", "happened_at"])
    return frame.assign(
        amount=float("nan"), happened_at=pd.to_datetime(frame["happened_at"]), auditor=None,
        selected_by=None,
    )  # fmt: skip


def found_in(**months: tuple[str, ...]) -> pd.DataFrame:
    """The months each finding's runs found it."""
    rows = [(name, month) for name, found in months.items() for month in found]
    return pd.DataFrame(rows, columns=["finding_key", "as_of"])


def states(findings: list[dict], trail: pd.DataFrame, found: pd.DataFrame, **window: object):
    chosen = cycle_window(MONTHS, **window)
    return finding_states(pd.DataFrame(findings), window_events(trail, chosen), chosen, found)


def test_a_finding_gone_in_a_months_run_is_not_found_in_that_months_window():
    findings = [finding("A", "2026-08", "2026-10"), finding("B", "2026-08", "2026-10")]
    # A gone in the 2026-09 run and reopened by 2026-10's; B found every month
    found = found_in(A=("2026-08", "2026-10"), B=MONTHS)
    trail = events(("A", "sent", "2026-10-05"), ("B", "sent", "2026-10-05"))  # both in 09's cycle
    september = states(findings, trail, found, as_of="2026-09", months=1).set_index("finding_key")
    assert september["found"].to_dict() == {"A": False, "B": True}  # found 1, not 2
    assert september["issued"].all()
    both = states(findings, trail, found, as_of="2026-09", months=2).set_index("finding_key")
    assert both["found"].to_dict() == {"A": True, "B": True}  # A found by 2026-08's run


def test_a_finding_neither_found_nor_sent_in_the_window_is_not_in_its_backlog():
    findings = [
        finding("K", "2026-08", "2026-08"),  # archive corrected, gone since 2026-09
        finding("P", "2026-08", "2026-08"),  # sent, never checked, gone since 2026-09
        finding("Q", "2026-08", "2026-10"),  # sent, never checked, still found
        finding("R", "2026-08", "2026-10"),  # confirmed, not rectified, still found
        finding("S", "2026-08", "2026-10"),  # archive corrected, yet still found
    ]
    found = found_in(K=("2026-08",), P=("2026-08",), Q=MONTHS, R=MONTHS, S=MONTHS)
    trail = events(
        *((name, "sent", "2026-09-03") for name in "KPQRS"),
        ("K", "archive_corrected", "2026-09-07"),
        ("S", "archive_corrected", "2026-09-07"),
        ("R", "confirmed", "2026-09-10"),
    )
    october = states(findings, trail, found, as_of="2026-10", months=1)
    assert sorted(october["finding_key"]) == ["Q", "R", "S"]  # K and P: neither found nor sent
    counts = summarize(october, []).iloc[0]
    assert counts["awaiting_check"] == 1  # Q (P no longer counts: 2 before)
    assert counts["awaiting_rectification"] == 2  # R and S (K no longer counts: 3 before)


def test_an_archive_corrected_finding_no_longer_found_is_not_awaiting_rectification():
    findings = [finding("T", "2026-08", "2026-09"), finding("S", "2026-08", "2026-10")]
    found = found_in(T=("2026-08", "2026-09"), S=MONTHS)  # T gone in the 2026-10 run
    trail = events(
        ("T", "sent", "2026-09-03"),
        ("S", "sent", "2026-09-03"),
        ("T", "archive_corrected", "2026-10-07"),
        ("S", "archive_corrected", "2026-10-07"),  # corrected, but the 2026-10 run finds it
    )
    window = states(findings, trail, found, as_of="2026-10", months=2).set_index("finding_key")
    assert window["found"].all() and window["confirmed"].all()  # both checked in the window
    assert window["awaiting_rectification"].to_dict() == {"T": False, "S": True}


def test_a_register_study_counts_found_by_what_each_months_run_found(tmp_path):
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    with Register.open(url) as register:
        for month in RECORDED:  # F1 (north) is gone in the 2024-02 run, found again in 2024-03
            found = run_findings(month)
            if month == "2024-02":
                found = found[found["customer_id"] != "C-F1"]
            register.record_run(found, run_id=f"run {month}", as_of=month, district=None)
        register.record_outcomes(
            outcomes_frame().assign(
                actor="王工", source="hand", source_row=range(1, len(outcomes_frame()) + 1),
                happened_at=lambda frame: frame["happened_at"].dt.strftime("%Y-%m-%d"),
            )
        )  # fmt: skip
        study = study_of_register(register, as_of="2024-02", months=1)
    states = study.states.set_index("finding_key")
    # F1 is not found, but checked in the window all the same (confirmed 03-05)
    assert not states.loc[key("F1"), "found"] and states.loc[key("F1"), "confirmed"]
    # the 2024-02 run found F2 (north) and F6 (south): 1 each (north was 2 with F1)
    assert study.by_district.set_index("district")["found"].to_dict() == {"north": 1, "south": 1}
