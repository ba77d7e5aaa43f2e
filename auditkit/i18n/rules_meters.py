"""Wording (Chinese, English) of rules meters: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {
    "rule.meter_change_energy_lost.title": ("换表电量丢失", "Energy lost at a meter replacement"),
    "rule.meter_change_energy_lost.checks": (
        "换表工单的旧表拆回示数超出旧表最后一期计费止码（且旧表最后一期超出其示数 × 倍率的电量、首期新表账单均未补计该差额；跨换表接续的账单不在此判断，归“电量与示数不符”；该期抄表日在换表日之后而其后无账单、且已销户或稽查月份已过其次月的，亦为丢失；换表示数无法对应到账单的——拆回示数低于旧表最后计费止码、装表示数高于首期账单止码，或换表前后账单示数倒走而工单日期未显示换表——不作判断），或新表装表示数小于换表后首期"
        "账单的起码，差额超过 read_tolerance（表计示数单位），或差额 × 倍率超过 read_tolerance_kwh（千瓦时：大倍率下半个字也是上千千瓦时）；丢失电量 = 示数差 × 当期倍率，涉及电费按应执行的电度电价计算："
        "旧表余量按其使用日（旧表最后一期抄表日次日至换表前一日；该期抄表日在换表日之后的，为该期抄表起始日至换表前一日）所在月份的电价（按日数分摊），新表电量按换表后首期"
        "账单的电价；执行阶梯电价的一户一表居民按年度累计电量所处阶梯计价（叠加于当年截至换表后首期已计电量之上）；"
        "另加该电量的政府性基金及附加（按应执行的基金标准）",
        "a meter_replacement order whose old meter's final read is beyond the last billed end "
        "register of the old meter (and neither that bill, beyond its own registers × its "
        "multiplier, nor the first bill on the new meter charges the difference; a bill "
        "joining both meters is register_mismatch's; with no bill after it, where that last "
        "bill read past the swap and the account closed or the audit month is past the month "
        "after it; not judged where the order's reads cannot be placed on the bills: a final "
        "read below the last billed read, a first read above the first new bill's end, or "
        "registers falling around a swap the order's day does not show), or "
        "whose new meter's first read is below the start register of the first bill after "
        "the replacement, by more than read_tolerance (meter units), or by more "
        "than read_tolerance_kwh through the multiplier (half a unit behind CT 30 × PT 100 is "
        "1,500 kWh); energy lost = "
        "the register difference × the multiplier billed, at the energy rate due: the old "
        "meter's remainder at the rates in force on the days it was used (the day after its "
        "last billed read to the day before the swap, or from that bill's read_from where it "
        "read past the swap, each month's rate by its days), the new "
        "meter's at the first bill after the replacement's; a single household on tiered "
        "rates by the tiers they fall in, on top of the kWh its tier year billed up to that "
        "bill; plus the funds due on those kWh (fund_rate)",
    ),
    "rule.meter_change_energy_lost.source": (
        "《国家电网公司电费抄核收管理规则》（换表时新旧表示数须现场确认，计费接续）；营销稽查实践：换表电量丢失是"
        "计量环节的常见差错",
        "State Grid rules on meter reading, billing and collection (at a meter replacement the "
        "old and new reads are confirmed on site and billing joins them); marketing audit "
        "practice: energy lost at a meter change is a common metering error",
    ),
    "rule.meter_error_backbill.title": (
        "电能表误差超差未退补",
        "Meter tested out of tolerance, not back-billed",
    ),
    "rule.meter_error_backbill.checks": (
        "截至稽查日期的电能表检验（meter_tests）误差绝对值超过 tolerance_pct（默认 ±2%，2.0 级居民电能表，"
        "DL/T 448；0.5S、1.0 级等计量点应按其准确度等级调低）；以“0”误差为基准，退补时间为自上次检验（或换装"
        "投运、接电）至检验之日的二分之一，期间计费电量（按抄表天数分摊）× (−误差)/(100+误差)，按应执行电价计价（分时计费的账单按其各时段电量和电价分别计价），加该电量的政府性基金及附加，明细账单上并计补收电度电费引起的力调电费："
        "慢走为少收电费，快走为应退用户（不计入涉及电费，在证据中列出金额）；检验后已录入的退补达到应退补金额 "
        "settled_share 的不再列出：慢走看补收（正负相抵，负数补收为退还用户，不抵欠费），快走看退费及负数补收",
        "a meter test (meter_tests) up to the audit date with an error beyond ±tolerance_pct "
        "(default 2%, a class 2.0 household meter, DL/T 448; use a tighter one for class 1.0 or "
        "0.5S metering points); from zero error, over half the time from the previous test (or "
        "the meter's installation, or the connection) to the test day: the kWh billed in that "
        "window (bills shared by read days) × (−error)/(100 + error) at the rate due (a bill "
        "by time-of-use periods at its own period lines' rates, each line shared alike), plus "
        "the funds due on those kWh and, on itemized bills, the power-factor adjustment the "
        "energy back-billed moves; a slow "
        "meter is revenue under-billed, a fast one a refund owed to the customer (shown in the "
        "evidence, no revenue); a test settled since by at least settled_share of the amount is "
        "not listed: a slow meter by back-bills, net (a negative back-bill credits the customer "
        "and settles nothing owed), a fast one by refunds and negative back-bills",
    ),
    "rule.meter_error_backbill.source": (
        "《供电营业规则》（1996）第八十条：互感器或电能表误差超出允许范围时，以“0”误差为基准按验证后的误差值"
        "退补电量，退补时间从上次校验或换装投入之日起至误差更正之日止的二分之一时间计算（2024 年《供电营业规则》"
        "沿用）；《电能计量装置技术管理规程》（DL/T 448-2016）",
        "Rules of Electricity Supply Business (1996), art. 80: a meter or instrument transformer "
        "outside its permitted error is back-billed or refunded from zero error by the tested "
        "error, over half the time since its last test or installation (kept by the 2024 "
        "rules); metering code DL/T 448-2016",
    ),
    "rule.meter_event_unresolved.title": (
        "计量异常告警未处理",
        "Metering alarm left without a field check",
    ),
    "rule.meter_event_unresolved.checks": (
        "采集系统告警（events 所列：失压、失流、开盖、反向电量）持续超过 max_hours 小时未恢复（或至稽查日期仍未"
        "恢复），或 window_days 天内发生 min_repeats 次以上；告警当月之后的账单（至少 min_months_after 期）月均"
        "电量低于预期的 drop_ratio 倍（预期：有至少 min_months_after 期告警前一年同期账单时为该同期电量，否则为告警前 "
        "before_months 期月均电量）；且首次告警之后无现场检查记录（inspections）。"
        "涉及电费为估算：此后各期低于预期的电量，及告警所在账单（抄表期含告警日）自告警日起各天的预期电量按此后各期降幅"
        "折算的少计电量（至多为该期低于预期的电量）×（应执行电价 + 政府性基金及附加，执行阶梯电价的一户一表居民按年度累计电量所处阶梯计价）；开盖、反向电量伴随电量下降为窃电嫌疑，需"
        "现场取证后方可计收违约使用电费，故不计违约金",
        "a data-collection alarm (events: voltage loss, current loss, meter cover open, reverse "
        "energy) not cleared within max_hours (or still open at the audit date), or raised "
        "min_repeats times within window_days; the bills after its month (at least "
        "min_months_after) use less than drop_ratio × what was expected of them (the same months "
        "of the year before the alarm when at least min_months_after of them have one, else the "
        "mean of the before_months bills before the alarm); and no inspection (inspections) "
        "since the first "
        "such alarm. Estimated revenue: the kWh below what was expected of each bill after the "
        "alarm, and of the alarm's own bill (its read period holds the alarm day) the expected "
        "kWh of its days from the alarm at the fall of the months after (at most what it fell "
        "short), at the rate due (a "
        "single household on tiered rates by the tiers they fall in) and its funds; a cover "
        "opened or "
        "reverse energy with a fall suggests theft, which a field check must establish before "
        "any penalty, so no penalty is computed",
    ),
    "rule.meter_event_unresolved.source": (
        "《电力用户用电信息采集系统功能规范》（Q/GDW 1373）（失压、失流、开表盖、反向电量等异常事件）；"
        "《供电营业规则》（1996、2024）关于窃电认定与处理的规定（须现场取证）；营销稽查实践：采集异常须派工核查闭环",
        "State Grid functional specification of the power user electricity information "
        "collection system Q/GDW 1373 (voltage loss, current loss, cover open, reverse energy "
        "events); Rules of Electricity Supply Business (1996 and 2024) on establishing theft "
        "(evidence on site); marketing audit practice: an alarm is closed by a field check",
    ),
    "evidence.meter_change_energy_lost": (
        "{date:date} 换表：{parts:join}",
        "meter replaced {date:date}: {parts:join}",
    ),
    "evidence.meter_change.old_unbilled": (
        "旧表拆回示数 {final:num2} 大于最后一期计费止码 {billed:num2}（{period:period}），{kwh:num0} 千瓦时未计费",
        "the old meter's final read {final:num2} is beyond the last billed read {billed:num2} "
        "({period:period}): {kwh:num0} kWh never billed",
    ),
    "evidence.meter_change.new_not_joined": (
        "新表装表示数 {first:num2} 小于首期账单起码 {start:num2}（{period:period}），{kwh:num0} 千瓦时未计费",
        "the new meter's first read {first:num2} is below the start register {start:num2} of "
        "its first bill ({period:period}): {kwh:num0} kWh never billed",
    ),
    "evidence.meter_error_backbill": (
        "电能表 {meter:text} 于 {tested:date} 检验误差 {error:percent2}（允许 ±{tolerance:percent2}）；自{since:clause}"
        "至检验日的一半为 {days:count:day}（自 {start:date} 起），期间计费电量 {kwh:num0} 千瓦时，{owed:clause}",
        "meter {meter:text} tested {tested:date} at {error:percent2} (allowed ±{tolerance:percent2}); "
        "half the time since {since:clause} is {days:count:day}, from {start:date}: {kwh:num0} kWh "
        "billed in it, {owed:clause}",
    ),
    "evidence.meter_error.since_test": (
        "上次检验（{date:date}）",
        "the previous test on {date:date}",
    ),
    "evidence.meter_error.since_installed": (
        "换装投运（{date:date}）",
        "the meter's installation on {date:date}",
    ),
    "evidence.meter_error.since_connected": (
        "接电（{date:date}）",
        "the connection on {date:date}",
    ),
    "evidence.meter_error.backbill": (
        "应补收电量 {kwh:num0} 千瓦时，电费 {amount:money}",
        "{kwh:num0} kWh to back-bill, {amount:money}",
    ),
    "evidence.meter_error.pf": (
        "；其中补收电度电费引起的力调电费 {amount:money}",
        "; of which {amount:money} of power-factor adjustment on the energy back-billed",
    ),
    "evidence.meter_error.refund": (
        "电能表快走，应退还用户电量 {kwh:num0} 千瓦时，电费 {amount:money}",
        "the meter ran fast: {kwh:num0} kWh, {amount:money} to refund to the customer",
    ),
    "evidence.meter_event_unresolved": (
        "{at:date} 起发生{event:clause}告警，{how:clause}（此类共 {alarms:count:alarm}），此后无现场检查记录；"
        "{months:span} 月均电量由{basis:clause} {before:num0} 千瓦时降至 {after:num0} 千瓦时（{ratio:pct}）",
        "{event:clause} alarm from {at:date}, {how:clause} ({alarms:count:alarm} of these kinds in "
        "all), with no inspection since; monthly kWh fell from {before:num0} ({basis:clause}) to "
        "{after:num0} ({ratio:pct}) over {months:span}",
    ),
    "evidence.meter_event.basis.season": (
        "告警前一年同期",
        "the same months of the year before the alarm",
    ),
    "evidence.meter_event.basis.level": ("告警前", "the months before the alarm"),
    "evidence.meter_event.voltage_loss": ("失压", "voltage loss"),
    "evidence.meter_event.current_loss": ("失流", "current loss"),
    "evidence.meter_event.cover_open": ("开盖", "meter cover open"),
    "evidence.meter_event.reverse_energy": ("反向电量", "reverse energy"),
    "evidence.meter_event.phase_imbalance": ("电流不平衡", "phase imbalance"),
    "evidence.meter_event.clock_drift": ("时钟偏差", "clock drift"),
    "evidence.meter_event.other": ("其他", "other"),
    "evidence.meter_event.lasting": (
        "持续 {hours:num0} 小时才恢复",
        "cleared only after {hours:num0} hours",
    ),
    "evidence.meter_event.not_cleared": (
        "已持续 {hours:num0} 小时仍未恢复",
        "not cleared after {hours:num0} hours",
    ),
    "evidence.meter_event.repeated": (
        "{days:int} 天内发生 {count:int} 次",
        "{count:int} times within {days:int} days",
    ),
    "evidence.meter_event.estimate": (
        "；估计少收电费 {amount:money}",
        "; {amount:money} estimated unbilled",
    ),
    "evidence.meter_event.estimate_from_alarm": (
        "；{months:span} 估计少收电费 {amount:money}（告警所在 {bill:period} 账单按 {at:date} 告警起 {days:int} 天"
        "（抄表期 {read_days:int} 天）的预期电量、以此后各期的降幅计，至多为该期低于预期的电量）",
        "; {amount:money} estimated unbilled over {months:span} (the alarm's own bill "
        "{bill:period} for its {days:int} of {read_days:int} days from the alarm on {at:date}, "
        "at the fall of the months after, at most what it fell short)",
    ),
    "noun.alarm": ("次告警", "alarm"),
    "noun.alarm.plural": ("次告警", "alarms"),
}
