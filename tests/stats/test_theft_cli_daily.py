"""`auditkit stats theft --daily` on a synthetic utility with daily reads: the report's scores, and
a read after the bills' last period refused by file, row and column (issue 16's review, problems
4 and 7)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from test_cli import no_team_register, run  # noqa: F401 (a fixture)

from auditkit import synth
from auditkit.data import load
from auditkit.errors import AuditkitError
from auditkit.stats.theft_report import score_theft


@pytest.fixture(scope="module")
def utility(tmp_path_factory):
    config = synth.SynthConfig(customers=300, districts=2, daily_days=430, seed=7)
    folder = tmp_path_factory.mktemp("daily_utility") / "utility"
    return synth.write(synth.generate(config), folder, "csv", config=config)


def test_daily_scores_are_the_reports_with_its_peers_and_interval_reads(
    utility,
    tmp_path,
    no_team_register,  # noqa: F811
):
    assert run("stats", "theft", str(utility), "--daily", "--out", str(tmp_path)) == 0
    written = pd.read_csv(tmp_path / "theft_scores.csv", encoding="utf-8-sig")
    dataset = load(utility)
    report = score_theft(
        dataset.bills,
        dataset.daily_reads,
        dataset.customers,
        str(dataset.bills["period"].max()),
        interval_reads=dataset.interval_reads,
        work_orders=dataset.work_orders,
    ).scores
    daily = report[report["source"] == "daily_reads"].set_index("customer_id")["score"]
    # Before: no peers (and no interval reads) in the CLI, scores apart from the report's.
    cli = written.set_index("customer_id")["score"].reindex(daily.index)
    pd.testing.assert_series_equal(cli, daily, check_names=False, atol=1e-9)


def test_a_daily_read_after_the_bills_last_period_is_refused_by_file_row_and_column(
    utility,
    tmp_path,
    no_team_register,  # noqa: F811
):
    folder = tmp_path / "utility"
    shutil.copytree(utility, folder)
    reads = folder / "daily_reads.csv"
    rows = len(pd.read_csv(reads))
    with reads.open("a", encoding="utf-8") as file:
        file.write("SY00000002,2027-03-01,8.5\n")
    # Before: numpy.linalg.LinAlgError: SVD did not converge (a traceback).
    with pytest.raises(
        AuditkitError,
        match=rf"daily_reads.csv row {rows + 2}, column date: expected a day up to the bills' last "
        r"period \(2025-12-31\), found 2027-03-01 \(reads after it: 1\)",
    ):
        run("stats", "theft", str(folder), "--daily", "--out", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_a_daily_run_counts_each_days_customers_once_and_not_at_all_with_as_of(
    utility,
    tmp_path,
    monkeypatch,
    no_team_register,  # noqa: F811
):
    from pandas.core.groupby.generic import SeriesGroupBy

    counted = []  # rows grouped by day to find the default last day (`theft.ReadEnd.day`)
    count_customers = SeriesGroupBy.nunique

    def counting(self, *args, **kwargs):
        counted.append(len(self.obj))
        return count_customers(self, *args, **kwargs)

    monkeypatch.setattr(SeriesGroupBy, "nunique", counting)
    assert run("stats", "theft", str(utility), "--daily", "--out", str(tmp_path / "a")) == 0
    # Before: 5 (the CLI's field checks and folder, the scoring, each of its two groups).
    assert len(counted) == 1
    counted.clear()
    month = ["--as-of", "2025-11"]
    assert run("stats", "theft", str(utility), "--daily", *month, "--out", str(tmp_path / "b")) == 0
    # Before: 3 (the scoring and its two groups), though a given as_of needs no default.
    assert counted == []


def test_the_customers_scored_apart_are_looked_up_by_their_distinct_ids(utility, monkeypatch):
    from auditkit.stats.theft_report import daily_theft_scores

    dataset = load(utility)
    looked_up = []  # (values given, distinct values) of each isin on a column of ids
    is_in = pd.Series.isin

    def recording(self, values):
        if self.name == "customer_id":
            given = pd.Series(list(values), dtype=object)
            looked_up.append((len(given), given.nunique()))
        return is_in(self, values)

    monkeypatch.setattr(pd.Series, "isin", recording)
    daily_theft_scores(dataset.daily_reads, dataset.customers)
    # Before: the spanning customers' 123,840 reads (288 customers × 430 days) were given, each
    # id 430 times, which pandas' text isin turns one by one into Arrow scalars: 7.3 million on
    # 20,000 customers and 450 days (`stats theft --daily` 50 s of CPU, now 12 s).
    assert looked_up and all(given == distinct for given, distinct in looked_up)


def test_an_as_of_before_every_daily_read_is_named_as_the_flag_not_a_concat_error(
    utility,
    tmp_path,
    no_team_register,  # noqa: F811
):
    first = pd.read_csv(utility / "daily_reads.csv")["date"].min()
    before = str((pd.Timestamp(first) - pd.Timedelta(days=1)).date())
    # Before: ValueError: No objects to concatenate (a traceback), for a day or a month before.
    for as_of in (before, "2020-01"):
        with pytest.raises(
            AuditkitError,
            match=rf"'--as-of': expected a day on or after the reads' first, {first}, "
            rf"found '{as_of}'",
        ):
            run("stats", "theft", str(utility), "--daily", "--as-of", as_of, "--out", str(tmp_path))
    # near miss: the first day itself scores (every customer too short to judge)
    assert run("stats", "theft", str(utility), "--daily", "--as-of", first, "--out",
               str(tmp_path / "first")) == 0  # fmt: skip
    written = pd.read_csv(tmp_path / "first" / "theft_scores.csv", encoding="utf-8-sig")
    assert set(written["status"]) <= {"too_short", "all_zero"}


def test_an_as_of_after_every_daily_read_is_refused_as_the_monthly_scores_refuse_a_later_month(
    utility,
    tmp_path,
    no_team_register,  # noqa: F811
):
    last = pd.Timestamp(pd.read_csv(utility / "daily_reads.csv")["date"].max())
    after = str((last + pd.Timedelta(days=1)).date())
    next_month = str((last + pd.offsets.MonthBegin(1)).to_period("M"))
    # Before: accepted, scored to the reads' last day in a folder named after the later one.
    for as_of in (after, next_month, "2030-01"):
        with pytest.raises(
            AuditkitError,
            match=rf"'--as-of': expected a day on or before the reads' last, {last.date()}, "
            rf"found '{as_of}'",
        ):
            run("stats", "theft", str(utility), "--daily", "--as-of", as_of, "--out", str(tmp_path))
    # near misses: the last day and its month score
    for as_of in (str(last.date()), str(last.to_period("M"))):
        assert run("stats", "theft", str(utility), "--daily", "--as-of", as_of, "--out",
                   str(tmp_path / as_of)) == 0  # fmt: skip
