"""Wording (Chinese, English) of rules routine: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {}
