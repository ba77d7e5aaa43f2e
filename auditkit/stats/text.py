"""The report language switch: user-facing sentences come in Chinese ("zh") or English ("en")."""

from __future__ import annotations

from auditkit.errors import ParameterError

LANGUAGES = ("zh", "en")


def check_lang(lang: str) -> str:
    """Return `lang` when supported, else raise ParameterError."""
    if lang not in LANGUAGES:
        raise ParameterError("lang", "'zh' or 'en'", lang)
    return lang


def pick(lang: str, zh: str, en: str) -> str:
    """The Chinese or the English wording of one message."""
    return zh if check_lang(lang) == "zh" else en
