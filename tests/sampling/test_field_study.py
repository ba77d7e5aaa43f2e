"""The sampling study: frames, the simulated inspectors, the returned-sheet check, build()."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sampling_builders
from openpyxl import load_workbook
from sampling_builders import accounts, first_district

from auditkit import data
from auditkit.errors import ParameterError
from auditkit.results import Result, Study
from auditkit.sampling import FieldSheetError, SampleDataError, select, study, write_field_sheet
from auditkit.sampling.fieldsheet import header_columns


@pytest.fixture(scope="module")
def utility(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sampling_builders.utility(tmp_path_factory.mktemp("utility"), customers=300, seed=12)


def prepare(utility: Path, district: str, units: str, **options: object) -> study.Population:
    """The district's sampling frame from the synthetic utility (loaded here, not by the study)."""
    return study.population(data.load(utility), district, units, **options)


def test_bill_misstatements_spread_each_effect_by_hand() -> None:
    truth = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B"],
            "from_period": ["2025-02", "2025-03", "2025-01"],
            "revenue_effect": [30.0, 10.0, 0.0],
        }
    )
    bills = pd.DataFrame(
        {"customer_id": ["A"] * 3 + ["B"], "period": ["2025-01", "2025-02", "2025-03", "2025-01"]}
    )
    shares = study.bill_misstatements(truth, bills)
    # 30 over February and March (15 each), plus 10 in March alone; B's zero effect is ignored.
    assert shares.to_dict() == {("A", "2025-02"): 15.0, ("A", "2025-03"): 25.0}


def test_frames_by_items_and_values(utility: Path) -> None:
    district = first_district(utility)
    accounts = prepare(utility, district, "items")
    bills = prepare(utility, district, "values", months=6)
    assert (
        accounts.frame["customer_id"].is_unique and (accounts.frame["district"] == district).all()
    )
    assert bills.frame["period"].nunique() == 6 and bills.values == "amount"
    assert (accounts.likelihood, bills.evaluation_method) == ("binomial", "stringer.poisson")
    flagged = prepare(utility, district, "items", stratum="flagged")
    unflagged = prepare(utility, district, "items", stratum="unflagged")
    assert len(flagged.frame) + len(unflagged.frame) == len(accounts.frame)
    assert flagged.frame["flagged"].all() and not unflagged.frame["flagged"].any()
    assert "总体数量" in bills.to_table("zh")["项目"].tolist()
    assert bills.summary()["population_size"] == len(bills.frame)


def test_simulated_sheet_reads_back_with_the_truth(utility: Path, tmp_path: Path) -> None:
    district = first_district(utility)
    context = prepare(utility, district, "values")
    # 60 yuan units reach 48 bills, two of them misstated (about 5 % of the frame's bills are).
    selection = select(context.frame, 60, units="values", values="amount", seed=3)
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = study.simulate_field_sheet(blank, context, tmp_path / "filled.xlsx")
    results = study.read_returned_sheet(filled, selection)
    expected = study.bill_misstatements(context.dataset.truth, context.dataset.bills)
    keys = list(zip(results.sample["customer_id"], results.sample["period"], strict=True))
    differences = results.sample["audited_value"] - results.sample["book_value"]
    assert differences.round(2).tolist() == [
        round(float(expected.get(key, 0.0)), 2) for key in keys
    ]
    assert (
        results.inspections["inspected_at"] == (pd.Period(context.as_of, "M") + 1).to_timestamp()
    ).all()
    table = results.to_table("en")
    assert results.sample["error_found"].any()  # the sample holds misstated bills to read back
    assert (
        len(table)
        == int(results.sample["error_found"].sum())
        == results.summary()["misstated_rows"]
    )
    zh = results.to_table("zh")
    assert list(zh.columns[:3]) == ["序号", "户号", "电费年月"] and "差额（元）" in zh.columns
    assert results.money_columns("en") == [
        "Book value (yuan)",
        "Audited value (yuan)",
        "Difference (yuan)",
    ]
    assert results.summary()["difference"] == pytest.approx(table["Difference (yuan)"].sum())
    assert "inspected" in results.explain("en") and results.plot("zh").axes


def test_an_english_sheet_is_filled_in_english_as_its_list_asks(
    utility: Path, tmp_path: Path
) -> None:
    district = first_district(utility)
    context = prepare(utility, district, "values")
    selection = select(context.frame, 60, units="values", values="amount", seed=3)
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx", lang="en")
    filled = study.simulate_field_sheet(blank, context, tmp_path / "filled.xlsx", lang="en")
    sheet = load_workbook(filled).worksheets[0]
    header_row, header = header_columns(sheet)
    rows = range(header_row + 1, sheet.max_row + 1)
    answers = {sheet.cell(row, header["error_found"]).value for row in rows}
    notes = [sheet.cell(row, header["note"]).value for row in rows]
    assert answers == {"yes", "no"}  # the sheet's own list: yes,no
    assert [note for note in notes if note and re.search(r"[\u4e00-\u9fff]", note)] == []
    results = study.read_returned_sheet(filled, selection)
    assert results.sample["error_found"].any()


def test_simulated_sheet_keeps_formula_like_text_as_text(utility: Path, tmp_path: Path) -> None:
    district = first_district(utility)
    context = prepare(utility, district, "items")
    frame = context.frame.assign(district="=SUM(1+2)")
    selection = select(frame, 20, units="items", seed=3)
    blank = write_field_sheet(selection, tmp_path / "sheet.xlsx")
    filled = study.simulate_field_sheet(blank, context, tmp_path / "filled.xlsx")
    workbook = load_workbook(filled)
    assert not [
        cell.coordinate
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    results = study.read_returned_sheet(filled, selection)
    assert set(results.sample["district"]) == {"=SUM(1+2)"}
    assert results.summary()["difference"] is None  # by items: errors, no amounts
    assert results.plot("en").axes


def test_returned_sheet_of_another_selection_is_refused(tmp_path: Path) -> None:
    frame = accounts(50, district="城西", prefix="C")
    drawn = select(frame, 5, units="items", method="random", seed=1)
    other = select(frame, 5, units="items", method="random", seed=2)
    sheet = write_field_sheet(other, tmp_path / "other.xlsx")
    workbook = load_workbook(sheet)
    rows = workbook.worksheets[0]
    header_row, columns = header_columns(rows)
    for row in range(header_row + 1, rows.max_row + 1):
        rows.cell(row, columns["error_found"]).value = "否"
    workbook.save(sheet)
    with pytest.raises(FieldSheetError, match="not this selection"):
        study.read_returned_sheet(sheet, drawn)


@pytest.mark.parametrize("units", ["items", "values"])
@pytest.mark.parametrize("method", ["random", "interval"])
def test_a_dataset_with_its_rows_in_another_order_gives_the_same_sample(
    utility: Path, units: str, method: str
) -> None:
    loaded = data.load(utility)
    shuffled = dataclasses.replace(
        loaded,
        customers=loaded.customers.sample(frac=1, random_state=1).reset_index(drop=True),
        bills=loaded.bills.sample(frac=1, random_state=2).reset_index(drop=True),
    )
    district = first_district(utility)
    drawn = [
        select(
            study.population(dataset, district, units).frame,
            40,
            units=units,
            method=method,
            values="amount" if units == "values" else None,
            seed=42,
        ).sample[["customer_id", "times"]]
        for dataset in (loaded, shuffled)
    ]
    # positions are drawn: both frames must list the accounts (bills) in one order, by id
    assert drawn[0].reset_index(drop=True).equals(drawn[1].reset_index(drop=True))
    assert len(drawn[0]) > 20  # near miss: a sample of few rows would agree by chance


def test_the_flagged_stratum_is_the_district_reports_findings(utility: Path) -> None:
    """The rules run on the whole utility: SY00000081 and SY00000186 of 城东 are flagged only by
    checks that see the other district too (a run on 城东 alone finds 17 customers, not 19)."""
    from auditkit import rules

    loaded = data.load(utility)
    district = first_district(utility)
    reported = set(rules.of_district(rules.run(loaded), district)["customer_id"].astype(str))
    flagged = prepare(utility, district, "items", stratum="flagged").frame
    unflagged = prepare(utility, district, "items", stratum="unflagged").frame
    assert set(flagged["customer_id"].astype(str)) == reported and len(reported) == 19
    assert not reported & set(unflagged["customer_id"].astype(str))


def test_empty_stratum_is_an_error(utility: Path) -> None:
    dataset = prepare(
        utility,
        first_district(utility),
        "items",
    ).dataset
    with pytest.raises(SampleDataError, match="empty"):
        study.population_frame(dataset, "items", 12, flagged=set(), stratum="flagged")


def test_build_runs_the_field_loop_and_gives_the_study_shape(utility: Path, tmp_path: Path) -> None:
    district = first_district(utility)
    built = study.build(data.load(utility), district, folder=tmp_path, seed=7, months=6)
    assert isinstance(built, Study)
    parts = (built.plan, built.selection, built.results, built.evaluation)
    assert all(isinstance(part, Result) for part in parts)
    headline = built.headline()
    assert headline["sample_size"] == built.plan.n == built.selection.n
    assert headline["upper_limit_pct"] == round(built.evaluation.upper * 100, 2)
    assert headline["sample_errors"] == int(built.results.sample["error_found"].sum())
    assert not {"findings", "revenue_at_stake"} & set(headline)  # not a district audit's figures
    assert built.simulated is not None and built.sheet.parent == tmp_path
    for name in built.table_names:
        assert not built.table(name, "en").empty
    for name in built.figure_names:
        assert built.figure(name, "zh").axes
    assert built.explain("en").startswith("**Conclusion.**")


@pytest.mark.parametrize("units", ["items", "values"])
def test_the_population_is_a_result_that_says_and_draws_what_is_sampled(
    utility: Path, units: str
) -> None:
    district = first_district(utility)
    population = prepare(utility, district, units, months=6)
    assert isinstance(population, Result)
    figures = population.summary()
    size = f"{figures['population_size']:,}"
    assert size in population.explain("en") and district in population.explain("zh")
    if units == "values":
        assert f"{figures['population_value']:,.2f}" in population.explain("zh")
        assert population.period in population.explain("en")
    figure = population.plot("en")
    drawn = figure.axes[0].patches
    assert drawn and figure.axes[0].get_ylabel() == "Population size"
    if units == "items":
        assert sum(bar.get_height() for bar in drawn) == figures["population_size"]


def test_the_selection_table_beside_the_population_table_counts_only_what_can_be_drawn(
    utility: Path,
) -> None:
    """The page read 总体数量 52,575 (总体) and 总体数量 52,322 (选样) one table apart."""
    district = first_district(utility)
    population = prepare(utility, district, "values", months=6)
    frame = population.frame.copy()
    frame.loc[[0, 1, 2], "amount"] = [0.0, -12.5, 0.0]
    population = dataclasses.replace(population, frame=frame)
    chosen = select(frame, 20, units="values", values="amount", seed=1)
    size, aside_count = len(frame), int((frame["amount"] <= 0).sum())  # 3 and the data's own
    drawable = size - aside_count
    assert aside_count >= 3
    for lang, total, can, aside in (
        ("zh", "总体数量", "可抽样数量", "剔除（零或负值）"),
        ("en", "Population size", "Units that can be drawn", "Set aside (zero or negative)"),
    ):
        shown = dict(population.to_table(lang).to_numpy().tolist())
        drawn = dict(chosen.to_table(lang).to_numpy().tolist())
        assert shown[total] == f"{size:,}" and total not in drawn
        assert (drawn[can], drawn[aside]) == (f"{drawable:,}", f"{aside_count:,}")
    zh, en = chosen.notes[0].text("zh"), chosen.notes[0].text("en")
    assert f"不计入可抽样数量（{size:,} − {aside_count:,} = {drawable:,}）" in zh
    assert f"units that can be drawn ({size:,} - {aside_count:,} = {drawable:,})" in en


def test_a_rerun_writes_the_blank_sheet_again_and_keeps_one_filled_in_its_place(
    utility: Path, tmp_path: Path
) -> None:
    district = first_district(utility)
    dataset = data.load(utility)
    first = study.build(dataset, district, folder=tmp_path, seed=7, months=6)
    again = study.build(dataset, district, folder=tmp_path, seed=7, months=6)
    assert again.sheet == first.sheet and again.headline() == first.headline()
    shutil.copyfile(first.simulated, first.sheet)  # the filled sheet returned where it was written
    filled = first.sheet.read_bytes()
    with pytest.raises(ParameterError, match=r"with \d+ inspector cell\(s\) filled") as caught:
        study.build(dataset, district, folder=tmp_path, seed=7, months=6)
    assert first.sheet.read_bytes() == filled
    # the notebook has no `path`: the message names its parameter and what to give it
    message = str(caught.value)
    assert message.startswith(
        f"parameter 'field_sheet': expected {first.sheet} (filled in) given as field_sheet "
        f'to evaluate it, found "{first.sheet} with '
    )
    assert "another file" not in message
    returned = study.build(
        dataset, district, folder=tmp_path, seed=7, months=6, field_sheet=str(first.sheet)
    )
    assert returned.simulated is None and returned.sheet == first.sheet
    assert returned.headline() == first.headline()  # the simulated answers, read back
    assert first.sheet.read_bytes() == filled


def test_a_district_with_fewer_accounts_than_the_plan_is_planned_over_them(
    utility: Path, tmp_path: Path
) -> None:
    district = first_district(utility)
    flagged = prepare(utility, district, "items", stratum="flagged")
    accounts = len(flagged.frame)
    assert accounts < 93  # the binomial plan at 5 % with 1 % expected asks for 93
    built = study.build(
        data.load(utility),
        district,
        folder=tmp_path,
        units="items",
        stratum="flagged",
        expected=0.01,
        seed=1,
    )
    # without it: "parameter 'n': expected at most the <accounts> rows of the population"
    assert (built.plan.likelihood, built.plan.population_size) == ("hypergeometric", accounts)
    assert built.selection.n == built.plan.n <= accounts
    assert built.evaluation.method == "hypergeometric"
    assert built.evaluation.population_size == accounts
    said = "census" if built.plan.n == accounts else "finite population"
    assert said in built.section_html("plan", "en")
    assert "finite" not in built.section_html("population", "en")  # only the plan's says so
