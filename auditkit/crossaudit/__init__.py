"""Horizontal cross-audits (横向互查): who audits whom next round, and do self-audits under-report?"""

from auditkit.crossaudit.assign import InfeasibleAssignmentError, assign, loads
from auditkit.crossaudit.compare import Comparison, clopper_pearson, compare

__all__ = [
    "Comparison",
    "InfeasibleAssignmentError",
    "assign",
    "clopper_pearson",
    "compare",
    "loads",
]
