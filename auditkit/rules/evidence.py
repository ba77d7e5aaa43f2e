"""Finding evidence as clauses, a code and its arguments, rendered in a language when shown.

A rule says what it saw without prose: `clause("register.short", bills=2, kwh=40.0)`. A finding's
evidence is a list of clauses; rendering fills each code's template (`evidence.<code>` in
`auditkit.i18n`) and joins the results. A placeholder names its argument and how to show it
(`{kwh:num0}`, `{bills:count:bill}`, `{months:span}`; a share `{ratio:pct}` in whole percent,
a figure already in percent, 2.5 for 2.5%, `{error:percent2}` with two decimals, both written
by `formatting.percent`); arguments are numbers, periods, dates,
counts, codes, data values and nested clauses. `clause` keeps each number at the precision its
placeholder shows, so the same finding gives the same clauses on every engine.

Findings keep the clauses as compact JSON in `evidence_code`; `evidence_text(findings, lang)`
renders them in either language.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from auditkit import formatting, i18n
from auditkit.errors import ParameterError
from auditkit.periods import period_text

Clause = dict[str, Any]
_Part = tuple[str, str, str, str]  # literal before, argument name, kind, option


def clause(code: str, **args: Any) -> Clause:
    """One evidence clause: `code` (a key `evidence.<code>` of the catalogue) and its arguments.

    Month numbers become 'YYYY-MM' (`period`, and pairs for `span`), dates 'YYYY-MM-DD', numbers
    plain Python numbers rounded to the digits shown, missing values None.
    """
    kinds = _kinds(code)
    stored: Clause = {"code": code}
    for name, value in args.items():
        stored[name] = _STORE[kinds[name]](value)
    return stored


def left_to(**bills: int) -> Clause | None:
    """The clause saying which other rules count the money of how many of a finding's bills
    (`left_to(tariff_mismatch=2)`: "; the tariff difference of 2 bills is counted under
    tariff_mismatch"), in the order given; None where no bill was left."""
    parts = [clause(f"left.{rule_id}", bills=count) for rule_id, count in bills.items() if count]
    return clause("left_to", parts=parts) if parts else None


def funds_clause(amount: float) -> list[Clause]:
    """The clause of the funds (政府性基金及附加) in the money owed on kWh a bill left out
    (", of which ¥15.00 of funds"); none where they round to nothing."""
    return [clause("funds_of_which", amount=amount)] if round(amount, 2) > 0 else []


def encode(clauses: list[Clause]) -> str:
    """A finding's clauses as compact JSON (the `evidence_code` column)."""
    return json.dumps(clauses, ensure_ascii=False, separators=(",", ":"))


def render(clauses: list[Clause], lang: str) -> str:
    """A finding's clauses as one sentence in `lang`."""
    return "".join(_render_clause(item, lang) for item in clauses)


def evidence_text(findings: pd.DataFrame, lang: str = i18n.DEFAULT_LANG) -> pd.Series:
    """The evidence of every finding as a sentence in `lang`, from its `evidence_code`."""
    i18n.language(lang)
    if "evidence_code" not in findings.columns:
        raise ParameterError(
            "findings",
            "findings of auditkit.rules.run, with an evidence_code column",
            f"columns {', '.join(map(str, findings.columns))}",
        )
    texts = [render(json.loads(code), lang) for code in findings["evidence_code"]]
    return pd.Series(texts, index=findings.index, name="evidence", dtype=object)


def placeholders(code: str, lang: str) -> dict[str, str]:
    """The arguments the template of `code` names in `lang`, each with the kind it is first
    shown as (a count may be named again by its noun)."""
    named: dict[str, str] = {}
    for _, name, kind, _ in _compiled(code, lang):
        if name:
            named.setdefault(name, kind)
    return named


@cache
def _kinds(code: str) -> dict[str, str]:
    return placeholders(code, "en")


def _missing_or(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert`, giving None for None, NaN and NaT."""

    def store(value: Any) -> Any:
        return None if formatting.is_missing(value) else convert(value)

    return store


def _rounded(digits: int) -> Callable[[Any], Any]:
    return _missing_or(lambda value: round(float(value), digits))


def _data_value(value: Any) -> Any:
    """A data value as a plain Python value (numpy scalars unwrapped)."""
    return value.item() if isinstance(value, np.generic) else value


# How a clause keeps an argument of each kind (JSON-ready, at the precision shown).
_STORE: dict[str, Callable[[Any], Any]] = {
    "num0": _rounded(0),
    "num1": _rounded(1),
    "num2": _rounded(2),
    "dec1": _rounded(1),
    "rate": _rounded(4),
    "money": _rounded(2),
    "pct": _missing_or(lambda value: round(float(value) * 100) / 100),  # whole percent
    "percent2": _rounded(2),
    "int": _missing_or(int),
    "count": _missing_or(int),
    "noun": _missing_or(int),
    "word": bool,
    "period": _missing_or(
        lambda value: value if isinstance(value, str) else period_text(int(value))
    ),
    "span": lambda value: [_STORE["period"](month) for month in value],
    "date": _missing_or(
        lambda value: value if isinstance(value, str) else f"{pd.Timestamp(value):%Y-%m-%d}"
    ),
    "text": _missing_or(_data_value),
    "usage": _missing_or(_data_value),
    "order": _missing_or(_data_value),
    "step": _missing_or(_data_value),
    "tou": _missing_or(_data_value),
    "clause": lambda value: value,
    "join": lambda value: value,
    "and": lambda value: value,
}


@lru_cache(maxsize=4096)  # codes from the data pass through: keep it bounded
def _word(key: str, lang: str, default: str | None = None) -> str:
    """`i18n.text`, remembered: rendering looks the same few words up for every finding."""
    return i18n.text(key, lang, default)


@cache
def _compiled(code: str, lang: str) -> tuple[_Part, ...]:
    """The template of `code` in `lang` as (literal, name, kind, option) parts."""
    template = _word(f"evidence.{code}", lang)
    parts = []
    for literal, name, spec, _ in string.Formatter().parse(template):
        kind, _, option = (spec or "").partition(":")
        parts.append((literal, name or "", kind, option))
    return tuple(parts)


def _render_clause(item: Clause, lang: str) -> str:
    """One clause in `lang`. An argument the clause lacks (one written by an older auditkit,
    whose template named fewer: a register's findings outlive upgrades) shows as missing, not
    invented."""
    pieces = []
    for literal, name, kind, option in _compiled(item["code"], lang):
        pieces.append(literal)
        if not name:
            continue
        value = item.get(name)
        if value is None:
            pieces.append(_missing(kind, lang))
        else:
            pieces.append(_FORMATS[kind](value, option, lang))
    return "".join(pieces)


def _missing(kind: str, lang: str) -> str:
    """What a placeholder shows for a missing value: nothing for an absent clause, a mark else."""
    if kind in ("clause", "join", "and", "word"):
        return ""
    if kind == "rate":
        return _word("word.none_in_force", lang)
    if kind in ("text", "usage", "order", "step", "tou"):
        return _word("mark.empty", lang)
    return _word("mark.unknown", lang)


def _number(digits: int) -> Callable[[Any, str, str], str]:
    def show(value: Any, option: str, lang: str) -> str:
        return formatting.number(value, digits)

    return show


def _money(value: float, option: str, lang: str) -> str:
    """Yuan with the language's mark, the sign first: '-127.60 元', '-¥127.60' (not '¥-127.60')."""
    shown = formatting.money(value)
    sign, amount = ("-", shown[1:]) if shown.startswith("-") else ("", shown)
    return sign + _word("mark.money", lang).format(amount=amount)


def _span(value: list[str], option: str, lang: str) -> str:
    start, end = value
    return start if start == end else _word("mark.span", lang).format(start=start, end=end)


def _named(group: str) -> Callable[[Any, str, str], str]:
    """A code (usage type, order type, step) named in the language; unknown codes as they are."""

    def show(value: Any, option: str, lang: str) -> str:
        return _word(f"{group}.{value}", lang, default=str(value))

    return show


def _nested(separator: str) -> Callable[[Any, str, str], str]:
    def show(value: Clause | Iterable[Clause], option: str, lang: str) -> str:
        if isinstance(value, dict):
            return _render_clause(value, lang)
        return _word(separator, lang).join(_render_clause(item, lang) for item in value)

    return show


_FORMATS: dict[str, Callable[[Any, str, str], str]] = {
    "num0": _number(0),
    "num1": _number(1),
    "num2": _number(2),
    "dec1": lambda value, option, lang: f"{value:.1f}",
    "int": lambda value, option, lang: str(value),
    "rate": lambda value, option, lang: f"{value:.4f}",
    "pct": lambda value, option, lang: formatting.percent(value, 0),
    "percent2": lambda value, option, lang: formatting.percent(value / 100, 2),
    "money": _money,
    "count": lambda value, option, lang: i18n.counted(value, option, lang),
    "noun": lambda value, option, lang: i18n.plural_noun(value, option, lang),
    "word": lambda value, option, lang: _word(f"word.{option}", lang) if value else "",
    "period": lambda value, option, lang: value,
    "span": _span,
    "date": lambda value, option, lang: value,
    "text": lambda value, option, lang: str(value),
    "usage": _named("usage"),
    "order": _named("order"),
    "step": _named("step"),
    "tou": _named("tou"),
    "clause": _nested("mark.join"),
    "join": _nested("mark.join"),
    "and": _nested("mark.and"),
}
KINDS = frozenset(_FORMATS)
