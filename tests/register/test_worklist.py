"""select_worklist: per district, top by revenue or score, all high, or a seeded random share."""

from __future__ import annotations

import pandas as pd
import pytest
from worklist_builders import finding, findings

from auditkit.errors import ParameterError
from auditkit.register.keys import finding_key
from auditkit.register.worklist import select_worklist


def two_districts() -> pd.DataFrame:
    """东: a 500, b 300 (score 0.9), c 300 (score 0.4), d 100 (high); 西: w 50, x 900 (high)."""
    return findings(
        finding("d", 100, severity="high", score=0.2),
        finding("b", 300, score=0.9),
        finding("a", 500, score=0.3),
        finding("c", 300, score=0.4),
        finding("x", 900, district="城西", severity="high", score=0.1),
        finding("w", 50, district="城西", score=0.8),
    )


def chosen(worklist: pd.DataFrame) -> list[tuple[str, str, int]]:
    return list(zip(worklist["district"], worklist["customer_id"], worklist["rank"], strict=True))


def test_top_by_revenue_takes_the_largest_of_each_district_ties_by_score():
    worklist = select_worklist(two_districts(), by="revenue", top=3)
    # 城东 before 城西 (sorted); b and c both 300: b's higher score first.
    assert chosen(worklist) == [
        ("城东", "a", 1),
        ("城东", "b", 2),
        ("城东", "c", 3),
        ("城西", "x", 1),
        ("城西", "w", 2),
    ]
    assert worklist["district_findings"].tolist() == [4, 4, 4, 2, 2]
    assert set(worklist["selected_by"]) == {"revenue"}
    assert worklist.attrs["selection"] == {"by": "revenue", "top": 3, "share": None, "seed": 0}


def test_top_by_score_takes_the_highest_scores():
    worklist = select_worklist(two_districts(), by="score", top=2)
    assert chosen(worklist) == [
        ("城东", "b", 1),
        ("城东", "c", 2),
        ("城西", "w", 1),
        ("城西", "x", 2),
    ]


def test_high_takes_every_high_finding_and_top_caps_them_by_revenue():
    frame = pd.concat(
        [two_districts(), findings(finding("e", 20, severity="high"))], ignore_index=True
    )
    assert chosen(select_worklist(frame, by="high")) == [
        ("城东", "d", 1),
        ("城东", "e", 2),
        ("城西", "x", 1),
    ]
    assert chosen(select_worklist(frame, by="high", top=1)) == [("城东", "d", 1), ("城西", "x", 1)]


def test_each_row_carries_the_stable_key_of_its_finding():
    worklist = select_worklist(two_districts(), by="revenue", top=1)
    assert worklist.columns[0] == "finding_key"
    assert worklist["finding_key"].tolist() == [
        finding_key("a", "zero_consumption", "2024-09"),
        finding_key("x", "zero_consumption", "2024-09"),
    ]


def many(district: str, count: int) -> list[dict]:
    return [finding(f"{district}{i:03d}", 10 * i + 1, district=district) for i in range(count)]


def test_a_random_share_is_drawn_per_district_rounded_up_and_ranked_by_revenue():
    frame = findings(*many("城东", 10), *many("城西", 3))
    worklist = select_worklist(frame, by="sample", share=0.25, seed=7)
    counts = worklist.groupby("district").size().to_dict()
    assert counts == {"城东": 3, "城西": 1}  # 2.5 -> 3, 0.75 -> 1
    east = worklist[worklist["district"] == "城东"]
    assert east["revenue_impact"].is_monotonic_decreasing
    assert east["rank"].tolist() == [1, 2, 3]
    assert set(worklist["selected_by"]) == {"sample"}


def test_the_same_seed_draws_the_same_sample_whatever_the_row_order():
    frame = findings(*many("城东", 40))
    first = select_worklist(frame, by="sample", share=0.2, seed=3)
    shuffled = frame.sample(frac=1.0, random_state=99)
    again = select_worklist(shuffled, by="sample", share=0.2, seed=3)
    assert first["finding_key"].tolist() == again["finding_key"].tolist()
    other = select_worklist(frame, by="sample", share=0.2, seed=4)
    assert set(other["finding_key"]) != set(first["finding_key"])


def test_a_districts_sample_does_not_depend_on_the_other_districts():
    east = findings(*many("城东", 30))
    both = findings(*many("城东", 30), *many("城西", 25))
    alone = select_worklist(east, by="sample", share=0.3, seed=1)
    together = select_worklist(both, by="sample", share=0.3, seed=1)
    assert (
        alone["finding_key"].tolist()
        == together.loc[together["district"] == "城东", "finding_key"].tolist()
    )


def test_a_share_of_one_checks_every_finding():
    frame = findings(*many("城东", 6))
    assert len(select_worklist(frame, by="sample", share=1, seed=0)) == 6


def test_no_findings_give_an_empty_worklist_with_the_columns():
    worklist = select_worklist(findings(finding("a", 1)).iloc[:0], by="revenue", top=5)
    assert worklist.empty
    assert {"finding_key", "customer_id", "selected_by", "rank"} <= set(worklist.columns)


def test_a_findings_frame_that_went_through_selection_is_selected_again_alike():
    once = select_worklist(two_districts(), by="revenue", top=3)
    twice = select_worklist(once, by="revenue", top=3)
    assert twice["finding_key"].tolist() == once["finding_key"].tolist()


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        ({"by": "largest", "top": 3}, "'by'"),
        ({"by": "revenue"}, "'top'"),
        ({"by": "score", "top": 0}, "'top'"),
        ({"by": "revenue", "top": 2.5}, "'top'"),
        ({"by": "revenue", "top": 3, "share": 0.1}, "'share'"),
        ({"by": "sample"}, "'share'"),
        ({"by": "sample", "share": 0}, "'share'"),
        ({"by": "sample", "share": 1.5}, "'share'"),
        ({"by": "sample", "share": 0.1, "top": 3}, "'top'"),
        ({"by": "sample", "share": 0.1, "seed": 1.5}, "'seed'"),
        (
            {"by": "sample", "share": 0.1, "seed": -1},
            r"'seed': expected a whole number from 0 to 2\^64 − 1",
        ),
    ],
)
def test_choices_that_do_not_fit_are_refused_naming_the_parameter(options, parameter):
    with pytest.raises(ParameterError, match=parameter):
        select_worklist(two_districts(), **options)


def test_a_frame_that_is_not_findings_is_refused_naming_the_missing_columns():
    with pytest.raises(ParameterError, match="no column revenue_impact, score"):
        select_worklist(two_districts().drop(columns=["revenue_impact", "score"]), top=1)


@pytest.mark.parametrize(("column", "value"), [("revenue_impact", "562,823.15"), ("score", None)])
def test_an_amount_or_score_that_is_no_number_is_refused_naming_the_row(column, value):
    """Ranked as text, '562,823.15' would come after '851.03': refused, not ranked."""
    frame = two_districts().astype({column: object})
    frame.loc[2, column] = value
    with pytest.raises(ParameterError, match=rf"row 3, column {column}: {value!r}"):
        select_worklist(frame, by="revenue", top=3)


def test_amounts_given_as_number_text_rank_as_numbers():
    """As text '500.0' would come before '1000.0'; as numbers 1000 is the most at stake."""
    frame = pd.concat([two_districts(), findings(finding("e", 1000))], ignore_index=True)
    frame = frame.astype({"revenue_impact": str})
    assert chosen(select_worklist(frame, by="revenue", top=1)) == [
        ("城东", "e", 1),
        ("城西", "x", 1),
    ]
