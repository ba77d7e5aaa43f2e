"""Which district audits which in the next round of horizontal cross-audits (横向互查).

Rules: no district audits itself; no two districts audit each other in the same round (a pair
that trades audits has every reason to go easy on each other); no auditor audits the district it
audited last round. Without capacities every district audits exactly one other, which makes the
round a set of audit circles of three or more districts. With capacities (`workload`), the work of
the audited districts (equal, or their size when `districts` maps names to a size) is shared so
each auditor's load is as close as possible to its share of the total capacity.

The search is exhaustive with seeded random order: the same districts, seed and previous round
always give the same assignment, and when no assignment exists the error names the rule that
cannot be met.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import product
from math import prod
from pathlib import Path

import numpy as np
import pandas as pd

from auditkit.errors import (
    AuditkitError,
    ParameterError,
    checked_seed,
    require_frame_columns,
    shown,
)

#: Largest number of candidate assignments the capacity search tries one by one; above it (about
#: seven districts or more) it improves SEARCH_RESTARTS random starts by local search instead.
EXHAUSTIVE_LIMIT = 200_000
SEARCH_RESTARTS = 20


class InfeasibleAssignmentError(AuditkitError, ValueError):
    """The cross-audit rules cannot all be met; the message names the rule that fails."""


RULES = {
    "self": "no district audits itself",
    "reciprocal": "no pair of districts audits each other in the same round",
    "previous": "no auditor audits the district it audited in the previous round",
    "capacity": "only districts with capacity > 0 audit",
}


#: The columns of a round's assignment: who audits, who is audited.
ROUND_COLUMNS = ("auditing_district", "audited_district")

#: Fewest districts among which a round can be assigned, whatever the capacities and the last
#: round: one district could only audit itself, two only each other.
FEWEST_DISTRICTS = 3


def assign(
    districts: Sequence[str] | Mapping[str, float],
    seed: int,
    previous: pd.DataFrame | None = None,
    workload: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The next round's assignment: one row per audited district, columns auditing_district,
    audited_district (sorted by auditing district).

    `districts` lists the districts, or maps each to the work its audit represents (e.g. its
    number of customers); `previous` is the last round in the same two-column form; `workload`
    maps each district to its capacity as an auditor (e.g. inspectors available). Raises
    InfeasibleAssignmentError naming the rule that cannot be met.
    """
    names, work = _districts(districts)
    capacity = _capacity(workload, names)
    banned = _previous_pairs(previous, names)
    rng = np.random.default_rng(checked_seed(seed))
    allowed = _allowed(names, banned, capacity)
    if workload is None:
        auditor_of = _search(names, allowed, rng, one_each=True)
    else:
        auditor_of = _capacity_assignment(names, allowed, work, capacity, rng)
    if auditor_of is None:
        raise InfeasibleAssignmentError(_explain(names, banned, capacity, workload is None))
    rows = sorted((auditor_of[audited], audited) for audited in names)
    return pd.DataFrame(rows, columns=["auditing_district", "audited_district"])


def loads(
    assignment: pd.DataFrame,
    districts: Sequence[str] | Mapping[str, float],
    workload: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Each auditor's load against its target share: district, audits (the list of districts
    it audits, joined in a report's language when shown), work, work_share, capacity_share
    (equal shares without `workload`)."""
    names, work = _districts(districts)
    assigned = set(assignment["audited_district"])
    unknown = [name for name in names if name not in assigned]
    if unknown:
        expected = "the districts the assignment audits (" + ", ".join(sorted(assigned)) + ")"
        raise ParameterError("districts", expected, unknown)
    capacity = _capacity(workload, names)
    audits = assignment.groupby("auditing_district")["audited_district"].apply(list)
    total_work = sum(work.values())
    total_capacity = sum(capacity.values())
    rows = []
    for name in names:
        audited = audits.get(name, [])
        load = sum(work[d] for d in audited)
        rows.append(
            {
                "district": name,
                "audits": list(audited),
                "work": load,
                "work_share": load / total_work,
                "capacity_share": capacity[name] / total_capacity,
            }
        )
    return pd.DataFrame(rows)


def _districts(
    districts: Sequence[str] | Mapping[str, float],
) -> tuple[list[str], dict[str, float]]:
    """Sorted unique names and the work of auditing each (1 each for a plain list)."""
    if isinstance(districts, Mapping):
        work = {_district_name(name): float(size) for name, size in districts.items()}
        bad = {name: size for name, size in work.items() if not size > 0}
        if bad:
            raise ParameterError("districts", "a positive work size per district", bad)
    else:
        if isinstance(districts, str) or not isinstance(districts, Iterable):
            raise ParameterError("districts", "a list of district names", districts)
        given = [_district_name(name) for name in districts]
        work = dict.fromkeys(given, 1.0)
        if len(work) != len(given):
            twice = sorted({name for name in given if given.count(name) > 1})
            raise ParameterError(
                "districts", "distinct district names", f"{', '.join(twice)} given twice"
            )
    if not work:
        raise ParameterError("districts", "at least one district", [])
    names = sorted(work)
    return names, work


def _district_name(name: object) -> str:
    """`name` when it is a district's name: a non-empty text without spaces around it. None, NaN
    or '' would be assigned as districts 'None', 'nan' and '', and ' 城东' as another than 城东."""
    if not isinstance(name, str) or not name or name != name.strip():
        expected = "district names (texts, not empty, without spaces around them)"
        raise ParameterError("districts", expected, name)
    return name


def _capacity(
    workload: Mapping[str, float] | None, names: list[str], name: str = "workload"
) -> dict[str, float]:
    """Each of `names`' capacity as an auditor (1 each without `workload`; 0 for one it leaves
    out); a ParameterError naming `name` for a district not among `names`, a capacity that is
    not a number ≥ 0, or none > 0."""
    if workload is None:
        return dict.fromkeys(names, 1.0)
    unknown = sorted(set(map(str, workload)) - set(names))
    if unknown:
        raise ParameterError(name, f"capacities of the districts ({', '.join(names)})", unknown)
    for key, value in workload.items():
        number = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not number or not np.isfinite(value) or value < 0:
            expected = f"a number ≥ 0 for {key!r} (its auditing capacity; 0: it does not audit)"
            raise ParameterError(name, expected, value)
    if not any(value > 0 for value in workload.values()):
        raise ParameterError(name, "at least one district with capacity > 0", _listed(workload))
    return {district: float(workload.get(district, 0.0)) for district in names}


def _listed(capacity: Mapping[str, float]) -> str:
    """Capacities as a reader writes them: '城东: 0, 城西: 0'."""
    return ", ".join(f"{district}: {value:g}" for district, value in capacity.items())


def check_capacity(
    districts: Sequence[str], capacity: Mapping[str, float], previous_round: str | Path = ""
) -> None:
    """Raise a ParameterError naming the `capacity` entry that no assignment of `districts`
    could use: a district not among them, a capacity that is not a number ≥ 0, none > 0
    (`_capacity`), or too few districts able to audit for the rules to be met; else one naming
    `previous_round` (the last round's CSV file, `read_round`) when its pairs, which no auditor
    may repeat, leave no assignment that meets the rules with this capacity.

    `auditkit run` calls it before any kernel starts, so a bad capacity or a previous round it
    cannot follow is refused in a second, rather than in the kernel after the data has loaded.
    """
    names = sorted(districts)
    if not capacity:
        return
    workload = _capacity(capacity, names, "capacity")
    if len(names) < FEWEST_DISTRICTS:  # no capacity could help: the report says why, not refused
        return
    if not _meets_rules(names, set(), workload):
        reason = _explain(names, set(), workload, False)
        expected = f"enough districts with capacity > 0 to meet the cross-audit rules ({reason})"
        raise ParameterError("capacity", expected, _listed(capacity))
    if not previous_round:
        return
    banned = _previous_pairs(read_round(previous_round, names), names, "previous_round")
    if not _meets_rules(names, banned, workload):
        reason = _explain(names, banned, workload, False)
        shares = ", ".join(f"{name} {workload[name]:g}" for name in names)
        expected = (
            f"a last round after which the districts can still be assigned with capacity "
            f"{shares} ({reason})"
        )
        pairs = ", ".join(f"{auditor}→{audited}" for auditor, audited in sorted(banned))
        raise ParameterError("previous_round", expected, f"{previous_round}: {pairs}")


def read_round(path: str | Path, districts: Sequence[str] | None = None) -> pd.DataFrame:
    """A previous round's assignment from a CSV file (auditing_district, audited_district), as
    `auditkit crossaudit assign --out` writes it (a district's name read without the apostrophe
    that kept it from being a formula) or as a user saves one (UTF-8 or GBK); a file that
    cannot be read whole is refused naming its row (`read_side_csv`). Given the `districts` of
    the round to come, a file without the two columns, or naming another district (a name
    misspelt would let its auditor repeat the audit unnoticed), is refused naming the file, and
    the row and column of the first such name."""
    from auditkit.data.problems import Problem
    from auditkit.data.side_csv import SideTableError, read_side_csv
    from auditkit.formulas import undefuse_frame

    file = Path(path)
    if not file.is_file():
        raise ParameterError("previous_round", "an existing CSV file", str(file))
    previous = undefuse_frame(read_side_csv(file, dtype=str, keep_default_na=False))
    if districts is None:
        return previous
    missing = [column for column in ROUND_COLUMNS if column not in previous.columns]
    if missing:
        expected = "a last round's assignment, with columns " + ", ".join(ROUND_COLUMNS)
        found = "no column " + ", ".join(missing)
        raise SideTableError(Problem(file.name, None, None, expected, found))
    unknown = _unknown_district(previous, sorted(districts))
    if unknown is not None:
        position, column, value = unknown
        expected = _a_district_of(sorted(districts), previous, value)
        raise SideTableError(Problem(file.name, position + 2, column, expected, shown(value)))
    own = _self_audit(previous)
    if own is not None:
        position, district = own
        expected = SELF_AUDIT_EXPECTED
        problem = Problem(file.name, position + 2, "audited_district", expected, shown(district))
        raise SideTableError(problem)
    return previous


def _previous_pairs(
    previous: pd.DataFrame | None, names: list[str], name: str = "previous"
) -> set[tuple[str, str]]:
    """The (auditor, audited) pairs of the last round; a ParameterError naming `name` for a
    frame without the two columns, or naming a district that is not among `names` (a name
    misspelt would let its auditor repeat the audit unnoticed), with its row and column."""
    if previous is None:
        return set()
    require_frame_columns(previous, name, "a last round's assignment", ROUND_COLUMNS)
    unknown = _unknown_district(previous, names)
    if unknown is not None:
        position, column, value = unknown
        expected = f"in row {position + 1}, column {column}: "
        raise ParameterError(name, expected + _a_district_of(names, previous, value), value)
    own = _self_audit(previous)
    if own is not None:
        position, district = own
        expected = f"in row {position + 1}, column audited_district: {SELF_AUDIT_EXPECTED}"
        raise ParameterError(name, expected, district)
    columns = list(ROUND_COLUMNS)
    return {(str(a), str(b)) for a, b in previous[columns].itertuples(index=False)}


def _unknown_district(previous: pd.DataFrame, names: list[str]) -> tuple[int, str, object] | None:
    """The first cell of `previous`'s two columns, row by row, that names no district of
    `names`: its row position, column and value; None when every one does."""
    known = set(names)
    for position, pair in enumerate(previous[list(ROUND_COLUMNS)].itertuples(index=False)):
        for column, value in zip(ROUND_COLUMNS, pair, strict=True):
            if str(value) not in known:
                return position, column, value
    return None


#: What a last round's audited district is expected to be beside its auditor.
SELF_AUDIT_EXPECTED = (
    "a district other than its auditor (a round has no self-audits: a row naming one district "
    "twice is a typing slip)"
)


def _self_audit(previous: pd.DataFrame) -> tuple[int, str] | None:
    """The first row of `previous` in which a district audits itself (its row position and the
    district), or None: no round holds one, so the row was mistyped."""
    pairs = previous[list(ROUND_COLUMNS)].itertuples(index=False)
    for position, (auditor, audited) in enumerate(pairs):
        if str(auditor) == str(audited):
            return position, str(audited)
    return None


def _a_district_of(names: list[str], previous: pd.DataFrame, found: object) -> str:
    """What a cell of a last round `previous` is expected to hold, beside the first name `found`
    that is no district of `names`: the others like it too, so all are fixed in one pass."""
    cells = pd.unique(previous[list(ROUND_COLUMNS)].to_numpy(dtype=object).ravel())
    known = set(names)
    others = [shown(value) for value in cells if str(value) not in known and value != found]
    also = f"; also unknown: {', '.join(others)}" if others else ""
    return (
        f"one of the districts {', '.join(names)} (a district no longer audited: remove its "
        f"rows{also})"
    )


def _allowed(
    names: list[str], banned: set[tuple[str, str]], capacity: dict[str, float]
) -> dict[str, list[str]]:
    """Per audited district, the districts that may audit it: another district with capacity
    > 0 that did not audit it last round (`banned`)."""
    return {
        audited: [
            a for a in names if a != audited and (a, audited) not in banned and capacity[a] > 0
        ]
        for audited in names
    }


def _meets_rules(
    names: list[str], banned: set[tuple[str, str]], capacity: dict[str, float]
) -> bool:
    """Whether any assignment of `names` meets the rules, auditors taking any number of
    districts (as with capacities)."""
    allowed = _allowed(names, banned, capacity)
    return _search(names, allowed, np.random.default_rng(0), one_each=False) is not None


def _search(
    names: list[str], allowed: dict[str, list[str]], rng: np.random.Generator, one_each: bool
) -> dict[str, str] | None:
    """Depth-first search, in seeded random order, for an auditor per district without
    reciprocal pairs; with `one_each`, no auditor takes two districts. None when none exists."""
    order = sorted(names, key=lambda name: len(allowed[name]))  # most constrained first
    candidates = {name: list(rng.permutation(allowed[name])) for name in names}
    auditor_of: dict[str, str] = {}
    busy: set[str] = set()

    def place(position: int) -> bool:
        if position == len(order):
            return True
        audited = order[position]
        for auditor in candidates[audited]:
            if (one_each and auditor in busy) or auditor_of.get(auditor) == audited:
                continue
            auditor_of[audited] = auditor
            busy.add(auditor)
            if place(position + 1):
                return True
            del auditor_of[audited]
            busy.discard(auditor)
        return False

    return auditor_of if place(0) else None


def _capacity_assignment(
    names: list[str],
    allowed: dict[str, list[str]],
    work: dict[str, float],
    capacity: dict[str, float],
    rng: np.random.Generator,
) -> dict[str, str] | None:
    """Auditors take any number of districts; loads as close as possible to capacity shares.

    Exhaustive while there are at most EXHAUSTIVE_LIMIT candidates; beyond that, seeded local
    search (reassign one district at a time while the squared load error falls) from
    SEARCH_RESTARTS random feasible starts.
    """
    total_work = sum(work.values())
    total_capacity = sum(capacity.values())
    target = {name: total_work * capacity[name] / total_capacity for name in names}

    def error(auditor_of: dict[str, str]) -> float:
        load = dict.fromkeys(names, 0.0)
        for audited, auditor in auditor_of.items():
            load[auditor] += work[audited]
        return sum((load[name] - target[name]) ** 2 for name in names)

    def reciprocal(auditor_of: dict[str, str]) -> bool:
        return any(auditor_of.get(auditor) == audited for audited, auditor in auditor_of.items())

    if prod(len(allowed[name]) for name in names) <= EXHAUSTIVE_LIMIT:
        best, best_error = None, np.inf
        for choice in product(*[list(rng.permutation(allowed[name])) for name in names]):
            candidate = dict(zip(names, choice, strict=True))
            if reciprocal(candidate):
                continue
            candidate_error = error(candidate)
            if candidate_error < best_error - 1e-12:
                best, best_error = candidate, candidate_error
        return best

    best, best_error = None, np.inf
    for _ in range(SEARCH_RESTARTS):
        start = _search(names, allowed, rng, one_each=False)
        if start is None:
            return best
        improved = _improve(start, names, allowed, error, reciprocal, rng)
        if (improved_error := error(improved)) < best_error - 1e-12:
            best, best_error = improved, improved_error
    return best


def _improve(
    start: dict[str, str],
    names: list[str],
    allowed: dict[str, list[str]],
    error: Callable[[dict[str, str]], float],
    reciprocal: Callable[[dict[str, str]], bool],
    rng: np.random.Generator,
) -> dict[str, str]:
    """Move single districts to other auditors while the load error falls."""
    current, current_error = dict(start), error(start)
    improved = True
    while improved:
        improved = False
        for audited in rng.permutation(names):
            for auditor in allowed[audited]:
                if auditor == current[audited]:
                    continue
                trial = {**current, audited: auditor}
                if not reciprocal(trial) and (trial_error := error(trial)) < current_error - 1e-12:
                    current, current_error, improved = trial, trial_error, True
    return current


def _explain(
    names: list[str], banned: set[tuple[str, str]], capacity: dict[str, float], circles: bool
) -> str:
    """The first rule, in a fixed order, whose addition makes the assignment impossible, naming
    the districts it leaves without an auditor; the rules that bind here only (the previous
    round's when there is one, capacity's when a district has none)."""
    if len(names) == 1:
        return f"cannot assign {names[0]!r}: {RULES['self']}, and it is the only district"
    auditors = [name for name in names if capacity[name] > 0]
    for audited in names:
        if not [a for a in auditors if a != audited]:
            return (
                f"cannot assign an auditor to {audited!r}: {RULES['self']} and "
                f"{RULES['capacity']} (only {', '.join(auditors)})"
            )
    for audited in names:
        if not [a for a in auditors if a != audited and (a, audited) not in banned]:
            return (
                f"cannot assign an auditor to {audited!r}: {RULES['previous']}, and every other "
                "district able to audit it did so last round"
            )
    if len(names) == 2:
        return (
            f"cannot assign {names[0]!r} and {names[1]!r}: with two districts each must audit "
            f"the other, but {RULES['reciprocal']}"
        )
    allowed = _allowed(names, banned, capacity)
    for audited in names:
        (auditor, *others) = allowed[audited]
        if not others and allowed[auditor] == [audited]:
            why = _only_auditor_because(auditor, audited, names, auditors, banned)
            return (
                f"cannot assign {audited!r} and {auditor!r}: each may be audited only by the "
                f"other ({why}), but {RULES['reciprocal']}"
            )
    binding = [RULES["self"], RULES["reciprocal"]]
    binding += [RULES["previous"]] if banned else []
    binding += [RULES["capacity"]] if len(auditors) < len(names) else []
    binding += ["each district audits exactly one other"] if circles else []
    return f"no assignment of {len(names)} districts meets all rules together: " + "; ".join(
        binding
    )


def _only_auditor_because(
    auditor: str,
    audited: str,
    names: list[str],
    auditors: list[str],
    banned: set[tuple[str, str]],
) -> str:
    """Why `auditor` and `audited` are each other's only possible auditor: the districts with
    capacity > 0, and the pairs the last round rules out, that leave them so (a last-round pair
    of an auditor without capacity is no reason: it could not audit them anyway)."""
    reasons = []
    if len(auditors) < len(names):
        reasons.append(f"only {', '.join(auditors)} have capacity > 0")
    repeated = sorted(
        f"{a}→{b}"
        for a, b in banned
        if a in auditors and b in (auditor, audited) and {a, b} != {auditor, audited}
    )
    if repeated:
        reasons.append(f"{', '.join(repeated)} last round, and {RULES['previous']}")
    return "; ".join(reasons)
