"""Cross-audit assignment: the rules hold, it is deterministic, impossible cases say why."""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pandas as pd
import pytest

from auditkit.crossaudit import InfeasibleAssignmentError, assign, loads
from auditkit.crossaudit.assign import check_capacity
from auditkit.data.side_csv import SideTableError
from auditkit.errors import AuditkitError, ParameterError

DISTRICTS = ["城东", "城北", "城南", "城西", "江北", "高新"]


def _pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(frame[["auditing_district", "audited_district"]].itertuples(index=False, name=None))


def _check_rules(assignment: pd.DataFrame, names, previous=None) -> None:
    pairs = _pairs(assignment)
    assert sorted(assignment["audited_district"]) == sorted(names)  # each audited exactly once
    assert all(auditor != audited for auditor, audited in pairs)
    assert not any((audited, auditor) in pairs for auditor, audited in pairs)
    if previous is not None:
        assert not pairs & _pairs(previous)


@pytest.mark.parametrize("count", [3, 4, 5, 6, 9, 15])
def test_rules_hold_for_many_seeds(count):
    names = [f"D{i:02d}" for i in range(count)]
    for seed in range(20):
        first = assign(names, seed)
        _check_rules(first, names)
        assert sorted(first["auditing_district"]) == sorted(names)  # each audits exactly one
        second = assign(names, seed + 100, previous=first)
        _check_rules(second, names, previous=first)


def test_same_seed_same_assignment_and_seeds_vary():
    assert assign(DISTRICTS, 7).equals(assign(list(reversed(DISTRICTS)), 7))
    assert len({tuple(assign(DISTRICTS, seed)["audited_district"]) for seed in range(10)}) > 1


def test_three_districts_alternate_their_circle():
    first = assign(["A", "B", "C"], 1)
    second = assign(["A", "B", "C"], 1, previous=first)
    assert _pairs(second) == {(b, a) for a, b in _pairs(first)}
    with pytest.raises(InfeasibleAssignmentError, match="previous round"):
        assign(["A", "B", "C"], 1, previous=pd.concat([first, second]))


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_a_seed_that_is_no_whole_number_from_zero_is_refused_by_name(seed):
    with pytest.raises(
        ParameterError, match=r"'seed': expected a whole number from 0 to 2\^64 − 1"
    ):
        assign(["A", "B", "C"], seed)


def test_impossible_constraints_name_the_rule():
    with pytest.raises(InfeasibleAssignmentError, match="audits each other in the same round"):
        assign(["A", "B"], 0)
    with pytest.raises(InfeasibleAssignmentError, match="no district audits itself"):
        assign(["A"], 0)
    with pytest.raises(InfeasibleAssignmentError, match="capacity > 0"):
        assign(["A", "B", "C"], 0, workload={"A": 1})
    assert issubclass(InfeasibleAssignmentError, AuditkitError)


def test_capacity_shares_the_work_as_well_as_possible():
    sizes = {"A": 4000, "B": 3000, "C": 1000, "D": 1000, "E": 1000}
    capacity = {"A": 5, "B": 3, "C": 1, "D": 1, "E": 0}
    assignment = assign(sizes, 3, workload=capacity)
    _check_rules(assignment, sizes)
    assert "E" not in set(assignment["auditing_district"])
    load = loads(assignment, sizes, capacity).set_index("district")
    error = ((load["work_share"] - load["capacity_share"]) ** 2).sum()
    # Brute force over every legal assignment: none shares the work better.
    names = sorted(sizes)

    def squared_error(auditor_of: dict[str, str]) -> float:
        work = {a: sum(sizes[d] for d, b in auditor_of.items() if b == a) for a in names}
        return sum((work[a] / 10_000 - capacity[a] / 10) ** 2 for a in names)

    def legal(auditor_of: dict[str, str]) -> bool:
        return all(a != d and capacity[a] > 0 and auditor_of[a] != d for d, a in auditor_of.items())

    candidates = (dict(zip(names, choice, strict=True)) for choice in product(names, repeat=5))
    best = min(squared_error(auditor_of) for auditor_of in candidates if legal(auditor_of))
    assert error == pytest.approx(best)


def test_many_districts_with_capacity_use_the_local_search():
    names = {f"D{i:02d}": 100 + 10 * i for i in range(12)}
    capacity = {name: 1 + i % 3 for i, name in enumerate(names)}
    assignment = assign(names, 5, workload=capacity)
    _check_rules(assignment, names)
    load = loads(assignment, names, capacity)
    assert (load["work_share"] - load["capacity_share"]).abs().max() < 0.06
    assert assignment.equals(assign(names, 5, workload=capacity))


def test_bad_parameters():
    with pytest.raises(ParameterError, match="'districts'"):
        assign(["A", "A", "B"], 0)
    with pytest.raises(ParameterError, match="'districts'"):
        assign({"A": 0, "B": 1, "C": 1}, 0)
    with pytest.raises(ParameterError, match="'workload'"):
        assign(["A", "B", "C"], 0, workload={"Z": 1})
    with pytest.raises(ParameterError, match="'workload'"):
        assign(["A", "B", "C"], 0, workload={"A": -1, "B": 1, "C": 1})
    with pytest.raises(ParameterError, match="'previous'"):
        assign(["A", "B", "C"], 0, previous=pd.DataFrame({"auditor": ["A"]}))
    previous = pd.DataFrame({"auditing_district": ["A", "X"], "audited_district": ["B", "Y"]})
    with pytest.raises(ParameterError) as caught:
        assign(["A", "B", "C"], 0, previous=previous)
    assert str(caught.value) == (
        "parameter 'previous': expected in row 2, column auditing_district: one of the districts "
        "A, B, C (a district no longer audited: remove its rows; also unknown: 'Y'), found 'X'"
    )
    previous = pd.DataFrame({"auditing_district": ["A", "B"], "audited_district": ["B", "B"]})
    with pytest.raises(ParameterError, match=r"^parameter 'previous': expected in row 2, column "):
        assign(["A", "B", "C"], 0, previous=previous)


@pytest.mark.parametrize(
    "districts",
    [["城东", None, "城西"], ["城东", float("nan"), "", "城西"], ["城东", " 城东", "城西"], 6],
)
def test_a_district_that_is_no_name_is_refused_not_assigned_as_text(districts):
    """None, NaN and '' were assigned as districts 'None', 'nan' and ''; ' 城东' as another
    district than 城东; 6 (no list) raised a raw TypeError."""
    with pytest.raises(ParameterError, match="parameter 'districts': expected "):
        assign(districts, seed=1)


def test_distinct_clean_names_are_assigned_as_given():
    """Near miss: three real names, one of them with a space inside (not around) it."""
    assignment = assign(["城东", "城 西", "江北"], seed=1)
    assert sorted(assignment["audited_district"]) == ["城 西", "城东", "江北"]


def test_loads_of_a_district_the_assignment_does_not_audit_are_refused():
    """loads(pairs, ['城中']) gave a row of zeros for a district the round never saw."""
    pairs = assign(["城东", "城西", "江北"], seed=1)
    with pytest.raises(ParameterError, match=r"'districts': expected the districts the assign"):
        loads(pairs, ["城中"])
    assert loads(pairs, ["城东", "城西", "江北"])["work"].sum() == 3  # one audit each


def test_the_capacity_check_names_a_previous_round_it_cannot_read(tmp_path):
    """The pre-check reads the last round as the assignment will: a missing file is refused
    naming previous_round (not assign's 'previous'), one without the two columns or naming
    another district naming the file (and the row and column)."""
    capacity = {"A": 1, "B": 1, "C": 1}
    with pytest.raises(ParameterError, match="'previous_round': expected an existing CSV file"):
        check_capacity(["A", "B", "C"], capacity, tmp_path / "missing.csv")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("auditor,audited\nA,B\n", encoding="utf-8")
    with pytest.raises(SideTableError, match=r"^wrong\.csv: expected a last round's assignment"):
        check_capacity(["A", "B", "C"], capacity, wrong)
    wrong.write_text("auditing_district,audited_district\nA,B\nB,Z\n", encoding="utf-8")
    with pytest.raises(SideTableError, match=r"^wrong\.csv row 3, column audited_district: .*'Z'$"):
        check_capacity(["A", "B", "C"], capacity, wrong)
    # A legal last round of three (a circle) leaves its reverse: nothing to refuse.
    circle = tmp_path / "circle.csv"
    circle.write_text("auditing_district,audited_district\nA,B\nB,C\nC,A\n", encoding="utf-8")
    check_capacity(["A", "B", "C"], capacity, circle)


def test_districts_given_twice_and_no_capacity_are_said_without_python_reprs():
    with pytest.raises(ParameterError) as twice:
        assign(["A", "A", "B"], 0)
    assert str(twice.value).endswith("found 'A given twice'")  # not ['A', 'A', 'B']
    with pytest.raises(ParameterError) as idle:
        assign(["A", "B", "C"], 0, workload={"A": 0, "B": 0, "C": 0})
    assert str(idle.value).endswith("found 'A: 0, B: 0, C: 0'")  # not {'A': 0.0, ...}


def test_the_capacity_check_leaves_too_few_districts_to_the_report_but_refuses_a_bad_capacity():
    """Two districts admit no round whatever the capacity, so the capacity is not refused (the
    report says why no round is assigned); a capacity that leaves three districts no round, or
    names no district of the data, is still refused up front, naming the parameter."""
    check_capacity(["城东", "城西"], {"城东": 2, "城西": 1})
    check_capacity(["城东"], {"城东": 1})
    with pytest.raises(ParameterError, match=r"^parameter 'capacity': .*found \['江北'\]$"):
        check_capacity(["城东", "城西"], {"江北": 1})
    with pytest.raises(ParameterError) as caught:
        check_capacity(["A", "B", "C"], {"A": 1, "B": 1})
    assert str(caught.value).startswith(
        "parameter 'capacity': expected enough districts with capacity > 0 to meet the "
        "cross-audit rules (cannot assign 'A' and 'B': each may be audited only by the other "
        "(only A, B have capacity > 0)"
    )


def test_an_impossible_capacity_names_the_districts_it_strands_not_the_last_round():
    """Only A and B have capacity: each can be audited only by the other, which no round
    allows. The message named the previous round's rule when there was none."""
    with pytest.raises(InfeasibleAssignmentError) as caught:
        assign(["A", "B", "C"], 1, workload={"A": 1, "B": 1})
    said = str(caught.value)
    assert said == (
        "cannot assign 'A' and 'B': each may be audited only by the other (only A, B have "
        "capacity > 0), but no pair of districts audits each other in the same round"
    )
    assert "previous round" not in said


def test_a_last_round_that_strands_a_pair_is_named_with_its_pairs():
    """C audited A and B last round and may not again: A and B are left to each other."""
    previous = pd.DataFrame({"auditing_district": ["C", "C"], "audited_district": ["A", "B"]})
    with pytest.raises(InfeasibleAssignmentError) as caught:
        assign(["A", "B", "C"], 1, previous=previous, workload={"A": 1, "B": 1, "C": 1})
    assert str(caught.value) == (
        "cannot assign 'A' and 'B': each may be audited only by the other (C→A, C→B last "
        "round, and no auditor audits the district it audited in the previous round), but no "
        "pair of districts audits each other in the same round"
    )
    # near miss: with a fourth district, D can audit one of them; a round exists
    four = assign(["A", "B", "C", "D"], 1, previous=previous, workload=dict.fromkeys("ABCD", 1))
    _check_rules(four, ["A", "B", "C", "D"], previous=previous)


def test_a_last_round_pair_of_an_auditor_without_capacity_is_no_reason_given():
    """Only A and B have capacity; C audited A and B last round. C could audit neither anyway,
    so the message named 'C→A, C→B last round' as a reason beside the capacity."""
    previous = pd.DataFrame({"auditing_district": ["C", "C"], "audited_district": ["A", "B"]})
    with pytest.raises(InfeasibleAssignmentError) as caught:
        assign(["A", "B", "C"], 1, previous=previous, workload={"A": 1, "B": 1})
    assert str(caught.value) == (
        "cannot assign 'A' and 'B': each may be audited only by the other (only A, B have "
        "capacity > 0), but no pair of districts audits each other in the same round"
    )
    # near miss: C with capacity, its last-round pairs are the reason (capacity is not)
    with pytest.raises(InfeasibleAssignmentError) as binding:
        assign(["A", "B", "C"], 1, previous=previous, workload={"A": 1, "B": 1, "C": 1})
    assert "(C→A, C→B last round, and no auditor audits" in str(binding.value)


def test_the_capacity_check_is_importable_by_the_path_the_docs_name():
    """docs/reports.md named crossaudit.assign.check_capacity, but `crossaudit.assign` is the
    function: the package exports the check, and `crossaudit.assign(...)` still assigns."""
    import auditkit.crossaudit

    assert auditkit.crossaudit.check_capacity is check_capacity
    reports = Path(__file__).parents[2] / "docs" / "reports.md"
    assert "`auditkit.crossaudit.check_capacity`" in reports.read_text(encoding="utf-8")
    assert len(auditkit.crossaudit.assign(["A", "B", "C"], 1)) == 3
