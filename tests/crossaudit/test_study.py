"""The cross-audit study behind the notebook, on a Dataset built in memory."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from crossaudit_builders import dataset

from auditkit.crossaudit import InfeasibleAssignmentError
from auditkit.crossaudit.study import build, read_round
from auditkit.errors import ParameterError
from auditkit.results import Study


def test_build_assigns_and_compares(tmp_path):
    study = build(dataset(), seed=4)
    assert isinstance(study, Study)
    assert sorted(study.assignment.pairs["audited_district"]) == ["A", "B", "C"]
    figures = study.headline()
    assert figures["inspections"] == 72
    assert figures["self_rate_pct"] == pytest.approx(100 / 12)
    assert figures["cross_rate_pct"] == pytest.approx(100 * 4 / 12)
    previous = tmp_path / "round.csv"
    study.assignment.pairs.to_csv(previous, index=False, encoding="utf-8-sig")
    again = build(dataset(), seed=4, previous_round=previous)
    assert not set(map(tuple, again.assignment.pairs.to_numpy())) & set(
        map(tuple, study.assignment.pairs.to_numpy())
    )
    assert read_round(previous).equals(study.assignment.pairs)


def test_as_of_capacity_and_focus():
    study = build(
        dataset(), district="B", as_of="2024-06", seed=1, capacity={"A": 2, "B": 1, "C": 1}
    )
    assert study.headline()["inspections"] == 12  # B's, January to June
    assert study.table("by_district", "en")["District"].tolist() == ["B"]
    assert study.table("rates", "en")["District"].unique().tolist() == ["B"]
    assert study.assignment.loads["capacity_share"].tolist() == [0.5, 0.25, 0.25]
    assert study.table_names[:2] == ("assignment", "loads")


def test_without_inspections_only_the_assignment_is_shown():
    study = build(dataset(with_inspections=False), seed=1)
    assert study.comparison is None and study.explain("en") == ""
    assert "no inspections" in study.explain_notes("en")
    assert study.headline() == {"districts": 3.0}
    assert study.table_names == ("assignment",) and study.figure_names == ("assignment",)
    with pytest.raises(ParameterError, match="'table'"):
        study.table("rates")


def test_bad_parameters_are_refused(tmp_path):
    with pytest.raises(ParameterError, match="'district'"):
        build(dataset(), district="Z")
    with pytest.raises(ParameterError, match="'as_of'"):
        build(dataset(), as_of="June")
    with pytest.raises(ParameterError, match="'previous_round'"):
        build(dataset(), previous_round=tmp_path / "missing.csv")
    with pytest.raises(ParameterError, match=r"parameter 'district': expected one of A, B, C,"):
        build(dataset(), district="Z")  # the districts as text, not a Python list


@pytest.mark.parametrize("month", ["2023-12", "2030-01"])
def test_an_as_of_outside_the_inspections_and_the_bills_is_refused_naming_their_months(month):
    # the inspections run from January to December 2024; the dataset has no bills
    with pytest.raises(ParameterError) as caught:
        build(dataset(), as_of=month, seed=1)
    assert str(caught.value) == (
        f"parameter 'as_of': expected a month the inspections or the bills cover, "
        f"2024-01..2024-12, found {month!r}"
    )


def test_an_as_of_billed_after_the_last_inspection_takes_them_all_and_ends_there():
    """Bills to 2025-02, inspections to 2024-12: `run-all -p as_of=2025-02` stopped at the
    cross-audit (a month outside the inspections' months); now all 72 inspections are compared,
    the study ending at 2024-12, the last month inspected (a month no inspection reached is not
    named as the data's end). A month past the bills too is still refused."""
    bills = pd.DataFrame({"customer_id": ["A0", "A0"], "period": ["2024-01", "2025-02"]})
    billed = dataclasses.replace(dataset(), bills=bills)
    study = build(billed, as_of="2025-02", seed=1)
    assert study.headline()["inspections"] == 72
    assert (study.period(), study.last_month()) == ("2024-01 – 2024-12", "2024-12")
    with pytest.raises(ParameterError) as caught:
        build(billed, as_of="2025-03", seed=1)
    assert str(caught.value) == (
        "parameter 'as_of': expected a month the inspections or the bills cover, "
        "2024-01..2025-02, found '2025-03'"
    )


def test_an_as_of_billed_before_the_first_inspection_compares_nothing_and_says_so():
    """Bills from 2023-06, inspections from 2024-01: `run-all -p as_of=2023-09` (every other
    report has its bills) stopped at the cross-audit; now the study assigns next round's
    auditors, compares nothing and names the first month inspected. A month before the bills
    too is still refused."""
    bills = pd.DataFrame({"customer_id": ["A0", "A0"], "period": ["2023-06", "2024-12"]})
    billed = dataclasses.replace(dataset(), bills=bills)
    study = build(billed, as_of="2023-09", seed=1)
    assert study.comparison is None
    assert len(study.assignment.pairs) == 3
    assert [note.text("en") for note in study.notes] == [
        "No inspections up to 2023-09 (the first is in 2024-01), so self- and cross-audits are "
        "not compared."
    ]
    with pytest.raises(ParameterError, match=r"2023-06\.\.2024-12, found '2023-05'"):
        build(billed, as_of="2023-05", seed=1)


def test_the_study_says_which_months_it_compared_for_the_title_block():
    everything = build(dataset(), seed=1)
    assert (everything.period(), everything.last_month()) == ("2024-01 – 2024-12", "2024-12")
    june = build(dataset(), as_of="2024-06", seed=1)
    assert (june.period(), june.last_month()) == ("2024-01 – 2024-06", "2024-06")
    # near misses: the first and the last month inspected are accepted
    assert build(dataset(), as_of="2024-01", seed=1).last_month() == "2024-01"
    assert build(dataset(), as_of="2024-12", seed=1).last_month() == "2024-12"
    assert build(dataset(with_inspections=False), seed=1).period() == ""


def test_tables_and_figures_in_both_languages():
    study = build(dataset(), seed=2)
    assert study.table_names == (
        "assignment",
        "rates",
        "overall",
        "by_district",
        "model",
        "self_funnel",
    )
    assert list(study.table("assignment", "zh").columns) == ["检查单位", "被检查单位"]
    rates = study.table("rates", "en")
    assert rates.loc[0, "95% interval"].endswith("%") and rates.loc[0, "Audit kind"] == "self"
    assert study.table("rates", "zh").loc[2, "检查类型"] == "专项稽查"
    overall = study.table("overall", "zh")
    assert overall["检验"].tolist() == [
        "两比例 z 检验（单侧）",
        "Fisher 精确检验（单侧）",
        "按单位分层的 Cochran-Mantel-Haenszel 检验（双侧）",
    ]
    assert overall["统计量"].tolist() == ["两比例 z 值", "样本优势比", "分层合并优势比"]
    assert study.table("model", "en").loc[0, "Term"] == "self vs cross"
    assert study.table("by_district", "zh")["自查少报"].tolist() == ["否"] * 3
    assert len(study.table("self_funnel", "en")) == 3
    for name in study.figure_names:
        assert study.figure(name, "en").axes
    assert len(study.methods("en").splitlines()) == 4


def test_a_bad_capacity_is_named_as_the_notebooks_parameter():
    with pytest.raises(
        ParameterError, match=r"parameter 'capacity': expected a number ≥ 0 for 'A'.*found -1"
    ):
        build(dataset(), seed=1, capacity={"A": -1, "B": 1, "C": 1})


def _only(districts: str):
    """The test dataset with the customers and inspections of `districts` only: of two, each
    cross-audits the other; one alone has its self-audits only."""
    full = dataset()
    customers = full.customers[full.customers["district"].isin(list(districts))]
    inspections = full.inspections[full.inspections["customer_id"].str[0].isin(list(districts))]
    audited = inspections["customer_id"].str[0]
    cross = inspections["audit_kind"] == "cross"
    if len(districts) == 1:
        inspections = inspections[~cross]
    else:
        other = dict(zip(districts, districts[::-1], strict=True))
        auditors = inspections["auditing_district"].mask(cross, audited.map(other))
        inspections = inspections.assign(auditing_district=auditors)
    return dataclasses.replace(full, customers=customers, inspections=inspections)


@pytest.mark.parametrize(
    ("districts", "capacity", "said"),
    [
        (
            "AB",
            {},
            "There are only two districts (A, B), so no next round of cross-audits can be "
            "assigned: each could only audit the other, and no two districts audit each other "
            "in the same round.",
        ),
        (
            "AB",
            {"A": 2, "B": 1},
            "There are only two districts (A, B), so no next round of cross-audits can be "
            "assigned: each could only audit the other, and no two districts audit each other "
            "in the same round.",
        ),
        (
            "A",
            {},
            "There is only one district (A), so no next round of cross-audits can be "
            "assigned: no district audits itself.",
        ),
    ],
)
def test_a_utility_of_too_few_districts_for_a_round_still_compares_and_says_why(
    districts, capacity, said
):
    """Two districts (or one) made the notebook fail at its assignment, so every run-all of such
    a utility failed; now the comparison is made and a note says why no round is assigned."""
    study = build(_only(districts), seed=1, capacity=capacity)
    assert study.assignment.pairs.empty
    assert study.notes[0].text("en") == said
    assert "无法安排下一轮交叉检查" in study.notes[0].text("zh")
    assert study.headline()["districts"] == len(districts)
    # 12 self-audits a district, and 12 cross-audits each of two districts makes of the other
    assert study.headline()["inspections"] == {"AB": 2 * (12 + 12), "A": 12}[districts]
    assert study.table_names[:2] == ("assignment", "rates")  # no loads of a round not made
    assert "assignment" not in study.figure_names and "rates" in study.figure_names
    assert study.table("assignment", "en").empty


def test_a_round_file_is_saved_only_when_a_round_was_assigned(tmp_path):
    """The notebook saved study.assignment.pairs whatever they held: a two-district run wrote
    and linked a next_round.csv/.parquet of its header alone. The study saves the round, and
    writes no file (None to link) when none was assigned."""
    empty = tmp_path / "two"
    assert build(_only("AB"), seed=1).save_round(empty) is None
    assert not list(empty.glob("next_round.*"))
    study = build(dataset(), seed=4)  # near miss: three districts, a round of three pairs
    saved = study.save_round(tmp_path / "three")
    assert saved == tmp_path / "three" / "next_round.csv"
    assert (tmp_path / "three" / "next_round.parquet").is_file()
    written = pd.read_csv(saved, encoding="utf-8-sig")
    assert len(written) == 3 and written.equals(study.assignment.pairs.reset_index(drop=True))
    notebook = Path(__file__).parents[2] / "notebooks" / "cross_audit.ipynb"
    source = notebook.read_text(encoding="utf-8")
    assert "study.save_round(folder)" in source and "report.save_table" not in source


def test_three_districts_a_last_round_leaves_no_round_for_are_still_refused(tmp_path):
    """Near miss: with three districts the rules can be met; a last round that rules every
    round out is the user's to change, so the study still refuses it."""
    previous = tmp_path / "round.csv"
    previous.write_text("auditing_district,audited_district\nB,A\nC,A\n", encoding="utf-8")
    with pytest.raises(InfeasibleAssignmentError, match="cannot assign an auditor to 'A'"):
        build(dataset(), seed=1, previous_round=previous)
