"""Wording (Chinese, English) of rules accounts: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {
    # unbilled_account (漏户)
    "rule.unbilled_account.title": ("漏户：在用户或新装户未出账", "Account left out of billing"),
    "rule.unbilled_account.checks": (
        "档案状态为在用的用户，在其所在供电单位有账单的月份连续 min_months 个月以上无账单：新装工单生效"
        "（接电当月及其后 grace_months 个月可不出账）后始终未出账、两期账单之间中断、或账单在稽查月前停止；"
        "暂停、销户工单生效后至下一期账单前的月份不计，已登记或归档的暂拆工单起至多 max_removal_months 个整月不计"
        "（同零电量规则 zero_consumption 的参数）；不超过 max_off_season_months 个月、其他各年同月均无账单或零电量"
        "（非工单所致）且各年其余月份有用电的为季节性停用（零电量月不出账的系统），不计；仅限所在供电单位回溯期内零电量账单占比低于 "
        "min_zero_bill_share 或零电量账单少于 min_zero_bills 张（小供电单位一张即占比高），占比与张数均达到的供电单位缺账单即为漏计。前次期满后不足零电量规则 min_months 个月内再次登记、"
        "表计未装回的暂拆算同一次；暂拆期满后的无账单月须达到零电量规则的 "
        "min_months 才列出；工单未导出传递、登记、归档日期列时暂拆均视为已登记并注明。涉及电费为估算：该户账单月电费中位数"
        "（精确到分）× 漏计月数，无历史账单时用同用电类别用户月电费中位数；新装户自接电当月起计"
        "（宽限月份也计，接电当月按接电后天数折算）；漏计期间电量若在其后账单中补抄，实际少收会更少",
        "active accounts with no bill for at least min_months months in a row in months their "
        "district billed: a new connection never billed after its effective date (its month and "
        "grace_months more may go unbilled), a gap between bills, or bills that stop before the "
        "audit month; months after a suspension or closure order until the next bill are not "
        "counted, nor those under a meter removal registered or archived, for at most "
        "max_removal_months whole months, nor an off-season: at most max_off_season_months, the "
        "same months unbilled or at 0 kWh with no order in the other years, and use in the rest "
        "of each year (a billing system that issues no bill at 0 kWh; both thresholds "
        "zero_consumption's), only where less than min_zero_bill_share of the district's bills in "
        "the lookback months, or fewer than min_zero_bills of them, are at 0 kWh (elsewhere a "
        "missing bill is a missing bill; the count judges a small district, where one bill is "
        "a large share). A removal "
        "ordered again less than zero_consumption's min_months after the term before, the meter "
        "not back, is one removal; months past a removal's term are listed from "
        "zero_consumption's min_months; with the transfer, registration and archive columns not "
        "exported each removal counts, with a note. Revenue is estimated: the customer's median monthly bill (to the "
        "fen) × the months unbilled, its usage type's median where it has no bill; a new "
        "connection from its month on (its grace months too, its first month for the days "
        "since the connection); energy caught up by a later read makes the real loss smaller",
    ),
    "rule.unbilled_account.source": (
        "《国家电网公司电费抄核收管理规则》（抄表应全覆盖，杜绝漏抄、漏户）；营销稽查常态稽查（新装户未建抄表段、"
        "在用户长期无账单）",
        "State Grid rules on meter reading, billing and collection (every account read and "
        "billed, none left out); routine marketing audit practice (new connections with no "
        "reading book, active accounts without bills)",
    ),
    "evidence.unbilled_account": ("{runs:join}", "{runs:join}"),
    "evidence.unbilled_account.gap": (
        "{before:period} 与 {after:period} 的账单之间 {months:span} 无账单（{count:count:month}）",
        "no bill in {months:span} ({count:count:month}) between the bills of {before:period} and "
        "{after:period}",
    ),
    "evidence.unbilled_account.stop": (
        "{last:period} 之后 {months:span} 无账单（{count:count:month}），档案状态仍为在用",
        "no bill after {last:period}: {months:span} ({count:count:month}) while the archive "
        "says active",
    ),
    "evidence.unbilled_account.new_connection": (
        "新装工单 {order:text} 于 {effective:date} 生效，{months:span} 无账单（{count:count:month}）",
        "new connection {order:text} effective {effective:date}: no bill in {months:span} "
        "({count:count:month})",
    ),
    "evidence.unbilled_account.connected": (
        "档案接电日期 {connected:date}，{months:span} 无账单（{count:count:month}）",
        "connected {connected:date} (archive): no bill in {months:span} ({count:count:month})",
    ),
    "evidence.unbilled_account.from_start": (
        "{months:span} 无账单（{count:count:month}），档案状态为在用",
        "no bill in {months:span} ({count:count:month}) while the archive says active",
    ),
    "evidence.unbilled_account.usual": (
        "；按该户月电费中位数估算，每月 {amount:money}",
        "; estimated at the customer's median monthly bill of {amount:money}",
    ),
    "evidence.unbilled_account.first_month": (
        "；接电当月 {month:period} 按接电后 {days:int}/{month_days:int} 天计 {amount:money}",
        "; its first month {month:period} for the {days:int} of {month_days:int} days since the "
        "connection: {amount:money}",
    ),
    "evidence.unbilled_account.peers": (
        "；该户无历史账单，按{usage:usage}用户月电费中位数估算，每月 {amount:money}",
        "; no bill history: estimated at the median monthly bill of {usage:usage} customers, "
        "{amount:money}",
    ),
    # billed_after_closure
    "rule.billed_after_closure.title": (
        "销户后仍出账或档案未销户",
        "Billed after closure, or closure not in the archive",
    ),
    "rule.billed_after_closure.checks": (
        "销户工单生效后（销户当月可有按日折算的末期账单；有抄表日期时，抄表起始日在销户日之前的账单为末期账单；"
        "另可放宽 grace_months 个月）仍有计费（电量或电费不为零）的账单，新装工单重新接电后的账单除外；"
        "销户工单已生效并归档（或生效满 unarchived_months 个月仍未归档）而档案状态仍为在用。涉及电费记为 0：销户后的电费是错收，应退还或改向实际用电人收取，"
        "金额列在证据中",
        "bills charging energy or money after a closure order took effect (the closure month may "
        "carry a final bill prorated by day; with read dates, a bill read from before the "
        "closure is the final one; grace_months more allowed), bills after a new connection "
        "reopened the account excepted; and a closure order effective and archived (or in effect "
        "for unarchived_months and never archived) while the customer archive stays active. Revenue 0: money billed to a closed account is a billing "
        "error to refund or to bill to whoever used the energy; the amount is in the evidence",
    ),
    "rule.billed_after_closure.source": (
        "《供电营业规则》（1996）第四章 变更用电（销户）及《供电营业规则》（2024，国家发展改革委令第14号）销户规定："
        "销户须停止全部用电容量的使用、结清电费并拆除计量装置；《国家电网公司电费抄核收管理规则》",
        "Rules of Electricity Supply Business (1996), chapter 4 on change of use (closure), and "
        "the 2024 rules (NDRC Order No. 14) on closure: a closed account uses no capacity, "
        "settles its bills and has its meter removed; State Grid rules on meter reading, "
        "billing and collection",
    ),
    "evidence.billed_after_closure.bills": (
        "销户工单 {order:text} 于 {effective:date} 生效后仍出账 {bills:count:bill}（{months:span}），"
        "电量 {kwh:num0} 千瓦时，电费 {amount:money}",
        "closure {order:text} effective {effective:date}, then {bills:count:bill} "
        "({months:span}) charging {kwh:num0} kWh, {amount:money}",
    ),
    "evidence.billed_after_closure.archive_active": (
        "销户工单 {order:text} 于 {effective:date} 生效、{archived:date} 归档，档案状态仍为在用",
        "closure {order:text} effective {effective:date}, archived {archived:date}, while the "
        "archive still says active",
    ),
    "evidence.billed_after_closure.never_archived": (
        "销户工单 {order:text} 于 {effective:date} 生效，至今未归档，档案状态仍为在用",
        "closure {order:text} effective {effective:date}, never archived, while the archive "
        "still says active",
    ),
    # temporary_supply_overrun (临时用电超期)
    "rule.temporary_supply_overrun.title": (
        "临时用电超期仍在用电",
        "Temporary supply billed past its end date",
    ),
    "rule.temporary_supply_overrun.checks": (
        "供电方式为临时用电的用户，在临时用电截止日期之后仍有计费账单（截止当月可出末期账单；有抄表日期时，"
        "抄表起始日在截止日之前的账单为末期账单；另可放宽 grace_months 个月）；办理延期的临时用电工单"
        "（新值为更晚的截止日期）以延期后的日期为准。涉及电费记为 0：超期电量已按电价计费，问题在于临时用电"
        "应终止或转为正式用电",
        "customers on a temporary supply (supply_type temporary) billed for a time after their "
        "supply_end_date (the end month may carry a last bill; with read dates, a bill read "
        "from before the end is the last one; grace_months more allowed); a temporary_supply "
        "order whose new value is a later end date extends it. Revenue 0: the energy was "
        "billed at its tariff; the supply should have ended or become a permanent connection",
    ),
    "rule.temporary_supply_overrun.source": (
        "《供电营业规则》（1996）第十二条：临时用电期限除经供电企业准许外一般不得超过六个月，逾期不办理延期或"
        "正式用电手续的应终止供电；《供电营业规则》（2024，国家发展改革委令第14号）临时用电规定",
        "Rules of Electricity Supply Business (1996), art. 12: a temporary supply lasts at most "
        "six months unless the utility allows longer, and ends when no extension or permanent "
        "connection is applied for; Rules of Electricity Supply Business (2024, NDRC Order "
        "No. 14) on temporary supply",
    ),
    "evidence.temporary_supply_overrun": (
        "临时用电截止 {end:date}，之后仍出账 {bills:count:bill}（{months:span}），电量 {kwh:num0} 千瓦时，"
        "电费 {amount:money}",
        "temporary supply ending {end:date}, then {bills:count:bill} ({months:span}) charging "
        "{kwh:num0} kWh, {amount:money}",
    ),
    "evidence.temporary_supply.extended": (
        "（截止日期按延期工单 {order:text}）",
        " (end date as extended by order {order:text})",
    ),
    # duplicate_account (一址多户 / 重复建档)
    "rule.duplicate_account.title": ("重复建档（一址多户）", "Customer archived twice"),
    "rule.duplicate_account.checks": (
        "同一用电类别的两个及以上在用户，户名和用电地址规范化后相同（全角转半角、去空格和标点、中文数字门牌转阿拉伯数字，"
        "号/弄/栋/幢/单元/室等单位保留：12号3室与12号4室是不同的户），或联系电话相同且户名相同、用电地址相同（去掉开头的省市区县后相同即算；未登记户名的，电话和地址相同即算；同一电话的在用户超过 "
        "max_phone_accounts 户视为物业或代办电话，不算重复）；每组中最早接电的户（再按户号）为原户，其余各户"
        "各为一条发现；同一地址的住宅与店铺（用电类别不同）分别计量是合规的，不算重复；同一户主的两处住房（地址或室号不同）留同一电话也不算重复。涉及电费记为 0：重复档案是档案缺陷，需核实后合并或销户。跨供电单位的重复须对全部数据运行"
        "（本规则对全部数据一次运行）",
        "two or more active accounts of one usage type with the same name and address once "
        "normalized (full-width "
        "forms to half-width, spaces and punctuation removed, Chinese numerals of house numbers "
        "as digits, the markers of house number, lane, building, unit and room kept: room 3 and "
        "room 4 of house 12 are two units), or "
        "the same phone and name at the same address from the street on (the district or city "
        "left out of one still matches; without the name where none is recorded; a phone on "
        "more than max_phone_accounts active accounts is a property manager's or an agent's, not a "
        "duplicate); the earliest connected account of a group "
        "(then the lowest id) is the original, each other one a finding; a home and a shop of "
        "one owner at one address (two usage types) are metered apart legally, and so are one "
        "owner's two homes (two addresses, or two rooms) carrying the owner's phone: no duplicate. "
        "Revenue 0: a duplicate "
        "record is an archive defect to verify and merge or close. Duplicates across districts "
        "need the whole dataset: the rule runs once over all of it",
    ),
    "rule.duplicate_account.source": (
        "营销稽查常态稽查（客户档案：一户多档、一址多户、重复建档）；《国家电网公司电费抄核收管理规则》",
        "routine marketing audit practice (customer archive: one customer archived twice, several "
        "accounts at one address); State Grid rules on meter reading, billing and collection",
    ),
    "evidence.duplicate_account.name_address": (
        "户名和地址与在用户 {original:text}（{connected:date} 接电）相同，共 {accounts:int} 户",
        "same name and address as active account {original:text} (connected {connected:date}), "
        "{accounts:int} accounts in all",
    ),
    "evidence.duplicate_account.name_phone": (
        "户名和联系电话与在用户 {original:text}（{connected:date} 接电）相同，共 {accounts:int} 户",
        "same name and phone as active account {original:text} (connected {connected:date}), "
        "{accounts:int} accounts in all",
    ),
    "evidence.duplicate_account.phone": (
        "联系电话与在用户 {original:text}（{connected:date} 接电）相同，共 {accounts:int} 户",
        "same phone as active account {original:text} (connected {connected:date}), "
        "{accounts:int} accounts in all",
    ),
}
