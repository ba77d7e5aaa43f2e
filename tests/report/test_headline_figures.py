"""Headline figures read as the report's text writes the same figure."""

from __future__ import annotations

import pytest

from auditkit.report import figures


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("precision_pct", 85.6, "85.6"),  # the text: 查实率 85.6%, not 85.60
        ("self_rate_pct", 5.3407, "5.3"),
        ("line_loss_pct", 5.2149, "5.2"),
        ("upper_limit_pct", 5.436, "5.44"),  # sampling writes its rates with two decimals
        ("kwh", 1274553824.2, "1,274,553,824"),  # kWh whole, as in every table
        ("customers", 19853.0, "19,853"),
        ("revenue", 971002890.19, "971,002,890.19"),
        ("under_reporting", 2.0, "2"),
        ("用户数", 7.5, "7.50"),  # a figure recorded under a key of its own: a number as it is
    ],
)
def test_a_headline_value_has_the_decimals_of_its_kind(key: str, value: float, shown: str):
    assert figures.figure_value(key, value) == shown


def test_the_energy_figure_shares_the_statistics_column_wording():
    assert figures.figure_name("kwh", "zh") == "售电量 (千瓦时)"
    assert figures.figure_name("kwh", "en") == "Energy (kWh)"
