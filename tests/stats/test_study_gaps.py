"""A study says what it did not compute, never a zero: districts of the supply table unknown to
the archive, a district without bills, the other districts' notes, daily reads past the window;
a one-district study names a bad adjustment amount by its row in the whole table; a lazily
loaded converted folder is studied as the folder."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from stats_builders import build_tables, write_folder

from auditkit import synth
from auditkit.data import Dataset, load
from auditkit.data.partitioned import convert
from auditkit.errors import ParameterError
from auditkit.stats import summarize
from auditkit.stats.study import build


def test_supply_rows_of_districts_the_archive_does_not_know_are_named_in_a_note(tmp_path):
    tables = build_tables()
    tables["district_supply"]["district"] += "区"  # '甲区' where the archive says '甲'
    study = build(load(write_folder(tables, tmp_path)))
    unknown = [note for note in study.notes if note.code == "supply_unknown_districts"]
    assert [note.values for note in unknown] == [{"count": 2, "districts": ["乙区", "甲区"]}]
    assert any("乙区, 甲区" in sentence for sentence in study.data_notes("en"))
    assert any("乙区、甲区" in sentence for sentence in study.data_notes("zh"))


def test_supply_rows_of_known_districts_get_no_unknown_district_note(small_tables):
    summary = summarize(
        small_tables["bills"], small_tables["customers"], small_tables["district_supply"]
    )
    assert "supply_unknown_districts" not in [note.code for note in summary.notes]
    without_supply = summarize(small_tables["bills"], small_tables["customers"])
    assert "supply_unknown_districts" not in [note.code for note in without_supply.notes]


def test_a_district_without_bills_has_no_energy_revenue_or_suspects_in_its_headline(
    small_dataset,
):
    study = build(small_dataset, "丁")  # two customers, not one bill
    # Before: {'customers': 0.0, 'kwh': 0.0, 'revenue': 0.0, 'theft_suspects': 0.0}
    assert study.headline() == {"customers": 0.0}
    figures = study.summary.summary(["丁"])
    assert figures["kwh"] is None and figures["revenue"] is None


def test_a_district_billed_zero_kwh_keeps_its_zero_and_every_district_sums_the_billed(
    small_dataset,
):
    zero = build(small_dataset, "丙").headline()  # billed, 0 kWh throughout: a true zero
    assert zero["kwh"] == 0.0 and zero["revenue"] == 0.0
    table = build(small_dataset).summary.table.set_index("district")
    everyone = build(small_dataset).headline()
    # 甲 + 乙 + 丙 (0) + 丁 (no bills, left out of the sum rather than added as 0)
    assert everyone["kwh"] == pytest.approx(table.loc[["甲", "乙", "丙"], "kwh"].sum())


def test_a_one_district_study_lists_no_note_of_another_district(small_dataset):
    notes = build(small_dataset, "丁").data_notes("en")
    # Before: 丙's missing supply and year before and 乙's negative loss were listed too.
    assert not [sentence for sentence in notes if "丙" in sentence or "乙" in sentence]
    assert "丁: no bills in the period." in notes
    assert any(sentence.startswith("No adjustments table") for sentence in notes)


def test_a_one_district_study_keeps_its_own_notes_and_the_whole_study_keeps_all(small_dataset):
    own = build(small_dataset, "丙").notes
    assert {note.values.get("district", "丙") for note in own} == {"丙"}
    assert {"no_year_before", "supply_incomplete"} <= {note.code for note in own}
    everyone = {note.values.get("district") for note in build(small_dataset).notes}
    assert {"乙", "丙", "丁"} <= everyone


def test_analyses_that_never_ran_are_said_not_computed_rather_than_zero(small_dataset):
    sentences = build(small_dataset, "丁").conclusions("en")
    assert not [sentence for sentence in sentences if sentence.startswith("0 ")]
    assert sentences[:3] == [
        "The seasonal decomposition was not computed: no district studied has 24 months of "
        "bills, so nothing is said of out-of-line months.",
        "Theft suspicion scores were not computed: no customer could be scored (no customer "
        "has bills in the months studied).",
        "Anomaly scores were not computed: no customer could be scored (no customer has bills "
        "in the months studied).",
    ]
    zero = build(small_dataset, "丙").conclusions("en")  # three customers billed 0 kWh
    assert (
        "Anomaly scores were not computed: no customer could be scored (all zero (the "
        "zero-consumption rule's case): 3)." in zero
    )
    assert "（全部为零（另由零电量规则处理） 3 户）" in build(small_dataset, "丙").explain("zh")


def test_analyses_that_ran_state_their_counts_even_when_zero(small_dataset):
    sentences = build(small_dataset, "甲").conclusions("en")
    assert any(sentence.startswith("The seasonal decomposition finds") for sentence in sentences)
    assert any("customers show a sustained drop" in sentence for sentence in sentences)
    assert any("customers' recent consumption is unusual" in sentence for sentence in sentences)


@pytest.fixture(scope="module")
def read_past_the_window() -> Dataset:
    """24 months billed to 2024-12, daily reads 2024-10-01..2024-12-31."""
    return Dataset.from_frames(
        synth.generate(customers=300, districts=2, months=24, daily_days=92, seed=1)
    )


def test_daily_reads_after_the_window_make_no_feeder_lack_a_supply_row(read_past_the_window):
    study = build(read_past_the_window, as_of="2024-11", months=3)
    # Before: the December reads made 2024-12 a month of the loss, its supply cut away:
    # "Feeders with customers but no supply row: 43 (43 feeder-months)".
    codes = [note.code for note in study.notes]
    assert "network_feeders_without_supply" not in codes
    assert study.network.summary()["period_to"] == "2024-11"


def test_daily_reads_inside_the_window_are_all_used(read_past_the_window):
    study = build(read_past_the_window)  # to 2024-12: every read is the window's
    assert study.network.summary()["period_from"] == "2024-10"
    assert study.network.summary()["period_to"] == "2024-12"


def _adjusted(dataset: Dataset, amounts: list[object], ids: list[str]) -> Dataset:
    """`dataset` with adjustments of `amounts` to customers `ids` in 2024-06."""
    adjustments = pd.DataFrame(
        {"customer_id": ids, "period": "2024-06", "kind": "refund", "amount": amounts}
    )
    return dataclasses.replace(dataset, adjustments=adjustments)


def test_a_one_district_study_names_a_bad_amount_by_its_row_in_the_whole_table(small_dataset):
    ids = ["SY-甲-000", "SY-乙-000", "SY-甲-001", "SY-乙-000"]
    dataset = _adjusted(small_dataset, [12.5, 345.0, 78.0, "-1,564.90"], ids)
    expected = "expected a number of yuan, found \"'-1,564.90' in row 4\"$"
    with pytest.raises(ParameterError, match=expected):  # before: "in row 2", of 乙's rows
        build(dataset, "乙")
    with pytest.raises(ParameterError, match=expected):
        build(dataset)


def test_a_bad_amount_of_another_district_does_not_stop_a_one_district_study(small_dataset):
    ids = ["SY-甲-000", "SY-乙-000", "SY-甲-001"]
    dataset = _adjusted(small_dataset, [12.5, 345.0, "-1,564.90"], ids)
    assert build(dataset, "乙").adjustment_digits is not None  # 甲's row 3 is no concern of 乙's


def test_a_lazily_loaded_converted_folder_gives_the_study_of_the_folder(small_folder, tmp_path):
    converted = convert(small_folder, tmp_path / "converted")
    lazy = load(converted.root, lazy=True)  # before: AttributeError, no attribute 'bills'
    eager = load(small_folder)
    for district in ("", "丙"):
        study = build(lazy, district)
        assert study.headline() == build(eager, district).headline()
        assert [note.code for note in study.notes] == [
            note.code for note in build(eager, district).notes
        ]
