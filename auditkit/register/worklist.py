"""The month's worklist: which rule findings each district checks in the field.

`select_worklist` chooses per district, by one of four documented choices:

- `revenue`: the `top` findings with the most revenue at stake (ties: higher score first);
- `score`: the `top` findings with the highest score (ties: more revenue first);
- `high`: every high-severity finding (`top`, when given, keeps the most revenue of them);
- `sample`: a simple random sample of a `share` of the district's findings (at least one), drawn
  with `seed`, so that the confirmed share of the sample estimates each rule's real precision
  without the bias of checking only the largest findings.

Every choice is deterministic: the same findings (in any row order), parameters and seed give the
same worklist. A district's random sample does not depend on the other districts' findings.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from auditkit import i18n
from auditkit.checks import ceil_fraction, choice, exact, positive_int
from auditkit.errors import ParameterError, checked_seed, require_frame_columns
from auditkit.masking import PERSONAL_COLUMNS
from auditkit.options.register import SELECTIONS
from auditkit.register.keys import finding_keys

NEEDED = (
    "rule_id",
    "customer_id",
    "district",
    "period_from",
    "severity",
    "revenue_impact",
    "score",
)
#: Columns `select_worklist` adds: the finding's key first, then how it was chosen, its place
#: in the district's worklist and how many findings the district had to choose from.
ADDED = ("finding_key", "selected_by", "rank", "district_findings")
_TIES = ["rule_id", "customer_id", "period_from", "finding_key"]
#: Number columns the choice ranks by (and the sheet writes as money).
RANKED = ("revenue_impact", "score")


def personal_columns(worklist: pd.DataFrame) -> list[str]:
    """The personal columns (name, address, phone) a worklist holds, as a sheet writes them."""
    return [column for column in PERSONAL_COLUMNS if column in worklist.columns]


def unmasked_warning(worklist: pd.DataFrame, lang: str = i18n.DEFAULT_LANG) -> str | None:
    """The line `auditkit worklist --no-mask` says on stderr, as `sample select --no-mask`
    does: which personal columns go out in full, so the sheet is kept safe; None when the
    worklist holds none."""
    from auditkit.register.sheet import header_labels  # the sheet imports this module

    columns = personal_columns(worklist)
    if not columns:
        return None
    labels = header_labels(columns, i18n.language(lang))
    return i18n.text("register.worklist.unmasked", lang).format(columns=labels)


def select_worklist(
    findings: pd.DataFrame,
    *,
    by: str = "revenue",
    top: int | None = None,
    share: float | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """The findings to check this month, per district, with their `finding_key`.

    `findings` is the frame of `auditkit.rules.run` (other columns, such as a customer's name or
    address joined in, are kept). `by` chooses as the module describes; `top` (a whole number of
    at least 1) is required for `revenue` and `score` and optional for `high`, `share` (above 0,
    at most 1) is required for `sample` and refused otherwise. Rows come district by district
    (districts in sorted order), most revenue first within each; `attrs["selection"]` records
    the choice and `attrs["as_of"]` is kept from `findings`.
    """
    by = choice("by", by, SELECTIONS)
    top, share = checked_limits(by, top, share)
    seed = checked_seed(seed)
    require_frame_columns(findings, "findings", "findings of auditkit.rules.run", NEEDED)
    frame = findings.drop(columns=[c for c in ADDED if c in findings.columns]).reset_index(
        drop=True
    )
    frame.attrs = {}
    for column in RANKED:
        frame[column] = checked_numbers(frame[column], column)
    frame.insert(0, "finding_key", finding_keys(frame).to_numpy())
    _refuse_repeated(frame["finding_key"])
    frame["district"] = frame["district"].astype("string").fillna("")
    chosen = [
        _choose(group, by, top, share, seed, str(district))
        for district, group in frame.groupby("district", sort=True)
    ]
    if chosen:
        worklist = pd.concat(chosen, ignore_index=True)
    else:
        worklist = frame.iloc[:0].assign(selected_by="", rank=0, district_findings=0)
    worklist["rank"] = worklist["rank"].astype("int64")
    worklist["district_findings"] = worklist["district_findings"].astype("int64")
    worklist.attrs["selection"] = {"by": by, "top": top, "share": share, "seed": int(seed)}
    if "as_of" in findings.attrs:
        worklist.attrs["as_of"] = findings.attrs["as_of"]
    return worklist


def checked_numbers(values: pd.Series, column: str) -> pd.Series:
    """`values` as floats; a value that is no finite number (text such as '562,823.15', a blank)
    is a ParameterError naming the row, not ranked as text."""
    numbers, bad = number_values(values)
    if len(bad):
        raise ParameterError(
            "findings",
            f"a number in every {column} value",
            f"row {bad[0] + 1}, column {column}: {values.iloc[bad[0]]!r}",
        )
    return numbers


def _refuse_repeated(keys: pd.Series) -> None:
    """A ParameterError when a finding (customer, rule and start period: one key) is given
    twice, naming its rows (1-based, the frame's order) before anything is chosen: it would
    take two rows of a sheet and two outcomes."""
    repeated = keys.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return
    key = keys.iloc[int(np.flatnonzero(repeated)[0])]
    rows = np.flatnonzero((keys == key).to_numpy()) + 1
    raise ParameterError(
        "findings",
        "each finding once: one row per customer_id, rule_id and period_from",
        f"rows {', '.join(map(str, rows[:-1]))} and {rows[-1]} with finding_key {key}",
    )


def number_values(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """`values` as floats, and the positions of those that are no finite number (text that does
    not read as one, a blank): for the checks that name them."""
    numbers = pd.to_numeric(values, errors="coerce") if values.dtype.kind not in "iuf" else values
    numbers = numbers.astype(float)
    return numbers, np.flatnonzero(~np.isfinite(numbers.to_numpy()))


def checked_limits(by: str, top: object, share: object) -> tuple[int | None, float | None]:
    """`top` and `share` as the choice `by` needs them; anything else is a ParameterError."""
    if by == "sample":
        if top is not None:
            raise ParameterError("top", "nothing with by='sample' (it takes a share)", top)
        if (
            isinstance(share, bool)
            or not isinstance(share, int | float | np.integer | np.floating)
            or not 0 < float(share) <= 1
        ):
            raise ParameterError("share", "a number above 0 and at most 1", share)
        return None, float(share)
    if share is not None:
        raise ParameterError(
            "share", f"nothing with by={by!r} (only 'sample' takes a share)", share
        )
    if top is None and by != "high":
        raise ParameterError("top", f"how many findings per district with by={by!r}", top)
    return (None if top is None else positive_int("top", top)), None


def _choose(
    group: pd.DataFrame, by: str, top: int | None, share: float | None, seed: int, district: str
) -> pd.DataFrame:
    """One district's worklist, ranked most revenue first (or highest score first for `score`)."""
    by_revenue = group.sort_values(
        ["revenue_impact", "score", *_TIES],
        ascending=[False, False, *[True] * len(_TIES)],
        kind="stable",
    )
    if by == "score":
        chosen = group.sort_values(
            ["score", "revenue_impact", *_TIES],
            ascending=[False, False, *[True] * len(_TIES)],
            kind="stable",
        ).head(top)
    elif by == "high":
        chosen = by_revenue[by_revenue["severity"].astype("string") == "high"]
        chosen = chosen if top is None else chosen.head(top)
    elif by == "sample":
        size = ceil_fraction(exact(share) * len(group))
        in_key_order = group.sort_values("finding_key", kind="stable")
        generator = np.random.default_rng([seed, _district_number(district)])
        drawn = generator.choice(len(group), size=size, replace=False)
        keys = set(in_key_order["finding_key"].iloc[drawn])
        chosen = by_revenue[by_revenue["finding_key"].isin(keys)]
    else:
        chosen = by_revenue.head(top)
    return chosen.assign(
        selected_by=by, rank=np.arange(1, len(chosen) + 1), district_findings=len(group)
    )


def _district_number(district: str) -> int:
    """A stable number for the district, so its random draw is its own (not Python's hash)."""
    return int.from_bytes(hashlib.sha256(district.encode("utf-8")).digest()[:8], "big")
