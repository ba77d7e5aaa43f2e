"""A customer moved to another district: each window credits a finding's work to the district
the finding had in the window's last recorded month, so a later move leaves a past window's
bureau figures as they were (cycle_builders' register, F1 moved from north to south by a 2024-04
run)."""

from __future__ import annotations

import pandas as pd
from cycle_builders import key, run_findings, write_register

from auditkit.audit.since import since_last_month
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


def april_findings(district: str) -> pd.DataFrame:
    """The district's findings of the 2024-04 run (`record_the_move`), as its report has them."""
    april = run_findings("2024-03").assign(period_to="2024-04")
    april.loc[april["customer_id"] == "C-F1", "district"] = "south"
    april = april[april["district"] == district].reset_index(drop=True)
    april.attrs["as_of"] = "2024-04"
    return april


def test_the_month_of_a_move_shows_the_finding_moved_out_of_its_old_district_and_into_its_new(
    tmp_path,
):
    """F1 showed as persisting in south and vanished from north's changes, as if fixed there."""
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    write_register(url)
    with Register.open(url) as register:
        record_the_move(register)
        north, south = (register.run_changes("2024-04", d) for d in ("north", "south"))
        every = register.run_changes("2024-04", None)
        march = register.run_changes("2024-03", "north")
        north_since = since_last_month(april_findings("north"), "north", register)
        south_since = since_last_month(april_findings("south"), "south", register)
    f1 = key("F1")
    assert north.changes.set_index("finding_key").loc[f1, "status"] == "moved_out"
    assert south.changes.set_index("finding_key").loc[f1, "status"] == "moved_in"
    assert north.counts == {"new": 0, "persisting": 3, "no_longer_found": 0, "reopened": 0,
                            "moved_out": 1}  # fmt: skip
    # near misses: every district at once, and north the month before, have no move
    assert every.changes.set_index("finding_key").loc[f1, "status"] == "persisting"
    assert set(march.changes["status"]) == {"new", "persisting"}
    assert "moved_out" not in march.counts
    # North's money before counts F1 (open there after March): proved F1 1000 + F2 500 = 1500,
    # estimated F3 300 + F4 200 = 500; now F2 500 proved, 500 estimated (F1 is south's).
    figures = north_since.summary()
    assert (figures["proved_before"], figures["estimated_before"]) == (1500.0, 500.0)
    assert (figures["proved_now"], figures["estimated_now"]) == (500.0, 500.0)
    assert (figures["found"], figures["open_before"]) == (3, 4)
    # South's now counts F1: proved F1 1000 + F7 900 + F8 100 = 2000; before it does not:
    # F7 900 + F8 100 = 1000 proved.
    figures = south_since.summary()
    assert (figures["proved_now"], figures["proved_before"]) == (2000.0, 1000.0)
    assert "1 moved in with their customer from another district" in south_since.explain("en")
    assert "1 more moved out with their customer" in north_since.explain("en")
    assert "另有 1 条随用户迁出至其他单位" in north_since.explain("zh")
    statuses = north_since.table("by_status", "zh").iloc[:, 0].tolist()
    assert statuses == ["新发现", "持续存在", "本月未再发现", "再次出现", "随用户迁出"]
    en = south_since.table("by_status", "en").iloc[:, 0].tolist()
    assert en[-1] == "moved in"


def record_april_district_by_district(register: Register, order: tuple[str, ...]) -> None:
    """The 2024-04 run of `record_the_move` recorded as one run per district, in `order`."""
    for district in order:
        register.record_run(
            april_findings(district), run_id=f"run 2024-04 {district}", as_of="2024-04",
            district=district,
        )  # fmt: skip


def test_a_move_between_districts_each_with_its_own_run_counts_once_whatever_the_order(tmp_path):
    """North's run recorded first marked F1 no longer found, and the move added moved_out too:
    north's open before was 5 and proved before 2,500.00."""
    for order in (("north", "south"), ("south", "north")):
        url = f"sqlite:///{tmp_path / ('_'.join(order) + '.sqlite')}"
        write_register(url)
        with Register.open(url) as register:
            record_april_district_by_district(register, order)
            north = register.run_changes("2024-04", "north")
            south = register.run_changes("2024-04", "south")
            north_since = since_last_month(april_findings("north"), "north", register)
        assert north.counts == {"new": 0, "persisting": 3, "no_longer_found": 0, "reopened": 0,
                                "moved_out": 1}, order  # fmt: skip
        assert south.changes.set_index("finding_key").loc[key("F1"), "status"] == "moved_in"
        # open before: F1 (moved out) + F2, F3, F4 = 4; proved F1 1000 + F2 500 = 1500
        figures = north_since.summary()
        assert (figures["open_before"], figures["proved_before"]) == (4, 1500.0), order
        assert figures["no_longer_found"] == 0, order


def test_a_finding_closed_last_month_and_found_in_another_district_is_not_moved_out(tmp_path):
    """F1 no longer found in April (north), found in south in May: north's May showed it moved
    out and counted it open before (open before 4, proved before 1,500.00)."""
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    write_register(url)

    def month(as_of: str, f1_district: str | None) -> pd.DataFrame:
        found = run_findings("2024-03").assign(period_to=as_of)
        if f1_district is None:
            found = found[found["customer_id"] != "C-F1"]
        found.loc[found["customer_id"] == "C-F1", "district"] = f1_district
        found = found.reset_index(drop=True)
        found.attrs["as_of"] = as_of
        return found

    with Register.open(url) as register:
        register.record_run(month("2024-04", None), run_id="r4", as_of="2024-04", district=None)
        register.record_run(month("2024-05", "south"), run_id="r5", as_of="2024-05", district=None)
        north = register.run_changes("2024-05", "north")
        south = register.run_changes("2024-05", "south")
        may = month("2024-05", "south")
        north_may = may[may["district"] == "north"].reset_index(drop=True)
        north_may.attrs["as_of"] = "2024-05"
        figures = since_last_month(north_may, "north", register).summary()
    assert "moved_out" not in north.counts
    # south reopens it: closed in April, so not moved in from north either
    assert south.changes.set_index("finding_key").loc[key("F1"), "status"] == "reopened"
    # north open before: F2, F3, F4 = 3; proved F2 500 (F1 closed in April)
    assert (figures["open_before"], figures["proved_before"]) == (3, 500.0)
    # near miss: the month of the move itself still shows it moved
    url = f"sqlite:///{tmp_path / 'moved.sqlite'}"
    write_register(url)
    with Register.open(url) as register:
        register.record_run(month("2024-04", "south"), run_id="r4", as_of="2024-04", district=None)
        assert register.run_changes("2024-04", "north").counts["moved_out"] == 1


def test_a_moved_in_finding_s_changed_amount_is_not_credited_to_the_persisting_ones(tmp_path):
    """F1 moved to south at 1,200.00 (1,000.00 before): south's sentence said '3 persisting (1
    with a changed amount)' while its table showed the change on the moved-in row."""
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    write_register(url)
    april = run_findings("2024-03").assign(period_to="2024-04")
    moved = april["customer_id"] == "C-F1"
    april.loc[moved, "district"] = "south"
    april.loc[moved, "revenue_impact"] = 1200.0
    # near miss: F7 stays in south, 900.00 → 950.00, a persisting finding's changed amount
    april.loc[april["customer_id"] == "C-F7", "revenue_impact"] = 950.0
    april.attrs["as_of"] = "2024-04"
    with Register.open(url) as register:
        register.record_run(april, run_id="run 2024-04", as_of="2024-04", district=None)
        south_findings = april[april["district"] == "south"].reset_index(drop=True)
        south_findings.attrs["as_of"] = "2024-04"
        south = since_last_month(south_findings, "south", register)
    # F6, F7, F8 persisting, only F7's amount changed; F1 moved in, 1000 → 1200
    assert "3 persisting (1 with a changed amount)" in south.explain("en")
    figures = south.summary()
    assert (figures["persisting"], figures["persisting_changed"]) == (3, 1)
    assert figures["amounts_changed"] == 2
    by_status = south.table("by_status", "en").set_index("Finding status")
    assert by_status.loc["moved in", "Amount changed"] == 1
