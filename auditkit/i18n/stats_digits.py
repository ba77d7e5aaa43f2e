"""Wording (Chinese, English) of stats digits: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {}
