"""The synthetic utility: valid under the contract, realistic in shape, labelled, byte-reproducible."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from auditkit import synth
from auditkit.cli import main
from auditkit.data import Dataset, load
from auditkit.errors import ParameterError
from auditkit.rules.workdays import WorkingCalendar
from auditkit.synth import catalog
from auditkit.synth.irregular import DEFAULT_RATES
from auditkit.synth.world import working_day_after


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    # Three times the demo's share of irregular customers: every irregularity is there.
    return synth.generate(customers=3000, districts=4, months=36, seed=3, irregular_share=0.09)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_tables_pass_the_dataset_contract(tables):
    dataset = Dataset.from_frames(tables)
    assert len(dataset.customers) == 3000
    assert dataset.districts == sorted(tables["customers"]["district"].unique())
    assert len(dataset.districts) == 4


def test_every_irregularity_is_injected_and_labelled(tables):
    truth = tables["truth"]
    assert set(truth["irregularity"]) == set(DEFAULT_RATES)
    assert truth["customer_id"].isin(tables["customers"]["customer_id"]).all()
    assert (truth["revenue_effect"] >= 0).all()
    # Money-losing irregularities carry a positive effect; risk-only ones none.
    effect = truth.groupby("irregularity")["revenue_effect"].sum()
    assert effect["multiplier_mismatch"] > 0 and effect["consumption_drop"] > 0
    assert effect["meter_test_overdue"] == 0 and effect["archive_defect"] == 0


def test_shape_of_a_realistic_utility(tables):
    bills, customers, tariffs = tables["bills"], tables["customers"], tables["tariffs"]
    share = customers["usage_type"].value_counts(normalize=True)
    assert share["residential"] > 0.7 and share.get("industrial", 0) > 0.02
    # Prices change: on the 1st for every category, again on the 16th for some, and every month
    # for the market categories from the market start.
    tier_one = tariffs[(tariffs["tariff_category"] == "RES") & (tariffs["tier"] == 1)]
    assert tier_one["energy_rate"].nunique() == 2
    assert (tariffs.loc[tariffs["tariff_category"] == "AGR", "valid_from"].dt.day == 16).sum() == 1
    market = tariffs[tariffs["market"] & (tariffs["tariff_category"] == "COM")]
    assert market["valid_from"].nunique() >= 12 and market["energy_rate"].nunique() >= 12
    # Residential consumption peaks in summer and winter, dips in spring.
    residential = bills[
        bills["customer_id"].isin(
            customers.loc[customers["usage_type"] == "residential", "customer_id"]
        )
    ]
    by_month = residential.groupby(residential["period"].str[5:7])["kwh_billed"].mean()
    assert by_month["08"] > by_month["04"] * 1.3 and by_month["01"] > by_month["04"] * 1.2
    # Two-part customers pay a basic charge and have demand readings.
    two_part = customers["tariff_category"].isin(["COM2", "IND2"])
    assert (customers.loc[two_part, "contract_capacity_kva"].dropna() >= 315).all()
    billed = bills[bills["customer_id"].isin(customers.loc[two_part, "customer_id"])]
    assert (billed["basic_charge"] > 0).mean() > 0.95 and billed["max_demand_kw"].notna().all()
    # Line loss is plausible: supply exceeds billed energy by a few percent.
    loss = 1 - bills["kwh_billed"].sum() / tables["district_supply"]["kwh_supplied"].sum()
    assert 0.02 < loss < 0.15
    assert set(tables["inspections"]["audit_kind"]) == {"self", "cross", "special"}
    assert set(tables["work_orders"]["order_type"]) >= {
        "new_connection",
        "suspension",
        "resumption",
        "capacity_reduction",
        "tariff_change",
    }


def test_bills_follow_registers_except_where_labelled(tables):
    bills = tables["bills"]
    register_kwh = (bills["register_end"] - bills["register_start"]) * bills["multiplier_billed"]
    off = (register_kwh - bills["kwh_billed"]).abs() > 0.5
    labelled = tables["truth"].loc[
        tables["truth"]["irregularity"] == "register_mismatch", "customer_id"
    ]
    assert bills.loc[off, "customer_id"].isin(labelled).all()


def _days(values: object) -> np.ndarray:
    return pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")


def test_working_day_after_counts_the_chinese_calendar_by_hand():
    # 2024-09-29 (a Sunday) is worked for National Day, 1 to 7 October are off: from Friday
    # 27 September the 1st working day is the Sunday, the 2nd Monday 30th, the 3rd 8 October.
    start = _days(["2024-09-27"] * 3 + ["2025-06-07", "2025-06-07"])
    done = working_day_after(start, np.array([1, 2, 3, 10, 11]))
    expected = ["2024-09-29", "2024-09-30", "2024-10-08", "2025-06-20", "2025-06-23"]
    assert done.tolist() == _days(expected).tolist()
    # Registered Saturday 7 June 2025, archived Saturday 21st: 10 working days, the limit, not over.
    assert WorkingCalendar.chinese().working_days(start[3:4], _days(["2025-06-21"]))[0] == 10


def test_every_stalled_order_is_late_in_working_days_and_honest_ones_are_not(tables):
    orders = tables["work_orders"]
    extract = _days([tables["bills"]["read_to"].max()])[0]
    calendar = WorkingCalendar.chinese()
    late = np.zeros(len(orders), dtype=bool)
    for step, previous, limit in (
        ("transferred_at", "issued_at", 3),
        ("registered_at", "transferred_at", 5),
        ("archived_at", "registered_at", 10),
    ):
        done = _days(orders[step])
        until = np.where(np.isnat(done), extract, done)
        late |= np.nan_to_num(calendar.working_days(_days(orders[previous]), until)) > limit
    truth = tables["truth"]
    stalled = truth.loc[truth["irregularity"] == "order_stalled", "customer_id"]
    assert len(stalled) >= 10
    late_customers = set(orders.loc[late, "customer_id"])
    assert set(stalled) <= late_customers
    assert late_customers <= set(stalled)  # no honest order, look-alikes included, is late


def test_a_replaced_transformer_whose_old_losses_are_billed_stays_single_part(tables):
    truth = tables["truth"]
    swapped = truth.loc[
        truth["detail"] == "losses of the replaced transformer", ["customer_id", "from_period"]
    ]
    assert len(swapped) >= 1
    orders = tables["work_orders"]
    increases = orders[
        orders["customer_id"].isin(swapped["customer_id"])
        & (orders["order_type"] == "capacity_increase")
    ]
    assert set(increases["customer_id"]) == set(swapped["customer_id"])
    new = increases["new_value"].astype(float)
    assert (new > increases["old_value"].astype(float)).all()
    assert (new < catalog.TWO_PART_THRESHOLD_KVA).all()  # no tariff mismatch made with it
    customers = tables["customers"].set_index("customer_id").loc[swapped["customer_id"]]
    assert (customers["contract_capacity_kva"] < catalog.TWO_PART_THRESHOLD_KVA).all()


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    config = synth.SynthConfig(customers=500, districts=2, months=24, seed=9, daily_days=30)
    for name in ("a", "b"):
        synth.write(synth.generate(config), tmp_path / name, config=config)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    other = synth.SynthConfig(customers=500, districts=2, months=24, seed=10)
    synth.write(synth.generate(other), tmp_path / "c", config=other)
    assert _digest(tmp_path / "c")["bills.parquet"] != _digest(tmp_path / "a")["bills.parquet"]
    assert "合成数据" in (tmp_path / "a" / "SYNTHETIC.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "csv-gbk", "xlsx"])
def test_every_format_loads_back_to_the_same_content(tmp_path, fmt):
    config = synth.SynthConfig(customers=80, districts=2, months=24, seed=4)
    tables = synth.generate(config)
    synth.write(tables, tmp_path / "parquet", config=config)
    synth.write(tables, tmp_path / fmt, fmt=fmt, config=config)
    assert load(tmp_path / fmt).hashes == load(tmp_path / "parquet").hashes


def test_an_xlsx_dataset_keeps_formula_like_text_as_text(tmp_path):
    config = synth.SynthConfig(customers=60, districts=2, months=24, seed=4)
    tables = synth.generate(config)
    hostile = ['=HYPERLINK("http://e.vil/","x")', "+1+1", "@SUM(1+1)", "-2+3", "＝1"]
    people = tables["customers"]
    people["name"] = [f"{hostile[i % len(hostile)]}{name}" for i, name in enumerate(people["name"])]
    folder = synth.write(tables, tmp_path / "xlsx", fmt="xlsx", config=config)
    sheet = load_workbook(folder / "customers.xlsx").active
    header = [cell.value for cell in sheet[1]]
    column = header.index("name") + 1
    cells = [sheet.cell(row, column) for row in range(2, sheet.max_row + 1)]
    assert [cell.data_type for cell in cells] == ["s"] * len(people)
    assert [cell.value for cell in cells] == people["name"].tolist()
    synth.write(tables, tmp_path / "parquet", config=config)
    assert load(folder).hashes == load(tmp_path / "parquet").hashes


def test_daily_reads_add_up_to_the_month(tmp_path):
    tables = synth.generate(customers=200, districts=2, months=24, seed=5, daily_days=62)
    daily = tables["daily_reads"]
    assert daily["date"].nunique() == 62 and (daily["kwh"] >= 0).all()
    last = tables["bills"]["period"].astype(str).max()
    in_month = daily[daily["date"].dt.strftime("%Y-%m") == last].groupby("customer_id")["kwh"].sum()
    assert np.isclose(
        in_month.sum(),
        tables["bills"].loc[tables["bills"]["period"] == last, "kwh_billed"].sum(),
        rtol=0.15,
    )


def test_a_failed_write_leaves_the_previous_dataset_untouched(tmp_path, monkeypatch):
    config = synth.SynthConfig(customers=100, districts=2, months=24, seed=1)
    synth.write(synth.generate(config), tmp_path / "data", config=config)
    before = _digest(tmp_path / "data")

    def explode(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", explode)
    with pytest.raises(OSError, match="disk full"):
        synth.write(synth.generate(config), tmp_path / "data", config=config)
    assert _digest(tmp_path / "data") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_a_folder_or_file_that_is_no_synthetic_dataset_is_never_replaced(tmp_path, capsys):
    precious = tmp_path / "precious"
    (precious / "sub").mkdir(parents=True)
    (precious / "notes.txt").write_text("important", encoding="utf-8")
    (tmp_path / "afile").write_text("kept", encoding="utf-8")
    for out, found in (
        (precious, "holds other files ('notes.txt', ...)"),
        (tmp_path / "afile", "is a file"),
    ):
        assert main(["synth", "--customers", "50", "--out", str(out)]) == 2
        error = capsys.readouterr().err
        assert "parameter '--out'" in error and found in error and "SYNTHETIC.md" in error
    assert (precious / "notes.txt").read_text(encoding="utf-8") == "important"
    assert (precious / "sub").is_dir() and (tmp_path / "afile").read_text(
        encoding="utf-8"
    ) == "kept"
    config = synth.SynthConfig(customers=50, districts=2, months=24, seed=1)
    with pytest.raises(ParameterError, match="parameter 'out'"):
        synth.write(synth.generate(config), precious, config=config)
    empty = tmp_path / "empty"
    empty.mkdir()
    synth.write(synth.generate(config), empty, config=config)  # an empty folder, then itself
    synth.write(synth.generate(config), empty, config=config)
    assert (empty / "SYNTHETIC.md").is_file()


@pytest.mark.parametrize(
    ("override", "parameter"),
    [
        ({"customers": 10}, "customers"),
        ({"months": 6}, "months"),
        ({"start": "2024-13"}, "start"),
        ({"rates": {"no_such": 0.1}}, "rates"),
        ({"rates": {"zero_consumption": 0.9}}, "rates.zero_consumption"),
    ],
)
def test_bad_parameters_are_named(override, parameter):
    with pytest.raises(ParameterError, match=f"parameter '{parameter}'"):
        synth.generate(**override)


def test_cli_writes_the_folder_and_reports_a_bad_flag(tmp_path, capsys):
    assert (
        main(
            [
                "synth",
                "--customers",
                "100",
                "--districts",
                "2",
                "--months",
                "24",
                "--out",
                str(tmp_path / "d"),
            ]
        )
        == 0
    )
    assert (tmp_path / "d" / "bills.parquet").is_file()
    assert "bills" in capsys.readouterr().out
    assert main(["synth", "--customers", "5", "--out", str(tmp_path / "e")]) == 2
    assert "parameter '--customers'" in capsys.readouterr().err
    assert not (tmp_path / "e").exists()


def test_cli_months_below_two_years_is_refused_saying_why(tmp_path, capsys):
    assert main(["synth", "--months", "12", "--out", str(tmp_path / "d")]) == 2
    assert capsys.readouterr().err.strip() == (
        "auditkit synth: error: parameter '--months': expected a whole number from 24 to 240 "
        "(fewer than 24 leave too little history: theft scores need 12 months before a drop "
        "and the seasonal statistics two full years), found 12"
    )
    assert not (tmp_path / "d").exists()


def test_cli_help_states_the_months_range_and_why(capsys):
    with pytest.raises(SystemExit):
        main(["synth", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "--months M billing months, 24 to 240 (default 36): fewer than 24 leave too" in shown
    assert "theft scores need 12 months before a drop and the seasonal statistics" in shown
