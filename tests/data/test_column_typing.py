"""Typing single columns: what is accepted, what becomes an issue, and what is shown as found."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from auditkit.data.column_typing import refused_text, type_column
from auditkit.data.schema import TABLES, Column


def issues_of(
    values: list[object] | pa.Array, column: Column
) -> list[tuple[list[int], str, list[str]]]:
    array = values if isinstance(values, pa.Array) else pa.array(values)
    typed = type_column(array, column)
    return [(issue.positions.tolist(), issue.expected, list(issue.found)) for issue in typed.issues]


NUMBER = Column("x", "number", required=True, minimum=0)


def test_numbers_from_text_accept_padding_and_exponents() -> None:
    typed = type_column(pa.array(["12.5", " 7 ", "1e3", "-0", "+3", ".5"]), Column("x", "number"))
    assert typed.values.tolist() == [12.5, 7.0, 1000.0, -0.0, 3.0, 0.5]
    assert typed.values.dtype == "float64"
    assert typed.issues == []


def test_numbers_refuse_words_commas_and_non_finite_text() -> None:
    values = ["1,000", "abc", "nan", "inf", "12", None]
    assert issues_of(values, NUMBER) == [
        ([0, 1, 2, 3], "a number", ["'1,000'", "'abc'", "'nan'", "'inf'"]),
        ([5], "a value (the column is required)", ["an empty cell"]),
    ]


def test_clean_number_text_with_nan_word_takes_the_careful_path() -> None:
    assert issues_of(["1.5", "NaN"], Column("x", "number")) == [([1], "a number", ["'NaN'"])]


def test_typed_numbers_keep_nan_as_missing_and_refuse_infinity() -> None:
    typed = type_column(pa.array([1.0, np.nan, np.inf], from_pandas=True), Column("x", "number"))
    assert typed.values.iloc[0] == 1.0 and np.isnan(typed.values.iloc[1:]).all()
    assert [issue.expected for issue in typed.issues] == ["a number"]
    assert typed.issues[0].positions.tolist() == [2]


def test_decimal_numbers_are_the_floats_their_digits_parse_to_as_from_csv() -> None:
    """A Parquet decimal(14, 2) amount 148.42: Arrow's scaled cast gives 148.42000000000002, 1 ulp
    off the 148.42 the CSV's text parses to (and a different content hash); read from its
    digits it is the same float. 112.98 was never off (near miss: the scaled cast was exact)."""
    digits = ["148.42", "112.98", "33200.00", None]
    stored = pa.array(
        [None if text is None else Decimal(text) for text in digits], pa.decimal128(14, 2)
    )
    assert pc.cast(stored, pa.float64())[0].as_py() == 148.42000000000002  # the premise

    typed = type_column(stored, NUMBER)
    from_csv = type_column(pa.array(digits), NUMBER)

    assert typed.values.iloc[:3].tolist() == [148.42, 112.98, 33200.0]
    assert typed.values.iloc[:3].tolist() == from_csv.values.iloc[:3].tolist()
    assert np.isnan(typed.values.iloc[3])  # a missing decimal stays missing


def test_minimum_inclusive_and_exclusive() -> None:
    assert issues_of(["0", "-1"], NUMBER) == [([1], "a number ≥ 0", ["-1.0"])]
    voltage = TABLES["customers"].column("voltage_kv")
    assert issues_of(["0", "0.4"], voltage) == [([0], "a number > 0", ["0.0"])]


def test_a_power_factor_above_one_or_a_standard_that_is_none_is_refused() -> None:
    power_factor = TABLES["bills"].column("power_factor")
    assert issues_of(["0.92", "1", "92", None, "0"], power_factor) == [
        ([4], "a number > 0", ["0.0"]),
        ([2], "a number ≤ 1", ["92.0"]),
    ]
    standard = TABLES["customers"].column("pf_standard")
    assert issues_of(["0.9", "0.85", "0.80", None, "0.95", "1.5"], standard) == [
        ([4, 5], "one of 0.8, 0.85, 0.9", ["0.95", "1.5"])
    ]
    secondary = TABLES["customers"].column("ct_secondary_a")
    assert issues_of(["5", "1", "2.0", "0", "10"], secondary) == [
        ([3, 4], "one of 1, 2, 5", ["0.0", "10.0"])
    ]


def test_text_with_an_invisible_character_is_refused_shown_escaped() -> None:
    district = TABLES["customers"].column("district")
    written = ["江北", "江北\u200b", "\u200e城东", "城西", "城东\xad", "\u2066城西\u2069"]
    assert issues_of(written, district) == [
        (
            [1, 2, 4, 5],
            "text without control characters (tab, line break, NUL, escape) "
            "or invisible characters (zero-width spaces, direction marks)",
            ["'江北\\u200b'", "'\\u200e城东'", "'城东\\xad'", "'\\u2066城西\\u2069'"],
        )
    ]
    status = TABLES["customers"].column("status")  # allowed values refuse it as any other text
    assert issues_of(["active\u200b"], status)[0][2] == ["'active\\u200b'"]


def test_integers_are_nullable_and_whole() -> None:
    cycle = TABLES["customers"].column("meter_test_cycle_months")
    typed = type_column(pa.array(["12", None, "96.0"]), cycle)
    assert typed.values.dtype == "Int64"
    assert typed.values.tolist() == [12, pd.NA, 96]
    assert issues_of(["12.5", "x"], cycle) == [([0, 1], "a whole number", ["'12.5'", "'x'"])]
    assert issues_of(["0"], cycle) == [([0], "a whole number > 0", ["0"])]


def test_a_day_beyond_the_years_pandas_holds_is_refused_but_never_ends_a_validity() -> None:
    written = ["2024-02-29", "0202-10-19", "2999-10-19", "9999-12-31", None]
    assert issues_of(written, Column("d", "date")) == [
        (
            [1, 2, 3],
            "a date in the years 1678 to 2261",
            ["'0202-10-19'", "'2999-10-19'", "'9999-12-31'"],
        )
    ]
    edges = ["1677-12-31", "1678-01-01", "2261-12-31", "2262-01-01"]  # the years, as stated
    assert issues_of(edges, Column("d", "date")) == [
        ([0, 3], "a date in the years 1678 to 2261", ["'1677-12-31'", "'2262-01-01'"])
    ]
    stamps = pa.array([dt.datetime(202, 10, 19, 8, 30), dt.datetime(2024, 1, 5)])
    assert issues_of(stamps, Column("t", "datetime")) == [
        ([0], "a date-time in the years 1678 to 2261", ["'0202-10-19 08:30:00'"])
    ]
    valid_to = TABLES["tariffs"].column("valid_to")
    assert valid_to.open_end and issues_of(written, valid_to) == [
        ([1], "a date from 1678 on", ["'0202-10-19'"])
    ]


def test_dates_are_exact_iso_and_allow_far_future_where_a_validity_ends() -> None:
    column = Column("d", "date", open_end=True)
    typed = type_column(pa.array(["2024-02-29", "9999-12-31", None]), column)
    assert typed.values.dtype == "datetime64[us]"
    assert typed.values.iloc[1] == pd.Timestamp("9999-12-31")
    assert pd.isna(typed.values.iloc[2])
    bad = ["2023-02-29", "2024/01/05", "2024-1-5", "05.01.2024", "2024-01-05 10:00:00"]
    assert issues_of(bad, column) == [
        ([0, 1, 2, 3, 4], "a date YYYY-MM-DD", [repr(v) for v in bad])
    ]


def test_text_dates_at_midnight_as_oracle_exports_them_are_the_date() -> None:
    written = ["2024-03-05 00:00:00", "2024-03-05 00:00:00.0", "2024-03-05T00:00", "2024-03-05"]
    typed = type_column(pa.array(written), Column("d", "date"))
    assert typed.issues == []
    assert typed.values.tolist() == [pd.Timestamp("2024-03-05")] * 4


def test_text_dates_with_another_time_of_day_stay_errors_showing_the_value() -> None:
    bad = [
        "2024-03-05 00:00:01",
        "2024-03-05 12:00:00",
        "2024-03-05 00:00:00.5",
        "2024-02-30 00:00",
    ]
    assert issues_of(bad, Column("d", "date")) == [
        ([0, 1, 2, 3], "a date YYYY-MM-DD", [repr(v) for v in bad])
    ]


def test_typed_dates_with_a_time_of_day_are_refused() -> None:
    stamps = pa.array([dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 5, 10, 30)])
    assert issues_of(stamps, Column("d", "date")) == [
        ([1], "a date YYYY-MM-DD", ["'2024-01-05 10:30:00'"])
    ]


def test_repeated_typed_dates_are_parsed_once_and_show_only_the_bad_cells() -> None:
    days = [dt.datetime(2024, 1, 1) + dt.timedelta(days=i % 3) for i in range(9)]
    days[7] = dt.datetime(2024, 1, 2, 23, 59)
    stamps = pa.chunked_array([pa.array(days[:4]), pa.array(days[4:])])
    typed = type_column(stamps, Column("d", "date"))
    assert typed.values.iloc[:3].tolist() == [pd.Timestamp(f"2024-01-0{i}") for i in (1, 2, 3)]
    assert pd.isna(typed.values.iloc[7])
    assert [(issue.positions.tolist(), list(issue.found)) for issue in typed.issues] == [
        ([7], ["'2024-01-02 23:59:00'"])
    ]


def test_periods_from_text_and_from_first_of_month_dates() -> None:
    column = Column("p", "period", required=True)
    assert issues_of(["2024-01", "2024-13", "2024-1", "202401", "2024-00"], column) == [
        (
            [1, 2, 3, 4],
            "a month YYYY-MM (01-12)",
            ["'2024-13'", "'2024-1'", "'202401'", "'2024-00'"],
        )
    ]
    stamps = pa.array([dt.date(2024, 3, 1), dt.date(2024, 3, 15)])
    typed = type_column(stamps, column)
    assert typed.values.iloc[0] == "2024-03"
    assert [issue.found for issue in typed.issues] == [["'2024-03-15'"]]


def test_text_periods_written_as_their_first_day_are_the_month_as_from_xlsx() -> None:
    column = Column("p", "period", required=True)
    written = ["2024-03-01", "2024-03-01 00:00:00", "2024-03-01 00:00:00.0"]
    typed = type_column(pa.array(written), column)
    assert typed.issues == [] and typed.values.tolist() == ["2024-03"] * 3
    bad = ["2024-03-02", "2024-03-01 08:00:00", "2024-13-01"]
    assert issues_of(bad, column) == [
        ([0, 1, 2], "a month YYYY-MM (01-12)", [repr(value) for value in bad])
    ]


@pytest.mark.parametrize(
    ("word", "flag"),
    [
        ("true", True),
        ("FALSE", False),
        ("Y", True),
        ("n", False),
        ("1", True),
        ("0", False),
        ("是", True),
        ("否", False),
        ("yes", True),
        ("No", False),
    ],
)
def test_boolean_words(word: str, flag: bool) -> None:
    typed = type_column(pa.array([word]), TABLES["inspections"].column("error_found"))
    assert typed.values.tolist() == [flag]
    assert typed.values.dtype == bool
    assert typed.issues == []


def test_boolean_refuses_other_words_and_empty_cells() -> None:
    column = TABLES["inspections"].column("error_found")
    assert issues_of(["maybe", None, "true"], column) == [
        ([0], "true/false (also yes/no, y/n, 1/0, 是/否)", ["'maybe'"]),
        ([1], "a value (the column is required)", ["an empty cell"]),
    ]
    assert type_column(pa.array([1.0, 0.0]), column).values.tolist() == [True, False]


def test_text_from_numbers_is_written_as_a_csv_export_shows_it() -> None:
    typed = type_column(pa.array([3100012345.0, 1.5, None]), Column("t", "text"))
    assert typed.values.tolist()[:2] == ["3100012345", "1.5"]
    assert pd.isna(typed.values.iloc[2])
    assert typed.values.dtype == "str"
    assert type_column(pa.array([42, 7]), Column("t", "text")).values.tolist() == ["42", "7"]


def test_allowed_values_are_checked_after_trimming() -> None:
    status = TABLES["customers"].column("status")
    typed = type_column(pa.array([" active", "closed ", "正常", "active"]), status)
    assert typed.values.tolist()[:2] == ["active", "closed"]
    assert [(i.positions.tolist(), i.found) for i in typed.issues] == [([2], ["'正常'"])]


def test_codes_merge_values_that_are_equal_once_trimmed() -> None:
    typed = type_column(
        pa.array(["C1", " C1", "C2", None, "C1 "]), Column("id", "text"), keyed=True
    )
    codes = typed.codes
    assert codes is not None
    labels = [None if code < 0 else codes.uniques[code].as_py() for code in codes.codes]
    assert labels == ["C1", "C1", "C2", None, "C1"]
    assert len(codes.uniques) == 2


EVENT_AT = TABLES["meter_events"].column("event_at")
DATETIME_EXPECTED = "a date-time YYYY-MM-DD HH:MM[:SS] (a date alone is midnight)"


def test_date_times_accept_minutes_seconds_fractions_and_a_date_alone() -> None:
    written = [
        "2024-01-15 08:30",
        "2024-01-15 08:30:59",
        "2024-01-15T08:30:00",
        "2024-01-15 08:30:00.0",  # as Java and Oracle exports write a timestamp
        "2024-01-15 08:30:00.25",
        " 2024-02-29 23:59:59 ",
        "2024-01-15",
    ]
    typed = type_column(pa.array(written), EVENT_AT)
    assert typed.values.dtype == "datetime64[us]"
    assert typed.values.tolist() == [
        pd.Timestamp("2024-01-15 08:30"),
        pd.Timestamp("2024-01-15 08:30:59"),
        pd.Timestamp("2024-01-15 08:30"),
        pd.Timestamp("2024-01-15 08:30"),
        pd.Timestamp("2024-01-15 08:30:00.250"),
        pd.Timestamp("2024-02-29 23:59:59"),
        pd.Timestamp("2024-01-15 00:00"),
    ]
    assert typed.issues == []


def test_date_times_refuse_impossible_and_loose_forms() -> None:
    written = [
        "2024-13-01 25:00",
        "2024-02-30 10:00",
        "2024-01-15 24:00",
        "2024-01-15 08:60",
        "2024-01-15 8:30",
        "2024/01/15 08:30",
        "15.01.2024 08:30",
        "2024-01-15 08:30:00+08:00",
        "2024-01-15 08:30:00.1234567",
        None,
    ]
    assert issues_of(written, EVENT_AT) == [
        (list(range(9)), DATETIME_EXPECTED, [repr(value) for value in written[:9]]),
        ([9], "a value (the column is required)", ["an empty cell"]),
    ]


def test_typed_timestamps_keep_their_time_and_refuse_nanoseconds_and_zones() -> None:
    stamps = pd.Series(
        pd.to_datetime(["2024-01-15 08:30:00.000000000", "2024-01-15 08:30:00.000000001"])
    )
    typed = type_column(pa.array(stamps), EVENT_AT)
    assert typed.values.iloc[0] == pd.Timestamp("2024-01-15 08:30")
    assert pd.isna(typed.values.iloc[1])
    assert [(i.positions.tolist(), i.expected, list(i.found)) for i in typed.issues] == [
        ([1], DATETIME_EXPECTED, ["'2024-01-15 08:30:00.000000001'"])
    ]
    dates = type_column(pa.array([dt.date(2024, 1, 15)]), EVENT_AT)
    assert dates.values.tolist() == [pd.Timestamp("2024-01-15")] and dates.issues == []
    zoned = pa.array(stamps.iloc[:1].dt.tz_localize("Asia/Shanghai"))
    assert issues_of(zoned, EVENT_AT) == [
        ([0], DATETIME_EXPECTED, ["'2024-01-15 08:30:00.000000000+0800'"])
    ]


def test_key_text_refuses_every_control_character_shown_escaped() -> None:
    customer_id = TABLES["customers"].column("customer_id")
    written = ["SY1\r=2+2", "SY2\n", "SY\t3", "SY\x004", "SY\x1b]0;x\x075", "SY\x7f6", "SY\x857"]
    written += ["SY8", " SY9\r\n", "SY\u300010"]  # near misses: trimmed edges, a full-width space
    [issue] = issues_of(written, customer_id)
    assert issue == (
        [0, 2, 3, 4, 5, 6],
        "text without control characters (tab, line break, NUL, escape) "
        "or invisible characters (zero-width spaces, direction marks)",
        [
            "'SY1\\r=2+2'",
            "'SY\\t3'",
            "'SY\\x004'",
            "'SY\\x1b]0;x\\x075'",
            "'SY\\x7f6'",
            "'SY\\x857'",
        ],
    )
    typed = type_column(pa.array(written).dictionary_encode(), customer_id, keyed=True)
    assert typed.issues[0].positions.tolist() == [0, 2, 3, 4, 5, 6]
    assert typed.values.tolist()[7:] == ["SY8", "SY9", "SY\u300010"]


def test_free_text_keeps_tabs_and_line_breaks_but_refuses_other_controls() -> None:
    old_value = TABLES["work_orders"].column("old_value")
    written = ["315 kVA\r\n(2 台)", "a\tb", "x\x00y", "清屏\x1b[2J", "响铃\x07", "C1\x9b"]
    assert issues_of(written, old_value) == [
        (
            [2, 3, 4, 5],
            "text without control characters other than tab and line breaks (NUL, escape, bell) "
            "or invisible characters (zero-width spaces, direction marks)",
            ["'x\\x00y'", "'清屏\\x1b[2J'", "'响铃\\x07'", "'C1\\x9b'"],
        )
    ]


@pytest.mark.parametrize(
    ("column", "free_text"),
    [
        (TABLES["customers"].column("district"), False),
        (TABLES["work_orders"].column("old_value"), True),
    ],
)
def test_text_from_elsewhere_is_refused_exactly_where_a_data_column_refuses_it(
    column: Column, free_text: bool
) -> None:
    written = [
        "江北",
        "\u202eevil",
        "a\r\nb",
        "a\tb",
        "x\x00y",
        "张\u200b三",
        "=HYPERLINK(1)",
        "C1\x9b",
    ]
    refused = [refused_text(text, free_text=free_text) for text in written]
    [(positions, expected, _)] = issues_of(written, column)
    assert [index for index, reason in enumerate(refused) if reason] == positions
    assert {reason for reason in refused if reason} == {expected}


def test_key_text_holds_at_most_64_characters() -> None:
    district = TABLES["customers"].column("district")
    written = ["城" * 64, "城" * 65, "x" * 100_000]
    assert issues_of(written, district) == [
        (
            [1, 2],
            "text of at most 64 characters",
            [f"'{'城' * 65}' (65 characters)", f"'{'x' * 80}'… (100,000 characters)"],
        )
    ]


@pytest.mark.parametrize(
    ("table", "column", "longest"),
    [
        ("customers", "name", 200),
        ("customers", "address", 500),
        ("customers", "phone", 100),
        ("work_orders", "old_value", 500),
        ("work_orders", "new_value", 500),
    ],
)
def test_free_text_holds_at_most_its_columns_longest_text(
    table: str, column: str, longest: int
) -> None:
    spec = TABLES[table].column(column)
    written = ["幸" * longest, "幸\n" * (longest // 2), "幸" * (longest + 1), None]
    [(positions, expected, _)] = issues_of(written, spec)
    assert (positions, expected) == ([2], f"text of at most {longest} characters")


def test_a_text_too_long_is_shown_cut_and_a_personal_one_masked() -> None:
    customers, orders = TABLES["customers"], TABLES["work_orders"]
    address = "浙江省杭州市西湖区幸福路" + "9" * 999_988  # a broken export: 1,000,000 characters
    [(_, _, [shown])] = issues_of([address], customers.column("address"))
    assert shown == "'浙江省杭州市西湖区****' (1,000,000 characters)"
    [(_, _, [shown])] = issues_of(["315 kVA " + "x" * 600], orders.column("old_value"))
    assert shown == repr("315 kVA " + "x" * 72) + "… (608 characters)"


def test_a_problem_in_a_personal_column_shows_the_value_masked_with_its_shape() -> None:
    customers = TABLES["customers"]
    name = ["刘NMLEAK\x00三", "张三"]
    phone = ["138\x1b12345678", "13812345678"]
    address = ["浙江省杭州市西湖区\u202e幸福路9号"]
    for column, values, found in (
        ("name", name, "'刘********' (9 characters, '\\x00' at character 8)"),
        ("phone", phone, "'138*****5678' (12 characters, '\\x1b' at character 4)"),
        ("address", address, "'浙江省杭州市西湖区****' (15 characters, '\\u202e' at character 10)"),
    ):
        for array in (pa.array(values), pa.array(values).dictionary_encode()):
            [(positions, _, shown)] = issues_of(array, customers.column(column))
            assert (positions, shown) == ([0], [found]), column
            assert "LEAK" not in found and "幸福" not in found and "345" not in found


def test_an_id_excel_saved_in_scientific_notation_is_refused_at_its_cell() -> None:
    """22-digit meter numbers through Excel's General format and back to CSV read `3.33E+21`:
    two meters became one id, and the rules reported them as one meter on two accounts."""
    meter = TABLES["customers"].column("meter_id")
    values = ["3.33E+21", "3.33e+21", "MT0012345", "3330001000100123456789", "1E5", "3.3E+2"]

    [(positions, expected, found)] = issues_of(values, meter)

    assert positions == [0, 1]  # near misses: a code 1E5, an exponent of one digit
    assert expected == (
        "an id as written, not a number in scientific notation (Excel shows a long number so "
        "and a CSV saved from it keeps only those digits: format the column as text and export "
        "the ids again)"
    )
    assert found == ["'3.33E+21'", "'3.33e+21'"]


def test_an_id_in_scientific_notation_does_not_hide_a_zero_width_space_in_another() -> None:
    """Row 3 `3.33E+21`, row 4 an id with a zero-width space: both are reported, the second
    no longer loads as a separate meter id."""
    meter = TABLES["customers"].column("meter_id")
    values = ["MT001", "MT002", "3.33E+21", "MT004\u200b", "MT005"]

    for array in (pa.array(values), pa.array(values).dictionary_encode()):
        typed = type_column(array, meter)
        issues = [(issue.positions.tolist(), list(issue.found)) for issue in typed.issues]

        assert issues == [([2], ["'3.33E+21'"]), ([3], ["'MT004\\u200b'"])]
        assert typed.values.isna().tolist() == [False, False, True, True, False]
        assert typed.unreadable.tolist() == [2, 3]


def test_scientific_notation_in_free_text_is_text() -> None:
    """Near miss: a note may quote a figure so."""
    assert issues_of(["约3.3E+12千瓦时"], Column("note", "text", free_text=True)) == []
    assert issues_of(["3.3E+12"], Column("note", "text", free_text=True)) == []


def test_float32_numbers_widen_to_the_decimal_they_stand_for_or_are_refused() -> None:
    """A warehouse's FLOAT column: 343321.15 is stored 343321.15625, and widened bit for bit the
    bill read 343321.15625 yuan. Below 2^17 = 131,072 a float32 tells fen apart and is read as
    the amount written; from 2^17 on, 343321.15 and 343321.16 are one float32: refused."""
    written = [112.98, 12345.67, 131071.99, 0.5283, 343321.15, 131072.01, None]
    typed = type_column(pa.array(written, pa.float32()), Column("amount", "number"))

    assert typed.values.tolist()[:4] == [112.98, 12345.67, 131071.99, 0.5283]  # near misses
    assert np.isnan(typed.values.tolist()[6])
    [issue] = typed.issues
    assert issue.positions.tolist() == [4, 5]
    assert issue.expected == (
        "a number stored as float64, integers or decimals (float32 tells numbers 0.01 apart only "
        "below 131,072: 343321.15 and 343321.16 are one float32)"
    )
    assert list(issue.found) == ["343321.15625", "131072.015625"]  # as stored


@pytest.mark.filterwarnings("error")
def test_the_largest_float32_is_refused_without_a_numpy_warning() -> None:
    """FLT_MAX, a warehouse's sentinel for no value: rounding it up to few digits overflows
    float32, and numpy printed 'overflow encountered in cast' (and in spacing) on the CLI's
    stderr while typing the column."""
    largest = float(np.finfo(np.float32).max)
    typed = type_column(pa.array([largest, 112.98], pa.float32()), Column("amount", "number"))

    [issue] = typed.issues
    assert issue.positions.tolist() == [0]
    assert typed.values.tolist()[1] == 112.98
