"""Audit rules of the practice checks (meter_records): see `auditkit.rules.registry`."""
