"""Consumption statistics of districts and customers: summaries, seasonality, anomaly and theft
scores, Benford tests, funnel limits and daily smart-meter profiles.

Every function takes plain DataFrames of the dataset contract and returns numbers and codes; each
result (`DistrictSummary`, `Decomposition`, `BenfordResult`, `FunnelResult`, `DailyProfile`,
`CustomerScores`) follows `auditkit.results.Result`, and `auditkit.stats.study.build` gathers what
the consumption notebook shows (docs/statistics.md explains the methods and what was measured).
"""

from auditkit.stats.anomaly import anomaly_scores
from auditkit.stats.benford import BenfordResult, benford, benford_by_group
from auditkit.stats.daily import DailyProfile, daily_profile
from auditkit.stats.funnel import FunnelResult, binomial_limits, funnel
from auditkit.stats.notes import Note
from auditkit.stats.requirements import ColumnError, InsufficientDataError
from auditkit.stats.scores import CustomerScores
from auditkit.stats.seasonal import Decomposition, decompose, decompose_by_group
from auditkit.stats.summary import DistrictSummary, summarize
from auditkit.stats.theft import theft_scores

__all__ = [
    "BenfordResult",
    "ColumnError",
    "CustomerScores",
    "DailyProfile",
    "Decomposition",
    "DistrictSummary",
    "FunnelResult",
    "InsufficientDataError",
    "Note",
    "anomaly_scores",
    "benford",
    "benford_by_group",
    "binomial_limits",
    "daily_profile",
    "decompose",
    "decompose_by_group",
    "funnel",
    "summarize",
    "theft_scores",
]
