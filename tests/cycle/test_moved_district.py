"""A customer moved to another district: each window credits a finding's work to the district
the finding had in the window's last recorded month, so a later move leaves a past window's
bureau figures as they were (cycle_builders' register, F1 moved from north to south by a 2024-04
run)."""

from __future__ import annotations

import pandas as pd
from cycle_builders import key, run_findings, write_register

from auditkit.cycle import study_of_register
from auditkit.register import Register

SHOWN = ["district", "found", "issued", "checked", "confirmed", "false_alarms", "rectified",
         "recovered_proved"]  # fmt: skip


def record_the_move(register: Register) -> None:
    """A 2024-04 run finding 2024-03's findings again, F1's customer now in south."""
    april = run_findings("2024-03").assign(period_to="2024-04")
    april.loc[april["customer_id"] == "C-F1", "district"] = "south"
    april.attrs["as_of"] = "2024-04"
    register.record_run(april, run_id="run 2024-04", as_of="2024-04", district=None)


def test_a_customer_moved_later_leaves_a_past_windows_bureau_figures_as_they_were(tmp_path):
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    write_register(url)
    with Register.open(url) as register:
        before = study_of_register(register, as_of="2024-02", months=1).by_district[SHOWN]
        record_the_move(register)
        after = study_of_register(register, as_of="2024-02", months=1)
    # The cycle of 2024-02 runs 2024-03-01..03-31. North: F1 (confirmed 03-05, rectified
    # 03-15, recovered 600 on 03-20; sent 02-20, before the window) and F2 (sent 03-02, false
    # alarm 03-10: its 04-02 correction is after the window), both found by the 2024-02 run.
    # South: F6 (found; sent 03-03, its latest verdict in the window north's confirmation of
    # 03-25), F7 (confirmed 03-28 by north's cross-audit, not found by the 2024-02 run) and F5
    # (confirmed 02-05, before the window; rectified 03-10 and recovered 800 on 03-12).
    assert after.by_district[SHOWN].values.tolist() == [
        ["north", 2, 1, 2, 1, 1, 1, 600.0],
        ["south", 1, 1, 2, 2, 0, 1, 800.0],
    ]
    pd.testing.assert_frame_equal(after.by_district[SHOWN], before)
    assert after.states.set_index("finding_key").loc[key("F1"), "district"] == "north"


def test_a_window_ending_after_the_move_credits_the_finding_to_its_new_district(tmp_path):
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    write_register(url)
    with Register.open(url) as register:
        record_the_move(register)
        april = study_of_register(register, as_of="2024-04", months=1)
    # the 2024-04 run found F1..F4 and F6..F8 again: F1 is south's now
    assert april.by_district.set_index("district")["found"].to_dict() == {"north": 3, "south": 4}
    assert april.states.set_index("finding_key").loc[key("F1"), "district"] == "south"
