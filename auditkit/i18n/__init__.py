"""The wording catalogue: every text auditkit shows, once, as a (Chinese, English) pair under a key.

    text("area.metering", "zh")              # '计量装置'
    text("rule.zero_consumption.title", "en")  # 'Active account with zero consumption'

Computations return numbers and codes; text is made only when rendering, by looking codes up
here in the report's language (`lang`, "zh" by default as everywhere in auditkit). The pairs live
in one module per part of auditkit (`common` for words every report shares, such as "district",
then `rules`, `report` (inside notebooks), `pipeline` (run index, report frame), `stats`,
`crossaudit`, `sampling`, and the practice checks' own: `rules_capacity`, `rules_routine`,
`rules_accounts`, `rules_meters`, `rules_adjustments`, `rule_sources` (where each rule comes from),
`stats_digits`, `stats_network`, and `register` for the findings register and its worklist);
they are merged into one catalogue here, and a key defined twice, or one wording defined under
two keys, is refused at import.
Keys are grouped by their first part: `area.`, `usage.`, `order.`, `step.`, `severity.` name
codes found in findings and data; `rule.<id>.title` / `rule.<id>.checks` describe each audit
rule; `evidence.`, `noun.`, `word.`, `mark.` are the evidence templates and their words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditkit import formatting
from auditkit.errors import ParameterError
from auditkit.i18n import (
    billing,
    common,
    crossaudit,
    cycle,
    pipeline,
    register,
    report,
    rule_sources,
    rules,
    rules_accounts,
    rules_adjustments,
    rules_capacity,
    rules_meters,
    rules_routine,
    sampling,
    since,
    stats,
    stats_digits,
    stats_network,
    stats_theft,
)

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"


def _merged(*parts: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """One catalogue from the parts; a key defined twice is a programming error."""
    words: dict[str, tuple[str, str]] = {}
    for part in parts:
        for key, pair in part.items():
            if key in words:
                raise ValueError(f"wording {key!r} defined twice")
            words[key] = pair
    return words


WORDS = _merged(
    common.WORDS,
    rules.WORDS,
    report.WORDS,
    pipeline.WORDS,
    stats.WORDS,
    crossaudit.WORDS,
    cycle.WORDS,
    sampling.WORDS,
    billing.WORDS,
    rules_capacity.WORDS,
    rules_routine.WORDS,
    rules_accounts.WORDS,
    rules_meters.WORDS,
    rules_adjustments.WORDS,
    rule_sources.WORDS,
    stats_digits.WORDS,
    stats_network.WORDS,
    stats_theft.WORDS,
    register.WORDS,
    since.WORDS,
)


def language(lang: str) -> str:
    """`lang` when auditkit speaks it; ParameterError otherwise."""
    if lang not in LANGS:
        raise ParameterError("lang", " or ".join(repr(code) for code in LANGS), lang)
    return lang


def text(key: str, lang: str = DEFAULT_LANG, default: str | None = None) -> str:
    """The wording of `key` in `lang`; `default` (when given) for a key the catalogue lacks.

    Codes that come from the data (a usage type the catalogue does not name) pass `default` to
    show as they are; a missing key without `default` is a programming error (KeyError).
    """
    pair = WORDS.get(key)
    if pair is None:
        if default is None:
            raise KeyError(f"no wording for {key!r}")
        return default
    return pair[LANGS.index(language(lang))]


def plural_noun(value: int, noun: str, lang: str) -> str:
    """The wording of `noun.<noun>` for `value` of them: singular for 1, `noun.<noun>.plural`
    otherwise ("customer", "customers"; Chinese alike for both)."""
    return text(f"noun.{noun}" if value == 1 else f"noun.{noun}.plural", lang)


def counted(value: int, noun: str, lang: str) -> str:
    """`value` of `noun` counted in `lang`: "1 customer", "3 customers", "1,200 户"."""
    return f"{formatting.count(value)} {plural_noun(value, noun, lang)}"


def value_text(value: Any, lang: str = DEFAULT_LANG) -> str:
    """A parameter's value as a reader reads it in `lang`, not as Python writes it: text without
    quotes, a truth value as yes or no, a list joined by the language's separator, a mapping as
    `key value` pairs so joined, a number as given (a seed keeps its digits); an empty text, list
    or mapping, or none, as the missing mark."""
    if isinstance(value, bool):
        return text("common.yes" if value else "common.no", lang)
    if formatting.is_missing(value) or (
        isinstance(value, str | list | tuple | Mapping) and not value
    ):
        return formatting.MISSING
    separator = text("common.list_separator", lang)
    if isinstance(value, Mapping):
        return separator.join(f"{key} {value_text(item, lang)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return separator.join(value_text(item, lang) for item in value)
    return str(value)


def has(key: str) -> bool:
    """The catalogue holds `key`."""
    return key in WORDS


def keys(prefix: str) -> list[str]:
    """Every key starting with `prefix` (e.g. 'evidence.'), in catalogue order."""
    return [key for key in WORDS if key.startswith(prefix)]
