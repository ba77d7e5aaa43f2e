"""Wording (Chinese, English) of stats network: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {}
