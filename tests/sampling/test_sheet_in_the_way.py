"""A file in the way of the blank field sheet: only a filled one is to be given as field_sheet."""

from __future__ import annotations

from pathlib import Path

import pytest
import sampling_builders

from auditkit import data
from auditkit.errors import ParameterError
from auditkit.sampling import study


@pytest.fixture(scope="module")
def utility(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sampling_builders.utility(tmp_path_factory.mktemp("utility"), customers=300, seed=5)


def test_an_unreadable_file_in_the_way_is_not_said_to_be_evaluated(
    utility: Path, tmp_path: Path
) -> None:
    dataset = data.load(utility)
    district = dataset.districts[0]
    first = study.build(dataset, district, folder=tmp_path, seed=7, months=6)
    first.sheet.write_bytes(b"not a workbook")
    with pytest.raises(ParameterError) as caught:
        study.build(dataset, district, folder=tmp_path, seed=7, months=6)
    assert "given as field_sheet" not in str(caught.value)  # it cannot be evaluated
    assert "move it away first" in str(caught.value)
