"""Wording of the district report's "since last month" section (`auditkit.audit.since`), zh and
en by key: `since.heading.*` its headings, `since.column.*` its table labels, `since.line.*` its
sentences. Statuses and outcome events are named by the register's own words
(`register.store.status.*`, `register.sheet.outcome.*`)."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # headings
    "since.heading.title": ("上月以来", "Since last month"),
    "since.heading.by_status": (
        "本月疑点状态与上次运行对比",
        "This month's findings by status, against the previous run",
    ),
    "since.heading.by_rule": ("各规则疑点变化", "Changes by rule"),
    "since.heading.outcomes": ("以往疑点的核查结果", "Outcomes of earlier findings"),
    "since.heading.events": ("上次运行以来的核查记录", "Field events since the previous run"),
    # table labels
    "since.column.status": ("疑点状态", "Finding status"),
    "since.column.amounts_changed": ("金额有变化", "Amount changed"),
    "since.column.proved_now": ("本月核算确认电费 (元)", "Revenue proved, this month (yuan)"),
    "since.column.estimated_now": ("本月估算电费 (元)", "Revenue estimated, this month (yuan)"),
    "since.column.proved_before": (
        "上次运行核算确认电费 (元)",
        "Revenue proved, previous run (yuan)",
    ),
    "since.column.estimated_before": (
        "上次运行估算电费 (元)",
        "Revenue estimated, previous run (yuan)",
    ),
    "since.column.earlier": ("以往疑点数", "Earlier findings"),
    "since.column.recovered_proved": (
        "已追补核算确认电费 (元)",
        "Recovered, proved (yuan)",
    ),
    "since.column.recovered_estimated": ("已追补估算电费 (元)", "Recovered, estimated (yuan)"),
    "since.column.still_open": ("已派发待核实", "Sent, still open"),
    "since.column.date": ("日期", "Date"),
    "since.column.event": ("核查结果", "Outcome"),
    "since.column.actor": ("核查人", "Checked by"),
    # sentences
    "since.line.no_register": (
        "稽查线索台账中还没有{district}的记录，无法与上月对比。开始记录：运行 "
        "auditkit run-all --register，或 auditkit rules 数据目录 --register。",
        "The findings register holds nothing for {district} yet, so there is no last month to "
        "compare with. Start one with auditkit run-all --register, or auditkit rules DATA "
        "--register.",
    ),
    "since.line.later": (
        "台账已记录到 {latest}，晚于本报告的稽查月份 {as_of}，且没有 {as_of} 的记录：无法给出该月以来的变化。",
        "The register holds runs up to {latest}, after this report's month {as_of}, and none "
        "for {as_of}: the changes of that month cannot be shown.",
    ),
    "since.line.other_data": (
        "稽查线索台账最近一次运行中{district}的 {held} 条疑点有 {missing} 条的客户不在本数据集的档案中："
        "这本台账记录的是别的数据（另一家单位或另一套测试数据），本节不作对比。请用本数据集的台账"
        "（--db 或环境变量 AUDITKIT_DB）。",
        "{missing} of the {held} findings of {district} in the register's latest run name "
        "customers this dataset's archive does not hold: the register records other data "
        "(another utility, or "
        "another test set), so nothing is compared here. Point --db or AUDITKIT_DB at this "
        "dataset's register.",
    ),
    "since.line.preview": (
        "{as_of} 尚未记入台账：以下为预览，即此时记录将得出的结果，未作任何记录。",
        "{as_of} is not recorded in the register yet: what follows is a preview of what "
        "recording now would say; nothing was recorded.",
    ),
    "since.line.recorded": (
        "以下为台账记录的 {as_of} 运行结果，与上次运行（{previous}）对比。",
        "What the register recorded for {as_of}, against the previous run ({previous}).",
    ),
    "since.line.first_month": (
        "{as_of} 是台账中{district}的第一个月：没有更早的运行可供对比，全部疑点均为新发现，"
        "尚无以往疑点及其核查结果。",
        "{as_of} is the first month the register holds for {district}: there is no earlier run "
        "to compare with, every finding is new, and there are no earlier findings or outcomes "
        "yet.",
    ),
    "since.line.counts": (
        "本月发现疑点 {found:,} 条：新发现 {new:,} 条，持续存在 {persisting:,} 条（其中涉及金额有变化 "
        "{changed:,} 条），再次出现 {reopened:,} 条；本月未再发现 {gone:,} 条。",
        "{found:,} findings this month: {new:,} new, {persisting:,} persisting ({changed:,} with a "
        "changed amount), {reopened:,} reopened; {gone:,} no longer found.",
    ),
    "since.line.moved": (
        "其中随用户从其他单位迁入 {moved_in:,} 条（上月属其他单位，不计为持续存在）；另有 "
        "{moved_out:,} 条随用户迁出至其他单位（本月在那里仍被发现，并非已整改或本月未再发现）。",
        "Of these, {moved_in:,} moved in with their customer from another district (another "
        "district's last month, not counted as persisting); {moved_out:,} more moved out with "
        "their customer to another district (found there this month: neither fixed nor no longer "
        "found).",
    ),
    "since.line.compared": (
        "上次运行（{previous}）后在册疑点 {before:,} 条，核算确认 {proved_before} 元、估算 "
        "{estimated_before} 元；本月 {found:,} 条，核算确认 {proved} 元、估算 {estimated} 元"
        "（两类性质不同，分别列示，不相加）。",
        "After the previous run ({previous}) {before:,} findings were open, {proved_before} yuan "
        "proved and {estimated_before} yuan estimated; this month {found:,}, {proved} yuan proved "
        "and {estimated} yuan estimated (two kinds, shown apart, never added).",
    ),
    "since.line.outcomes": (
        "以往月份发现的疑点 {earlier:,} 条：已派发 {sent:,} 条，属实 {confirmed:,} 条，误报 {false_alarm:,} "
        "条，已派发待核实 {still_open:,} 条；已追补核算确认电费 {recovered_proved} 元、估算电费 "
        "{recovered_estimated} 元。上次运行以来的核查记录 {events:,} 条。",
        "{earlier:,} findings from earlier months: {sent:,} sent to the field, {confirmed:,} "
        "confirmed, {false_alarm:,} false alarms, {still_open:,} sent and still open; recovered "
        "{recovered_proved} yuan proved and {recovered_estimated} yuan estimated. {events:,} "
        "field events since the previous run.",
    ),
}
