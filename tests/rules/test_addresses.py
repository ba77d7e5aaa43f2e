"""Names, addresses and phones in one comparable form (duplicate_account's keys)."""

from __future__ import annotations

import random
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from auditkit.rules.addresses import (
    PLAIN_TEXT,
    address_codes,
    address_key,
    address_text_key,
    chinese_number,
    name_codes,
    name_key,
    name_text_key,
    phone_codes,
    phone_key,
    phone_text_key,
    street_codes,
    street_key,
    street_text_key,
)


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


def test_an_address_from_the_street_on_leaves_out_its_leading_areas_only():
    written = pd.Series(
        ["南京市城东区建设路1号", "城东区 建设路一号", "建设路1号", "江苏省南京市城东区建设路１号"]
    )
    assert street_key(written).tolist() == ["建设路1号"] * 4
    # Near misses: another street, another room, an area name after the street, and a house
    # number right after an area (no street to keep: the key stays whole).
    others = ["城东区解放路1号", "城东区建设路1号3室", "建设路1号幸福小区", "城东区12号"]
    assert street_key(pd.Series(others)).tolist() == [
        "解放路1号",
        "建设路1号3室",
        "建设路1号幸福小区",
        "城东区12号",
    ]


def test_an_area_word_inside_a_street_name_is_not_taken_for_an_area():
    written = ["城东区北市街5号", "东乡路3号", "镇海路5号", "农贸市场路1号", "市场路1号"]
    assert street_key(pd.Series(written)).tolist() == [
        "北市街5号",
        "东乡路3号",
        "镇海路5号",
        "农贸市场路1号",
        "市场路1号",
    ]
    # Areas before a street, a village and an estate are still taken off.
    areas = ["丰县欢口镇张庄村", "上海市浦东新区世纪大道100号", "城东区阳光小区3栋"]
    assert street_key(pd.Series(areas)).tolist() == ["张庄村", "世纪大道100号", "阳光小区3栋"]


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


def test_plain_characters_are_kept_as_they_are_but_a_to_z_lowered():
    """What pyarrow's keys of plain text rely on, checked for every plain character."""
    plain = [chr(code) for code in range(0x4E00, 0xA000)] + list("0123456789")
    plain += [chr(code) for code in range(ord("A"), ord("Z") + 1)]
    plain += [chr(code) for code in range(ord("a"), ord("z") + 1)]
    assert pc.all(pc.match_substring_regex(pa.array(plain), PLAIN_TEXT)).as_py()
    for char in plain:
        assert unicodedata.normalize("NFKC", char) == char
        assert char.casefold() == char.lower()
        assert re.fullmatch(r"[^\W_]", char)
        assert char.isdigit() == (char in "0123456789")
    assert not pc.any(
        pc.match_substring_regex(pa.array(list("_ -#１٣\u3007\u3400")), PLAIN_TEXT)
    ).as_py()
    ascii_text = "".join(chr(code) for code in range(128))
    assert unicodedata.normalize("NFKC", ascii_text) == ascii_text


#: Plain text, with Chinese numerals before unit markers and the markers' variants, and the
#: administrative areas a street key leaves out.
_PLAIN = list("人民路城东王伟ABab0123456789號棟單元層号弄栋室楼一二十百零省市区县镇乡街道村小")
#: What is not plain: spaces, punctuation (between digits too), full-width forms, another
#: script's digits, ligatures, letters that fold to two, and phone numbers as written.
_OTHER = [*" -_#.·（）＃１２ＡＢ\t\n٣²①ßﬁİΣ\u3000\u3007\u3400", "+86", "0086", "13800138000"]


def _texts(count: int, alphabet: list[str], seed: int) -> list[str | None]:
    rng = random.Random(seed)
    texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(count)]
    return [*texts, None, "", "  "]


@pytest.mark.parametrize(
    "alphabet",
    [_PLAIN, _PLAIN + _OTHER, list("0123456789+- ()")],
    ids=["plain", "mixed", "phone-like"],
)
def test_keys_of_a_series_are_each_values_own_key(alphabet):
    """Plain values are keyed by pyarrow, the others one by one: every key is the per-value
    function's (missing values '')."""
    texts = _texts(2000, alphabet, seed=len(alphabet))
    values = pd.Series(texts, index=range(10, 10 + len(texts)), name="field")
    for key, text_key in (
        (name_key, name_text_key),
        (address_key, address_text_key),
        (street_key, street_text_key),
        (phone_key, phone_text_key),
    ):
        keys = key(values)
        assert keys.tolist() == [text_key(text) if text else "" for text in texts]
        assert keys.index.equals(values.index) and keys.name == "field"


def test_codes_are_equal_where_keys_are_and_minus_one_where_nothing_is_recorded():
    values = pd.Series(_texts(2000, _PLAIN + _OTHER, seed=7))
    for key, codes in (
        (name_key, name_codes),
        (address_key, address_codes),
        (street_key, street_codes),
        (phone_key, phone_codes),
    ):
        keys, coded = key(values).to_numpy(dtype=object), codes(values)
        assert np.array_equal(coded == -1, keys == "")
        recorded = coded >= 0
        assert np.array_equal(pd.factorize(keys[recorded])[0], pd.factorize(coded[recorded])[0])
