"""Wording (Chinese, English) of rules capacity: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {
    "rule.suspension_backdated.title": (
        "暂停、减容倒签（生效日期早于申请日期）",
        "Suspension or reduction backdated before its application",
    ),
    "rule.suspension_backdated.checks": (
        "暂停或减容工单的生效日期早于申请（发起）日期：设备不可能在申请前加封，基本电费只能自加封之日起停收；"
        "涉及电费：减少的容量自生效日至申请日（或工单结束日）的基本电费，整个抄表周期按月、不足一个周期按日（1/30）"
        "计收，按应执行的基本电价，只计账单少收的部分（账单已计收的照列，不计涉及电费）；其中暂停不足最短期限或超期、"
        "按全部容量计收的天数归“暂停超期”规则（按其参数），证据列明天数；申请距生效不足 short_notice_working_days 个工作日（按法定节假日及调休；0 为不查）"
        "的工单也列出，不计涉及电费",
        "a suspension or capacity reduction order whose effective date precedes its application "
        "(issued_at): the equipment cannot be sealed before the application, and the basic charge "
        "stops only from the sealing; impact: the basic charge of the capacity given up from the "
        "effective date to the application (or the order's end), a whole read period at the "
        "monthly rate, part of one at 1/30 a day, at the basic rate due, counted only where the "
        "bills under-billed it (bills that charged it: listed with no revenue); days of a "
        "suspension too short or over its yearly limit, due on the full capacity, are "
        "suspension_overrun's (on its thresholds), their count in the evidence; orders applied "
        "for fewer "
        "than short_notice_working_days working days ahead (public holidays and make-up days "
        "counted; 0: not checked) are listed too, with no revenue",
    ),
    "rule.suspension_backdated.source": (
        "《供电营业规则》（国家发展改革委令2024年第14号）暂停、减容条款；1996 年版第二十三条（减容）、第二十四条（暂停）："
        "提前申请，自设备加封之日起减收相应容量的基本电费",
        "Rules of Electricity Supply Business (2024, NDRC Order No. 14), provisions on "
        "suspension and capacity reduction; "
        "1996 rules art. 23 (reduction) and 24 (suspension): applications ahead of the date, the "
        "basic charge reduced only from the day the equipment is sealed",
    ),
    "evidence.suspension_backdated": (
        "工单 {order:text}（{type:order}{capacity:clause}）于 {effective:date} 生效，"
        "却在 {issued:date} 才申请，倒签 {days:count:day}（应提前 {notice:int} 个工作日申请）：设备加封前基本电费即已停收"
        "{left:clause}",
        "order {order:text} ({type:order}{capacity:clause}) took effect "
        "{effective:date} but was applied for only on {issued:date}, backdated "
        "{days:count:day} (applications are due {notice:int} working days ahead): the basic "
        "charge stopped before the equipment could be sealed{left:clause}",
    ),
    "evidence.suspension_backdated.left": (
        "；其中 {days:count:day}的基本电费计入“暂停超期”规则（暂停不足最短期限或超过年度期限，按全部容量计收）",
        "; the basic charge of {days:count:day} of them is counted under suspension_overrun (a "
        "suspension too short or over its yearly limit is due on the full capacity)",
    ),
    "evidence.suspension_backdated.bills": (
        "；少收在 {months:span} 账单",
        "; under-billed on the bills of {months:span}",
    ),
    "evidence.suspension_backdated.short_notice": (
        "工单 {order:text}（{type:order}{capacity:clause}）于 {issued:date} 申请、"
        "{effective:date} 生效，仅提前 {working_days:int} 个工作日（应提前 {notice:int} 个工作日）",
        "order {order:text} ({type:order}{capacity:clause}) applied for "
        "{issued:date}, effective {effective:date}: {working_days:int} working days ahead, "
        "{notice:int} due",
    ),
    "evidence.order_capacity": (
        " {old:num0}→{remaining:num0} 千伏安",
        " {old:num0}→{remaining:num0} kVA",
    ),
    "evidence.order_capacity.unrecorded": (
        "，工单未记录容量",
        ", no capacity recorded on the order",
    ),
    "evidence.capacity_underbilled.suspended": (
        "{months:span} 共 {bills:count:bill}按小于运行容量的容量计收基本电费，其中 {suspended:int} 期在暂停期间，"
        "小于暂停后保留的容量（{last:period}：计费容量 {billed:num0} 千伏安，运行容量 {in_force:num0} 千伏安）",
        "{bills:count:bill} {months:span} charged the basic charge on less than the capacity in "
        "force, {suspended:int} of them inside a suspension, on less than the capacity it leaves "
        "in service (in {last:period}: {billed:num0} kVA billed, {in_force:num0} kVA in force)",
    ),
    "evidence.reduction_without_drop.left.capacity_underbilled": (
        "；另有 {amount:money}系计费容量小于工单保留的容量，计入“基本电费计费容量小于档案容量”规则",
        "; {amount:money} more, billed short of the capacity the orders leave, is counted under "
        "capacity_underbilled",
    ),
    "evidence.reduction_without_drop.left.suspension_overrun": (
        "；另有 {amount:money}系暂停不足最短期限或超过年度期限应收，计入“暂停超期”规则",
        "; {amount:money} more, due as the suspension was too short or over its yearly limit, is "
        "counted under suspension_overrun",
    ),
    "evidence.reduction_without_drop.left.suspension_backdated": (
        "；另有 {amount:money}系工单申请前应收，计入“暂停、减容倒签”规则",
        "; {amount:money} more, due before the order's application, is counted under "
        "suspension_backdated",
    ),
    "evidence.suspension.billed_in_full": (
        "；账单已按应收容量计收基本电费，未少收",
        "; the bills charged the basic charge on it: nothing under-billed",
    ),
    "evidence.suspension.closed": ("，{at:date} 销户终止", "ended by closure {at:date}"),
    "evidence.load_above_remaining": (
        "平均负荷达剩余容量 {remaining:num0} 千伏安（功率因数按 {pf:num2} 计）所能承载的 {load:pct}",
        "average load reached {load:pct} of what the {remaining:num0} kVA left can carry (at "
        "power factor {pf:num2})",
    ),
}
