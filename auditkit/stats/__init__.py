"""Consumption statistics of districts and customers: summaries, seasonality, anomaly and theft
scores, Benford tests, digit tests of adjustments and hand reads, same-period line loss per
transformer area and feeder, funnel limits and daily smart-meter profiles.

Every function takes plain DataFrames of the dataset contract and returns numbers and codes; each
result (`DistrictSummary`, `Decomposition`, `BenfordResult`, `FunnelResult`, `DailyProfile`,
`CustomerScores`, `AdjustmentDigits`, `LastDigitTest`, `NetworkLoss`) follows
`auditkit.results.Result`, and `auditkit.stats.study.build` gathers what the consumption notebook
shows (docs/statistics.md explains the methods and what was measured).
"""

from auditkit.stats.anomaly import anomaly_scores
from auditkit.stats.benford import BenfordResult, benford, benford_by_group, expected_mad
from auditkit.stats.daily import DailyProfile, daily_profile
from auditkit.stats.digits import (
    AdjustmentDigits,
    LastDigitTest,
    adjustment_benford,
    last_digit_test,
)
from auditkit.stats.funnel import FunnelResult, binomial_limits, funnel
from auditkit.stats.network_loss import NetworkLoss, network_loss
from auditkit.stats.notes import Note
from auditkit.stats.requirements import ColumnError, InsufficientDataError
from auditkit.stats.scores import CustomerScores
from auditkit.stats.seasonal import Decomposition, decompose, decompose_by_group
from auditkit.stats.summary import DistrictSummary, summarize
from auditkit.stats.theft import theft_scores

__all__ = [
    "AdjustmentDigits",
    "BenfordResult",
    "ColumnError",
    "CustomerScores",
    "DailyProfile",
    "Decomposition",
    "DistrictSummary",
    "FunnelResult",
    "InsufficientDataError",
    "LastDigitTest",
    "NetworkLoss",
    "Note",
    "adjustment_benford",
    "anomaly_scores",
    "benford",
    "benford_by_group",
    "binomial_limits",
    "daily_profile",
    "decompose",
    "decompose_by_group",
    "expected_mad",
    "funnel",
    "last_digit_test",
    "network_loss",
    "summarize",
    "theft_scores",
]
