"""Which headers name personal data: the common Chinese and English forms of a name, a phone or
contact, an address and an identity number, and the near misses naming a device or a record."""

from __future__ import annotations

import pytest

from auditkit.data.personal_headers import holds_personal, personal_kind


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("联系方式", "phone"),
        ("身份证号", "phone"),  # an identity number: its first and last digits only show
        ("身份证号码", "phone"),
        ("证件号码", "phone"),
        ("联系号码", "phone"),
        ("Customer Name", "name"),
        ("customer_name", "name"),
        ("Contact Name", "name"),
        ("Account Name", "name"),
        ("Mobile", "phone"),
        ("phone_number", "phone"),
        ("PhoneNumber", "phone"),
        ("Telephone", "phone"),
        ("Contact No", "phone"),
        ("contact person phone", "phone"),
        ("Address", "address"),
        ("Customer Address", "address"),
        ("email address", "address"),
        ("ID number", "phone"),
        ("id_no", "phone"),
        ("ID card", "phone"),
        ("Identity", "phone"),
        ("Passport", "phone"),
        # an e-mail shows its first two characters (the address's masker), a bank account its
        # first and last digits (the phone's): validate printed both unmasked before
        ("电子邮箱", "address"),
        ("邮箱", "address"),
        ("电子邮件", "address"),
        ("E-mail", "address"),
        ("email", "address"),
        ("银行账号", "phone"),
        ("银行卡号", "phone"),
        ("开户银行账号", "phone"),
        ("Bank Account", "phone"),
        ("bank_card_no", "phone"),
        # bank accounts by their shape: all were shown unmasked before
        ("银行账户", "phone"),
        ("开户行账号", "phone"),
        ("代扣账号", "phone"),
        ("扣款账号", "phone"),
        ("银行代扣账号", "phone"),
        ("托收账号", "phone"),
        ("开户账号", "phone"),
        ("银行帐户", "phone"),
        ("IBAN", "phone"),
        ("借记卡号", "phone"),
        ("信用卡号", "phone"),
        ("银行卡账户", "phone"),
        ("客户银行账号", "phone"),
        ("customer_email", "address"),
        ("Customer IBAN", "phone"),
    ],
)
def test_a_common_personal_header_is_personal(header: str, kind: str) -> None:
    assert personal_kind(header) == kind


@pytest.mark.parametrize(
    "header",
    [
        "表计通信地址",
        "用户编号",
        "户号",
        "证件类型",
        "meter address",
        "meter_address",
        "IP address",
        "Meter ID Number",
        "customer_id",
        "meter no",
        "tariff_name",
        "district_name",
        "hotel",
        "account_no",
        "开户银行",  # the bank's name, no account
        "账号",  # the customer's account with the utility (户号)
        "电能表号",  # a meter's number
        "户号核对",
        "开户日期",  # an opening's date
        "扣款金额",  # a debit's amount
        "代扣标志",  # whether a debit is set up
        "账户类型",  # no bank's account
        "libanese",
        "mail_date",
        "emailed",
        # a card or account of the utility's, or what an account holds: all were masked before
        "卡号",  # no bank's card
        "SIM卡号",
        "购电卡号",
        "IC卡号",
        "售电卡号",
        "预付费卡号",
        "卡式表账户",
        "银行账户余额",
        "代扣账户状态",
        "账期",
        "账单号",
        "email_sent",  # a record about an e-mail, not its address
        "IBAN_check",
    ],
)
def test_a_near_miss_header_names_no_personal_data(header: str) -> None:
    assert personal_kind(header) is None


def test_a_bills_export_carrying_a_contact_column_holds_personal_data() -> None:
    assert holds_personal("bills", ["customer_id", "period", "联系方式"])
    assert not holds_personal("bills", ["customer_id", "period", "户号"])


def test_a_bills_export_carrying_an_email_or_a_bank_account_holds_personal_data() -> None:
    """validate printed a row of the wrong field count of such an export as written (an e-mail,
    a bank account number): the table now counts as holding personal data, so it shows none."""
    assert holds_personal("bills", ["customer_id", "period", "电子邮箱"])
    assert holds_personal("bills", ["customer_id", "period", "银行账号"])
    assert not holds_personal("bills", ["customer_id", "period", "开户银行"])
