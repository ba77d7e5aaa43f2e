"""Masking of personal fields: recognisable to whoever holds the record, and hiding what picks
out one person (expected outputs written by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from auditkit.masking import mask_address, mask_name, mask_personal, mask_phone, mask_value


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138 **** 5678"),
        ("138-1234-5678", "138-****-5678"),
        ("+86 138 1234 5678", "+86 138 **** 5678"),
        ("+8613812345678", "+86138****5678"),
        ("008613812345678", "0086138****5678"),
    ],
)
def test_a_mobile_keeps_the_national_convention_first_3_and_last_4(phone, masked) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("80000093", "8*****93"),  # was 800*0093: one hidden digit
        ("2222-0542", "2***-**42"),  # was 222**0542
        ("8800123", "8****23"),
        ("95598", "****8"),
        ("5678", "****"),
        ("110", "***"),
    ],
)
def test_a_local_number_hides_more_than_half_its_digits_and_at_least_4(phone, masked) -> None:
    assert mask_phone(phone) == masked
    digits = sum(c.isdigit() for c in phone)
    assert sum(c.isdigit() for c in masked) < digits / 2


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("0571-88001234", "0571-8*****34"),
        ("(0571)88001234", "(0571)8*****34"),
        ("010-88001234", "010-8*****34"),
        ("01088001234", "0108*****34"),  # 11 digits, but a landline: 010 and 8 digits
        ("0571-8800123", "0571-8****23"),
        ("+86 571 8800 1234", "+86 571 8*** **34"),
    ],
)
def test_an_area_code_is_kept_and_most_of_the_local_number_hidden(phone, masked) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("12345678901", "12******901"),  # 11 digits but no mobile (12…): hides more
        ("13073922518123500", "130**********3500"),  # a broken export: never more than 3 + 4
        ("0571-88001234转123", "057*-*******4*123"),  # an extension: as a long number
        ("电话13812345678", "**138****5678"),  # any character but a separator is masked
        ("138\x1b12345678", "138*****5678"),
        ("", ""),
    ],
)
def test_near_misses_never_show_more_than_a_mobile_does(phone, masked) -> None:
    assert mask_phone(phone) == masked
    assert len(masked) == len(phone)
    assert sum(c.isdigit() for c in masked) <= 7


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("城东区中山路831号", "城东区****"),
        ("浙江省杭州市西湖区幸福路9号", "浙江省杭州市西湖区****"),
        ("北京市东城区和平里街道1号", "北京市东城区****"),  # 街道 ends past the 10th character
        ("杭州市西湖区西溪街道文三路1号", "杭州市西湖区西溪街道****"),
        ("上海市浦东新区张江镇", "上海市浦东新区张江镇****"),
        ("城东区B区3栋", "城东区****"),  # a letter ends the prefix
        ("城东区阳光小区3栋", "城东区****"),  # a housing estate is no division
        ("浙江省杭州市西湖区\u202e幸福路9号", "浙江省杭州市西湖区****"),
    ],
)
def test_an_address_keeps_its_administrative_prefix_only(address, masked) -> None:
    assert mask_address(address) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("中山路356号4室", "中山****"),  # was 中山路356****: the house number showed
        ("阳光小区3栋2单元", "阳光****"),
        ("12号楼", "****"),
        ("1号", "****"),
        ("Room 5, 12 Rd", "Ro****"),
        ("x", "x****"),
        ("", ""),
    ],
)
def test_an_address_without_a_prefix_keeps_at_most_2_characters_and_no_digit(
    address, masked
) -> None:
    assert mask_address(address) == masked


def test_no_digit_of_an_address_survives_masking() -> None:
    for address in ("城东区3区12号", "0区", "浙江省１２号", "杭州市西湖区文三路" + "9" * 30):
        assert not any(c.isdigit() for c in mask_address(address)), address


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("李四", "李*"), ("欧阳娜娜", "欧***"), ("张", "张*"), ("", "")],
)
def test_a_name_keeps_its_family_name_and_always_shows_masked(name, masked) -> None:
    assert mask_name(name) == masked


def test_mask_value_and_mask_personal_mask_as_each_field_does() -> None:
    assert mask_value("phone", "80000093") == "8*****93"
    frame = pd.DataFrame(
        {
            "name": ["张", None],
            "phone": ["2222-0542", "13812345678"],
            "address": ["中山路356号4室", "城东区中山路831号"],
            "kwh": [1, 2],
        }
    )
    masked = mask_personal(frame)
    assert masked["name"].iloc[0] == "张*" and pd.isna(masked["name"].iloc[1])
    assert masked["phone"].tolist() == ["2***-**42", "138****5678"]
    assert masked["address"].tolist() == ["中山****", "城东区****"]
    assert masked["kwh"].tolist() == [1, 2]
    assert frame["phone"].tolist() == ["2222-0542", "13812345678"]  # the input is left alone
