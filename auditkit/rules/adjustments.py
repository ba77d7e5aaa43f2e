"""Audit rules of the practice checks (adjustments): see `auditkit.rules.registry`."""
