"""Names, addresses and phones in one comparable form (duplicate_account's keys)."""

from __future__ import annotations

import pandas as pd
import pytest

from auditkit.rules.addresses import address_key, chinese_number, name_key, phone_key


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("十二", 12), ("十", 10), ("二十", 20), ("一百零三", 103), ("二百二十", 220), ("二〇三", 203)],
)
def test_chinese_numerals_positional_and_digit_by_digit(numeral, value):
    assert chinese_number(numeral) == value


def test_one_address_written_four_ways_is_one_key():
    written = pd.Series(
        [
            "城东区人民路12号3室",
            "城东区 人民路 十二号 三室",
            "城东区人民路１２号３室",
            "城东区人民路12#3室",
        ]
    )
    assert address_key(written).nunique() == 1
    assert address_key(written).iat[0] == "城东区人民路12号3室"


def test_rooms_of_one_building_and_numbers_apart_stay_different():
    keys = address_key(pd.Series(["人民路12号3室", "人民路12号4室", "人民路12-3号", "人民路123号"]))
    assert keys.nunique() == 4
    assert keys.iat[2] == "人民路12-3号"


def test_a_numeral_that_is_no_house_number_is_kept():
    assert address_key(pd.Series(["三里河路五号"])).iat[0] == "三里河路5号"


def test_names_without_spaces_width_or_case_and_missing_values_empty():
    keys = name_key(pd.Series(["王 伟", "王伟", "ＡＢＣ", None]))
    assert keys.tolist() == ["王伟", "王伟", "abc", ""]
    assert address_key(pd.Series([None, "  "])).tolist() == ["", ""]


def test_phones_as_digits_without_country_prefix_and_placeholders_empty():
    keys = phone_key(
        pd.Series(
            ["+86 138-0013-8000", "008613800138000", "13800138000", "021-6123 4567", "0", None]
        )
    )
    assert keys.tolist() == ["13800138000"] * 3 + ["02161234567", "", ""]
