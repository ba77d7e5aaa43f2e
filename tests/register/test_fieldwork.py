"""The simulated field: outcomes that follow the truth table, self-audits that under-report,
cross-audits that do not, worklists chosen as documented, and the same seed the same events."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from auditkit import rules, synth
from auditkit.data import Dataset
from auditkit.errors import ParameterError
from auditkit.periods import month_number
from auditkit.register import fieldwork
from auditkit.register.keys import finding_keys

MONTHS = ("2024-09", "2024-10", "2024-11")
UNTIL = "2024-12-31"


@pytest.fixture(scope="module")
def utility() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """A small utility with many irregularities: each month's findings, and the truth."""
    tables = synth.generate(customers=3000, districts=4, months=24, seed=3, irregular_share=0.09)
    dataset = Dataset.from_frames(tables)
    return {month: rules.run(dataset, as_of=month) for month in MONTHS}, tables["truth"]


@pytest.fixture(scope="module")
def events(utility: tuple[dict[str, pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
    findings, truth = utility
    return fieldwork.simulate(findings, truth, until=UNTIL)


@pytest.fixture(scope="module")
def described(
    utility: tuple[dict[str, pd.DataFrame], pd.DataFrame], events: pd.DataFrame
) -> pd.DataFrame:
    """The default simulation's events, described (`_described`)."""
    findings, truth = utility
    return _described(events, findings, truth)


def _described(events: pd.DataFrame, findings: dict[str, pd.DataFrame], truth: pd.DataFrame):
    """The events with their finding's customer, rule, district, area, revenue and kind, the
    month audited (from the source) and whether truth labels the customer with the rule then."""
    frames = [
        frame.assign(finding_key=finding_keys(frame).to_numpy(), month=month)
        for month, frame in findings.items()
    ]
    columns = ["finding_key", "month", "customer_id", "rule_id", "district", "area",
               "revenue_impact", "revenue_kind"]  # fmt: skip
    described = events.assign(month=events["source"].str.split(" ").str[2]).merge(
        pd.concat(frames)[columns], on=["finding_key", "month"], how="left", validate="many_to_one"
    )
    assert described["customer_id"].notna().all()
    starts = (
        truth.assign(start=month_number(truth["from_period"].astype(str)))
        .groupby(["customer_id", "irregularity"], as_index=False)["start"]
        .min()
    )
    labelled = described.merge(
        starts,
        left_on=["customer_id", "rule_id"],
        right_on=["customer_id", "irregularity"],
        how="left",
    )
    described["real"] = (labelled["start"] <= month_number(labelled["month"])).to_numpy()
    return described


def test_a_confirmed_finding_is_an_irregularity_the_truth_gives_its_customer(
    described: pd.DataFrame,
) -> None:
    confirmed = described[described["event"] == "confirmed"]
    assert len(confirmed) > 50
    assert confirmed["real"].all()


def test_a_real_irregularity_called_a_false_alarm_was_checked_by_its_own_district(
    described: pd.DataFrame,
) -> None:
    false_alarms = described[described["event"] == "false_alarm"]
    missed = false_alarms[false_alarms["real"]]
    assert len(missed) > 0 and len(false_alarms[~false_alarms["real"]]) > 0
    assert missed["auditor"].isna().all()


def test_without_under_reporting_every_false_alarm_is_an_honest_customer(utility) -> None:
    findings, truth = utility
    recipe = fieldwork.FieldRecipe(self_audit_miss_share=0.0)
    described = _described(fieldwork.simulate(findings, truth, until=UNTIL, recipe=recipe),
                           findings, truth)  # fmt: skip
    verdicts = described[described["event"].isin(["confirmed", "false_alarm"])]
    assert len(verdicts) > 100
    assert (verdicts["event"] == np.where(verdicts["real"], "confirmed", "false_alarm")).all()


def test_a_self_audit_that_misses_everything_confirms_nothing_and_the_cross_audit_finds_it(
    utility,
) -> None:
    findings, truth = utility
    recipe = fieldwork.FieldRecipe(self_audit_miss_share=1.0)
    described = _described(fieldwork.simulate(findings, truth, until=UNTIL, recipe=recipe),
                           findings, truth)  # fmt: skip
    verdicts = described[described["event"].isin(["confirmed", "false_alarm"])]
    by_self = verdicts[verdicts["auditor"].isna()]
    by_cross = verdicts[verdicts["auditor"].notna()]
    assert (by_self["event"] == "false_alarm").all() and by_self["real"].sum() > 20
    assert (by_cross["event"] == np.where(by_cross["real"], "confirmed", "false_alarm")).all()
    # The cross team re-checks what the district's own team called false alarms in the first
    # month and is still found: every real one of them is confirmed in the cross-audit month.
    first = by_self[(by_self["month"] == MONTHS[0]) & by_self["real"]]
    still_found = first[first["finding_key"].isin(finding_keys(findings[MONTHS[1]]))]
    rechecked = by_cross[by_cross["selected_by"].isna()]
    assert len(still_found) > 5
    assert set(still_found["finding_key"]) <= set(
        rechecked.loc[rechecked["event"] == "confirmed", "finding_key"]
    )


def test_the_cross_audit_month_rotates_the_districts_and_the_others_are_self_audits(
    events: pd.DataFrame,
) -> None:
    sent = events[events["event"] == "sent"].assign(
        month=lambda frame: frame["source"].str.split(" ").str[2],
        district=lambda frame: frame["source"].str.split(" ").str[3],
    )
    assert sent.loc[sent["month"] != MONTHS[1], "auditor"].isna().all()
    cross = sent[sent["month"] == MONTHS[1]].drop_duplicates("district")
    names = sorted(cross["district"])
    assert len(names) == 4
    expected = {name: names[(index + 1) % 4] for index, name in enumerate(names)}
    assert dict(zip(cross["district"], cross["auditor"], strict=True)) == expected


def test_each_month_samples_the_unsent_findings_then_takes_the_top_by_revenue(
    utility, events: pd.DataFrame
) -> None:
    findings, _truth = utility
    sent = events[(events["event"] == "sent") & events["selected_by"].notna()]
    assert not sent["finding_key"].duplicated().any()  # a finding goes out once (re-checks aside)
    recipe = fieldwork.FieldRecipe()
    before: set[str] = set()
    for month in MONTHS:
        frame = findings[month].assign(finding_key=finding_keys(findings[month]).to_numpy())
        fresh = frame[~frame["finding_key"].isin(before)]
        this = sent[sent["source"].str.startswith(f"demo field {month} ")]
        for district, group in fresh.groupby("district"):
            chosen = this[this["source"] == f"demo field {month} {district}"]
            sample = chosen[chosen["selected_by"] == "sample"]
            top = chosen[chosen["selected_by"] == "revenue"]
            assert len(sample) == math.ceil(recipe.sample_share * len(group))
            assert len(top) == min(recipe.top, len(group) - len(sample))
            rest = group[~group["finding_key"].isin(sample["finding_key"])]
            largest = rest.nlargest(len(top), "revenue_impact")["revenue_impact"]
            taken = rest.set_index("finding_key").loc[top["finding_key"], "revenue_impact"]
            assert sorted(taken) == sorted(largest)
        before |= set(this["finding_key"])


def test_the_work_follows_in_time_and_stops_at_the_simulations_end(described: pd.DataFrame) -> None:
    assert described["happened_at"].max() <= pd.Timestamp(UNTIL)
    sent = described[described["event"] == "sent"]
    days = sent["happened_at"].to_numpy().astype("datetime64[D]")
    assert np.is_busday(days).all()
    next_month = month_number(sent["month"]) + 1
    assert (month_number(sent["happened_at"].dt.strftime("%Y-%m")) == next_month).all()
    first_days = (next_month - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
    assert (np.busday_count(first_days, days) < fieldwork.SEND_WITHIN_WORKING_DAYS).all()
    when = described.pivot_table(
        index=["finding_key", "source"], columns="event", values="happened_at", aggfunc="min"
    )
    checked = when[["sent", "confirmed"]].dropna()
    waited = (checked["confirmed"] - checked["sent"]).dt.days
    assert waited.between(fieldwork.CHECK_DAYS[0], fieldwork.CHECK_DAYS[1] + 3).all()  # + a weekend
    rectified = when[["confirmed", "rectified"]].dropna()
    assert (rectified["rectified"] > rectified["confirmed"]).all()
    paid = when[["rectified", "recovered"]].dropna()
    assert (paid["recovered"] >= paid["rectified"]).all()
    assert (when["archive_corrected"].dropna() == when.loc[
        when["archive_corrected"].notna(), "rectified"]).all()  # fmt: skip
    # A month's late work is still open at the end: not every confirmed finding is rectified.
    assert len(rectified) < len(when["confirmed"].dropna())


def test_recovered_amounts_are_a_share_of_the_revenue_at_stake_by_its_kind(
    described: pd.DataFrame,
) -> None:
    recovered = described[described["event"] == "recovered"]
    share = recovered["amount"] / recovered["revenue_impact"]
    estimated = recovered["revenue_kind"] == "estimated"
    assert estimated.any() and (~estimated).any()
    assert share[~estimated].between(0.9 - 0.005, 1.0 + 0.005).all()
    assert share[estimated].between(0.4 - 0.005, 0.8 + 0.005).all()
    corrected = described[described["event"] == "archive_corrected"]
    assert len(corrected) > 0
    assert (
        corrected["area"].eq("metering") | corrected["rule_id"].isin(fieldwork.ARCHIVE_RULES)
    ).all()
    assert not described.loc[described["event"].isin(["recovered", "archive_corrected"])
                             & ~described["real"]].shape[0]  # fmt: skip


def test_the_same_seed_gives_the_same_events_whatever_the_row_order(
    utility, events: pd.DataFrame
) -> None:
    findings, truth = utility
    shuffled = {month: frame.sample(frac=1, random_state=7) for month, frame in findings.items()}
    again = fieldwork.simulate(shuffled, truth.sample(frac=1, random_state=7), until=UNTIL)
    pd.testing.assert_frame_equal(again, events)
    other = fieldwork.simulate(findings, truth, until=UNTIL, recipe=fieldwork.FieldRecipe(seed=1))
    assert not other.equals(events)


def test_a_recipe_outside_what_the_simulation_can_do_is_refused_by_name() -> None:
    with pytest.raises(ParameterError, match=r"'self_audit_miss_share'.*found 1\.5"):
        fieldwork.FieldRecipe(self_audit_miss_share=1.5)
    with pytest.raises(ParameterError, match=r"'check_days'.*found \(9, 3\)"):
        fieldwork.FieldRecipe(check_days=(9, 3))
    with pytest.raises(ParameterError, match=r"'rectify_days'.*whole numbers.*found 5"):
        fieldwork.FieldRecipe(rectify_days=5)
    with pytest.raises(ParameterError, match=r"'proved_recovered'.*found \('0\.9', 1\.0\)"):
        fieldwork.FieldRecipe(proved_recovered=("0.9", 1.0))
    with pytest.raises(ParameterError, match=r"'until'.*found 'soon'"):
        fieldwork.simulate({}, pd.DataFrame(columns=["customer_id", "irregularity"]), until="soon")
