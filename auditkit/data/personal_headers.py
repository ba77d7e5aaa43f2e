"""Which column headers of a billing export name personal data (a name, an address, a phone).

A column is personal when its header is a contract column of `PERSONAL_COLUMNS` (`name`,
`address`, `phone`) or a report's label for one (户名, 用电地址, 联系电话, Name, Address, Phone;
case, spaces and full/half width ignored), or when it holds a word billing exports spell one
with (`PERSONAL_WORDS`: 用户名称 and 客户名称 hold 户名, 联系地址 地址, 手机号 手机, 身份证号 and
证件号码 an identity number, 电子邮箱 an e-mail; a bank account by its shape, `BANK_ACCOUNT`:
银行账户, 代扣账号, 银行卡号, not SIM卡号 or 银行账户余额), a word inside a
technical compound of `TECHNICAL_COMPOUNDS` or before a closing 核对 not counting (表计通信地址,
IP地址, 台区地址码 and 抄表段电话核对 name a device or a check, no person's data), or an English
phrase of `ENGLISH_PHRASES` among its words (Customer Name, Mobile, phone_number, ID number,
E-mail, bank account, IBAN, the last two only ending the header; meter address names a device).

Field sheets mask such columns (`auditkit.sampling.personal`), and the loader shows no cell of a
file holding one in its messages where the cell's column cannot be told (`holds_personal`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from auditkit import i18n
from auditkit.data.schema import TABLES
from auditkit.masking import PERSONAL_COLUMNS

#: Words of a billing export's header that make a column personal, by the contract column whose
#: masker it takes; looked for in this order (联系人电话 is a phone, 联系人 a name). An identity
#: number (身份证号, 证件号码) and a bank account (银行账号, 银行卡号, 开户银行账号) take the phone's
#: masker: their first and last digits only show (a bank account is told by its shape,
#: `BANK_ACCOUNT`). An e-mail address (电子邮箱, 邮箱) takes the
#: address's: its first two characters only show.
PERSONAL_WORDS: dict[str, tuple[str, ...]] = {
    "phone": ("电话", "手机", "联系方式", "联系号码", "身份证", "证件号"),
    "address": ("地址", "住址", "邮箱", "电子邮件"),
    "name": ("户名", "姓名", "户主", "联系人"),
}
#: A bank account's header by its shape (the whole header), whose digits take the phone's
#: masker: one ending in an account (…账号, …帐号, …账户, …帐户) of a bank, an opening, a direct
#: debit or a collection (银行账户, 开户行账号, 代扣账号, 托收账号, 银行卡账户), or in a bank card's
#: number (银行卡号, 借记卡号, 信用卡号). Not so: a card of the utility's (SIM卡号, 购电卡号,
#: IC卡号, 卡式表账户), what an account holds (银行账户余额, 代扣账户状态), 户号 (the customer's
#: number), 电能表号 (a meter's), 账单号, 账期, 开户银行 (a bank's name) or a bare 账号 (the
#: account with the utility).
BANK_ACCOUNT = re.compile(
    r".*(?:(?:银行|开户|代扣|扣款|托收).*[账帐][号户]|(?:银行|借记|信用)卡号)"
)
#: English phrases (words in a row, `_english_words`) that make a column personal, by the
#: contract column whose masker it takes, looked for in this order. A bare `name` is a report's
#: label; with another word before it, it names a person only after one of these (tariff name
#: and district_name name no person).
ENGLISH_PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "phone": (
        ("phone",),
        ("mobile",),
        ("telephone",),
        ("tel",),
        ("cellphone",),
        ("contact", "number"),
        ("contact", "no"),
        ("id", "number"),
        ("id", "no"),
        ("id", "card"),
        ("identity",),
        ("passport",),
        ("bank", "account"),
        ("bank", "card"),
        ("iban",),
    ),
    "address": (("address",), ("addr",), ("email",), ("e", "mail")),
    "name": (
        ("customer", "name"),
        ("account", "name"),
        ("consumer", "name"),
        ("user", "name"),
        ("contact", "name"),
        ("holder", "name"),
        ("full", "name"),
        ("contact", "person"),
    ),
}
#: Phrases of `ENGLISH_PHRASES` naming a person's data only at the header's end (customer email,
#: IBAN): a word after them names a record about it (email_sent, IBAN_check), no person's data.
ENDING_PHRASES: frozenset[tuple[str, ...]] = frozenset({("email",), ("e", "mail"), ("iban",)})
#: Words before `address` (or `id`) naming a device's or a record's, not a person's: meter address,
#: IP address, meter ID number.
ENGLISH_TECHNICAL: frozenset[str] = frozenset(
    {"meter", "ip", "mac", "terminal", "device", "comm", "communication", "bus", "network"}
    | {"order", "transformer", "web"}
)
# A word of an English header: letters, split where a lower-case letter meets a capital.
_ENGLISH_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
#: Compounds holding a word of `PERSONAL_WORDS` that name a device's address or a check's
#: outcome, never a person's data: a header's compounds are taken out before its words are looked
#: for (compared as `_plain` compares: case and width ignored). A device's address is one of a
#: network (IP地址, MAC地址), a code (地址码: 台区地址码) or a meter's or a terminal's bus address
#: (表计地址, 表计通信地址, 电能表通讯地址, 终端通信地址); a bare 通信地址 or 通讯地址 is a customer's
#: mailing address on a billing export and stays personal. The list is closed: a header it does
#: not cover is masked by its words, and --keep writes one column as it is.
TECHNICAL_COMPOUNDS: tuple[str, ...] = (
    "ip地址",
    "mac地址",
    "地址码",
    "表计地址",
    "电表地址",
    "表通信地址",
    "表通讯地址",
    "表计通信地址",
    "表计通讯地址",
    "终端地址",
    "终端通信地址",
    "终端通讯地址",
)
#: A header ending in a word of `PERSONAL_WORDS` followed by this is a check's outcome (抄表段电话核对:
#: 是/否), that word no person's data; 户名核对人 (a person) does not end so and stays personal.
CHECKED = "核对"


def _plain(header: object) -> str:
    """A header as compared: full/half width, case and spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", str(header)).casefold().split())


@functools.cache
def _labels() -> dict[str, str]:
    """Each header naming a personal column outright → its contract column: the column itself
    and the labels reports give it in every language (`common.name` is 户名 / Name)."""
    labels = {_plain(column): column for column in PERSONAL_COLUMNS}
    for column in PERSONAL_COLUMNS:
        for lang in i18n.LANGS:
            labels.setdefault(_plain(i18n.text(f"common.{column}", lang)), column)
    return labels


def personal_kind(header: object) -> str | None:
    """The contract column (`name`, `address`, `phone`) whose masker a column of this header
    takes, or None when the header names no personal data: a report's label for one, else the
    first kind one of whose `PERSONAL_WORDS` the header holds outside its `TECHNICAL_COMPOUNDS`
    and outside a check (`CHECKED`) ending it, or a bank account by its shape (`BANK_ACCOUNT`)."""
    plain = _plain(header)
    known = _labels().get(plain)
    if known is not None:
        return known
    for compound in sorted(TECHNICAL_COMPOUNDS, key=len, reverse=True):
        plain = plain.replace(compound, "\0")  # a stop, so that no word is joined across it
    for word in (word for words in PERSONAL_WORDS.values() for word in words):
        if plain.endswith(word + CHECKED):
            plain = plain[: -len(word + CHECKED)]
    for kind, words in PERSONAL_WORDS.items():
        if any(word in plain for word in words):
            return kind
    if BANK_ACCOUNT.fullmatch(plain):
        return "phone"
    return _english_kind(_english_words(header))


def _english_words(header: object) -> list[str]:
    """The words of an English header, lower-cased: `phone_number`, `PhoneNumber` and
    `Phone Number` are phone, number."""
    text = unicodedata.normalize("NFKC", str(header))
    return [word.casefold() for word in _ENGLISH_WORD.findall(text)]


def _english_kind(words: list[str]) -> str | None:
    """The first kind one of whose `ENGLISH_PHRASES` `words` hold in a row, not after a word of
    `ENGLISH_TECHNICAL` (meter address, meter id number), and one of `ENDING_PHRASES` only at
    their end (customer email, not email_sent)."""
    for kind, phrases in ENGLISH_PHRASES.items():
        for phrase in phrases:
            for start in range(len(words) - len(phrase) + 1):
                if tuple(words[start : start + len(phrase)]) != phrase:
                    continue
                if phrase in ENDING_PHRASES and start + len(phrase) < len(words):
                    continue
                if start == 0 or words[start - 1] not in ENGLISH_TECHNICAL:
                    return kind
    return None


def holds_personal(table: str, headers: Iterable[object]) -> bool:
    """Whether a file of `table` with these column `headers` holds personal data: the table's
    contract has personal columns (customers), or a header names one (`personal_kind`: a bills
    export carrying 户名, 用电地址 and 联系电话). A message then shows none of a cell whose column
    it cannot tell (a row of the wrong field count, a quoting fault, a formula)."""
    spec = TABLES.get(table)
    if spec is not None and spec.personal:
        return True
    return any(personal_kind(header) is not None for header in headers if header)
