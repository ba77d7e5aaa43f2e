"""The district report's "since last month" on a real register (SQLite, and PostgreSQL where the
numbers are checked): each situation the register can be in, figures worked out by hand below,
one language per report, and data text escaped.

The district `north` over three months (proved: multiplier_mismatch, estimated: zero_consumption):

| key | rule | 2024-06 | 2024-07 | 2024-08 |
|---|---|---|---|---|
| A | multiplier_mismatch | 100.00 new | 120.00 persisting, changed | 120.00 persisting |
| B | multiplier_mismatch | 50.00 new | no longer found | 55.00 reopened, changed |
| C | zero_consumption | 30.00 new | 30.00 persisting | no longer found |
| D | zero_consumption | 20.00 new | no longer found | — |
| E | multiplier_mismatch | — | 40.00 new | 40.00 persisting |
| F | zero_consumption | — | 10.00 new | 10.00 persisting |

Outcomes of the June findings: A sent, confirmed, recovered 80.00, rectified; B sent, false
alarm; C sent in June, confirmed, recovered 12.50, then a false alarm (the correction wins);
D sent (still open) and archive corrected.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from auditkit import report, rules
from auditkit.audit import study
from auditkit.audit.since import SinceLastMonth, since_last_month
from auditkit.audit.study import DistrictAudit
from auditkit.errors import ParameterError
from auditkit.register import Register, finding_key
from auditkit.report import notebook
from auditkit.results import TOTAL_ROWS
from auditkit.rules import FINDING_COLUMNS

ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;:()]+[A-Za-z]{2,}[ ,;:()]+[A-Za-z]{2,}")
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
CATALOG = rules.catalog()
MULTIPLIER, ZERO = (
    "Billed multiplier differs from the multiplier due",
    "Active account with zero consumption",
)
RULE_OF = {"A": "multiplier_mismatch", "B": "multiplier_mismatch", "E": "multiplier_mismatch",
           "C": "zero_consumption", "D": "zero_consumption", "F": "zero_consumption"}  # fmt: skip
STARTS = {"A": "2024-01", "B": "2024-02", "C": "2024-03", "D": "2024-04", "E": "2024-07",
          "F": "2024-07"}  # fmt: skip
MONTHS = {
    "2024-06": {"A": 100.0, "B": 50.0, "C": 30.0, "D": 20.0},
    "2024-07": {"A": 120.0, "C": 30.0, "E": 40.0, "F": 10.0},
    "2024-08": {"A": 120.0, "B": 55.0, "E": 40.0, "F": 10.0},
}


def key(customer: str) -> str:
    return finding_key(customer, RULE_OF[customer], STARTS[customer])


def month_findings(as_of: str, district: str = "north", ids: dict[str, str] | None = None):
    """The district's findings of `as_of` as `rules.run` gives them (customer ids renamed by
    `ids` when given)."""
    rows = []
    for customer, amount in MONTHS[as_of].items():
        rule_id = RULE_OF[customer]
        kind = CATALOG.set_index("rule_id").loc[rule_id, "revenue_kind"]
        rows.append({
            "rule_id": rule_id, "area": "metering", "severity": "medium",
            "customer_id": (ids or {}).get(customer, customer), "district": district,
            "period_from": STARTS[customer], "period_to": as_of, "evidence": "seen",
            "revenue_impact": amount, "revenue_kind": kind, "penalty": 0.0, "score": 0.5,
            "evidence_code": '[{"code":"zero.no_history"}]',
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    frame.attrs["as_of"] = as_of
    return frame


def record(register: Register, as_of: str, district: str = "north", **kwargs) -> None:
    register.record_run(
        month_findings(as_of, district, **kwargs), run_id=f"{district} {as_of}", as_of=as_of,
        district=district,
    )  # fmt: skip


def june_outcomes(register: Register) -> None:
    happened = [
        ("A", "sent", None, "2024-07-03"), ("A", "confirmed", None, "2024-07-10"),
        ("A", "recovered", 80.0, "2024-07-20"), ("A", "rectified", None, "2024-07-25"),
        ("B", "sent", None, "2024-07-03"), ("B", "false_alarm", None, "2024-07-12"),
        ("C", "sent", None, "2024-06-25"), ("C", "confirmed", None, "2024-07-15"),
        ("C", "recovered", 12.5, "2024-07-16"), ("C", "false_alarm", None, "2024-07-30"),
        ("D", "sent", None, "2024-07-05"), ("D", "archive_corrected", None, "2024-07-06"),
    ]  # fmt: skip
    register.record_outcomes(
        events([(key(customer), kind, amount, day) for customer, kind, amount, day in happened])
    )


def events(happened: list[tuple[str, str, float | None, str]], actor: str = "inspector-1"):
    """Outcome events (finding key, event, amount, day) as a returned worklist gives them."""
    rows = [
        {"finding_key": finding, "event": kind, "actor": actor, "happened_at": day,
         "amount": float("nan") if amount is None else amount,
         "source": "worklist-north.xlsx", "source_row": row}
        for row, (finding, kind, amount, day) in enumerate(happened, start=5)
    ]  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture
def register(database_url: str):
    with Register.open(database_url) as opened:
        yield opened


@pytest.fixture
def sqlite_register(tmp_path: Path):
    with Register.open(f"sqlite:///{tmp_path / 'register.sqlite'}") as opened:
        yield opened


def since(register: Register | None, as_of: str, findings=None) -> SinceLastMonth:
    return since_last_month(
        month_findings(as_of) if findings is None else findings, "north", register, CATALOG
    )


def top_table(section: SinceLastMonth, findings: pd.DataFrame, lang: str) -> pd.DataFrame:
    customers = pd.DataFrame({"customer_id": findings["customer_id"], "name": "Li"})
    audit = DistrictAudit("north", SimpleNamespace(customers=customers), findings, CATALOG, {},
                          top_n=10, since=section)  # fmt: skip
    return audit.table("top_findings", lang)


def test_without_a_register_the_section_says_how_to_start_one(sqlite_register) -> None:
    quiet = since(None, "2024-07")
    assert quiet.situation == "no_register" and quiet.table_names == ()
    assert quiet.explain("en") == (
        "The findings register holds nothing for north yet, so there is no last month to "
        "compare with. Start one with auditkit run-all --register, or auditkit rules DATA "
        "--register."
    )
    assert "auditkit run-all --register" in quiet.explain("zh")
    # a register holding other districts only says the same
    record(sqlite_register, "2024-06", district="south")
    assert since(sqlite_register, "2024-07").situation == "no_register"
    top = top_table(quiet, month_findings("2024-07"), "en")
    assert "Finding status" not in top.columns
    with pytest.raises(
        ParameterError,
        match="parameter 'table': expected a choice, but there is none to choose from, found 'by_st",
    ):
        quiet.table("by_status")


def test_the_first_month_recorded_has_every_finding_new(register) -> None:
    record(register, "2024-06")
    first = since(register, "2024-06")
    assert (first.situation, first.first_month, first.previous_as_of) == ("recorded", True, None)
    figures = first.summary()
    assert (figures["new"], figures["found"], figures["persisting"]) == (4, 4, 0)
    assert (figures["proved_now"], figures["estimated_now"]) == (150.0, 50.0)
    # no status table: its previous-run columns would read 0.00 where there is no previous run
    assert first.table_names == ("by_rule",)
    lines = first.explain("en").splitlines()
    assert lines == [
        "2024-06 is the first month the register holds for north: there is no earlier run to "
        "compare with, every finding is new, and there are no earlier findings or outcomes yet.",
        "4 findings this month: 4 new, 0 persisting (0 with a changed amount), 0 reopened; 0 no "
        "longer found.",
    ]
    assert first.explain("zh").splitlines()[0] == (
        "2024-06 是台账中north的第一个月：没有更早的运行可供对比，全部疑点均为新发现，"
        "尚无以往疑点及其核查结果。"
    )


def test_a_recorded_month_against_the_previous_run_and_the_outcomes_of_earlier_findings(
    register,
) -> None:
    record(register, "2024-06")
    june_outcomes(register)
    record(register, "2024-07")
    july = since(register, "2024-07")
    assert (july.situation, july.previous_as_of, july.first_month) == ("recorded", "2024-06", False)
    figures = july.summary()
    assert {s: figures[s] for s in ("new", "persisting", "no_longer_found", "reopened")} == {
        "new": 2, "persisting": 2, "no_longer_found": 2, "reopened": 0,
    }  # fmt: skip
    assert (figures["found"], figures["open_before"], figures["amounts_changed"]) == (4, 4, 1)
    # now: A 120 + E 40 proved, C 30 + F 10 estimated; before: A 100 + B 50, C 30 + D 20
    assert (figures["proved_now"], figures["estimated_now"]) == (160.0, 40.0)
    assert (figures["proved_before"], figures["estimated_before"]) == (150.0, 50.0)
    # D's archive corrected (档案已更正) confirms it: confirmed A and D, no longer open
    assert (figures["earlier"], figures["sent"], figures["confirmed"]) == (4, 4, 2)
    assert (figures["false_alarm"], figures["rectified"], figures["archive_corrected"]) == (2, 1, 1)
    assert (figures["still_open"], figures["recovered_proved"]) == (0, 80.0)
    assert figures["recovered_estimated"] == 12.5
    # June is the first recorded month: its cycle, which July's report lists, takes C's sent of
    # 2024-06-25 too (as the audit-cycle report's first cycle does), so no event is left out
    assert figures["events_since_previous"] == 12

    status = july.table("by_status", "en").set_index("Finding status")
    assert status["Findings"].tolist() == [2, 2, 2, 0]
    assert status["Amount changed"].tolist() == [0, 1, 0, 0]
    assert status.loc["new", "Revenue proved, this month (yuan)"] == 40.0
    assert status.loc["persisting", "Revenue proved, previous run (yuan)"] == 100.0
    assert status.loc["no longer found", "Revenue estimated, previous run (yuan)"] == 20.0
    assert pd.isna(status.loc["no longer found", "Revenue proved, this month (yuan)"])
    assert pd.isna(status.loc["new", "Revenue estimated, previous run (yuan)"])

    by_rule = july.table("by_rule", "en")
    assert by_rule["Rule"].tolist() == [MULTIPLIER, ZERO, "Total"]
    assert by_rule.shape[1] == 8  # rule, four statuses, amounts changed, proved and estimated
    assert by_rule["New"].tolist() == [1, 1, 2]  # headers in sentence case, as every other
    assert by_rule["No longer found"].tolist() == [1, 1, 2]
    assert by_rule["Revenue proved, this month (yuan)"].tolist() == [160.0, 0.0, 160.0]
    assert by_rule["Revenue estimated, this month (yuan)"].tolist() == [0.0, 40.0, 40.0]
    assert by_rule.attrs[TOTAL_ROWS] == 1  # shown last, out of sorting and filters

    outcomes = july.table("outcomes", "en").set_index("Rule")
    assert outcomes.shape[1] == 9  # earlier, five events, still open, recovered proved, estimated
    assert outcomes.loc[MULTIPLIER][
        ["Earlier findings", "Sent", "Confirmed", "False alarm", "Rectified"]
    ].tolist() == [2, 2, 1, 1, 1]
    assert outcomes.loc[ZERO][
        ["Confirmed", "False alarm", "Archive corrected", "Sent, still open"]
    ].tolist() == [1, 1, 1, 0]  # D archive corrected: confirmed, not open
    assert outcomes["Recovered, proved (yuan)"].tolist() == [80.0, 0.0, 80.0]
    assert outcomes["Recovered, estimated (yuan)"].tolist() == [0.0, 12.5, 12.5]
    assert july.table("outcomes", "en").attrs[TOTAL_ROWS] == 1

    events = july.table("events", "en")
    assert len(events) == 12 and events["Date"].min() == pd.Timestamp("2024-06-25")
    assert events["Date"].is_monotonic_decreasing  # the latest first: a cut table shows them
    recovered = events[events["Outcome"] == "recovered"]
    assert recovered[["customer_id", "Amount (yuan)", "Revenue kind"]].values.tolist() == [
        ["A", 80.0, "proved"], ["C", 12.5, "estimated"],  # the latest first
    ]  # fmt: skip
    assert july.explain("en").splitlines()[1:] == [
        "4 findings this month: 2 new, 2 persisting (1 with a changed amount), 0 reopened; 2 no "
        "longer found.",
        "After the previous run (2024-06) 4 findings were open, 150.00 yuan proved and 50.00 "
        "yuan estimated; this month 4, 160.00 yuan proved and 40.00 yuan estimated (two kinds, "
        "shown apart, never added).",
        "4 findings from earlier months: 4 sent to the field, 2 confirmed, 2 false alarms, 0 "
        "sent and still open; recovered 80.00 yuan proved and 12.50 yuan estimated. 12 field "
        "events since the previous run.",
    ]
    assert "210.00" not in july.explain("en")  # proved and estimated are never added


def test_a_past_month_counts_the_outcomes_known_when_its_own_month_ended(register) -> None:
    """July's report made again after August was recorded counts what was known when July's
    run was made (events before 2024-08-01, where July's own cycle begins): A's archive
    correction of 2024-08-12 and B's confirmation of 2024-09-03 (a correction of its false
    alarm) are left out of July's; August's counts A's of 08-12 (before 2024-09-01), and
    September's (a preview) B's of 09-03."""
    for month in MONTHS:
        record(register, month)
    june_outcomes(register)
    later = [(key("A"), "archive_corrected", None, "2024-08-12"),
             (key("B"), "confirmed", None, "2024-09-03")]  # fmt: skip
    register.record_outcomes(events(later))
    july = since(register, "2024-07").summary()
    # confirmed: A and D (D's archive correction confirms it); false alarms: B and C
    assert (july["archive_corrected"], july["confirmed"], july["false_alarm"]) == (1, 2, 2)
    assert july["events_since_previous"] == 12  # the 12 of July's test, not A's of 08-12
    august = since(register, "2024-08").summary()
    assert (august["archive_corrected"], august["confirmed"], august["false_alarm"]) == (2, 2, 2)
    assert august["events_since_previous"] == 1  # A's of 08-12
    september = since(register, "2024-09", findings=september_findings()).summary()
    assert (september["situation"], september["events_since_previous"]) == ("preview", 1)
    assert (september["confirmed"], september["false_alarm"]) == (3, 1)  # B corrected on 09-03


def test_a_customer_moved_later_leaves_a_past_months_section_as_it_was(register) -> None:
    """A's customer moves to south in August (south's run finds A, north's no longer does):
    July's section of north, made again, still counts A as north's, as July's run recorded it
    (found 4 with A's 120.00, earlier 4 with A's 80.00 recovered, 12 events); August's shows A
    moved out and keeps it among the earlier findings whose July cycle north worked."""
    record(register, "2024-06")
    june_outcomes(register)
    record(register, "2024-07")
    july_before = since(register, "2024-07").summary()
    august = month_findings("2024-08")
    moved = august["customer_id"] == "A"
    south = august[moved].assign(district="south")
    south.attrs["as_of"] = "2024-08"
    register.record_run(south, run_id="south 2024-08", as_of="2024-08", district="south")
    register.record_run(august[~moved], run_id="north 2024-08", as_of="2024-08", district="north")

    july = since(register, "2024-07").summary()
    assert july == {**july_before, "latest_as_of": "2024-08"}  # all else as it was
    assert (july["found"], july["proved_now"], july["earlier"]) == (4, 160.0, 4)
    assert (july["recovered_proved"], july["events_since_previous"]) == (80.0, 12)
    # near miss: August's section of north, the month of the move, shows A moved out (found
    # in south), not vanished from its changes as a fixed finding would
    august_section = since(register, "2024-08", findings=august[~moved])
    status = august_section.changes.set_index("finding_key")["status"]
    assert status[key("A")] == "moved_out"
    assert key("A") in set(august_section.earlier["finding_key"])


def september_findings() -> pd.DataFrame:
    """August's findings found again in September (for a preview of 2024-09)."""
    findings = month_findings("2024-08").assign(period_to="2024-09")
    findings.attrs["as_of"] = "2024-09"
    return findings


def test_consecutive_months_list_each_field_event_once(register) -> None:
    """Events on A (a June finding) dated in each month and on the boundaries of the months'
    cycles: July's report lists June's cycle (the first recorded month's: every day before
    2024-08-01), August's the days from 2024-08-01 to 08-31, September's (a preview) from
    2024-09-01 on. Each event is in exactly one month's list, whenever the reports are made."""
    for month in MONTHS:
        record(register, month)
    days = {1.0: "2024-06-30", 2.0: "2024-07-01", 3.0: "2024-07-31", 4.0: "2024-08-01",
            5.0: "2024-08-31", 6.0: "2024-09-01", 7.0: "2024-09-30"}  # fmt: skip
    register.record_outcomes(
        events([(key("A"), "recovered", amount, day) for amount, day in days.items()])
    )
    reports = {
        "2024-06": since(register, "2024-06"),
        "2024-07": since(register, "2024-07"),
        "2024-08": since(register, "2024-08"),
        "2024-09": since(register, "2024-09", findings=september_findings()),
    }
    listed = {
        month: sorted(section.events_since_previous()["amount"].tolist())
        for month, section in reports.items()
    }
    assert listed == {
        "2024-06": [],  # the first month: no earlier finding
        "2024-07": [1.0, 2.0, 3.0],
        "2024-08": [4.0, 5.0],
        "2024-09": [6.0, 7.0],
    }
    # the recovered yuan counted by each report: every event before its list's end
    assert reports["2024-07"].summary()["recovered_proved"] == 6.0  # 1 + 2 + 3
    assert reports["2024-08"].summary()["recovered_proved"] == 15.0  # + 4 + 5
    assert reports["2024-09"].summary()["recovered_proved"] == 28.0  # + 6 + 7


def test_a_month_not_recorded_yet_is_a_preview_that_records_nothing(register) -> None:
    record(register, "2024-06")
    june_outcomes(register)
    preview = since(register, "2024-07")
    assert preview.situation == "preview" and preview.previous_as_of == "2024-06"
    assert preview.explain("en").startswith(
        "2024-07 is not recorded in the register yet: what follows is a preview"
    )
    figures = preview.summary()
    assert (figures["new"], figures["persisting"], figures["no_longer_found"]) == (2, 2, 2)
    assert (figures["proved_now"], figures["proved_before"]) == (160.0, 150.0)
    assert figures["recovered_proved"] == 80.0
    assert register.runs()["run_id"].tolist() == ["north 2024-06"]
    assert set(register.findings()["finding_key"]) == {key(c) for c in "ABCD"}


def test_reopened_findings_and_the_top_findings_status(register) -> None:
    for month in MONTHS:
        record(register, month)
    august = since(register, "2024-08")
    figures = august.summary()
    assert {s: figures[s] for s in ("new", "persisting", "no_longer_found", "reopened")} == {
        "new": 0, "persisting": 3, "no_longer_found": 1, "reopened": 1,
    }  # fmt: skip
    assert figures["amounts_changed"] == 1  # B came back at 55.00 after 50.00
    # now: A 120 + B 55 + E 40 proved, F 10 estimated; open after July: A 120 + E 40, C 30 + F 10
    assert (figures["proved_now"], figures["estimated_now"]) == (215.0, 10.0)
    assert (figures["proved_before"], figures["estimated_before"]) == (160.0, 40.0)
    assert figures["earlier"] == 6  # first found in June (A-D) or July (E, F)
    status = august.table("by_status", "zh").set_index("疑点状态")
    assert status.loc["再次出现", "本月核算确认电费 (元)"] == 55.0
    assert pd.isna(status.loc["再次出现", "上次运行核算确认电费 (元)"])

    top = top_table(august, month_findings("2024-08"), "zh")
    assert list(top.columns[:2]) == ["稽查规则", "疑点状态"]
    by_customer = dict(zip(top["customer_id"], top["疑点状态"], strict=True))
    assert by_customer == {"A": "持续存在", "B": "再次出现", "E": "持续存在", "F": "持续存在"}


def test_statuses_without_findings_show_no_money_whatever_the_status(sqlite_register) -> None:
    record(sqlite_register, "2024-06")
    record(sqlite_register, "2024-07")
    july = since(sqlite_register, "2024-07")  # none reopened; D and B no longer found
    for lang, reopened, proved_now, proved_before in (
        ("zh", "再次出现", "本月核算确认电费 (元)", "上次运行核算确认电费 (元)"),
        (
            "en",
            "reopened",
            "Revenue proved, this month (yuan)",
            "Revenue proved, previous run (yuan)",
        ),
    ):
        status = july.table("by_status", lang).set_index(july.table("by_status", lang).columns[0])
        assert status.loc[reopened].iloc[0] == 0
        assert status.loc[reopened, [proved_now, proved_before]].isna().all()
    august_like = by_status_of(["no_longer_found"])
    assert august_like.set_index("status").loc["no_longer_found", "proved_before"] == 7.0
    assert august_like.set_index("status").loc["reopened"].iloc[2:].isna().all()


def by_status_of(statuses: list[str]) -> pd.DataFrame:
    from auditkit.audit.since import by_status

    changes = pd.DataFrame(
        {
            "status": statuses,
            "amount_changed": [0] * len(statuses),
            "revenue_impact": [float("nan")] * len(statuses),
            "previous_revenue_impact": [7.0] * len(statuses),
            "revenue_kind": ["proved"] * len(statuses),
        }
    )
    return by_status(changes)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", {"outcome": "最近核查结果", "recovered": "已追补电费 (元)", "found": "涉及电费 (元)",
                "kind": "电费性质", "rectified": "已整改", "false_alarm": "误报",
                "note": "涉及电费为发现时的金额，未扣除已追补的电费"}),
        ("en", {"outcome": "Latest field outcome", "recovered": "Recovered (yuan)",
                "found": "Revenue at stake (yuan)", "kind": "Revenue kind", "rectified": "rectified",
                "false_alarm": "false alarm", "note": "Revenue at stake is the amount as found"}),
    ],
)  # fmt: skip
def test_top_findings_show_the_latest_outcome_and_the_yuan_recovered_beside_the_amount_found(
    sqlite_register, lang: str, words: dict[str, str], monkeypatch
) -> None:
    record(sqlite_register, "2024-06")
    june_outcomes(sqlite_register)
    record(sqlite_register, "2024-07")
    july = since(sqlite_register, "2024-07")
    top = top_table(july, month_findings("2024-07"), lang)
    columns = list(top.columns)
    found = columns.index(words["found"])
    assert columns[found + 1 : found + 4] == [words["outcome"], words["recovered"], words["kind"]]
    rows = top.set_index("customer_id")
    # A: recovered 80.00 then rectified; C: recovered 12.50 then a false alarm; E, F new
    assert rows.loc["A", [words["found"], words["outcome"], words["recovered"]]].tolist() == [
        120.0, words["rectified"], 80.0,
    ]  # fmt: skip
    assert rows.loc["C", [words["found"], words["outcome"], words["recovered"]]].tolist() == [
        30.0, words["false_alarm"], 12.5,
    ]  # fmt: skip
    assert rows.loc[["E", "F"], words["outcome"]].tolist() == ["—", "—"]
    assert rows.loc[["E", "F"], words["recovered"]].isna().all()
    # as found: never netted, each amount in its own row's kind
    assert rows[words["found"]].tolist() == [120.0, 40.0, 30.0, 10.0]
    assert top.attrs["note"].startswith(words["note"])

    shown: list[dict] = []
    monkeypatch.setattr(notebook, "_display", shown.append)
    audit = DistrictAudit("north", SimpleNamespace(customers=pd.DataFrame(
        {"customer_id": list("ACEF"), "name": "Li"})), month_findings("2024-07"), CATALOG, {},
        top_n=10, since=july)  # fmt: skip
    report.show_table(top, lang=lang, money_columns=audit.money_columns(lang))
    page = shown[-1]["text/html"]
    assert ">80.00</td>" in page and ">12.50</td>" in page and ">120.00</td>" in page
    assert f'<p class="ak-table-note">{words["note"]}' in page
    assert words["note"] in shown[-1]["text/plain"]


def test_top_findings_without_field_outcomes_have_no_outcome_columns(sqlite_register) -> None:
    record(sqlite_register, "2024-06")
    record(sqlite_register, "2024-07")
    top = top_table(since(sqlite_register, "2024-07"), month_findings("2024-07"), "en")
    assert "Recovered (yuan)" not in top.columns and "note" not in top.attrs


def test_a_register_already_past_this_month_says_so_without_tables(sqlite_register) -> None:
    record(sqlite_register, "2024-06")
    record(sqlite_register, "2024-08")
    late = since(sqlite_register, "2024-07")
    assert (late.situation, late.latest_as_of, late.table_names) == ("later", "2024-08", ())
    assert late.explain("en") == (
        "The register holds runs up to 2024-08, after this report's month 2024-07, and none "
        "for 2024-07: the changes of that month cannot be shown."
    )
    assert late.status_names(month_findings("2024-07")) is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_language_speaks_alone(sqlite_register, lang: str) -> None:
    record(sqlite_register, "2024-06")
    june_outcomes(sqlite_register)
    sections = [since(sqlite_register, "2024-07"), since(None, "2024-07")]
    record(sqlite_register, "2024-07")
    sections.append(since(sqlite_register, "2024-07"))
    texts = []
    for section in sections:
        texts += [section.heading("title", lang), *section.explain(lang).splitlines()]
        for name in section.table_names:
            table = section.table(name, lang)
            texts += [section.heading(name, lang), *map(str, table.columns)]
            texts += [str(cell) for cell in table.to_numpy().ravel() if isinstance(cell, str)]
    texts = [text for text in texts if text not in ("customer_id", "inspector-1")]
    if lang == "zh":
        assert not [text for text in texts if ENGLISH.search(text)]
    else:
        assert not [text for text in texts if CHINESE.search(text)]


def test_text_from_the_data_is_shown_escaped(sqlite_register, monkeypatch) -> None:
    ids = {"A": "<script>alert(1)</script>", "B": "=1+1"}
    for month in ("2024-06", "2024-07"):
        record(sqlite_register, month, ids=ids)
    sent = [(finding_key(ids[c], RULE_OF[c], STARTS[c]), "sent", None, "2024-07-02") for c in "AB"]
    sqlite_register.record_outcomes(events(sent, actor="<b>bold</b>"))
    section = since_last_month(
        month_findings("2024-07", ids=ids), "north", sqlite_register, CATALOG
    )
    nowhere = since_last_month(month_findings("2024-07"), "<i>x</i>", None, CATALOG)
    shown: list[dict] = []
    monkeypatch.setattr(notebook, "_display", shown.append)
    report.show_lines(nowhere.explain("en"))
    for name in section.table_names:
        report.show_table(
            section.table(name, "en"), lang="en", money_columns=section.money_columns("en"),
            column_labels=report.personal_labels("en"),
        )  # fmt: skip
    page = "".join(bundle["text/html"] for bundle in shown)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>" not in page
    assert "&lt;i&gt;x&lt;/i&gt;" in page and "<i>" not in page
    assert '">=1+1</td>' in page  # shown as the text it is


@pytest.mark.slow
def test_the_notebook_shows_a_preview_against_the_register_a_run_points_it_at(
    tmp_path: Path, monkeypatch
) -> None:
    import nbformat
    import papermill

    from auditkit import data, synth
    from auditkit.register.location import RUN_DB_ENV

    config = synth.SynthConfig(customers=1200, districts=2, months=24, seed=3)
    folder = Path(synth.write(synth.generate(config), tmp_path / "utility", config=config))
    dataset = data.load(folder)
    district = str(sorted(dataset.customers["district"].unique())[0])
    latest = str(dataset.bills["period"].max())
    previous = str(sorted(dataset.bills["period"].unique())[-2])
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    with Register.open(url) as opened:
        before = rules.run(dataset.for_district(district), as_of=previous)
        opened.record_run(before, run_id="previous", as_of=previous, district=district)
    monkeypatch.setenv(RUN_DB_ENV, url)
    monkeypatch.setenv(notebook.REPORT_DIR_ENV, str(tmp_path / "report"))
    (tmp_path / "report").mkdir()
    ran = papermill.execute_notebook(
        str(Path(__file__).resolve().parents[2] / "notebooks" / "district_audit.ipynb"),
        str(tmp_path / "report" / "run.ipynb"),
        parameters={"data_dir": str(folder), "district": district, "lang": "zh"},
        progress_bar=False,
        cwd=str(tmp_path / "report"),
    )
    page = "\n".join(
        output["data"]["text/html"]
        for cell in nbformat.from_dict(ran).cells
        for output in cell.get("outputs", [])
        if "text/html" in output.get("data", {})
    )
    assert ">上月以来</h2>" in page and ">疑点状态</th>" in page
    with Register.open(url) as opened:
        assert opened.runs()["run_id"].tolist() == ["previous"]  # the report recorded nothing
        expected = study.build(dataset, district, register=opened).since
    lines = expected.explain("zh").splitlines()
    assert lines[0].startswith(f"{latest} 尚未记入台账：以下为预览")
    assert expected.summary()["persisting"] > 0
    assert all(f"<li>{line}</li>" in page for line in lines)


def test_a_register_of_other_data_is_not_read_as_this_datasets_history(sqlite_register) -> None:
    # June recorded for north with customers A-D; this dataset's archive holds other customers
    # (another utility's export read against the team's shared register).
    record(sqlite_register, "2024-06")
    ours = ["P1", "P2", "P3", "A"]
    section = since_last_month(month_findings("2024-07"), "north", sqlite_register, CATALOG, ours)
    assert section.situation == "other_data" and section.table_names == ()
    assert section.foreign == (4, 3)  # A-D found in June, only A in the archive
    assert section.explain("en") == (
        "3 of the 4 findings of north in the register's latest run name customers this "
        "dataset's archive does not hold: the register records other data (another utility, or "
        "another test set), so nothing is compared here. Point --db or AUDITKIT_DB at this "
        "dataset's register."
    )
    assert "AUDITKIT_DB" in section.explain("zh") and "4 条疑点有 3 条" in section.explain("zh")
    assert top_table(section, month_findings("2024-07"), "en").filter(like="status").empty
    # Near misses, this dataset's own history compared as always: half of June's customers
    # still in the archive (the rest closed and purged); every one of them in the archive,
    # whichever district it is in now (the archive is the whole utility's: a boundary change
    # moves customers, it does not remove them).
    half = since_last_month(
        month_findings("2024-07"), "north", sqlite_register, CATALOG, ["A", "B", "Q"]
    )
    assert half.situation == "preview"
    every = since_last_month(
        month_findings("2024-07"), "north", sqlite_register, CATALOG, list("ABCDEF")
    )
    assert (
        every.situation == "preview"
        and every.summary() == since(sqlite_register, "2024-07").summary()
    )


def test_findings_of_months_before_the_latest_run_do_not_make_a_register_foreign(
    sqlite_register,
) -> None:
    # June's D was no longer found in July (and its account closed and purged since), B gone
    # too: August's check reads only the findings of July's run, A, C, E and F.
    record(sqlite_register, "2024-06")
    record(sqlite_register, "2024-07")
    august = since_last_month(
        month_findings("2024-08"), "north", sqlite_register, CATALOG, ["A", "C", "E", "F"]
    )
    assert august.situation == "preview"
