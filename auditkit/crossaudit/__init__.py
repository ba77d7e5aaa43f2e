"""Horizontal cross-audits (横向互查): who audits whom next round, and do self-audits under-report?"""

from auditkit.crossaudit.assign import InfeasibleAssignmentError, assign, check_capacity, loads
from auditkit.crossaudit.assignment import Assignment
from auditkit.crossaudit.compare import Comparison, compare
from auditkit.crossaudit.model import LogisticModel
from auditkit.crossaudit.notes import Note
from auditkit.crossaudit.rates import Rates

__all__ = [
    "Assignment",
    "Comparison",
    "InfeasibleAssignmentError",
    "LogisticModel",
    "Note",
    "Rates",
    "assign",
    "check_capacity",
    "compare",
    "loads",
]
