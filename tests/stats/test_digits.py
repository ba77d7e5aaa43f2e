"""Digit tests where they mean something: Benford on adjustments, last digit per meter reader."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from scipy import stats

from auditkit import formatting, synth
from auditkit.errors import ParameterError
from auditkit.results import Result
from auditkit.stats.benford import expected_mad
from auditkit.stats.digits import ALL, adjustment_benford, last_digit_test
from auditkit.stats.requirements import ColumnError

CUSTOMERS = pd.DataFrame({"customer_id": ["E1", "E2", "W1"], "district": ["城东", "城东", "城西"]})


def _adjustments(amounts_east: list[float], amounts_west: list[float]) -> pd.DataFrame:
    east = pd.DataFrame({"customer_id": "E1", "amount": amounts_east, "kind": "refund"})
    west = pd.DataFrame({"customer_id": "W1", "amount": amounts_west, "kind": "backbill"})
    return pd.concat([east, west], ignore_index=True)


def test_expected_mad_is_the_mean_half_normal_deviation_of_a_conforming_sample():
    shares = [math.log10(1 + 1 / d) for d in range(1, 10)]
    by_hand = sum(math.sqrt(2 * p * (1 - p) / (math.pi * 300)) for p in shares) / 9
    assert expected_mad("first", 300) == pytest.approx(by_hand)
    # 300 amounts drawn from the law itself reach Nigrini's "marginal" range on average.
    assert 0.012 < expected_mad("first", 300) < 0.015
    assert expected_mad("first_two", 4000) < expected_mad("first_two", 1000) / 1.9
    with pytest.raises(ParameterError, match="n"):
        expected_mad("first", 0)


def test_refunds_kept_under_an_approval_limit_depart_from_benford_by_hand():
    # 城东 keys in 110 refunds of 4,900 yuan or so (just under a 5,000 approval limit); 城西 has
    # too few adjustments to test. Refunds are negative: their absolute amounts are tested.
    # (110: at 100, digit 9 is expected 100 log10(10/9) = 4.6 times, fewer than 5: not judged)
    east = [-(4900.0 + i / 2) for i in range(110)] + [5.0, -3.0]  # two below 10 yuan: left out
    result = adjustment_benford(_adjustments(east, [120.0, 35.0]), CUSTOMERS, min_count=100)
    table = result.table.set_index(["group", "test"])
    row = table.loc[("城东", "first")]
    assert row["status"] == "tested" and row["n"] == 110 and row["n_excluded"] == 2
    p4 = math.log10(1.25)
    # Every first digit is 4: chi2 = (110 - E4) + (110 - E4)^2 / E4 with E4 = 110 log10(1.25).
    assert row["chi2"] == pytest.approx((110 - 110 * p4) + (110 - 110 * p4) ** 2 / (110 * p4))
    assert row["mad"] == pytest.approx(2 * (1 - p4) / 9)
    assert row["expected_mad"] == pytest.approx(expected_mad("first", 110))
    assert row["conformity"] == "nonconformity" and bool(row["departs"])
    assert "4↑" in row["standouts"]
    west = table.loc[("城西", "first")]
    assert west["status"] == "too_few" and west["n"] == 2 and np.isnan(west["chi2"])
    # The first-two-digits test needs 1,000 amounts by default: nowhere run.
    assert (table.xs("first_two", level="test")["status"] == "too_few").all()
    # All districts together: 112 testable amounts.
    assert table.loc[(ALL, "first"), "n"] == 112
    assert result.summary()["departing"] == [(ALL, "first"), ("城东", "first")]
    assert "城东（首位数字）" in result.explain("zh")
    shown = result.to_table("en")
    assert shown.iloc[0]["District"] == "all districts"
    assert "fewer than 1,000: not tested" in set(shown["Tested"])


def test_amounts_spread_over_orders_of_magnitude_do_not_depart():
    rng = np.random.default_rng(3)
    amounts = list(10 ** rng.uniform(1, 5, 2000))  # log-uniform: Benford's law itself
    result = adjustment_benford(_adjustments(amounts, []), CUSTOMERS.iloc[:2])
    table = result.table.set_index("test")
    assert list(result.table["group"]) == ["城东", "城东"]  # one district: no overall row
    assert (table["status"] == "tested").all()
    assert not table["departs"].astype(bool).any()
    # 2,000 first-two digits: MAD 0.0019, Nigrini's marginal, as 0.0018 is expected by chance.
    assert table["verdict_basis"].to_dict() == {"first": "neither", "first_two": "mad_only"}
    said = result.explain("en")
    assert said.startswith("2,000 adjustments; Benford tests run: 2; none departs from the law (")
    assert "The MAD of 城东 (first two digits: MAD 0.0019 against 0.0018 if conforming" in said


def test_only_the_kinds_asked_for_are_tested_and_unknown_customers_are_noted():
    adjustments = _adjustments([100.0] * 5, [200.0] * 3)
    adjustments.loc[len(adjustments)] = ["X9", 300.0, "refund"]
    result = adjustment_benford(adjustments, CUSTOMERS, kinds=("backbill",), min_count=1)
    assert set(result.table["group"]) == {"城西"} and result.n_adjustments == 3
    every = adjustment_benford(adjustments, CUSTOMERS, min_count=1)
    assert [note.code for note in every.notes] == ["adjustments_unknown_customers"]
    assert "1 adjustments" in every.notes[0].text("en")
    with pytest.raises(ColumnError, match="adjustments"):
        adjustment_benford(adjustments.drop(columns="amount"), CUSTOMERS)
    with pytest.raises(ParameterError, match="min_count"):
        adjustment_benford(adjustments, CUSTOMERS, min_count=0)


def test_one_kind_given_as_text_is_that_kind_and_an_unknown_kind_is_refused():
    """kinds="refund" tested nothing (isin(list("refund")): the letters); now it keeps E1's 5
    refunds of 城东, not W1's 3 backbills. A kind the contract does not know is refused."""
    adjustments = _adjustments([100.0] * 5, [200.0] * 3)
    result = adjustment_benford(adjustments, CUSTOMERS, kinds="refund", min_count=1)
    assert set(result.table["group"]) == {"城东"} and result.n_adjustments == 5
    both = adjustment_benford(adjustments, CUSTOMERS, kinds=["refund", "backbill"], min_count=1)
    assert both.n_adjustments == 5 + 3  # near miss: a list of two known kinds
    for unknown in ("refunds", ("refund", "credit")):
        with pytest.raises(ParameterError, match="parameter 'kinds': expected one of refund, "):
            adjustment_benford(adjustments, CUSTOMERS, kinds=unknown)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nothing_tested_draws_a_chart_saying_so_not_an_error_on_key(lang):
    """15 adjustments, fewer than the first-digit test's minimum: plot() raised a ParameterError
    on 'key', a parameter never passed; now its chart holds the explain sentence."""
    result = adjustment_benford(_adjustments([100.0] * 10, [200.0] * 5), CUSTOMERS)
    assert not result.results
    figure = result.plot(lang)
    (shown,) = [text.get_text() for text in figure.axes[0].texts]
    assert "".join(shown.split()) == "".join(result.explain(lang).split())
    assert "\n" in shown  # wrapped to the chart's width
    empty = adjustment_benford(_adjustments([], []), CUSTOMERS)
    assert empty.plot(lang).axes[0].texts
    with pytest.raises(ParameterError, match="parameter 'key': expected a tested group"):
        result.plot(lang, key=("城东", "first"))  # near miss: a key given is still checked


def test_a_small_set_whose_mad_alone_is_nonconforming_is_said_not_to_depart_and_why():
    # 110 refunds of 城东 whose first digits are a few points off Benford each: MAD 0.0181,
    # Nigrini's nonconformity, but what 110 amounts drawn from the law show is 0.0224 on average
    # and the chi-square is 4.14 on 8 df (p = 0.844): no departure, and the report says why.
    counts = [31, 22, 11, 13, 7, 9, 4, 8, 5]
    amounts = [-(10.0 * digit + 1) for digit, count in enumerate(counts, 1) for _ in range(count)]
    result = adjustment_benford(_adjustments(amounts, []), CUSTOMERS.iloc[:2])
    row = result.table_row(("城东", "first"))
    assert row["conformity"] == "nonconformity" and round(row["mad"], 4) == 0.0181
    assert round(row["expected_mad"], 4) == 0.0224 and round(row["p_value"], 3) == 0.844
    assert not row["departs"] and row["verdict_basis"] == "mad_only"
    assert result.summary()["mad_only"] == [("城东", "first")]
    assert result.explain("en") == (
        "110 adjustments; Benford tests run: 1; none departs from the law (a departure needs a "
        "chi-square p < 0.05 and a marginal or nonconforming MAD). The MAD of 城东 (first digit: "
        "MAD 0.0181 against 0.0224 if conforming, chi-square p = 0.844) is beyond acceptable, "
        "but the chi-square is not significant: a sample of that size drawn from the law itself "
        "shows about as large a MAD (Nigrini's ranges were set on large data sets), so this is "
        "no departure."
    )
    assert result.explain("zh") == (
        "退补金额 110 笔，已做 1 项本福特检验，均未偏离本福特定律（判为偏离须卡方 p < 0.05 且 MAD "
        "为勉强符合或不符合）。城东（首位数字，MAD 0.0181，符合时期望 0.0224，卡方 p = 0.844）的 "
        "MAD 超出可接受区间，但卡方不显著：同样大小、完全符合定律的样本 MAD 也差不多这么大（Nigrini "
        "的区间按大样本制定），故不判为偏离。"
    )
    english = result.to_table("en").iloc[0]
    assert english["MAD range (Nigrini, for large samples)"] == "nonconformity"
    assert english["Departs (significant chi-square and a MAD beyond acceptable)"] == "no"
    assert english["Why"] == (
        "the MAD is in the nonconformity range, but the chi-square is not significant; 110 "
        "amounts drawn from the law itself show a MAD of 0.0224 on average (Nigrini's ranges "
        "are for large samples): no departure"
    )
    chinese = result.to_table("zh").iloc[0]
    assert chinese["偏离本福特（卡方显著且 MAD 超出可接受区间）"] == "否"
    assert chinese["判定依据"] == (
        "MAD 落入“不符合”区间，但卡方不显著；110 笔完全符合定律的金额 MAD 平均也有 0.0224"
        "（Nigrini 区间适用于大样本）：不判为偏离"
    )
    # The first-two-digits test was not run: no verdict, no reason.
    assert result.to_table("en").iloc[1]["Why"] == ""


def test_a_departing_set_gives_its_reason_and_no_mad_only_clause():
    east = [-(4900.0 + i / 2) for i in range(110)]  # every first digit a 4
    result = adjustment_benford(_adjustments(east, []), CUSTOMERS.iloc[:2])
    assert result.summary()["mad_only"] == []
    assert result.to_table("zh").iloc[0]["判定依据"] == "卡方显著且 MAD 超出可接受区间：偏离"
    assert "MAD 超出可接受区间，但卡方不显著" not in result.explain("zh")
    assert "departing from Benford's law (chi-square p < 0.05 and a marginal" in (
        result.explain("en")
    )


def test_a_set_with_a_digit_expected_fewer_than_5_times_is_not_judged():
    """100-109 amounts were judged though the methods say such sets are not: at 100 amounts
    digit 9 is expected 100 x log10(10/9) = 4.6 times."""
    east = [-(4900.0 + i / 2) for i in range(109)]  # every first digit a 4: it would depart
    result = adjustment_benford(_adjustments(east, []), CUSTOMERS.iloc[:2])
    row = result.table_row(("城东", "first"))
    assert row["status"] == "small_sample" and np.isnan(row["departs"])
    assert row["verdict_basis"] == "" and row["n"] == 109
    assert result.summary()["departing"] == [] and result.summary()["tests_not_judged"] == 1
    assert result.explain("en") == (
        "109 adjustments in all; in every group some digit is expected fewer than 5 times, so no "
        "Benford test is judged."
    )
    shown = result.to_table("en").iloc[0]
    assert shown["Tested"] == "some digit expected fewer than 5 times: not judged"
    assert shown["Why"] == ""
    # the near miss: 110 amounts expect digit 9 110 x 0.0458 = 5.03 times: judged, departs
    judged = adjustment_benford(_adjustments([*east, -4999.0], []), CUSTOMERS.iloc[:2])
    assert judged.summary()["departing"] == [("城东", "first")]


def _reads(reader: str, last_digits: list[int], customer: str = "E1") -> pd.DataFrame:
    """Hand reads whose registers end in `last_digits` (each moved by 123.4 units)."""
    end = 10_000.0 + 10 * np.arange(len(last_digits)) + np.asarray(last_digits) + 0.4
    return pd.DataFrame(
        {
            "customer_id": customer,
            "register_start": end - 123.4,
            "register_end": end,
            "read_type": "actual",
            "reader_id": reader,
        }
    )


def test_a_reader_who_writes_zeros_and_fives_is_flagged_and_an_honest_one_is_not():
    honest = _reads("R0101", list(range(10)) * 20)  # 20 of each digit: chi2 = 0
    invented = _reads("R0102", [0] * 60 + [5] * 60 + [1, 2, 3, 4, 6, 7, 8, 9] * 10, "W1")
    few = _reads("R0103", [0] * 50)  # all zeros, but only 50 reads
    unchanged = _reads("R0101", [3] * 7).assign(register_start=lambda f: f["register_end"])
    estimated = _reads("R0101", [7] * 40).assign(read_type="estimated")
    remote = _reads("", [8] * 40)
    bills = pd.concat([honest, invented, few, unchanged, estimated, remote], ignore_index=True)

    result = last_digit_test(bills, CUSTOMERS, alpha=0.05, min_reads=100)

    table = result.table.set_index("reader_id")
    assert list(table.index) == ["R0101", "R0102", "R0103"]  # remote and estimated reads left out
    assert table.loc["R0101", "reads"] == 200 and table.loc["R0101", "unchanged"] == 7
    assert table.loc["R0101", "chi2"] == pytest.approx(0.0)
    # 60 zeros and 60 fives where 20 are expected, 10 of each other digit: 2*40²/20 + 8*10²/20.
    assert table.loc["R0102", "chi2"] == pytest.approx(200.0)
    p_invented = stats.chi2.sf(200.0, 9)
    assert table.loc["R0102", "p_value"] == pytest.approx(p_invented)
    assert table.loc["R0102", "p_adjusted"] == pytest.approx(2 * p_invented)  # Holm, 2 tested
    assert table.loc["R0101", "p_adjusted"] == pytest.approx(1.0)
    assert table.loc["R0102", "mad"] == pytest.approx((0.2 + 0.2 + 8 * 0.05) / 10)
    assert table.loc["R0101", "mad"] == pytest.approx(0.0)
    assert table.loc["R0102", "district"] == "城西"
    assert table.loc["R0102", "top_digit"] == 0 and table.loc["R0102", "top_share"] == 0.3
    assert table.loc["R0103", "note"] == "too_few_reads" and not table.loc["R0103", "flagged"]
    assert result.summary()["flagged"] == ["R0102"] and isinstance(result, Result)
    assert "R0102" in result.explain("zh") and "R0102" in result.explain("en")
    shown = result.to_table("en")
    assert shown.iloc[0]["Meter reader"] == "R0102" and shown.iloc[0]["Not uniform"] == "yes"
    assert shown.iloc[0]["Most frequent last digit (share)"] == "0 (30%)"


def test_registers_with_decimals_are_judged_by_the_units_digit_of_their_whole_part():
    # 100 reads ending in digits 0-9 (10 each), read to a decimal, each moved by 123.4 units.
    moved = _reads("R0101", list(range(10)) * 10)
    # The whole part stayed at 10,007 (moved 0.5): digit 7 repeats last month's, left out.
    within = pd.DataFrame(
        {
            "customer_id": "E1",
            "register_start": [10_007.1] * 30,
            "register_end": [10_007.6] * 30,
            "read_type": "actual",
            "reader_id": "R0101",
        }
    )
    # Moved 0.5 across a whole unit (10,007.8 -> 10,008.3): the digit read is 8, tested.
    across = within.assign(register_start=10_007.8, register_end=10_008.3).head(2)
    result = last_digit_test(pd.concat([moved, within, across], ignore_index=True))

    row = result.table.iloc[0]
    assert row["reads"] == 102 and row["unchanged"] == 30
    assert list(result.counts.loc["R0101"]) == [10] * 8 + [12, 10]


def test_a_significant_but_slight_preference_is_not_flagged():
    # 10,000 reads, digit 4 at 11.5 % instead of 10 %: the chi-square rejects uniformity, but the
    # shares are 0.3 points from 10 % on average, far below what invented reads give.
    digits = [4] * 1150 + [d for d in range(10) if d != 4] * 983 + [0, 1, 2]
    result = last_digit_test(_reads("R0101", digits))
    row = result.table.iloc[0]
    assert row["reads"] == 10_000 and row["p_adjusted"] < 0.01
    assert row["mad"] == pytest.approx((0.015 + 3 * 0.0016 + 6 * 0.0017) / 10)
    assert not row["flagged"]
    assert last_digit_test(_reads("R0101", digits), min_mad=0.001).table["flagged"].all()


def test_no_reader_gives_an_empty_table_with_a_note_and_bad_levels_are_refused():
    bills = _reads("", [1, 2, 3])
    result = last_digit_test(bills)
    assert result.table.empty and [note.code for note in result.notes] == ["no_manual_reads"]
    with pytest.raises(ParameterError, match="alpha"):
        last_digit_test(bills, alpha=1.5)
    with pytest.raises(ColumnError, match="reader_id"):
        last_digit_test(bills.drop(columns="reader_id"))


@pytest.fixture(scope="module")
def utility() -> dict[str, pd.DataFrame]:
    return synth.generate(customers=1500, districts=2, months=24, seed=21)


def test_synthetic_readers_are_honest_until_one_invents_reads(utility):
    bills = utility["bills"]
    hand = bills[(bills["reader_id"].astype(str) != "") & (bills["read_type"] == "actual")]
    assert hand["reader_id"].nunique() >= 2
    assert hand["reader_id"].astype(str).str.fullmatch(r"R\d{4}").all()
    assert not last_digit_test(bills, utility["customers"]).table["flagged"].any()

    # One reader writes a third of his reads at the desk, rounded to the nearest 5 units.
    cheat = sorted(hand["reader_id"].astype(str).unique())[0]
    invented = bills.copy()
    theirs = invented.index[
        (invented["reader_id"].astype(str) == cheat) & (invented["read_type"] == "actual")
    ][::3]
    invented.loc[theirs, "register_end"] = (invented.loc[theirs, "register_end"] / 5).round() * 5
    result = last_digit_test(invented, utility["customers"])
    assert result.summary()["flagged"] == [cheat]


def test_the_chart_paints_red_only_the_readers_the_verdict_flags():
    honest = _reads("R0101", list(range(10)) * 20)
    invented = _reads("R0102", [0] * 60 + [5] * 60 + [1, 2, 3, 4, 6, 7, 8, 9] * 10)
    # Digit 4 at 11.5 % of 10,000 reads: chi-square 25.0, significant after Holm, but the shares
    # are 0.3 points from 10 % on average: not flagged, so neither red nor saturated.
    slight = _reads("R0103", [4] * 1150 + [d for d in range(10) if d != 4] * 983 + [0, 1, 2])
    result = last_digit_test(pd.concat([honest, invented, slight], ignore_index=True))
    table = result.table.set_index("reader_id")
    chi2 = (150**2 + 3 * 16**2 + 6 * 17**2) / 1000
    assert table.loc["R0103", "chi2"] == pytest.approx(chi2)
    # Holm over three readers: the slight one is second smallest, its p doubled.
    assert table.loc["R0103", "p_adjusted"] == pytest.approx(2 * stats.chi2.sf(chi2, 9))
    assert table.loc["R0103", "p_adjusted"] < 0.01 and not table.loc["R0103", "flagged"]

    figure = result.plot("zh")
    heat, bars = figure.axes[0], figure.axes[1]
    readers = [label.get_text() for label in heat.get_yticklabels()]
    assert readers == ["R0102", "R0103", "R0101"]  # largest chi-square first
    red, grey = to_rgba("tab:red"), to_rgba("tab:gray")
    assert [patch.get_facecolor() for patch in bars.patches] == [red, grey, grey]
    assert [to_rgba(label.get_color()) == red for label in heat.get_yticklabels()] == [
        True, False, False,
    ]  # fmt: skip
    assert [patch.get_width() for patch in bars.patches] == pytest.approx(
        [0.08, (0.015 + 3 * 0.0016 + 6 * 0.0017) / 10, 0.0]
    )
    p_slight = formatting.p_clause(2 * stats.chi2.sf(chi2, 9))
    assert [text.get_text() for text in bars.texts] == ["p < 0.001", p_slight, "p = 1.000"]
    assert figure.get_suptitle() == (
        "各抄表员示数末位检验（红色：末位不均匀，即 Holm 校正 p < 0.05 且平均偏差 > 2%）"
    )
    # The colour of a digit is its share's deviation, full at 20 points here (R0102's zeros)...
    assert heat.images[0].norm.vmax == pytest.approx(0.2)
    # ...and at 5 points when no digit deviates more, so a 1.5-point preference stays pale.
    quiet = last_digit_test(pd.concat([honest, slight], ignore_index=True)).plot("en")
    assert quiet.axes[0].images[0].norm.vmax == pytest.approx(0.05)
    assert quiet.get_suptitle() == (
        "Last digit of hand reads per meter reader (red: not uniform, i.e. Holm-adjusted "
        "p < 0.05 and mean deviation > 2%)"
    )
