"""A field sheet records the plan its sample size came from, and is evaluated as planned; an
items plan larger than its population is planned over that finite population."""

from __future__ import annotations

from pathlib import Path

import pytest
from sampling_builders import accounts, bills, fill_items, fill_values, run
from scipy import stats

from auditkit.errors import ParameterError
from auditkit.sampling import plan, read_field_sheet, select, write_field_sheet
from auditkit.sampling.plan import within_population


@pytest.fixture
def bills_file(tmp_path: Path) -> Path:
    path = tmp_path / "bills.csv"
    bills([50 + (i * 37) % 900 for i in range(300)]).to_csv(path, index=False)
    return path


@pytest.fixture
def accounts_file(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.csv"
    accounts(400).to_csv(path, index=False)
    return path


def selected(frame: Path, sheet: Path, *flags: str) -> list[str]:
    """`sample select --frame` with `flags`, writing `sheet`."""
    arguments = ["sample", "select", "--frame", str(frame), "--seed", "3", "--output", str(sheet)]
    assert run([*arguments, "--lang", "en", *flags]) == 0
    return arguments


def test_a_clean_sample_planned_binomial_by_values_is_accepted_as_planned(
    bills_file: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "values.xlsx"
    selected(bills_file, sheet, "--units", "values", "--values", "amount", "--materiality", "0.05",
             "--likelihood", "binomial")  # fmt: skip
    fill_values(sheet, changed=1)
    evaluation = read_field_sheet(sheet).evaluate()
    # planned n 59: 1 - 0.05^(1/59) = 4.95 % < 5 %; the Stringer bound with binomial factors
    # and no taint is that bound (the Poisson default would say 3.00 / 59 = 5.08 %, refused)
    assert (evaluation.n, evaluation.method) == (59, "stringer")
    assert evaluation.upper == pytest.approx(1 - 0.05 ** (1 / 59))
    assert evaluation.materiality == 0.05 and evaluation.conclusion is True


def test_a_clean_sample_planned_hypergeometric_by_items_is_evaluated_hypergeometric(
    accounts_file: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "items.xlsx"
    selected(accounts_file, sheet, "--units", "items", "--materiality", "0.05",
             "--likelihood", "hypergeometric")  # fmt: skip
    fill_items(sheet)
    evaluation = read_field_sheet(sheet).evaluate()
    n = evaluation.n
    # the largest K of the 400 with P(0 errors in n | K) > 5 %, over 400: below 5 %, while the
    # binomial default on the same n would be 1 - 0.05^(1/n), above it
    largest = max(k for k in range(401) if stats.hypergeom.cdf(0, 400, k, n) > 0.05)
    assert evaluation.method == "hypergeometric"
    assert evaluation.upper == pytest.approx(largest / 400)
    assert evaluation.conclusion is True
    assert 1 - 0.05 ** (1 / n) > 0.05  # the near miss the default test made


def test_a_sample_planned_at_90_percent_is_evaluated_at_90_percent(
    accounts_file: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "items.xlsx"
    selected(accounts_file, sheet, "--units", "items", "--materiality", "0.05",
             "--confidence", "0.9")  # fmt: skip
    fill_items(sheet)
    evaluation = read_field_sheet(sheet).evaluate()
    # n 45: 1 - 0.10^(1/45) = 4.99 % < 5 % (at 95 %: 1 - 0.05^(1/45) = 6.44 %)
    assert (evaluation.n, evaluation.confidence) == (45, 0.9)
    assert evaluation.upper == pytest.approx(1 - 0.10 ** (1 / 45))
    assert evaluation.conclusion is True


def test_a_flag_other_than_the_plan_is_used_and_said(
    accounts_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "items.xlsx"
    selected(accounts_file, sheet, "--units", "items", "--materiality", "0.05",
             "--confidence", "0.9")  # fmt: skip
    fill_items(sheet)
    capsys.readouterr()
    evaluate = ["sample", "evaluate", "--sheet", str(sheet), "--lang", "en"]
    assert run([*evaluate, "--confidence", "0.95"]) == 0
    output = capsys.readouterr().out
    assert "--confidence 0.95 differs from the plan the sheet records (0.9)" in output
    assert "6.44%" in output  # 1 - 0.05^(1/45)
    assert run([*evaluate, "--confidence", "0.9"]) == 0  # the plan's, given: nothing said
    assert "differs" not in capsys.readouterr().out


def test_a_sheet_of_a_given_n_is_evaluated_with_the_defaults(
    accounts_file: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "items.xlsx"
    selected(accounts_file, sheet, "--units", "items", "--n", "45")
    fill_items(sheet)
    evaluation = read_field_sheet(sheet).evaluate()
    # no plan recorded: binomial at 95 %, no materiality, 1 - 0.05^(1/45) = 6.44 %
    assert (evaluation.method, evaluation.confidence, evaluation.materiality) == (
        "binomial",
        0.95,
        None,
    )
    assert evaluation.upper == pytest.approx(1 - 0.05 ** (1 / 45))


def test_a_hypergeometric_plan_of_monetary_units_is_refused_naming_likelihood(
    bills_file: Path, tmp_path: Path
) -> None:
    with pytest.raises(ParameterError) as refused:
        selected(bills_file, tmp_path / "values.xlsx", "--units", "values", "--values", "amount",
                 "--materiality", "0.05", "--likelihood", "hypergeometric")  # fmt: skip
    assert refused.value.name == "--likelihood"
    assert not (tmp_path / "values.xlsx").exists()
    values = select(bills([100.0] * 50), 10, units="values", values="amount", seed=1)
    with pytest.raises(ParameterError) as written:
        write_field_sheet(
            values,
            tmp_path / "api.xlsx",
            plan=plan(0.05, likelihood="hypergeometric", population_size=50),
        )
    assert written.value.name == "plan"


def test_an_items_plan_larger_than_the_population_is_planned_over_it() -> None:
    # 0 errors expected, 40 accounts: the binomial n 59 cannot be drawn; hypergeometric: at
    # n 31 two errors among 40 leave P(0) = (9 * 8) / (40 * 39) = 4.6 % < 5 %, so the bound
    # is 1 / 40 = 2.5 %; at n 30, (10 * 9) / (40 * 39) = 5.8 % > 5 %: bound 2 / 40 = 5 %.
    finite = within_population(plan(0.05, 0, "binomial"), 40)
    assert (finite.n, finite.likelihood, finite.population_size) == (31, "hypergeometric", 40)
    assert finite.upper == pytest.approx(1 / 40)
    near_miss = plan(0.05, 0, "binomial")  # 59 accounts fit a population of 59: kept
    assert within_population(near_miss, 59) is near_miss


def test_a_population_no_smaller_sample_of_which_meets_the_plan_is_examined_in_full(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 15 accounts, 1 % expected: binomial n 93; hypergeometric with 1 error expected in 15 can
    # never bound below 5 % (1 / 15 = 6.67 % even when all are seen): a census of the 15.
    path = tmp_path / "accounts.csv"
    accounts(15).to_csv(path, index=False)
    sheet = tmp_path / "census.xlsx"
    selected(path, sheet, "--units", "items", "--materiality", "0.05", "--expected", "0.01")
    assert "a census, all 15 accounts examined" in capsys.readouterr().out
    fill_items(sheet)
    evaluation = read_field_sheet(sheet).evaluate()
    # every account seen without error: the error rate is known, 0 / 15
    assert (evaluation.n, evaluation.method, evaluation.upper) == (15, "hypergeometric", 0.0)
    assert evaluation.conclusion is True


def test_population_size_with_a_sheet_is_refused(accounts_file: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "items.xlsx"
    selected(accounts_file, sheet, "--units", "items", "--n", "20")
    fill_items(sheet)
    with pytest.raises(ParameterError) as refused:
        run(["sample", "evaluate", "--sheet", str(sheet), "--population-size", "556"])
    assert refused.value.name == "--population-size"


def test_a_plan_out_of_reach_names_the_max_n_flag(capsys: pytest.CaptureFixture[str]) -> None:
    planning = ["sample", "plan", "--materiality", "0.05", "--likelihood", "binomial"]
    with pytest.raises(ParameterError) as refused:
        run([*planning, "--expected", "0.049"])
    assert refused.value.name == "--max-n" and refused.value.found == 100_000
    # a limit above the 59 of a clean sample is no limit: 1 - 0.05^(1/59) = 4.95 %
    assert run([*planning, "--max-n", "59"]) == 0
    assert "59" in capsys.readouterr().out
    with pytest.raises(ParameterError):
        run([*planning, "--max-n", "58"])
