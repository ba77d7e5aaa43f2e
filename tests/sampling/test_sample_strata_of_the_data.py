"""`sample select --data` stratifies and carries the accounts' columns by values too, and
samples the whole utility when no --district is given."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sampling_builders
from openpyxl import load_workbook
from sampling_builders import first_district, run

from auditkit.data import load
from auditkit.errors import ParameterError
from auditkit.sampling import study
from auditkit.sampling.fieldsheet import header_columns


@pytest.fixture(scope="module")
def utility(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sampling_builders.utility(tmp_path_factory.mktemp("utility"), customers=120, seed=7)


def sheet_rows(sheet: Path) -> pd.DataFrame:
    """The field sheet's rows under their column names (customer_id, stratum, ...)."""
    rows = load_workbook(sheet).worksheets[0]
    header_row, columns = header_columns(rows)
    values = list(rows.iter_rows(min_row=header_row + 1, values_only=True))
    return pd.DataFrame(
        [[row[at - 1] for at in columns.values()] for row in values], columns=list(columns)
    )


def test_bills_are_stratified_by_tariff_and_carry_the_usage_type(
    utility: Path, tmp_path: Path
) -> None:
    district = first_district(utility)
    sheet = tmp_path / "sheet.xlsx"
    arguments = ["sample", "select", "--data", str(utility), "--district", district,
                 "--units", "values", "--n", "30", "--seed", "2", "--output", str(sheet),
                 "--lang", "en", "--strata", "tariff_category", "--carry", "usage_type"]  # fmt: skip
    assert run(arguments) == 0
    rows = sheet_rows(sheet)
    customers = pd.read_parquet(utility / "customers.parquet").set_index("customer_id")
    tariffs = customers.loc[rows["customer_id"].astype(str), "tariff_category"].to_numpy()
    # each bill's stratum is its account's tariff category, and its usage type is carried
    assert list(rows["stratum"]) == list(tariffs)
    usage = customers.loc[rows["customer_id"].astype(str), "usage_type"].to_numpy()
    assert list(rows["usage_type"]) == list(usage)
    # near miss: a column no account or bill has is still refused, naming the flag
    with pytest.raises(ParameterError) as refused:
        run([*arguments[:-4], "--strata", "meter_brand"])
    assert refused.value.name == "--strata"


def test_without_a_district_the_whole_utility_is_sampled_stratified_by_district(
    utility: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.xlsx"
    assert run(["sample", "select", "--data", str(utility), "--units", "items", "--n", "20",
                "--strata", "district", "--seed", "1", "--output", str(sheet)]) == 0  # fmt: skip
    customers = pd.read_parquet(utility / "customers.parquet")
    counts = customers["district"].value_counts()
    drawn = sheet_rows(sheet)["stratum"].value_counts()
    # proportional: 20 shared by each district's share of the 120 accounts (largest remainders)
    assert set(drawn.index) == set(counts.index)
    assert drawn.sum() == 20
    for district, accounts in counts.items():
        assert abs(drawn[district] - 20 * accounts / 120) < 1
    assert len(study.utility_frame(load(utility), "items")) == 120  # every district's accounts
