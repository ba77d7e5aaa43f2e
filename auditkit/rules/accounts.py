"""Audit rules of the practice checks (accounts): see `auditkit.rules.registry`."""
