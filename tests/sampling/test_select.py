"""select(): reproducible draws, monetary-unit hits, set-aside rows and stratified allocation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sampling_builders

from auditkit.errors import ParameterError
from auditkit.sampling import SampleDataError, evaluate, select
from auditkit.sampling.select import allocate


@pytest.fixture
def bills() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    amounts = np.round(rng.lognormal(6, 1.2, 400), 2)
    amounts[[5, 17]] = [0.0, -35.5]
    return sampling_builders.bills(
        amounts, district=np.where(np.arange(400) < 300, "城东", "城西"), width=4
    )


@pytest.mark.parametrize(
    ("units", "method"),
    [
        ("items", "interval"),
        ("items", "cell"),
        ("items", "random"),
        ("values", "interval"),
        ("values", "cell"),
        ("values", "random"),
        ("values", "sieve"),
    ],
)
def test_same_seed_same_selection(bills: pd.DataFrame, units: str, method: str) -> None:
    first = select(bills, 30, units=units, method=method, values="amount", seed=11)
    again = select(bills, 30, units=units, method=method, values="amount", seed=11)
    other = select(bills, 30, units=units, method=method, values="amount", seed=12)
    pd.testing.assert_frame_equal(first.sample, again.sample)
    assert (first.interval, first.start) == (again.interval, again.start)
    assert not first.sample.index.equals(other.sample.index)


def test_seed_is_drawn_and_recorded_when_absent(bills: pd.DataFrame) -> None:
    drawn = select(bills, 30, units="items", method="random")
    repeated = select(bills, 30, units="items", method="random", seed=drawn.seed)
    pd.testing.assert_frame_equal(drawn.sample, repeated.sample)


def test_fixed_interval_by_items_with_a_start() -> None:
    frame = pd.DataFrame({"customer_id": list("ABCDEFGHIJ")})
    chosen = select(frame, 5, units="items", method="interval", start=0)
    assert list(chosen.sample["customer_id"]) == ["A", "C", "E", "G", "I"]
    assert chosen.interval == 2.0 and chosen.start == 0.0


def test_fixed_interval_by_values_by_hand() -> None:
    # Values 10, 20, 30, 40 (cumulative 10, 30, 60, 100); n = 4 gives interval 25; start 5 puts
    # the units at 5, 30, 55, 80: rows 0, 2 (twice) and 3.
    frame = pd.DataFrame({"customer_id": list("ABCD"), "amount": [10.0, 20.0, 30.0, 40.0]})
    chosen = select(frame, 4, units="values", values="amount", method="interval", start=5)
    assert list(chosen.sample["customer_id"]) == ["A", "C", "D"]
    assert list(chosen.sample["times"]) == [1, 2, 1]
    assert chosen.interval == 25.0


@pytest.mark.parametrize("method", ["interval", "cell", "random"])
def test_monetary_units_add_up_to_n(bills: pd.DataFrame, method: str) -> None:
    chosen = select(bills, 50, units="values", values="amount", method=method, seed=5)
    assert chosen.sample["times"].sum() == 50
    assert chosen.population_value == pytest.approx(bills.loc[bills.amount > 0, "amount"].sum())


def test_items_are_never_repeated(bills: pd.DataFrame) -> None:
    for method in ("interval", "cell", "random"):
        chosen = select(bills, 120, units="items", method=method, seed=9)
        assert chosen.sample.index.is_unique and len(chosen.sample) == 120
        assert set(chosen.sample["times"]) == {1}


def test_cell_sampling_takes_one_row_per_cell() -> None:
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(12)]})
    positions = select(frame, 4, units="items", method="cell", seed=1).sample.index.to_numpy()
    assert list(positions // 3) == [0, 1, 2, 3]


def test_sieve_always_takes_rows_above_the_interval(bills: pd.DataFrame) -> None:
    chosen = select(bills, 40, units="values", values="amount", method="sieve", seed=2)
    large = bills.index[bills["amount"] >= chosen.interval]
    assert set(large) <= set(chosen.sample.index)
    assert "sieve" in [note.code for note in chosen.notes]
    assert any("sieve" in note.text("en") for note in chosen.notes)


def test_zero_and_negative_values_are_set_aside(bills: pd.DataFrame) -> None:
    chosen = select(bills, 40, units="values", values="amount", seed=4)
    assert list(chosen.set_aside.index) == [5, 17]
    assert not set(chosen.sample.index) & {5, 17}
    note = chosen.notes[0]
    english, chinese = note.text("en"), note.text("zh")
    assert (
        "set aside" in english and "select(" not in english
    )  # words for reviewers, not an API hint
    assert "单独列出" in chinese and "set aside" not in chinese
    # both name the column in words (a Chinese sentence has no English column name) and count
    # with thousands separators
    assert english.startswith("2 of 400 rows have a zero or negative bill amount (total -35.50)")
    assert chinese.startswith("400 条记录中有 2 条的电费金额为零或负（合计 -35.50）")
    # Offered to item sampling:
    assert len(select(chosen.set_aside, 2, units="items", method="random", seed=1)) == 2


def test_the_selection_table_counts_what_can_be_drawn_and_the_note_what_was_left_out(
    bills: pd.DataFrame,
) -> None:
    """The 选样 table said 总体数量 52,322 right below the 总体 table's 52,575: it counts the rows
    monetary units can reach, so it is labelled so and the note gives the difference and why."""
    chosen = select(bills, 40, units="values", values="amount", seed=4)
    positive = bills["amount"][bills["amount"] > 0].sum()
    zh = dict(chosen.to_table("zh").to_numpy().tolist())
    assert (zh["可抽样数量"], zh["剔除（零或负值）"]) == ("398", "2")
    assert zh["可抽样金额（元）"] == f"{positive:,.2f}"
    assert "总体数量" not in zh and "总体金额（元）" not in zh
    en = dict(chosen.to_table("en").to_numpy().tolist())
    assert (en["Units that can be drawn"], en["Set aside (zero or negative)"]) == ("398", "2")
    assert en["Value that can be drawn (yuan)"] == f"{positive:,.2f}"
    assert "Population size" not in en
    note = chosen.notes[0]
    assert note.text("zh") == (
        "400 条记录中有 2 条的电费金额为零或负（合计 -35.50），货币单位抽样抽不到，已单独列出，"
        "不计入可抽样数量（400 − 2 = 398）；如有必要请按户另行抽查"
    )
    assert note.text("en") == (
        "2 of 400 rows have a zero or negative bill amount (total -35.50); monetary units cannot "
        "reach them, so they are set aside and left out of the units that can be drawn "
        "(400 - 2 = 398): test them by items if they matter"
    )
    by_items = dict(select(bills, 40, units="items", seed=4).to_table("en").to_numpy().tolist())
    assert (by_items["Units that can be drawn"], by_items["Set aside (zero or negative)"]) == (
        "400",
        "0",
    )


def test_stratified_proportional_allocation(bills: pd.DataFrame) -> None:
    chosen = select(bills, 40, units="items", method="random", seed=8, strata="district")
    assert dict(zip(chosen.strata["stratum"], chosen.strata["n"], strict=True)) == {
        "城东": 30,
        "城西": 10,
    }
    assert chosen.sample.groupby("stratum").size().to_dict() == {"城东": 30, "城西": 10}


def test_neyman_allocation_by_hand() -> None:
    # Equal sizes, standard deviations 1 : 3, so n = 8 splits 2 : 6.
    low = np.tile([9.0, 11.0], 25)
    high = np.tile([7.0, 13.0], 25)
    frame = pd.DataFrame({"amount": np.concatenate([low, high]), "zone": ["A"] * 50 + ["B"] * 50})
    chosen = select(
        frame,
        8,
        units="items",
        method="random",
        values="amount",
        strata="zone",
        allocation="neyman",
        seed=3,
    )
    assert list(chosen.strata["n"]) == [2, 6]


def test_allocation_respects_capacity() -> None:
    assert list(allocate(10, np.array([1.0, 1.0]), np.array([2, 100]))) == [2, 8]
    assert list(allocate(7, np.array([0.6, 0.3, 0.1]), np.array([100, 100, 100]))) == [4, 2, 1]


def test_summary_and_plot(bills: pd.DataFrame) -> None:
    chosen = select(bills, 20, units="values", values="amount", seed=1)
    assert chosen.to_table("zh").set_index("项目").loc["随机种子"].iloc[0] == "1"
    assert "seed 1" in repr(chosen)
    assert chosen.plot("en").axes


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        ({"n": 1000}, "n"),
        ({"n": 0}, "n"),
        ({"n": 10, "units": "values"}, "values"),
        ({"n": 10, "units": "items", "method": "sieve"}, "method"),
        (
            {"n": 10, "method": "interval", "start": 1e9, "units": "values", "values": "amount"},
            "start",
        ),
        ({"n": 10, "method": "random", "start": 1}, "start"),
        ({"n": 10, "seed": -1}, "seed"),
        ({"n": 10, "units": "pieces"}, "units"),
        ({"n": 10, "strata": "tariff"}, "strata"),  # no such column
    ],
)
def test_bad_input_names_the_parameter(
    bills: pd.DataFrame, arguments: dict, parameter: str
) -> None:
    with pytest.raises(ParameterError) as caught:
        select(bills, **arguments)
    assert caught.value.name == parameter


def test_text_in_the_value_column_names_it(bills: pd.DataFrame) -> None:
    frame = bills.astype({"amount": object})
    frame.loc[7, "amount"] = "n/a"
    with pytest.raises(SampleDataError, match=r"'amount'.*row 7.*n/a"):
        select(frame, 10, units="values", values="amount")


def test_a_row_without_a_stratum_is_named_not_made_a_stratum_of_its_own() -> None:
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(6)], "group": list("aab b ")})
    frame.loc[3, "group"] = None
    with pytest.raises(SampleDataError) as raised:
        select(frame, 3, strata="group", seed=1)
    assert str(raised.value) == (
        "frame: strata column 'group' must name each row's stratum; row 3 holds an empty cell "
        "(2 such rows)"
    )


def test_every_stratum_gets_a_unit_and_a_one_row_stratum_is_examined_in_full() -> None:
    frame = pd.DataFrame(
        {"customer_id": [f"C{i}" for i in range(100)], "group": ["a"] * 99 + ["b"]}
    )
    # Proportionally b's share of 5 units is 0.05 units: it is raised to 1, taken from a.
    chosen = select(frame, 5, units="items", method="random", seed=1, strata="group")
    assert list(chosen.strata["n"]) == [4, 1]
    assert chosen.sample.loc[chosen.sample["group"] == "b", "customer_id"].tolist() == ["C99"]
    assert chosen.summary()["notes"] == ["raised_stratum.proportional"]
    assert "层“b”按比例分配不足 1 个抽样单位，改为 1 个" in chosen.notes[0].text("zh")
    assert "'b' was given 1 unit" in chosen.notes[0].text("en")
    with pytest.raises(ParameterError, match=r"'n': expected at least one unit for each of the 2"):
        select(frame, 1, units="items", strata="group")


def test_neyman_gives_a_one_bill_stratum_a_unit() -> None:
    # A one-bill stratum has no standard deviation: Neyman weighs it 0, yet it is sampled.
    amounts = [100.0 + (i % 7) for i in range(60)] + [5_000.0]
    frame = pd.DataFrame({"amount": amounts, "tariff": ["居民"] * 60 + ["大工业"]})
    chosen = select(
        frame, 10, units="values", values="amount", strata="tariff", allocation="neyman", seed=2
    )
    counts = dict(zip(chosen.strata["stratum"], chosen.strata["n"], strict=True))
    assert counts == {"大工业": 1, "居民": 9}
    assert chosen.summary()["notes"] == ["raised_stratum.neyman"]


def test_monetary_units_are_shared_by_value_however_few_the_rows() -> None:
    # Three bills hold half the yuan: by values they take half the units (60 of 120), hitting
    # each bill 20 times (interval = 100 yuan / 20); by items they could take at most 3.
    frame = pd.DataFrame(
        {"amount": [100.0] * 3 + [1.0] * 300, "tariff": ["大工业"] * 3 + ["居民"] * 300}
    )
    chosen = select(frame, 120, units="values", values="amount", strata="tariff", seed=1)
    assert dict(zip(chosen.strata["stratum"], chosen.strata["n"], strict=True)) == {
        "大工业": 60,
        "居民": 60,
    }
    big = chosen.sample[chosen.sample["stratum"] == "大工业"]
    assert big["times"].tolist() == [20, 20, 20]


def test_allocation_raises_a_stratum_to_its_floor_from_the_largest() -> None:
    # 10 units by weights .9 / .1 / .005 (rounded: 9, 1, 0): the third takes one from the first.
    weights = np.array([0.9, 0.1, 0.005])
    assert list(allocate(10, weights, np.array([100, 100, 100]))) == [9, 1, 0]
    assert list(allocate(10, weights, np.array([100, 100, 100]), at_least=1)) == [8, 1, 1]


def test_sieve_weighs_a_row_above_the_interval_as_the_interval_method_does() -> None:
    # 1,000 yuan, n = 10: J = 100. The 600-yuan bill is exactly 6 intervals: hit 6 times, as by
    # interval; each 2-yuan bill is kept with probability 2 / 100, once.
    frame = pd.DataFrame({"amount": [600.0] + [2.0] * 200})
    chosen = select(frame, 10, units="values", values="amount", method="sieve", seed=5)
    assert chosen.interval == pytest.approx(100.0)
    assert chosen.sample.loc[0, "times"] == 6
    assert set(chosen.sample["times"].drop(index=0)) <= {1}
    units = int(chosen.sample["times"].sum())
    note = chosen.notes[-1]
    assert (
        note.text("en")
        == f"sieve sampling drew {units} units on {len(chosen)} rows for an expected 10"
    )
    # The whole bill under-billed by its value: at or above the sieve's J it is individually
    # significant, its 600 yuan counted as found.
    sample = chosen.sample.assign(audit=chosen.sample["amount"])
    sample.loc[0, "audit"] = 1200.0

    def projected(**design: object) -> float:
        return evaluate(
            0.05,
            "stringer.poisson",
            data=sample,
            book="amount",
            audit="audit",
            times="times",
            population_value=1000.0,
            **design,
        ).projected_misstatement

    assert projected(selection_method="sieve", interval=chosen.interval) == pytest.approx(600.0)
    # Not told the design, its taint of 1 is projected from its 6 of the units drawn.
    assert projected() == pytest.approx(6 / units * 1000.0)


def test_sieve_hits_every_row_as_often_as_its_value_calls_for_on_average() -> None:
    # A 250-yuan bill in intervals of 100 is hit 2 or 3 times, 2.5 on average over seeds.
    frame = pd.DataFrame({"amount": [250.0] + [50.0] * 15})
    hits = [
        select(frame, 10, units="values", values="amount", method="sieve", seed=seed).sample.loc[
            0, "times"
        ]
        for seed in range(400)
    ]
    assert set(hits) == {2, 3}
    assert np.mean(hits) == pytest.approx(2.5, abs=0.08)  # 400 draws: sd 0.025


def test_a_start_just_below_the_item_interval_selects_the_last_row_not_past_it() -> None:
    # 206 rows, n = 3: interval 68.666..., start 68.66666666666666 (the largest start allowed).
    # Rows 68.67, 137.33 and 206.0 - 1e-14: floor 68, 137, 205; in floating point the last sum
    # is 206.0, one past the last row (an IndexError traceback).
    frame = pd.DataFrame({"customer_id": [f"A{i}" for i in range(206)]})
    assert 68.66666666666666 + 2 * (206 / 3) == 206.0
    chosen = select(frame, 3, units="items", start=68.66666666666666)
    assert chosen.sample["customer_id"].tolist() == ["A68", "A137", "A205"]
    # Near miss: a start of 0 takes rows 0, 68 and 137.
    first = select(frame, 3, units="items", start=0)
    assert first.sample["customer_id"].tolist() == ["A0", "A68", "A137"]


def test_a_monetary_unit_sample_may_hold_more_units_than_bills() -> None:
    # 3 bills of 100, 300 and 600 yuan, 20 units: J = 1,000 / 20 = 50, start 10. Units at
    # 10, 60 fall in the first bill (2 hits), 110 ... 360 in the second (6), 410 ... 960 in the
    # third (12). The old code refused "at most the 3 rows with a positive value".
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "amount": [100.0, 300.0, 600.0]})
    chosen = select(frame, 20, units="values", values="amount", start=10)
    assert chosen.interval == 50.0
    assert chosen.sample["times"].tolist() == [2, 6, 12]  # each bill one row, examined once
    # Near miss: by items 20 of 3 rows stays refused.
    with pytest.raises(ParameterError, match=r"'n': expected at most the 3 rows"):
        select(frame, 20, units="items")
    # And a column without a value above 0 has no yuan to draw.
    with pytest.raises(ParameterError, match=r"'values': expected a column with at least one"):
        select(frame.assign(amount=[0.0, -5.0, 0.0]), 2, units="values", values="amount")
