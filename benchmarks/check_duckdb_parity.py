"""Check that the DuckDB reference does the same work as auditkit's five shared rules.

    # a small synthetic utility, generated once into the folder
    PYTHONPATH=. .venv/bin/python benchmarks/check_duckdb_parity.py /tmp/parity5k --customers 5000

Runs the five rules bench_scale.py compares (auditkit.rules.run) and benchmarks/duckdb_rules.sql
(after benchmarks/duckdb_recompute.sql: rate_mismatch and capacity_underbilled price from the
recomputation, in auditkit as in SQL) on the same Parquet folder (plain, or partitioned by
`auditkit convert`) and prints, per rule, the customers each flags, how many both flag, and
the revenue of the findings summed each side (all findings, then those both flag) with the
number of customers whose revenue differs by more than a fen. With --show N it lists N
customers flagged by one side only per rule.

The SQL prices tariff_mismatch at the flat rates, while auditkit recomputes an itemized bill on
the tariff due and on the tariff billed (periods, tiers, losses, basic charge, power-factor
adjustment, funds), which the SQL does not express. So its revenue is compared once more on the
same data written as monthly bills (`write_monthly`: no bill lines, transformers or read dates,
each tariff's flat rows), where auditkit prices at the flat rates too: per customer, to the fen.
capacity_underbilled is compared there as well: on monthly bills it judges month by month
(suspensions, proration by day in months of change), not by the recomputed basic lines.

`load_tables` and `run_rules` are how the SQL is meant to be run (bench_scale.py's DuckDB
measurements): the tables as views over the files (or DuckDB tables), then the recomputation,
the rules' views and the rules' queries. A check, not a test: run it on demand.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from auditkit import rules, synth
from auditkit.billing import load_billing_params
from auditkit.billing.recompute import BILL_FIGURES
from auditkit.data import Dataset, load
from auditkit.data.partitioned import PARTITIONED, is_partitioned, storage_table
from auditkit.data.schema import TABLES
from auditkit.periods import month_number
from auditkit.rules.params import load_defaults

HERE = Path(__file__).parent
RULES_SQL = HERE / "duckdb_rules.sql"
RECOMPUTE_SQL = HERE / "duckdb_recompute.sql"
SHARED_RULES = (
    "multiplier_mismatch",
    "tariff_mismatch",
    "rate_mismatch",
    "zero_consumption",
    "capacity_underbilled",
)
#: The tables the SQL reads; a table absent from the folder is empty.
INPUTS = ("customers", "bills", "bill_lines", "tariffs", "transformers", "work_orders")
#: Tables whose row order matters (the first of two orders of a day, the first schedule row of
#: a tariff): given `row_no`, the row's number in its file.
ORDERED = ("tariffs", "transformers", "work_orders")
SQL_TYPES = {
    "text": "VARCHAR",
    "period": "VARCHAR",
    "number": "DOUBLE",
    "integer": "BIGINT",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "bool": "BOOLEAN",
}
#: Month number (year × 12 + month − 1, as auditkit.periods) of a 'YYYY-MM' text or of a date.
PERIOD_MONTH = "CAST(substr({0}, 1, 4) AS INTEGER) * 12 + CAST(substr({0}, 6, 2) AS INTEGER) - 1"
DATE_MONTH = "year({0}) * 12 + month({0}) - 1"


def sql_parameters(folder: Path) -> dict[str, object]:
    """The SQL's named parameters: the audit month (the last billed, as `rules.run` takes it),
    the first billed month, the audit month's end, the rules' thresholds (params/rules.yaml)
    and the recomputation's billing parameters (params/billing.yaml)."""
    import duckdb

    bills = bills_source(folder)
    query = f"SELECT min(period), max(period) FROM {bills}"
    first, last = duckdb.connect().execute(query).fetchone()
    as_of = int(month_number([str(last)])[0])
    defaults = load_defaults()
    multiplier, tariff = defaults["multiplier_mismatch"], defaults["tariff_mismatch"]
    rate, zero = defaults["rate_mismatch"], defaults["zero_consumption"]
    capacity, pf_standard = defaults["capacity_underbilled"], defaults["pf_standard_mismatch"]
    billing = load_billing_params()
    return {
        "as_of": as_of,
        "first_month": int(month_number([str(first)])[0]),
        "month_end": (pd.Timestamp(f"{last}-01") + pd.offsets.MonthEnd(0)).to_pydatetime(),
        "multiplier_tolerance": multiplier["relative_tolerance"],
        "two_part_threshold_kva": tariff["two_part_threshold_kva"],
        "backbill_months": tariff["backbill_months"],
        "shared_meter_industries": list(tariff["shared_meter_industries"]),
        "ev_charging_industries": list(tariff["ev_charging_industries"]),
        "ev_charging_usages": list(tariff["ev_charging_usages"]),
        "rate_tolerance": rate["rate_tolerance"],
        "rate_kwh_tolerance": rate["kwh_tolerance"],
        "rate_relative_tolerance": rate["relative_tolerance"],
        "zero_min_months": zero["min_months"],
        "zero_min_score": zero["min_score"],
        "zero_household_weight": zero["household_weight"],
        "zero_vacancy_weight": zero["vacancy_weight"],
        "zero_max_removal_months": zero["max_removal_months"],
        "zero_max_off_season_months": zero["max_off_season_months"],
        "zero_unbilled_min_months": defaults["unbilled_account"]["min_months"],
        "kva_tolerance": capacity["kva_tolerance"],
        "capacity_two_part_kva": capacity["two_part_threshold_kva"],
        "capacity_kwh_tolerance": capacity["kwh_tolerance"],
        "capacity_relative_tolerance": capacity["relative_tolerance"],
        "two_part_choice_from_kva": billing.two_part_choice_from_kva,
        # pf_standard_mismatch's, which capacity_underbilled reads (standard_surcharge)
        "pf_assessed_min_kva": pf_standard["assessed_min_kva"],
        "pf_strict_min_kva": pf_standard["strict_min_kva"],
        "pf_low_voltage_kv": pf_standard["low_voltage_kv"],
        # the recomputation's (benchmarks/duckdb_recompute.sql), up to the audit month
        "days_per_month": float(billing.days_per_month),
        "demand_floor_share": billing.demand_floor_share,
        "demand_excess_threshold": billing.demand_excess_threshold,
        "demand_excess_multiplier": float(billing.demand_excess_multiplier),
        "tier_year_start_month": billing.tier_year_start_month,
        "hours_per_day": float(billing.hours_per_day),
        "loss_form_factor": billing.loss_form_factor,
        "loss_by_table": billing.loss_method == "table",
        "last_month": as_of,
    }


def table_source(folder: Path, table: str) -> str | None:
    """`read_parquet(...)` of a table of the folder (its parts where partitioned; None where
    the folder has no such table)."""
    ordered = ", file_row_number = true" if table in ORDERED else ""
    if is_partitioned(folder) and table in PARTITIONED:
        if not (folder / table).is_dir():
            return None
        parts = quoted(f"{folder / table}/*/*.parquet")
        return f"read_parquet({parts}, hive_partitioning = true{ordered})"
    path = folder / f"{table}.parquet"
    return f"read_parquet({quoted(str(path))}{ordered})" if path.is_file() else None


def quoted(path: str) -> str:
    """A path as a SQL string literal (a quote in a folder name does not end it)."""
    return "'" + path.replace("'", "''") + "'"


def bills_source(folder: Path) -> str:
    source = table_source(folder, "bills")
    if source is None:
        raise SystemExit(f"{folder}: no bills table (bills.parquet or bills/)")
    return source


def load_tables(connection: object, folder: Path, parameters: dict, materialize: bool) -> None:
    """The input tables as views over the files (or loaded into DuckDB tables): every contract
    column (NULL where the file lacks it), `row_no` for ORDERED tables, month numbers (bills
    `month`, work_orders `effective_month`), work orders
    issued by the audit month's end only (those `rules.run` knows), and the tables
    `absent_bill_columns` the recomputation reads and `absent_tariff_columns` the rules read."""
    kind = "TABLE" if materialize else "VIEW"
    # DuckDB (2.0.1) folds isnan() to false where a Parquet file's statistics leave NaN out
    # (converted folders store missing numbers as NaN): `read_column` needs it evaluated.
    connection.execute("SET disabled_optimizers = 'statistics_propagation'")
    for table in INPUTS:
        source = table_source(folder, table)
        described = (
            connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall() if source else []
        )
        present = {row[0]: row[1] for row in described}
        columns = [
            read_column(column.name, present[column.name])
            if column.name in present
            else f"NULL::{SQL_TYPES[column.kind]} AS {column.name}"
            for column in TABLES[table].columns
        ]
        if table in ORDERED:
            columns.append("file_row_number AS row_no" if source else "NULL::BIGINT AS row_no")
        if table == "bills":
            columns.append(f"{PERIOD_MONTH.format('period')} AS month")
        where = " WHERE false" if source is None else ""
        if table == "work_orders":
            columns.append(f"{DATE_MONTH.format('effective_date')} AS effective_month")
            # a view takes no parameters: it reads the audit month's end from a table filled
            # with a bound parameter, so no text from the data is written into the SQL
            connection.execute("CREATE OR REPLACE TEMP TABLE run_month(month_end TIMESTAMP)")
            connection.execute("INSERT INTO run_month VALUES (?)", [parameters["month_end"]])
            if source is not None:  # a folder without orders: none (was a second WHERE)
                where = " WHERE issued_at <= (SELECT month_end FROM run_month)"
        body = f"SELECT {', '.join(columns)} FROM {source or '(SELECT 1)'}{where}"
        connection.execute(f"CREATE OR REPLACE {kind} {table} AS {body}")
        if table == "bills":
            absent = [name for name in BILL_FIGURES.values() if name not in present]
            absent_columns(connection, "absent_bill_columns", absent)
        if table == "tariffs":
            absent = [] if "fund_rate" in present else ["fund_rate"]
            absent_columns(connection, "absent_tariff_columns", absent)


def absent_columns(connection: object, name: str, absent: list[str]) -> None:
    """The table `name(column_name)` listing the columns `absent` from a file: the SQL reads a
    column the file lacks as unknown, not as NULL cells (the recomputation's `unknown_types`,
    `rc_bills.lost`'s funds not priced)."""
    connection.execute(f"CREATE OR REPLACE TABLE {name}(column_name VARCHAR)")
    if absent:
        values = ", ".join("(?)" for _ in absent)
        connection.execute(f"INSERT INTO {name} VALUES {values}", absent)


def read_column(name: str, sql_type: str) -> str:
    """A column as the rules read it: a floating-point NaN (how converted folders store a missing
    number) is missing, NULL, as pandas takes it."""
    if sql_type in ("DOUBLE", "FLOAT"):
        return f"CASE WHEN isnan({name}) THEN NULL ELSE {name} END AS {name}"
    return name


def billing_tables(connection: object) -> None:
    """The billing parameters the recomputation reads as tables: power-factor tables, the
    transformer loss table and the time-of-use profile (params/billing.yaml)."""
    params = load_billing_params()
    connection.execute(
        "CREATE OR REPLACE TABLE pf_pieces(standard DOUBLE, start_percent BIGINT, base DOUBLE, "
        "slope DOUBLE, anchor DOUBLE)"
    )
    pieces = [
        (float(standard), piece.start, piece.base, piece.slope, piece.anchor)
        for standard, table in params.pf_tables.items()
        for piece in table
    ]
    if pieces:
        connection.executemany("INSERT INTO pf_pieces VALUES (?, ?, ?, ?, ?)", pieces)
    connection.execute("CREATE OR REPLACE TABLE loss_table(kva DOUBLE, p0 DOUBLE, pk DOUBLE)")
    losses = [
        (float(kva), entry.no_load_loss_kw, entry.load_loss_kw)
        for kva, entry in params.loss_table.items()
    ]
    if losses:
        connection.executemany("INSERT INTO loss_table VALUES (?, ?, ?)", losses)
    connection.execute("CREATE OR REPLACE TABLE tou_profile(tou_period VARCHAR, share DOUBLE)")
    connection.executemany(
        "INSERT INTO tou_profile VALUES (?, ?)",
        [
            (period, params.tou_profile.get(period, 0.0))
            for period in ("critical", "peak", "flat", "valley")
        ],
    )


def sections(text: str, kinds: str) -> list[tuple[str, str, str]]:
    """The `-- <kind>: name` sections of a SQL file, in order: (kind, name, body)."""
    found = re.findall(
        rf"^-- ({kinds}): (\w+)\n(.*?)(?=^-- (?:{kinds}): |\Z)", text, flags=re.M | re.S
    )
    return [(kind, name, body.strip().rstrip(";")) for kind, name, body in found]


def execute(connection: object, body: str, parameters: dict) -> object:
    """Run `body` with the parameters it names (DuckDB refuses parameters a query lacks)."""
    code = re.sub(r"--[^\n]*", "", body)  # a parameter a comment names is not the query's
    used = {key: value for key, value in parameters.items() if f"${key}" in code}
    return connection.execute(body, used)


def run_rules(
    connection: object, parameters: dict, seconds: dict | None = None
) -> dict[str, dict[str, float]]:
    """The recomputation (duckdb_recompute.sql, into the table `recomputed`), then the rules'
    macros, views and queries (duckdb_rules.sql): per rule, each customer flagged and its revenue.
    `seconds`, where given, receives the seconds of the recomputation and of the rules."""
    started = time.perf_counter()
    billing_tables(connection)
    recompute = sections(RECOMPUTE_SQL.read_text(encoding="utf-8"), "step|result")
    for kind, _, body in recompute:
        statement = body if kind == "step" else f"CREATE OR REPLACE TEMP TABLE recomputed AS {body}"
        execute(connection, statement, parameters)
    recomputed = time.perf_counter()
    found = {}
    for kind, name, body in sections(RULES_SQL.read_text(encoding="utf-8"), "macro|view|rule"):
        if kind == "macro":
            connection.execute(body)
        elif kind == "view":
            execute(connection, f"CREATE OR REPLACE TEMP TABLE {name} AS {body}", parameters)
        else:
            found[name] = dict(execute(connection, body, parameters).fetchall())
    if seconds is not None:
        seconds |= {"recompute": recomputed - started, "rules": time.perf_counter() - recomputed}
    return found


def duckdb_found(folder: Path, materialize: bool) -> tuple[dict[str, dict[str, float]], dict]:
    """The SQL's customers and revenue per rule, and the seconds of loading and of the rules."""
    import duckdb

    parameters = sql_parameters(folder)
    connection = duckdb.connect()
    started = time.perf_counter()
    load_tables(connection, folder, parameters, materialize)
    seconds = {"load": time.perf_counter() - started}
    found = run_rules(connection, parameters, seconds)
    return found, seconds


def auditkit_found(
    dataset: Dataset, rule_ids: tuple[str, ...] = SHARED_RULES
) -> dict[str, dict[str, float]]:
    """auditkit's customers and revenue (revenue_impact) per rule of `rule_ids`."""
    findings = rules.run(dataset, rules=list(rule_ids))
    found = {
        rule_id: dict(zip(part["customer_id"], part["revenue_impact"], strict=True))
        for rule_id, part in findings.groupby("rule_id")
    }
    return {rule_id: found.get(rule_id, {}) for rule_id in rule_ids}


#: The tables of the monthly copy (`write_monthly`): those the SQL and the rules of
#: MONTHLY_RULES read, less the itemized ones.
MONTHLY_TABLES = ("customers", "bills", "tariffs", "work_orders")
#: Rules compared on the monthly copy: tariff_mismatch, whose itemized revenue the SQL does not
#: reproduce, and capacity_underbilled, which judges monthly bills by its own month-by-month
#: logic (suspensions, proration by day in months of change), not by the recomputed lines.
MONTHLY_RULES = ("tariff_mismatch", "capacity_underbilled")


def write_monthly(dataset: Dataset, folder: Path) -> None:
    """The dataset as monthly bills, into `folder` as Parquet: what makes it itemized
    (`RuleContext.itemized`) left out — bill lines, transformers, the bills' read dates, and of
    the schedule every row by tier or time-of-use period but a tariff's flat period, kept as its
    flat row (the row the flat rates' lookup takes on the itemized data too)."""
    tariffs = dataset.tariffs
    flat = tariffs["tier"].isna() & (
        tariffs["tou_period"].isna() | (tariffs["tou_period"] == "flat")
    )
    monthly = {
        "customers": dataset.customers,
        "bills": dataset.bills.drop(columns=["read_from", "read_to"], errors="ignore"),
        "tariffs": tariffs[flat].assign(tou_period=None),
        "work_orders": dataset.work_orders,
    }
    for name in MONTHLY_TABLES:
        frame = monthly[name]
        if frame is not None:
            table = storage_table(frame.reset_index(drop=True), name)
            pq.write_table(table, folder / f"{name}.parquet")


def monthly_parity(dataset: Dataset, materialize: bool, show: int) -> bool:
    """MONTHLY_RULES compared on the dataset written as monthly bills (a temporary folder):
    True where both sides flag the same customers with the same revenue to the fen."""
    with tempfile.TemporaryDirectory(prefix="parity-monthly-") as name:
        folder = Path(name)
        write_monthly(dataset, folder)
        theirs, _ = duckdb_found(folder, materialize)
        ours = auditkit_found(load(folder), MONTHLY_RULES)
    print(
        "\non the same data as monthly bills (no bill lines, transformers or read dates; each "
        "tariff's flat rows),\nwhere auditkit prices at the flat rates as the SQL does and "
        "judges capacity month by month:"
    )
    return print_parity(ours, theirs, show, MONTHLY_RULES, {})


#: Rules whose revenue the SQL reference does not reproduce, with the reason: only their
#: customers are compared.
REVENUE_NOT_COMPARED = {
    "multiplier_mismatch": (
        "auditkit prices an itemized bill from its recomputed lines (periods, tiers, funds, "
        "demand and reactive energy at the multiplier due); the SQL prices the missing kWh flat"
    ),
    "tariff_mismatch": (
        "auditkit prices an itemized bill by recomputing it on the tariff due and on the tariff "
        "billed (periods, tiers, losses, basic charge, power-factor adjustment, funds); the SQL "
        "prices it at the flat rates (compared on monthly bills below)"
    ),
}


def print_parity(
    ours: dict,
    theirs: dict,
    show: int,
    rule_ids: tuple[str, ...] = SHARED_RULES,
    not_compared: dict[str, str] = REVENUE_NOT_COMPARED,
) -> bool:
    """The parity table of `rule_ids`; True where each flags the same customers with the same
    revenue (to the fen; the customers alone for the rules of `not_compared`)."""
    print(
        f"\n{'rule':<22}{'auditkit':>9}{'DuckDB':>9}{'both':>9}"
        f"{'revenue auditkit':>20}{'revenue DuckDB':>20}  revenue differs (customers)"
    )
    same = True
    for rule_id in rule_ids:
        mine, other = ours[rule_id], theirs.get(rule_id, {})
        both = mine.keys() & other.keys()
        differ = sorted(c for c in both if abs(mine[c] - other[c]) >= 0.005)
        print(
            f"{rule_id:<22}{len(mine):>9,}{len(other):>9,}{len(both):>9,}"
            f"{sum(mine.values()):>20,.2f}{sum(other.values()):>20,.2f}  {len(differ):,}"
        )
        same &= len(both) == len(mine) == len(other)
        if rule_id in not_compared:
            print(f"    revenue not compared: {not_compared[rule_id]}")
        else:
            same &= not differ
        if not show:
            continue
        for side, only in (
            ("auditkit", mine.keys() - other.keys()),
            ("DuckDB", other.keys() - mine.keys()),
        ):
            if only:
                print(f"    only {side}: {', '.join(sorted(only)[:show])}")
        if differ:
            listed = ", ".join(f"{c} {mine[c]:.2f} / {other[c]:.2f}" for c in differ[:show])
            print(f"    revenue differs: {listed}")
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the dataset folder (Parquet)")
    parser.add_argument(
        "--customers", type=int, help="generate a synthetic utility of this size into the folder"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tables", action="store_true", help="load into DuckDB tables first")
    parser.add_argument("--show", type=int, default=0, help="customers listed per difference")
    args = parser.parse_args()
    if args.customers and not (args.folder / "bills.parquet").is_file():
        config = synth.SynthConfig(customers=args.customers, seed=args.seed)
        synth.write(synth.generate(config), args.folder, fmt="parquet", config=config)
    theirs, sql_seconds = duckdb_found(args.folder, args.tables)
    started = time.perf_counter()
    dataset = load(args.folder)
    loaded = time.perf_counter()
    ours = auditkit_found(dataset)
    ruled = time.perf_counter()
    same = print_parity(ours, theirs, args.show)
    print(
        f"\nseconds: auditkit load {loaded - started:.1f} + rules {ruled - loaded:.1f}; "
        f"DuckDB load {sql_seconds['load']:.1f} + recomputation {sql_seconds['recompute']:.1f} "
        f"+ rules {sql_seconds['rules']:.1f}"
    )
    same = monthly_parity(dataset, args.tables, args.show) and same
    print("the same customers, and the same revenue where compared" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
