"""Wording (Chinese, English) of rules capacity: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {}
