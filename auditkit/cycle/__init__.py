"""The audit cycle across months (issue 17): what each district bureau did with the findings
register's findings in the field — sent, checked, confirmed, false alarms, days to rectify, yuan
recovered (proved and estimated apart) — each rule's confirmed precision with its interval, and
self-audits against cross-audits. `study.build` computes the notebooks/audit_cycle.ipynb report;
`evaluate`, `precision` and `selfcross` are pure functions on the register's frames."""

from __future__ import annotations

from auditkit.cycle.study import CycleStudy, build, study_of, study_of_register
from auditkit.cycle.window import Window, cycle_window

__all__ = ["CycleStudy", "Window", "build", "cycle_window", "study_of", "study_of_register"]
