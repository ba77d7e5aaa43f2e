"""Wording (Chinese, English) of rules accounts: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {}
