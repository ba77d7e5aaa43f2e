"""Wording (Chinese, English) of rule sources: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {}
