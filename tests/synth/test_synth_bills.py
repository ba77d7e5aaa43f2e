"""The synthetic utility's itemized bills: they add up, honest bills recompute by hand to the fen
from the tables alone, every billing fault injected has its truth row and its exact effect."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

import auditkit.synth.catalog as catalog
from auditkit import synth
from auditkit.cli import main
from auditkit.errors import ParameterError
from auditkit.synth import ledger

# A small utility with more irregular customers than the demo's (5 % against 3 %): several of each
# billing fault (from about 9 % the suspension injections take every high-voltage capacity customer
# the proration fault of basic_charge_error needs).
CONFIG = synth.SynthConfig(customers=3000, districts=4, months=36, seed=3, irregular_share=0.05)
NEW_RULES = (
    "tou_misapplied",
    "tier_misapplied",
    "basic_charge_error",
    "pf_adjustment_error",
    "loss_not_charged",
    "fund_charge_error",
)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    tables = synth.generate(CONFIG)
    for name in ("bills", "bill_lines"):
        tables[name] = tables[name].astype({"customer_id": str, "period": str})
    return tables


@pytest.fixture(scope="module")
def world():
    return synth.build(CONFIG)


def fen(value: Decimal | float, places: str = "0.01") -> float:
    """Half up to `places`, in decimal arithmetic (independent of the generator's rounding)."""
    return float(Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def times(*values: float) -> Decimal:
    product = Decimal(1)
    for value in values:
        product *= Decimal(str(value))
    return product


def _honest(tables: dict[str, pd.DataFrame]) -> pd.Index:
    customers = tables["customers"]["customer_id"]
    return pd.Index(customers[~customers.isin(tables["truth"]["customer_id"])])


def _lines(tables, customer: str, period: str) -> pd.DataFrame:
    lines = tables["bill_lines"]
    return lines[(lines["customer_id"] == customer) & (lines["period"] == period)]


def _bill(tables, customer: str, period: str) -> pd.Series:
    bills = tables["bills"]
    return bills[(bills["customer_id"] == customer) & (bills["period"] == period)].iloc[0]


def _rate(tables, category: str, day: pd.Timestamp, voltage: float, **key: object) -> pd.Series:
    """The tariff row of `category` in force on `day`, by hand: narrowest band, exact period/tier."""
    rows = tables["tariffs"]
    rows = rows[
        (rows["tariff_category"] == category)
        & (rows["valid_from"] <= day)
        & (rows["valid_to"].isna() | (rows["valid_to"] >= day))
        & (rows["voltage_kv_min"].isna() | (rows["voltage_kv_min"] <= voltage))
        & (rows["voltage_kv_max"].isna() | (rows["voltage_kv_max"] >= voltage))
    ]
    period, tier = key.get("tou_period"), key.get("tier")
    rows = rows[rows["tou_period"].isna() if period is None else rows["tou_period"] == period]
    rows = rows[rows["tier"].isna() if tier is None else rows["tier"] == tier]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def _flat_rate(tables, category: str, day: pd.Timestamp, voltage: float) -> pd.Series:
    """The row of the flat period, or of no period where the category has none in force."""
    rows = tables["tariffs"]
    periods = rows.loc[
        (rows["tariff_category"] == category)
        & (rows["valid_from"] <= day)
        & (rows["valid_to"].isna() | (rows["valid_to"] >= day)),
        "tou_period",
    ]
    period = "flat" if (periods == "flat").any() else None
    return _rate(tables, category, day, voltage, tou_period=period)


def pf_percent(standard: float, pf: float) -> float:
    """The 1983 tables (水电财字〔1983〕215号) as DOMAIN.md writes them, p = PF × 100."""
    p = round(pf * 100)
    if standard == 0.90:
        if p >= 95:
            return -0.75
        if p >= 90:
            return -0.15 * (p - 90)
        if p >= 70:
            return 0.5 * (90 - p)
        return 10 + (70 - p) if p >= 65 else 15 + 2 * (65 - p)
    if p >= 94:
        return -1.10
    if p >= 91:
        return -(0.50 + 0.15 * (p - 90))
    if p >= 85:
        return -0.10 * (p - 85)
    if p >= 65:
        return 0.5 * (85 - p)
    return 10 + (65 - p) if p >= 60 else 15 + 2 * (60 - p)


def test_every_bill_is_the_sum_of_its_lines(tables):
    bills, lines = tables["bills"], tables["bill_lines"]
    key = ["customer_id", "period"]
    by_type = lines.pivot_table(
        index=key, columns="line_type", values="amount", aggfunc="sum", observed=True
    )
    bills = bills.set_index(key)
    by_type = by_type.reindex(bills.index).fillna(0.0)
    assert np.allclose(by_type.sum(axis=1), bills["amount"], atol=0.001)
    assert np.allclose(by_type["energy"] + by_type["loss"], bills["energy_charge"], atol=0.001)
    assert np.allclose(by_type["basic"], bills["basic_charge"], atol=0.001)
    assert np.allclose(by_type["pf_adjustment"], bills["pf_adjustment"], atol=0.001)
    assert np.allclose(by_type["fund"], bills["fund_charge"], atol=0.001)
    assert np.allclose(
        bills["energy_charge"]
        + bills["basic_charge"]
        + bills["pf_adjustment"]
        + bills["fund_charge"],
        bills["amount"],
        atol=0.001,
    )
    # Each line is its quantity × rate rounded half up to the fen.
    sample = lines.sample(2000, random_state=1)
    expected = [fen(times(q, r)) for q, r in zip(sample["quantity"], sample["rate"], strict=True)]
    assert sample["amount"].tolist() == expected
    # Energy lines carry the whole metered kWh.
    energy = lines[lines["line_type"] == "energy"].groupby(key, observed=True)["quantity"].sum()
    assert np.allclose(energy.reindex(bills.index).fillna(0.0), bills["kwh_billed"], atol=0.001)


def test_time_of_use_lines_are_the_period_registers(tables):
    customers = tables["customers"].set_index("customer_id")
    tou = _honest(tables).intersection(customers.index[customers["tou"]])
    bills = tables["bills"]
    bills = bills[
        bills["customer_id"].isin(tou)
        & bills["tariff_billed"].isin(["COM", "IND"])
        & (bills["kwh_billed"] > 0)
    ]
    assert len(bills) > 1000
    registers = bills[["kwh_critical", "kwh_peak", "kwh_valley"]].sum(axis=1)
    assert (registers <= bills["kwh_billed"] + 1e-9).all()
    # The critical period exists in its months only (January, July, August, December).
    month = bills["period"].str[5:7].astype(int)
    assert (bills.loc[~month.isin([1, 7, 8, 12]), "kwh_critical"] == 0).all()
    assert (bills.loc[month.isin([7, 8]), "kwh_critical"] > 0).mean() > 0.9
    lines = tables["bill_lines"]
    lines = lines[(lines["line_type"] == "energy") & lines["customer_id"].isin(tou)]
    per_period = lines.pivot_table(
        index=["customer_id", "period"],
        columns="tou_period",
        values="quantity",
        aggfunc="sum",
        observed=True,
    ).fillna(0.0)
    joined = bills.set_index(["customer_id", "period"]).join(per_period, how="inner")
    assert len(joined) == len(bills)
    assert np.allclose(joined["peak"], joined["kwh_peak"])
    assert np.allclose(joined["valley"], joined["kwh_valley"])
    assert np.allclose(joined["critical"], joined["kwh_critical"])
    flat = joined["kwh_billed"] - joined[["kwh_critical", "kwh_peak", "kwh_valley"]].sum(axis=1)
    assert np.allclose(joined["flat"], flat)


def test_a_tiered_bill_by_hand(tables):
    customers = tables["customers"].set_index("customer_id")
    single = _honest(tables).intersection(customers.index[customers["tier_scheme"] == "single"])
    bills = tables["bills"]
    bills = bills[bills["customer_id"].isin(single) & (bills["tariff_billed"] == "RES")].copy()
    bills["year"] = bills["period"].str[:4]
    bills["after"] = bills.groupby(["customer_id", "year"])["kwh_billed"].cumsum()
    bills["before"] = bills["after"] - bills["kwh_billed"]
    crossing = bills[(bills["before"] < 2160) & (bills["after"] > 2160)]
    assert len(crossing) > 20
    bill = crossing.iloc[0]
    day = bill["read_to"]
    tier1 = _rate(tables, "RES", day, 0.4, tier=1)
    tier2 = _rate(tables, "RES", day, 0.4, tier=2)
    assert tier1["tier_to_kwh"] == 2160 and tier2["tier_from_kwh"] == 2160
    q1 = float(Decimal("2160") - Decimal(str(round(bill["before"], 2))))
    q2 = float(Decimal(str(bill["kwh_billed"])) - Decimal(str(q1)))
    lines = _lines(tables, bill["customer_id"], bill["period"])
    assert lines["tier"].tolist() == [1, 2]
    assert lines["quantity"].tolist() == pytest.approx([q1, q2])
    assert lines["rate"].tolist() == [tier1["energy_rate"], tier2["energy_rate"]]
    assert lines["amount"].tolist() == [
        fen(times(q1, tier1["energy_rate"])),
        fen(times(q2, tier2["energy_rate"])),
    ]
    assert tier2["energy_rate"] == pytest.approx(tier1["energy_rate"] + 0.05)


def test_a_market_price_change_inside_the_read_period_splits_each_period_by_read_days(tables):
    customers = tables["customers"].set_index("customer_id")
    bills = tables["bills"]
    late = bills[
        bills["customer_id"].isin(_honest(tables))
        & (bills["read_from"].dt.day == 25)
        & (bills["period"] == "2025-06")
        & bills["customer_id"].map(customers["tou"])
    ]
    assert len(late) > 10
    bill = late.iloc[0]
    customer = customers.loc[bill["customer_id"]]
    read_days = (bill["read_to"] - bill["read_from"]).days + 1
    change = pd.Timestamp("2025-06-01")
    old_days = (change - bill["read_from"]).days
    registers = {
        "critical": bill["kwh_critical"],
        "peak": bill["kwh_peak"],
        "valley": bill["kwh_valley"],
    }
    registers["flat"] = float(
        Decimal(str(bill["kwh_billed"])) - sum(Decimal(str(v)) for v in registers.values())
    )
    lines = _lines(tables, bill["customer_id"], bill["period"])
    lines = lines[lines["line_type"] == "energy"]
    for period, kwh in registers.items():
        if kwh == 0:
            continue
        old_rate = _rate(
            tables,
            bill["tariff_billed"],
            bill["read_from"],
            customer["voltage_kv"],
            tou_period=period,
        )
        new_rate = _rate(
            tables,
            bill["tariff_billed"],
            bill["read_to"],
            customer["voltage_kv"],
            tou_period=period,
        )
        assert old_rate["market"] and new_rate["market"]
        q_old = fen(Decimal(str(kwh)) * old_days / read_days)
        q_new = float(Decimal(str(kwh)) - Decimal(str(q_old)))
        got = lines[lines["tou_period"] == period]
        assert got["quantity"].tolist() == pytest.approx([q_old, q_new])
        assert got["rate"].tolist() == [old_rate["energy_rate"], new_rate["energy_rate"]]
        assert got["amount"].tolist() == [
            fen(times(q_old, old_rate["energy_rate"])),
            fen(times(q_new, new_rate["energy_rate"])),
        ]


def test_a_high_low_bill_by_hand_losses_basic_power_factor_and_funds(tables):
    customers = tables["customers"].set_index("customer_id")
    transformers = tables["transformers"]
    single_unit = transformers.groupby("customer_id").size() == 1
    candidates = customers[
        (customers["metering_mode"] == "high_low")
        & (customers["basic_charge_basis"] == "capacity")
        & customers.index.isin(_honest(tables))
        & customers.index.isin(single_unit[single_unit].index)
    ]
    assert len(candidates) > 5
    customer_id = candidates.index[0]
    customer = candidates.iloc[0]
    unit = transformers[transformers["customer_id"] == customer_id].iloc[0]
    bill = _bill(tables, customer_id, "2023-05")
    lines = _lines(tables, customer_id, "2023-05").set_index("line_type")
    # Losses: T = 24 × read days, Ap = kWh, Aq = kvarh import + export (average-load method).
    hours = 24 * ((bill["read_to"] - bill["read_from"]).days + 1)
    reactive = bill["kvarh_import"] + bill["kvarh_export"]
    loss = unit["no_load_loss_kw"] * hours + unit["load_loss_kw"] * (
        bill["kwh_billed"] ** 2 + reactive**2
    ) / (unit["kva"] ** 2 * hours)
    loss = fen(loss, "1")
    assert bill["loss_kwh"] == loss
    category, voltage = bill["tariff_billed"], customer["voltage_kv"]
    flat = _rate(tables, category, bill["read_to"], voltage, tou_period="flat")
    assert lines.loc["loss", "amount"] == fen(times(loss, flat["energy_rate"]))
    # Basic charge on the capacity of the transformer.
    basic = fen(times(unit["kva"], flat["basic_rate_kva_month"]))
    assert lines.loc["basic", "quantity"] == unit["kva"]
    assert lines.loc["basic", "amount"] == basic
    # Power factor from kWh + loss and import + |export|, the table of the customer's standard.
    active = bill["kwh_billed"] + loss
    pf = fen(active / np.sqrt(active**2 + reactive**2))
    assert bill["power_factor"] == pf
    percent = pf_percent(customer["pf_standard"], pf)
    energy = _lines(tables, customer_id, "2023-05")
    energy = energy.loc[energy["line_type"] == "energy", "amount"].sum()
    base = fen(energy + lines.loc["loss", "amount"] + basic)
    assert lines.loc["pf_adjustment", "quantity"] == pytest.approx(base)
    assert lines.loc["pf_adjustment", "amount"] == fen(times(base, fen(percent, "0.0001")) / 100)
    # Funds on kWh + loss kWh, outside the power-factor base.
    fund = fen(times(fen(active), flat["fund_rate"]))
    assert lines.loc["fund", "amount"] == fund


def test_a_suspension_month_is_prorated_by_day():
    # A utility without irregularities: its few suspensions are all honest.
    tables = synth.generate(CONFIG, irregular_share=0.0)
    orders = tables["work_orders"]
    suspended = orders[orders["order_type"] == "suspension"]
    customers = tables["customers"].set_index("customer_id")
    order = suspended.iloc[0]
    customer = customers.loc[order["customer_id"]]
    date = order["effective_date"]
    bill = _bill(tables, order["customer_id"], date.strftime("%Y-%m"))
    before = (date - bill["read_from"]).days
    after = (bill["read_to"] - date).days + 1
    quantity = (float(order["old_value"]) * before + float(order["new_value"]) * after) / 30
    rate = _rate(
        tables, bill["tariff_billed"], bill["read_to"], customer["voltage_kv"], tou_period="flat"
    )["basic_rate_kva_month"]
    basic = _lines(tables, order["customer_id"], bill["period"]).set_index("line_type").loc["basic"]
    assert basic["quantity"] == pytest.approx(quantity, abs=1e-4)
    assert basic["amount"] == fen(times(quantity, rate))
    # The transformer table tells the same: one of two units sealed from that day, and from the
    # day of each suspension of the customer (a look-alike suspends once in each of two years).
    units = tables["transformers"]
    units = units[units["customer_id"] == order["customer_id"]]
    sealed = units[units["status"] == "sealed"]
    assert date in sealed["status_since"].tolist()
    own = suspended[suspended["customer_id"] == order["customer_id"]]
    assert sealed["status_since"].tolist() == sorted(own["effective_date"])
    assert sealed["transformer_id"].nunique() == 1
    assert units.drop_duplicates("transformer_id")["kva"].sum() == float(order["old_value"])


def test_a_demand_bill_by_hand(tables):
    customers = tables["customers"].set_index("customer_id")
    demand = customers[
        (customers["basic_charge_basis"] == "demand") & customers.index.isin(_honest(tables))
    ]
    bills = tables["bills"]
    bills = bills[bills["customer_id"].isin(demand.index) & (bills["period"] == "2024-03")]
    bills = bills.join(demand[["contract_demand_kw", "contract_capacity_kva"]], on="customer_id")
    floor = 0.4 * bills["contract_capacity_kva"]
    excess = np.maximum(bills["max_demand_kw"] - 1.05 * bills["contract_demand_kw"], 0.0)
    billed = np.maximum(bills["max_demand_kw"], floor) + excess
    lines = tables["bill_lines"]
    lines = lines[(lines["line_type"] == "basic") & (lines["period"] == "2024-03")]
    got = lines.set_index("customer_id").loc[bills["customer_id"]]
    assert np.allclose(got["quantity"].to_numpy(), billed.to_numpy())
    per_kw = tables["tariffs"].groupby("tariff_category")["basic_rate_kw_month"].first()
    assert got["rate"].tolist() == per_kw.loc[bills["tariff_billed"].astype(str)].tolist()
    assert np.allclose(
        got["amount"], [fen(times(q, r)) for q, r in zip(got["quantity"], got["rate"], strict=True)]
    )
    # Some honest months sit on the floor or pay an excess: the rules must expect both.
    assert (bills["max_demand_kw"] < floor).any() or (excess > 0).any()


def test_each_billing_fault_has_a_truth_row_with_its_exact_effect(tables, world):
    truth = tables["truth"]
    bills = tables["bills"]
    prorated = truth["detail"] == "suspension months not prorated"  # capacity_underbilled's
    for rule in NEW_RULES:
        rows = truth[(truth["irregularity"] == rule) | (prorated & (rule == "basic_charge_error"))]
        assert len(rows) >= 3, rule
        assert (rows["revenue_effect"] > 0).all(), rule
        idx = np.sort(np.flatnonzero(np.isin(world.customer_id, rows["customer_id"])))
        due = ledger.compute(world, idx, faults=False)
        billed = bills.set_index(["customer_id", "period"])["amount"]
        due_amount = pd.Series(
            due.amount,
            index=pd.MultiIndex.from_arrays(
                [world.customer_id[due.customer], np.asarray(world.periods)[due.month]]
            ),
        )
        gap = (due_amount - billed.reindex(due_amount.index)).groupby(level=0).sum().round(2)
        effect = rows.groupby("customer_id")["revenue_effect"].sum()
        assert gap.reindex(effect.index).tolist() == pytest.approx(effect.tolist(), abs=0.011)


def test_fault_signatures_in_the_lines(tables):
    truth, lines = tables["truth"], tables["bill_lines"]

    def after(rule: str, detail: str) -> pd.DataFrame:
        rows = truth[(truth["irregularity"] == rule) & (truth["detail"] == detail)]
        assert len(rows) >= 1, (rule, detail)
        chosen = lines.merge(rows[["customer_id", "from_period"]], on="customer_id")
        return chosen[chosen["period"] >= chosen["from_period"]]

    assert after("tou_misapplied", "billed at the flat rate")["tou_period"].isna().all()
    assert set(after("tier_misapplied", "tiers reset every month")["tier"].dropna()) == {1}
    assert "loss" not in set(after("loss_not_charged", "no loss lines")["line_type"])
    assert "fund" not in set(after("fund_charge_error", "funds missing")["line_type"])


def test_missing_funds_cost_exactly_the_fund_lines_by_hand(tables):
    truth, bills = tables["truth"], tables["bills"]
    rows = truth[
        (truth["irregularity"] == "fund_charge_error") & (truth["detail"] == "funds missing")
    ]
    row = rows.iloc[0]
    customer = tables["customers"].set_index("customer_id").loc[row["customer_id"]]
    mine = bills[
        (bills["customer_id"] == row["customer_id"]) & (bills["period"] >= row["from_period"])
    ]
    expected = 0.0
    for bill in mine.itertuples():
        rate = _flat_rate(tables, bill.tariff_billed, bill.read_to, customer["voltage_kv"])
        quantity = fen(bill.kwh_billed + (0.0 if np.isnan(bill.loss_kwh) else bill.loss_kwh))
        expected += fen(times(quantity, rate["fund_rate"]))
    assert row["revenue_effect"] == pytest.approx(expected, abs=0.005)


def test_prorating_fault_is_capacity_underbilled_alone(tables):
    # The capacity billed is short of the capacity in force: one finding, its money counted once.
    truth = tables["truth"]
    prorate = truth[truth["detail"] == "suspension months not prorated"]
    assert len(prorate) >= 1
    for customer in prorate["customer_id"]:
        rows = truth[truth["customer_id"] == customer].set_index("irregularity")
        assert list(rows.index) == ["capacity_underbilled"]
        assert rows.loc["capacity_underbilled", "revenue_effect"] > 0


def test_time_of_use_and_tiered_customers_are_tagged_look_alikes(tables):
    lookalikes = tables["lookalikes"]
    customers = tables["customers"]
    tou = lookalikes.loc[lookalikes["kind"] == "tou_bill", "customer_id"]
    tiered = lookalikes.loc[lookalikes["kind"] == "tiered_bill", "customer_id"]
    other = lookalikes.loc[~lookalikes["kind"].isin(["tou_bill", "tiered_bill"]), "customer_id"]
    expected_tou = customers.loc[customers["tou"], "customer_id"]
    expected_tou = expected_tou[
        ~expected_tou.isin(tables["truth"]["customer_id"]) & ~expected_tou.isin(other)
    ]
    assert set(tou) == set(expected_tou)
    assert customers.set_index("customer_id").loc[tiered, "tier_scheme"].eq("single").all()
    assert not lookalikes["customer_id"].isin(tables["truth"]["customer_id"]).any()


@pytest.mark.parametrize(("share", "low", "high"), [(0.015, 0.01, 0.02), (0.03, 0.02, 0.04)])
def test_irregular_share_is_the_share_of_irregular_customers(share, low, high):
    tables = synth.generate(customers=10_000, districts=4, months=36, seed=8, irregular_share=share)
    irregular = tables["truth"]["customer_id"].nunique() / 10_000
    assert low <= irregular <= high


def test_a_bad_irregular_share_is_refused_by_name(tmp_path, capsys):
    for bad in (-0.01, 0.2, float("nan"), "0.01"):
        with pytest.raises(ParameterError, match="parameter 'irregular_share'"):
            synth.generate(customers=100, months=24, irregular_share=bad)
    assert main(["synth", "--irregular-share", "0.2", "--out", str(tmp_path / "d")]) == 2
    assert "parameter '--irregular-share'" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_meter_tests_follow_the_class_cycles_and_honest_meters_pass(tables):
    customers = tables["customers"].set_index("customer_id")
    cycle = customers["meter_test_cycle_months"]
    # DL/T 448-2016: class I (35 kV or ≥ 2000 kVA) 6 months, II (other two-part) 12, III 24.
    two_part = customers["tariff_category"].isin(["COM2", "IND2"])
    assert (cycle[customers["voltage_kv"] >= 35] == 6).all()
    assert set(cycle[two_part & (customers["voltage_kv"] < 35)].dropna()) <= {6, 12}
    assert set(cycle[~two_part].dropna()) == {24}
    tests = tables["meter_tests"].sort_values(["customer_id", "tested_at"])
    honest = tests[tests["customer_id"].isin(_honest(tables))]
    assert (honest["error_pct"].abs() < 1.0).all()
    gaps = honest.groupby("customer_id")["tested_at"].diff().dt.days.dropna()
    months = cycle.reindex(honest.loc[gaps.index, "customer_id"]).to_numpy()
    assert np.allclose(gaps.to_numpy(), np.round(months * 30.4), atol=1)
    last = tests.groupby("customer_id")["tested_at"].max()
    assert (last == customers.loc[last.index, "meter_test_date"]).all()


def test_honest_meter_events_clear_within_hours_and_adjustments_are_approved(tables):
    truth, lookalikes = tables["truth"], tables["lookalikes"]

    def made(rule: str, lookalike: str) -> pd.Series:
        """Customers given `rule` on purpose, or made into its look-alike `lookalike`."""
        return pd.concat(
            [
                truth.loc[truth["irregularity"] == rule, "customer_id"],
                lookalikes.loc[lookalikes["kind"] == lookalike, "customer_id"],
            ]
        )

    events = tables["meter_events"]
    lasted = (events["cleared_at"] - events["event_at"]).dt.total_seconds() / 3600
    short = (lasted > 0) & (lasted <= 6)
    # Lasting or uncleared alarms only where injected (tampering) or made (the inspected look-alike).
    deliberate = events["customer_id"].isin(made("meter_event_unresolved", "meter_event_inspected"))
    assert (~short).any() and deliberate[~short].all()
    honest = ~deliberate
    assert honest.sum() > 50
    assert short[honest].all()
    assert not events.loc[honest, "event"].isin(["cover_open", "reverse_energy"]).any()
    adjustments = tables["adjustments"]
    # Unapproved ones only where injected; the busy operator's many large refunds are approved.
    unusual = adjustments["customer_id"].isin(made("unapproved_adjustment", "busy_refund_operator"))
    unapproved = adjustments["approved_by"].isna()
    assert unapproved.any() and unusual[unapproved].all()
    busy = adjustments["customer_id"].isin(
        lookalikes.loc[lookalikes["kind"] == "busy_refund_operator", "customer_id"]
    )
    assert busy.any() and adjustments.loc[busy, "approved_by"].notna().all()
    adjustments = adjustments[~unusual]
    assert len(adjustments) >= 5 and adjustments["approved_by"].notna().all()
    bills = tables["bills"].set_index(["customer_id", "period"])["amount"]
    billed = bills.loc[list(zip(adjustments["customer_id"], adjustments["period"], strict=True))]
    assert (adjustments["amount"].abs().to_numpy() <= 0.15 * billed.abs().to_numpy() + 0.01).all()
    refunds = adjustments["kind"] == "refund"
    assert (adjustments.loc[refunds, "amount"] <= 0).all()
    assert (adjustments.loc[~refunds, "amount"] >= 0).all()


def test_transformers_carry_s11_nameplate_losses(tables):
    units = tables["transformers"]
    standard = units[units["kva"].isin([100, 250, 630, 1000])].drop_duplicates("kva")
    nameplate = {100: (0.20, 1.58), 250: (0.40, 3.20), 630: (0.81, 6.20), 1000: (1.15, 10.30)}
    for row in standard.itertuples():
        assert (row.no_load_loss_kw, row.load_loss_kw) == nameplate[int(row.kva)]
    customers = tables["customers"].set_index("customer_id")
    own = customers["metering_mode"].isin(["high_low", "high_high"])
    assert set(units["customer_id"]) == set(customers.index[own])


def test_months_of_connection_and_closure_are_prorated_by_day():
    world = synth.build(customers=400, districts=2, months=24, seed=12)
    opened, closed = np.flatnonzero(
        (world.basis == "capacity") & world.active.all(axis=1) & ~world.busy
    )[:2]
    # Connected on 10 April 2023 (a 30-day month), closed on 12 September 2024.
    world.conn_date[opened] = np.datetime64("2023-04-10")
    world.active[opened, :3] = False
    world.closure_date[closed] = np.datetime64("2024-09-12")
    world.status[closed] = "closed"
    world.active[closed, 21:] = False
    bills = ledger.compute(world, np.array([opened, closed]))
    kva_rate = {row[0]: row[5] for row in catalog.TARIFFS}
    for customer, month, days in ((opened, 3, 21), (closed, 20, 12)):
        bill = np.flatnonzero((bills.customer == customer) & (bills.month == month))[0]
        assert bills.read_to[bill] - bills.read_from[bill] + 1 == days
        capacity = world.capacity_billed[customer, month]
        rate = kva_rate[catalog.TARIFF_CODES[world.tariff[customer]]]
        assert bills.basic_charge[bill] == fen(times(capacity * days / 30, rate))
    assert bills.read_from[bills.customer == opened].min() == np.datetime64("2023-04-10").astype(
        int
    )
    assert bills.read_to[bills.customer == closed].max() == np.datetime64("2024-09-12").astype(int)
