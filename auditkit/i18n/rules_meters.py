"""Wording (Chinese, English) of rules meters: see `auditkit.i18n`."""

WORDS: dict[str, tuple[str, str]] = {}
