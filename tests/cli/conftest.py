"""Fixtures of the CLI tests: a small dataset folder built with the rules tests' builder."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "rules"))
from rule_builder import Utility, flat


@pytest.fixture
def household_data(tmp_path: Path) -> Path:
    """A dataset folder `data`: one household in 城东, twelve months of 100 kWh."""
    utility = Utility()
    utility.customer("A")
    utility.monthly("A", flat(100))
    return utility.write(tmp_path / "data")
