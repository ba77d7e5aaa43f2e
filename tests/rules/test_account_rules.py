"""Account rules: accounts left out of billing, billed after closure or past a temporary supply's
end, and customers archived twice. Amounts are computed by hand in each test."""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builder import COMMERCIAL, PERIODS, Utility, flat

from auditkit import rules
from auditkit.data import Dataset
from auditkit.rules import accounts

# COM is 0.8 yuan/kWh all year: 100 kWh a month is an 80-yuan bill.
MONTHLY = 80.0


def _billed(u: Utility, customer_id: str, periods: list[str], **archive: object) -> None:
    """A commercial customer billed 100 kWh in each of `periods`."""
    u.customer(customer_id, **(COMMERCIAL | archive))
    u.monthly(customer_id, flat(100, len(periods)), tariff="COM", periods=periods)


def _run(u: Utility, rule_ids: str | list[str], customers: dict | None = None) -> pd.DataFrame:
    """Findings on the utility, with extra archive columns per customer (`customers`: id →
    {column: value})."""
    tables = u.tables()
    for customer_id, values in (customers or {}).items():
        at = tables["customers"]["customer_id"] == customer_id
        for column, value in values.items():
            if column not in tables["customers"]:
                tables["customers"][column] = None
            tables["customers"][column] = tables["customers"][column].astype(object)
            tables["customers"].loc[at, column] = value
    return rules.run(Dataset.from_frames(tables), rules=rule_ids)


def _by_customer(findings: pd.DataFrame) -> pd.DataFrame:
    return findings.set_index("customer_id")


# --- unbilled_account -----------------------------------------------------------------------


def test_unbilled_stop_and_gap_priced_at_the_customers_usual_bill():
    u = Utility()
    _billed(u, "billed", PERIODS)
    _billed(u, "stopped", PERIODS[:9])  # nothing October to December
    _billed(u, "gap", PERIODS[:3] + PERIODS[5:])  # nothing in April and May
    _billed(u, "every_other", PERIODS[:6] + PERIODS[7:])  # July alone: a read every other month
    findings = _by_customer(rules.run(u.dataset(), rules="unbilled_account"))
    assert sorted(findings.index) == ["gap", "stopped"]
    assert findings.loc["stopped", "revenue_impact"] == pytest.approx(3 * MONTHLY)
    assert findings.loc["stopped", "period_from"] == "2024-10"
    assert findings.loc["stopped", "period_to"] == "2024-12"
    assert findings.loc["stopped", "revenue_kind"] == "estimated"
    assert (
        "no bill after 2024-09: 2024-10..2024-12 (3 months)" in findings.loc["stopped", "evidence"]
    )
    assert findings.loc["gap", "revenue_impact"] == pytest.approx(2 * MONTHLY)
    assert (
        "no bill in 2024-04..2024-05 (2 months) between the bills of 2024-03 and 2024-06"
        in findings.loc["gap", "evidence"]
    )


def test_an_unbilled_month_is_priced_to_the_fen_so_the_evidence_adds_up():
    """Eight bills, four of 80.01 and four of 80.02, then none September to December: the
    median 80.015 is billed as a bill would be, 80.02 (half up), and the four months are
    4 × 80.02 = 320.08 as the evidence says (not 4 × 80.015 = 320.06)."""
    u = Utility()
    _billed(u, "billed", PERIODS)
    u.customer("stopped", **COMMERCIAL)
    bills = u.monthly("stopped", flat(100, 8), tariff="COM", periods=PERIODS[:8])
    for at, bill in enumerate(bills):
        bill["amount"] = bill["energy_charge"] = 80.01 if at % 2 else 80.02
    # Near miss: a usual bill already to the fen, 100 kWh × 0.8 = 80.00: 4 × 80.00 = 320.00.
    _billed(u, "even", PERIODS[:8])
    findings = _by_customer(rules.run(u.dataset(), rules="unbilled_account"))
    found = findings.loc["stopped"]
    assert found["revenue_impact"] == pytest.approx(320.08, abs=1e-9)
    assert "median monthly bill of ¥80.02 (¥320.08)" in found["evidence"]
    assert findings.loc["even", "revenue_impact"] == pytest.approx(320.00, abs=1e-9)


def test_a_customer_with_a_gap_and_a_stop_is_one_finding_of_both_runs():
    u = Utility()
    _billed(u, "billed", PERIODS)
    _billed(u, "gap_then_stop", PERIODS[:3] + PERIODS[5:9])  # April-May, October-December
    _billed(u, "stopped", PERIODS[:10])  # November-December
    findings = _by_customer(rules.run(u.dataset(), rules="unbilled_account"))
    assert sorted(findings.index) == ["gap_then_stop", "stopped"]
    both = findings.loc["gap_then_stop"]
    assert (both["period_from"], both["period_to"]) == ("2024-04", "2024-12")
    assert both["revenue_impact"] == pytest.approx(5 * MONTHLY)
    assert "no bill in 2024-04..2024-05 (2 months)" in both["evidence"]
    assert "no bill after 2024-09: 2024-10..2024-12 (3 months)" in both["evidence"]
    assert "2024-11..2024-12" not in both["evidence"]
    stopped = findings.loc["stopped"]
    assert stopped["revenue_impact"] == pytest.approx(2 * MONTHLY)
    assert "2024-04..2024-05" not in stopped["evidence"]
    assert "no bill after 2024-10: 2024-11..2024-12 (2 months)" in stopped["evidence"]


def test_a_new_connection_never_billed_is_flagged_after_its_grace_and_priced_from_its_connection():
    u = Utility()
    _billed(u, "peer_a", PERIODS)
    _billed(u, "peer_b", PERIODS)
    u.customer("never", **COMMERCIAL, connection_date=pd.Timestamp("2024-09-10"))
    u.order("never", "new_connection", "2024-09-10")
    # Connected in October: October and November are its grace, December alone is not a run.
    u.customer("recent", **COMMERCIAL, connection_date=pd.Timestamp("2024-10-15"))
    u.order("recent", "new_connection", "2024-10-15")
    findings = _by_customer(rules.run(u.dataset(), rules="unbilled_account"))
    assert list(findings.index) == ["never"]
    # Flagged for November and December (past September's connection and October's grace),
    # priced from the connection: September for its 21 of 30 days (10th to 30th),
    # 80.00 × 21 / 30 = 56.00, then October to December 3 × 80.00 = 240.00: 296.00.
    never = findings.loc["never"]
    assert never["revenue_impact"] == pytest.approx(296.00, abs=1e-9)
    assert (never["period_from"], never["period_to"]) == ("2024-09", "2024-12")
    evidence = never["evidence"]
    assert "new connection WO0001 effective 2024-09-10: no bill in 2024-09..2024-12" in evidence
    assert "median monthly bill of commercial customers, ¥80.00" in evidence
    assert "its first month 2024-09 for the 21 of 30 days since the connection: ¥56.00" in evidence


def test_pauses_closures_and_a_district_that_did_not_bill_are_not_unbilled():
    u = Utility()
    _billed(u, "billed", PERIODS)
    _billed(u, "removed", PERIODS[:6])
    u.order("removed", "meter_removal", "2024-06-05")
    _billed(u, "closed", PERIODS[:6], status="closed")
    _billed(u, "suspended", PERIODS[:6], status="suspended")
    # A district whose data ends in September: its months after are no months it billed.
    _billed(u, "west", PERIODS[:9], district="城西")
    _billed(u, "west_stopped", PERIODS[:6], district="城西")
    findings = _by_customer(rules.run(u.dataset(), rules="unbilled_account"))
    assert list(findings.index) == ["west_stopped"]
    assert findings.loc["west_stopped", "period_to"] == "2024-09"
    assert findings.loc["west_stopped", "revenue_impact"] == pytest.approx(3 * MONTHLY)


def test_an_account_connected_again_after_its_closure_and_never_billed_since_is_unbilled():
    u = Utility()
    _billed(u, "billed", PERIODS)
    # Closed 2024-03-31 after its March bill, connected again 2024-06-01, never billed since.
    _billed(u, "reopened", PERIODS[:3])
    u.order("reopened", "closure", "2024-03-31")
    u.order("reopened", "new_connection", "2024-06-01")
    # Near misses: closed and not connected again (a closure kept active is
    # billed_after_closure's); connected again and billed from August; connected again in
    # November, still in its grace.
    _billed(u, "closed", PERIODS[:3])
    u.order("closed", "closure", "2024-03-31")
    _billed(u, "billed_again", PERIODS[:3] + PERIODS[7:])
    u.order("billed_again", "closure", "2024-03-31")
    u.order("billed_again", "new_connection", "2024-06-01")
    _billed(u, "recent", PERIODS[:3])
    u.order("recent", "closure", "2024-03-31")
    u.order("recent", "new_connection", "2024-11-05")
    findings = rules.run(u.dataset(), rules="unbilled_account")
    assert list(findings["customer_id"]) == ["reopened"]
    # Flagged from August (June the connection, July its grace), priced from the connection on
    # the 1st: June to December whole at its usual bill, 100 kWh × 0.8 = 80.00 a month,
    # 7 × 80.00 = 560.00.
    reopened = findings.iloc[0]
    assert reopened["revenue_impact"] == pytest.approx(7 * MONTHLY)
    assert (reopened["period_from"], reopened["period_to"]) == ("2024-06", "2024-12")
    assert reopened["evidence"].startswith(
        "new connection WO0002 effective 2024-06-01: no bill in 2024-06..2024-12 (7 months)"
    )
    assert "first month" not in reopened["evidence"]
    assert rules.evidence_text(findings, "zh")[0].startswith(
        "新装工单 WO0002 于 2024-06-01 生效，2024-06 至 2024-12 无账单（7 个月）"
    )


def test_the_usual_bill_is_the_median_of_the_window_a_block_of_customers_at_a_time(monkeypatch):
    monkeypatch.setattr(accounts, "CUSTOMERS_PER_BLOCK", 1)  # each customer a block of its own
    u = Utility()
    _billed(u, "billed", PERIODS)
    u.customer("stopped", **COMMERCIAL)  # 100, 200, ... 900 kWh from January to September
    u.monthly(
        "stopped", [100.0 * month for month in range(1, 10)], tariff="COM", periods=PERIODS[:9]
    )
    u.customer("gap", **COMMERCIAL)  # nothing in July and August
    kwh = [100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 900.0, 1000.0, 100.0, 300.0]
    u.monthly("gap", kwh, tariff="COM", periods=PERIODS[:6] + PERIODS[8:])
    # The window is May to December: the bills before it are not the usual bill's.
    window = {"unbilled_account.lookback_months": 8}
    findings = _by_customer(rules.run(u.dataset(), rules="unbilled_account", params=window))
    assert sorted(findings.index) == ["gap", "stopped"]
    # May to September: 500..900 kWh, median 700 kWh = 560 yuan, for October to December.
    assert findings.loc["stopped", "revenue_impact"] == pytest.approx(3 * 560.0)
    # 500, 600, 900, 1000, 100, 300 kWh: median (500 + 600) / 2 = 550 kWh = 440 yuan, twice.
    assert findings.loc["gap", "revenue_impact"] == pytest.approx(2 * 440.0)


# --- billed_after_closure -------------------------------------------------------------------


def test_bills_after_closure_are_listed_with_their_amount_and_no_revenue():
    u = Utility()
    _billed(u, "billed_on", PERIODS, status="closed")
    u.order("billed_on", "closure", "2024-06-15")
    _billed(u, "final_bill", PERIODS[:6], status="closed")  # June's bill is the final one
    u.order("final_bill", "closure", "2024-06-15")
    findings = _by_customer(rules.run(u.dataset(), rules="billed_after_closure"))
    assert list(findings.index) == ["billed_on"]
    assert findings.loc["billed_on", "revenue_impact"] == 0
    assert findings.loc["billed_on", "period_from"] == "2024-07"
    # July to December: 6 bills of 100 kWh at 0.8.
    assert (
        "closure WO0001 effective 2024-06-15, then 6 bills (2024-07..2024-12) charging 600 kWh, "
        "¥480.00" in findings.loc["billed_on", "evidence"]
    )


def test_closure_archived_while_the_archive_stays_active_and_not_yet_archived():
    u = Utility()
    _billed(u, "kept_active", PERIODS[:6])
    u.order("kept_active", "closure", "2024-06-15")  # archived 2024-06-11 (steps 1, 2, 3 days)
    _billed(u, "in_flight", PERIODS[:11])
    u.order("in_flight", "closure", "2024-11-20", steps=(1, None, None))
    findings = rules.run(u.dataset(), rules=["billed_after_closure", "unbilled_account"])
    assert findings[["rule_id", "customer_id"]].values.tolist() == [
        ["billed_after_closure", "kept_active"]
    ]
    assert "archived 2024-06-11, while the archive still says active" in findings["evidence"].iat[0]


def test_closure_in_effect_for_months_and_never_archived_while_still_active():
    u = Utility()
    _billed(u, "billed_all_year", PERIODS)  # the data runs to December
    _billed(u, "stuck", PERIODS[:9])  # final bill in September, the archive still active
    u.order("stuck", "closure", "2024-09-10", steps=(1, None, None))  # transferred, then nothing
    _billed(u, "recent", PERIODS[:10])
    u.order("recent", "closure", "2024-10-10", steps=(1, None, None))
    findings = rules.run(u.dataset(), rules="billed_after_closure")
    # As of December, September and October are at least unarchived_months (2) back.
    assert findings["customer_id"].tolist() == ["recent", "stuck"]
    assert findings.set_index("customer_id").loc["stuck", "evidence"] == (
        "closure WO0001 effective 2024-09-10, never archived, while the archive still says active"
    )
    assert findings.set_index("customer_id").loc["recent", "evidence"] == (
        "closure WO0002 effective 2024-10-10, never archived, while the archive still says active"
    )
    later = rules.run(
        u.dataset(),
        rules="billed_after_closure",
        params={"billed_after_closure.unarchived_months": 3},
    )
    assert later["customer_id"].tolist() == ["stuck"]


def test_final_bill_read_from_before_the_closure_and_a_reconnection_are_honest():
    u = Utility()
    _billed(u, "read_25th", PERIODS, status="closed")
    u.order("read_25th", "closure", "2024-06-27")
    _billed(u, "reopened", PERIODS[:4] + PERIODS[7:])
    u.order("reopened", "closure", "2024-04-10")
    u.order("reopened", "new_connection", "2024-08-01")
    for bill in u.bills:  # read from the 25th of the month before to the 24th
        month = pd.Period(bill["period"], freq="M")
        bill["read_from"] = (month - 1).to_timestamp() + pd.Timedelta(days=24)
        bill["read_to"] = month.to_timestamp() + pd.Timedelta(days=23)
    findings = _by_customer(rules.run(u.dataset(), rules="billed_after_closure"))
    # July's bill (read from 25 June) is the final one; August to December are after.
    assert list(findings.index) == ["read_25th"]
    assert findings.loc["read_25th", "period_from"] == "2024-08"
    assert "5 bills (2024-08..2024-12)" in findings.loc["read_25th", "evidence"]


def test_an_account_the_archive_shows_connected_again_after_its_closure_is_billed_honestly():
    """No new-connection order in the export, but the archive's connection date follows the
    closure: the bills from that date on are the new connection's."""
    u = Utility()
    _billed(u, "reopened", PERIODS[:4] + PERIODS[7:], connection_date=pd.Timestamp("2024-08-01"))
    u.order("reopened", "closure", "2024-04-10")
    _billed(u, "still_closed", PERIODS[:4] + PERIODS[7:])
    u.order("still_closed", "closure", "2024-04-10")
    findings = _by_customer(rules.run(u.dataset(), rules="billed_after_closure"))
    assert list(findings.index) == ["still_closed"]


# --- temporary_supply_overrun ---------------------------------------------------------------


def test_temporary_supply_billed_past_its_end_unless_extended():
    u = Utility()
    temporary = {"supply_type": "temporary", "supply_end_date": pd.Timestamp("2024-06-30")}
    for customer_id in ("overrun", "extended", "short_extension", "permanent", "ending"):
        _billed(u, customer_id, PERIODS)
    u.order("extended", "temporary_supply", "2024-06-30", "2024-06-30", "2025-06-30")
    u.order("short_extension", "temporary_supply", "2024-06-30", "2024-06-30", "2024-09-30")
    findings = _by_customer(
        _run(
            u,
            "temporary_supply_overrun",
            {
                "overrun": temporary,
                "extended": temporary,
                "short_extension": temporary,
                "permanent": temporary | {"supply_type": "permanent"},
                "ending": temporary | {"supply_end_date": pd.Timestamp("2024-12-15")},
            },
        )
    )
    assert sorted(findings.index) == ["overrun", "short_extension"]
    assert (findings["revenue_impact"] == 0).all()
    assert (
        "temporary supply ending 2024-06-30, then 6 bills (2024-07..2024-12) charging 600 kWh, "
        "¥480.00" in findings.loc["overrun", "evidence"]
    )
    assert "ending 2024-09-30, then 3 bills" in findings.loc["short_extension", "evidence"]
    assert "extended by order WO0002" in findings.loc["short_extension", "evidence"]


def test_an_extension_written_as_billing_systems_write_dates_counts_and_a_non_date_is_noted():
    u = Utility()
    temporary = {"supply_type": "temporary", "supply_end_date": pd.Timestamp("2024-06-30")}
    for customer_id in ("slashes", "compact", "words"):
        _billed(u, customer_id, PERIODS)
    u.order("slashes", "temporary_supply", "2024-06-30", "2024-06-30", "2025/6/30")
    u.order("compact", "temporary_supply", "2024-06-30", "2024-06-30", "20241031")
    u.order("words", "temporary_supply", "2024-06-30", "2024-06-30", "下月底")
    notes: list[str] = []
    tables = u.tables()
    for column, value in temporary.items():
        tables["customers"][column] = value
    findings = rules.run(
        Dataset.from_frames(tables), rules="temporary_supply_overrun", notes=notes
    ).set_index("customer_id")
    # 2025/6/30 covers the year; 20241031 leaves November and December; 下月底 extends nothing.
    assert sorted(findings.index) == ["compact", "words"]
    assert "ending 2024-10-31, then 2 bills" in findings.loc["compact", "evidence"]
    assert "ending 2024-06-30, then 6 bills" in findings.loc["words", "evidence"]
    assert notes == [
        "temporary_supply_overrun: work order WO0003 extends to '下月底', not a date "
        "(YYYY-MM-DD): the extension is not counted"
    ]


# --- duplicate_account ----------------------------------------------------------------------


def _person(name: str, address: str, phone: str, connected: str) -> dict:
    return {
        "name": name,
        "address": address,
        "phone": phone,
        "connection_date": pd.Timestamp(connected),
    }


def _duplicates(people: dict[str, dict], closed: tuple[str, ...] = ()) -> pd.DataFrame:
    """duplicate_account's findings on `people` (id → name, address, phone, connection date),
    each a household billed 100 kWh a month; the accounts in `closed` are closed."""
    u = Utility()
    for customer_id in people:
        u.customer(customer_id, status="closed" if customer_id in closed else "active")
        u.monthly(customer_id, flat(100))
    return _run(u, "duplicate_account", people)


def test_duplicate_accounts_by_name_and_address_written_another_way_and_by_phone():
    people = {
        "original": _person("王伟", "城东区人民路12号3室", "13800000001", "2015-03-01"),
        "copy": _person("王 伟", "城东区 人民路十二号３室", "13900000002", "2021-05-01"),
        "flat_3": _person("李娜", "城东区解放路8号3室", "13800000005", "2016-01-01"),
        "flat_4": _person("李娜", "城东区解放路8号4室", "13800000006", "2017-01-01"),
        "phone_first": _person("赵敏", "城东区建设路1号", "137-0000-0003", "2012-01-01"),
        "phone_second": _person("赵敏", "建设路1号", "+86 13700000003", "2019-01-01"),
        "closed_copy": _person("王伟", "城东区人民路12号3室", "13500000009", "2022-01-01"),
    }
    managed = {
        f"managed_{i}": _person(f"住户{i}", f"城东区文化路{i}号", "13600000004", "2018-01-01")
        for i in range(4)
    }
    findings = _by_customer(_duplicates(people | managed, closed=("closed_copy",)))
    assert sorted(findings.index) == ["copy", "phone_second"]
    # From the duplicate's connection, here before the data (2021-05, 2019-01): from the data's
    # first month, the same finding whatever the audit month.
    assert findings["period_from"].to_dict() == {"copy": "2024-01", "phone_second": "2024-01"}
    assert (findings["revenue_impact"] == 0).all()
    assert (findings["severity"] == "low").all()
    assert findings.loc["copy", "evidence"] == (
        "same name and address as active account original (connected 2015-03-01), 2 accounts in all"
    )
    assert findings.loc["phone_second", "evidence"].startswith(
        "same name and phone as active account phone_first"
    )


def test_the_original_of_three_is_the_earliest_connected_then_the_lowest_id():
    people = {
        "c_later": _person("孙丽", "城东区人民路3号", "13800000031", "2016-01-01"),
        "b_first": _person("孙丽", "城东区人民路三号", "13800000032", "2014-05-01"),
        "a_first": _person("孙 丽", "城东区人民路3号", "13800000033", "2014-05-01"),
    }
    findings = _by_customer(_duplicates(people))
    assert sorted(findings.index) == ["b_first", "c_later"]
    for customer_id in ("b_first", "c_later"):
        assert findings.loc[customer_id, "evidence"] == (
            "same name and address as active account a_first (connected 2014-05-01), "
            "3 accounts in all"
        )


def test_one_phone_on_accounts_of_different_names_is_a_contact_not_a_duplicate():
    """A family's or a landlord's phone left on two accounts of other holders is no duplicate;
    the same phone on two accounts without names recorded, at one address, still is."""
    people = {
        "parent": _person("刘强", "城东区和平路5号", "13800000007", "2010-01-01"),
        "child": _person("刘小明", "城西区长江路9号", "13800000007", "2020-01-01"),
        "nameless_a": _person("", "城东区和平路6号", "13800000008", "2011-01-01"),
        "nameless_b": _person(None, "和平路6号", "13800000008", "2021-01-01"),
    }
    findings = _by_customer(_duplicates(people))
    assert list(findings.index) == ["nameless_b"]
    assert findings.loc["nameless_b", "evidence"].startswith(
        "same phone as active account nameless_a"
    )


def test_an_owners_two_homes_carrying_the_owners_phone_are_two_supply_points():
    """One owner's flats in two streets, or room 3 and room 4 of one house, each with the
    owner's mobile, are two supply points (the rule found the second of each). Near misses:
    the same address written with or without its city and district, by name and phone or by
    phone alone, is one account archived twice."""
    people = {
        "flat_home": _person("张伟", "城东区解放路12号3单元501室", "13800001111", "2020-01-01"),
        "flat_other_street": _person(
            "张伟", "城东区人民路88号2单元302室", "13800001111", "2021-01-01"
        ),
        "room_3": _person("李娜", "城东区和平街5号3室", "13900002222", "2020-01-01"),
        "room_4": _person("李娜", "城东区和平街5号4室", "13900002222", "2021-01-01"),
        "nameless_home": _person(None, "城东区建设路3号", "13700003333", "2020-01-01"),
        "nameless_other_street": _person(None, "城东区北京路9号", "13700003333", "2021-01-01"),
        "copy_first": _person("周杰", "南京市城东区解放路3号5室", "13600004444", "2015-01-01"),
        "copy_again": _person("周杰", "解放路三号5室", "136 0000 4444", "2022-01-01"),
        "nameless_first": _person("", "城西区长江路10号", "13500005555", "2016-01-01"),
        "nameless_again": _person("", "长江路十号", "13500005555", "2023-01-01"),
    }
    findings = _by_customer(_duplicates(people))
    assert sorted(findings.index) == ["copy_again", "nameless_again"]
    assert findings.loc["copy_again", "evidence"].startswith(
        "same name and phone as active account copy_first"
    )
    assert findings.loc["nameless_again", "evidence"].startswith(
        "same phone as active account nameless_first"
    )


def test_a_home_and_a_shop_of_one_owner_at_one_address_are_metered_apart_legally():
    u = Utility()
    people = {
        "home": _person("陈静", "城东区中山路20号", "13800000010", "2012-01-01"),
        "shop": _person("陈静", "城东区中山路20号", "13800000010", "2018-01-01"),
        "second_shop": _person("陈静", "城东区中山路二十号", "13900000011", "2020-01-01"),
    }
    u.customer("home")
    u.monthly("home", flat(100))
    for customer_id in ("shop", "second_shop"):
        _billed(u, customer_id, PERIODS)
    findings = _by_customer(_run(u, "duplicate_account", people))
    # The shop and the home differ in usage type; the second shop copies the first.
    assert list(findings.index) == ["second_shop"]
    assert findings.loc["second_shop", "evidence"].startswith(
        "same name and address as active account shop"
    )


def test_a_duplicate_connected_inside_the_data_starts_at_its_connection_every_month():
    people = {
        "first": _person("周敏", "城东区北京路7号", "13800000021", "2015-01-01"),
        "again": _person("周敏", "城东区北京路７号", "13900000022", "2024-04-18"),
    }
    for as_of in ("2024-06", "2024-12"):
        u = Utility()
        for customer_id in people:
            _billed(u, customer_id, PERIODS)
        tables = u.tables()
        for column in ("name", "address", "phone", "connection_date"):
            tables["customers"][column] = [
                people[c][column] for c in tables["customers"]["customer_id"]
            ]
        found = rules.run(Dataset.from_frames(tables), rules="duplicate_account", as_of=as_of)
        assert found[["customer_id", "period_from", "period_to"]].values.tolist() == [
            ["again", "2024-04", as_of]
        ]


def test_duplicate_account_evidence_in_chinese():
    people = {
        "a": _person("王伟", "城东区人民路12号", "13800000001", "2015-03-01"),
        "b": _person("王伟", "城东区人民路１２号", "13900000002", "2016-03-01"),
    }
    findings = _duplicates(people)
    assert rules.evidence_text(findings, "zh").tolist() == [
        "户名和地址与在用户 a（2015-03-01 接电）相同，共 2 户"
    ]
