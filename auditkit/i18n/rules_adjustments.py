"""Wording (Chinese, English) of rules adjustments: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {}
