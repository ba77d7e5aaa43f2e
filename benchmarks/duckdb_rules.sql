-- Five auditkit rules as plain DuckDB SQL: multiplier_mismatch, tariff_mismatch, rate_mismatch,
-- zero_consumption, capacity_underbilled, for benchmarks/bench_scale.py and
-- benchmarks/check_duckdb_parity.py (which runs it: `load_tables`, then `run_rules`).
--
-- Each `-- rule: <rule_id>` section is one query giving the customers the rule flags at the audit
-- month, (customer_id, revenue): the finding's revenue_impact, yuan to the fen, never negative.
-- Each `-- view: <name>` section is one query, run before the rules in file order into a table of
-- that name; each `-- macro: <name>` section one statement creating a macro, run as it stands.
-- The semantics are auditkit/rules' (each rule's code, tests/rules); money as there: an amount a
-- bill charges rounded half up to the fen (the recomputation's macro half_up, as
-- auditkit.billing.money.round_half_up), a finding's revenue rounded as numpy rounds (`money`).
--
-- Inputs (check_duckdb_parity.load_tables; every contract column present, NULL where the data
-- has none; month numbers are year * 12 + month - 1, as in auditkit.periods):
--   customers, bill_lines, transformers   the tables as stored
--   bills (+ month)                        the bills, every period (the rules keep <= $as_of)
--   tariffs (+ row_no), work_orders (+ row_no, effective_month)
--                                          row_no: the row's number in its file; work_orders
--                                          holds the orders issued by the audit month's end
--                                          (those auditkit knows at the audit date)
-- and, first, benchmarks/duckdb_recompute.sql run up to the audit month ($last_month = $as_of)
-- with its result in the table `recomputed`: rate_mismatch and capacity_underbilled price from
-- the recomputed lines on itemized data as auditkit does; the rules also read its tables
-- tariff_rows, tariff_groups, lookup_candidates (the schedule as looked up), order_steps (the
-- capacity the orders put on each day), steps (the capacity in force per customer from a day
-- on: transformers, else orders), bill_frame (each bill's basis in force) and its macros
-- day_no, half_up, lookup_rank, number_or_null, step_kva.
-- Named parameters: $as_of (audit month), $first_month (first billed month), the thresholds
-- of params/rules.yaml ($multiplier_tolerance; $two_part_threshold_kva, $backbill_months,
-- $shared_meter_industries, $ev_charging_industries, $ev_charging_usages (lists);
-- $rate_tolerance, $rate_kwh_tolerance, $rate_relative_tolerance; $zero_min_months,
-- $zero_min_score, $zero_household_weight, $zero_vacancy_weight, $zero_unbilled_min_months
-- (unbilled_account's min_months); $kva_tolerance,
-- $capacity_two_part_kva, $capacity_kwh_tolerance, $capacity_relative_tolerance, and
-- pf_standard_mismatch's $pf_assessed_min_kva, $pf_strict_min_kva, $pf_low_voltage_kv, which
-- capacity_underbilled reads), $two_part_choice_from_kva (auditkit.rules.capacity.
-- TWO_PART_CHOICE_FROM_KVA) and $days_per_month, $tier_year_start_month (params/billing.yaml).

-- macro: money
-- A finding's revenue as auditkit.rules.findings keeps it: NULL as 0, never negative, rounded to
-- the fen as numpy rounds (rint of the amount × 100: half to even, 0.125 → 0.12), which DuckDB's
-- round() is not (half away from zero: round(0.125, 2) = 0.13).
CREATE OR REPLACE MACRO money(x) AS roundbankers(greatest(coalesce(x, 0), 0) * 100, 0) / 100;

-- macro: fell_below_two_part
-- A bill's capacity on the last day of its read period (`capacity`) below the two-part
-- threshold after its customer had at least that (`peak`, capacity_peak), or below the least
-- that may choose a two-part tariff (capacity.fell_below_two_part): single-part, no basic
-- charge due; not where the capacity is unknown (NULL).
CREATE OR REPLACE MACRO fell_below_two_part(capacity, peak, two_part_kva, choice_from_kva) AS
    coalesce(capacity < two_part_kva AND (peak >= two_part_kva OR capacity < choice_from_kva),
             false);

-- macro: pf_moved
-- What a line of the adjustment's base short by `extra` yuan moves a bill's power-factor
-- adjustment by (auditkit.rules.billing_lines.pf_moved): at the adjustment rate due `rate`, on
-- the base billed + extra less on the base billed, each to the fen; 0 where none is due (NULL).
CREATE OR REPLACE MACRO pf_moved(rate, base, extra) AS
    CASE WHEN rate IS NULL THEN 0.0 ELSE half_up(rate * (base + extra), 2) - half_up(rate * base, 2) END;

-- macro: standard_due
-- The power-factor standard a customer's class and capacity call for (pf_standard.standard_due):
-- NULL for a household, one on a household tariff, or below the assessed capacity (unknown: 0).
CREATE OR REPLACE MACRO standard_due(usage, household_tariff, voltage, capacity, assessed_min,
                                     strict_min, low_voltage) AS
    CASE WHEN usage IS DISTINCT FROM 'residential' AND NOT household_tariff
              AND coalesce(capacity, 0) >= assessed_min
         THEN CASE WHEN usage = 'industrial' AND voltage >= low_voltage
                        AND coalesce(capacity, 0) >= strict_min THEN 0.90
                   WHEN usage = 'agricultural' THEN 0.80
                   ELSE 0.85 END END;

-- macro: laxer
-- A standard is due and the one recorded (none: 0) is below it (pf_standard._laxer).
CREATE OR REPLACE MACRO laxer(recorded, due) AS
    due IS NOT NULL AND NOT (coalesce(recorded, 0) >= due - 1e-9);

-- view: itemized
-- The data bills the real way (RuleContext.itemized): bill lines or transformers, tariff rows per
-- period or tier, or read dates. Rules then price from the recomputation.
SELECT EXISTS (SELECT 1 FROM bill_lines) OR EXISTS (SELECT 1 FROM transformers)
       OR EXISTS (SELECT 1 FROM tariffs WHERE tou_period IS NOT NULL OR tier IS NOT NULL)
       OR EXISTS (SELECT 1 FROM bills WHERE read_from IS NOT NULL) AS itemized;

-- view: flat_asks
-- What the rules ask of the schedule: each tariff's flat row at each billed month's last day for
-- each supply voltage of the archive (RuleContext.schedule_rate).
SELECT g.category, day_no(last_day(make_date(CAST(m.month // 12 AS BIGINT), CAST(m.month % 12 + 1 AS BIGINT), 1))) AS day,
       m.month, v.voltage, '' AS period
FROM (SELECT DISTINCT category FROM tariff_rows) AS g,
     (SELECT range AS month FROM range($first_month, $as_of + 1)) AS m,
     (SELECT DISTINCT voltage_kv AS voltage FROM customers WHERE voltage_kv IS NOT NULL) AS v;

-- view: flat_rates
-- Per tariff, month and voltage, the rates of the row in force on the month's last day (the
-- lookup of auditkit.billing.tariff_lookup: the latest valid_from of each candidate group, valid
-- to its valid_to; the exact period before the fallback, then bounded bands before half-bounded
-- before unbounded, then the narrowest).
WITH candidates AS (
    SELECT a.category, a.day, a.month, a.voltage, c.level, g.period, g.tier, g.vmin, g.vmax
    FROM flat_asks AS a
    JOIN lookup_candidates AS c ON c.ask_period = a.period AND c.ask_tier = 0
    JOIN tariff_groups AS g
      ON g.category = a.category AND g.period = c.period AND g.tier = c.tier
     AND a.voltage >= g.vmin AND a.voltage <= g.vmax
), hits AS (
    SELECT c.*, t.row, t.end_day
    FROM candidates AS c
    ASOF JOIN tariff_rows AS t
      ON t.category = c.category AND t.period = c.period AND t.tier = c.tier
     AND t.vmin = c.vmin AND t.vmax = c.vmax AND t.start_day <= c.day
), picked AS (
    SELECT category, month, voltage,
           arg_min(row, lookup_rank(level, vmin, vmax, voltage)) AS row
    FROM hits WHERE day <= end_day
    GROUP BY ALL
)
SELECT p.category, p.month, p.voltage, t.energy_rate, t.fund_rate,
       t.basic_rate_kva_month AS kva_rate
FROM picked AS p JOIN tariff_rows AS t USING (row);

-- view: bill_rates
-- Per bill up to the audit month: its tariff for pricing (the billed one where the schedule
-- lists it, else the archive's: RuleContext.bill_tariff_due), the flat rates due for it at the
-- customer's voltage, and the energy rate due, else the rate billed (energy_rate_due_or_billed).
WITH listed AS (SELECT DISTINCT category FROM tariff_rows),
b AS (
    SELECT b.customer_id, b.month, b.kwh_billed, b.energy_rate, b.basic_charge,
           b.tariff_billed, c.voltage_kv, l.category IS NOT NULL AS listed,
           coalesce(l.category, a.category) AS tariff_flat
    FROM bills AS b
    JOIN customers AS c USING (customer_id)
    LEFT JOIN listed AS l ON l.category = CAST(b.tariff_billed AS VARCHAR)
    LEFT JOIN listed AS a ON a.category = CAST(c.tariff_category AS VARCHAR)
    WHERE b.month <= $as_of
)
SELECT b.*, f.energy_rate AS energy_due, f.fund_rate AS fund_due, f.kva_rate AS kva_due,
       coalesce(f.energy_rate, b.energy_rate) AS energy_due_or_billed
FROM b
LEFT JOIN flat_rates AS f
  ON f.category = b.tariff_flat AND f.month = b.month AND f.voltage = b.voltage_kv;

-- view: rule_orders
-- Orders of customers in the archive that took effect (an effective date), with the old value
-- as a number where it is one.
SELECT o.row_no, o.customer_id, CAST(o.order_type AS VARCHAR) AS order_type, o.effective_date,
       o.effective_month, TRY_CAST(o.old_value AS DOUBLE) AS old_number,
       number_or_null(o.new_value) AS new_number
FROM work_orders AS o
SEMI JOIN customers AS c USING (customer_id)
WHERE o.effective_date IS NOT NULL;

-- view: reducing_spans
-- Each suspension and capacity reduction until the first order after it (by date) that ends it:
-- a resumption a suspension, a capacity increase a reduction, a closure either; end_month past
-- the audit month where none does (RuleContext.reducing_spans; a bill is inside from the start
-- month up to, not including, the end month).
WITH enders AS (
    SELECT 'suspension' AS ends, customer_id, effective_date AS end_date, effective_month AS end_month
    FROM rule_orders WHERE order_type IN ('resumption', 'closure')
    UNION ALL
    SELECT 'capacity_reduction', customer_id, effective_date, effective_month
    FROM rule_orders WHERE order_type IN ('capacity_increase', 'closure')
)
SELECT s.customer_id, s.order_type, s.effective_month AS start_month,
       coalesce(e.end_month, $as_of + 1) AS end_month
FROM (SELECT * FROM rule_orders WHERE order_type IN ('suspension', 'capacity_reduction')) AS s
ASOF LEFT JOIN enders AS e
  ON e.ends = s.order_type AND e.customer_id = s.customer_id AND e.end_date > s.effective_date;

-- view: capacity_changes
-- Per customer and month of a capacity increase or reduction with a numeric old value, the old
-- value of the first such order in the table: before it, that capacity was in force.
SELECT customer_id, effective_month AS month, arg_min(old_number, row_no) AS old_value
FROM rule_orders
WHERE order_type IN ('capacity_increase', 'capacity_reduction') AND NOT isnan(old_number)
GROUP BY ALL;

-- view: capacity_known
-- Per customer and month of a capacity increase or reduction, the capacity in force before the
-- first such order of the month in the table (RuleContext.capacity_in_force): its old value,
-- else the new value of the customer's capacity order before it (by date, then table order),
-- else unknown (NULL: basic.capacity_before, an order recording no old capacity proves nothing
-- about the time before it).
WITH capacity_orders AS (
    SELECT customer_id, effective_month, row_no,
           coalesce(CASE WHEN NOT isnan(old_number) THEN old_number END,
                    lag(new_number) OVER (PARTITION BY customer_id ORDER BY effective_date, row_no))
             AS before
    FROM rule_orders
    WHERE order_type IN ('capacity_increase', 'capacity_reduction')
)
SELECT customer_id, effective_month AS month, arg_min_null(before, row_no) AS old_value
FROM capacity_orders
GROUP BY ALL;

-- view: rc_lines
-- The recomputed lines up to the audit month, NaN as NULL, with the bill's month and `diff`, the
-- line's due − billed (NULL: unknown); `billed` / `due`:
-- the line is on the bill (a rate or an amount billed, or an unknown amount) / due.
WITH r AS (
    SELECT customer_id, CAST(substr(period, 1, 4) AS INTEGER) * 12 + CAST(substr(period, 6, 2) AS INTEGER) - 1 AS month,
           line_type, tou_period, coalesce(tier, 0) AS tier, tariff_due,
           CASE WHEN NOT isnan(quantity_billed) THEN quantity_billed END AS qb,
           CASE WHEN NOT isnan(quantity_due) THEN quantity_due END AS qd,
           CASE WHEN NOT isnan(rate_billed) THEN rate_billed END AS rb,
           CASE WHEN NOT isnan(rate_due) THEN rate_due END AS rd,
           CASE WHEN NOT isnan(amount_billed) THEN amount_billed END AS ab,
           CASE WHEN NOT isnan(amount_due) THEN amount_due END AS ad,
           CASE WHEN NOT isnan(difference) THEN difference END AS diff
    FROM recomputed
)
SELECT r.*, rb IS NOT NULL OR ab IS NULL OR ab <> 0 AS billed,
       rd IS NOT NULL OR coalesce(ad, 0) <> 0 AS due
FROM r SEMI JOIN customers USING (customer_id);

-- view: rc_bills
-- Per recomputed bill: the energy kWh due and billed (its energy lines', empty as 0: Recomputed.
-- energy_kwh), the adjustment's base billed (the energy, loss and basic amounts billed, empty as
-- 0) and the adjustment rate due (NULL: none due), as billing_lines.kwh_differs and pf_moved read;
-- `lost`, what the bill lost as a whole (bill_lost.bill_lost): its lines' due − billed summed,
-- half up to the fen, floored at 0; where a line's billed side is unknown (an export without
-- fund_charge, an empty fund_charge cell) its lines' due summed less the bill's `amount`, which
-- holds every charge billed. NULL (nothing caps a rule's part of it) where no tariff is due, a
-- line's due side is unknown, or a billed side is unknown and the amount is empty or may hold
-- funds not priced (the tariffs lack fund_rate: `absent_tariff_columns`) and not recorded.
WITH lines AS (
    SELECT customer_id, month,
           coalesce(sum(coalesce(qd, 0)) FILTER (WHERE line_type = 'energy'), 0) AS kwh_due,
           coalesce(sum(coalesce(qb, 0)) FILTER (WHERE line_type = 'energy'), 0) AS kwh_billed,
           coalesce(sum(coalesce(ab, 0)) FILTER (WHERE line_type IN ('energy', 'loss', 'basic')), 0)
             AS base,
           max(rd) FILTER (WHERE line_type = 'pf_adjustment') AS pf_rate,
           any_value(tariff_due) IS NULL OR bool_or(ad IS NULL) AS due_unknown,
           bool_or(diff IS NULL) AS billed_unknown,
           sum(coalesce(diff, 0)) AS net, sum(coalesce(ad, 0)) AS due
    FROM rc_lines GROUP BY customer_id, month
), amounts AS (  -- the amount, NULL where it may hold funds not priced and not recorded
    SELECT customer_id, month,
           CASE WHEN b.fund_charge IS NULL
                     AND EXISTS (SELECT 1 FROM absent_tariff_columns
                                 WHERE column_name = 'fund_rate')
                THEN NULL ELSE b.amount END AS amount
    FROM bills AS b
)
SELECT l.customer_id, l.month, l.kwh_due, l.kwh_billed, l.base, l.pf_rate,
       CASE WHEN l.due_unknown THEN NULL
            WHEN NOT l.billed_unknown THEN greatest(half_up(l.net, 2), 0)
            ELSE greatest(half_up(l.due - a.amount, 2), 0) END AS lost
FROM lines AS l LEFT JOIN amounts AS a USING (customer_id, month);

-- view: capacity_bills
-- Per bill up to the audit month on the capacity basis (in force on read_to: the archive's, before
-- a basis_change order its old value, as the recomputation's bill_frame reads it): the capacity
-- in force in its month (`in_force`: RuleContext.capacity_in_force), inside a suspension or a
-- capacity reduction (RuleContext.inside_spans), `changing` (an order moving the capacity —
-- capacity, suspension, resumption or closure — effective in its month, the customer connected
-- in it, or suspended), and the capacity the archive and the orders put on it
-- (capacity.order_capacity): over its read days (read_from and read_to, else the calendar month)
-- in service, from connection to the customer's first closure on or after read_from
-- (basic.days_in_service), each day's capacity by `order_steps` from the capacity in force
-- (basic.capacity_over); `last_kva` the capacity on the last day in service (read_to where none
-- is), `prorated` a connection or closure inside the read days, a day out of service or two
-- capacities among the days (or one unknown), and `kva_months` Σ day kVA / days per month
-- capped at the largest of the days where prorated, else last_kva (NULL: a day unknown, as NaN
-- propagates in numpy where least() and sum() would pass over NULL); `peak` the largest kVA the
-- customer's capacity steps (`steps`: transformers, else orders) recorded up to read_to
-- (basic.capacity_peak; NULL: none).
WITH b AS (
    SELECT b.customer_id, b.month,
           CASE WHEN ch.customer_id IS NULL THEN c.contract_capacity_kva ELSE ch.old_value END
             AS in_force,
           coalesce(day_no(b.read_from),
                    day_no(make_date(CAST(b.month // 12 AS BIGINT), CAST(b.month % 12 + 1 AS BIGINT), 1)))
             AS from_day,
           coalesce(day_no(b.read_to),
                    day_no(last_day(make_date(CAST(b.month // 12 AS BIGINT), CAST(b.month % 12 + 1 AS BIGINT), 1))))
             AS to_day,
           day_no(c.connection_date) AS connection_day,
           coalesce(year(c.connection_date) * 12 + month(c.connection_date) - 1 = b.month, false)
             AS connected_in_month
    FROM bills AS b
    JOIN customers AS c USING (customer_id)
    JOIN bill_frame AS bf ON bf.customer_id = b.customer_id AND bf.month = b.month
    ASOF LEFT JOIN capacity_known AS ch ON ch.customer_id = b.customer_id AND ch.month > b.month
    WHERE b.month <= $as_of AND bf.basis = 'capacity'
), closures AS (
    SELECT customer_id, day_no(effective_date) AS day FROM rule_orders WHERE order_type = 'closure'
), peaks AS (  -- the largest kVA of the customer's capacity steps up to read_to (capacity_peak)
    SELECT b.customer_id, b.month, max(s.kva) AS peak
    FROM b JOIN steps AS s ON s.customer_id = b.customer_id AND s.day <= b.to_day
    GROUP BY b.customer_id, b.month
), served AS (
    SELECT b.*, cl.day AS closure_day,
           greatest(b.from_day, coalesce(b.connection_day, -1048576)) AS first_day,
           least(b.to_day, coalesce(cl.day, 9223372036854775807)) AS last_day
    FROM b ASOF LEFT JOIN closures AS cl ON cl.customer_id = b.customer_id AND cl.day >= b.from_day
), stepped AS (SELECT DISTINCT customer_id FROM order_steps),
at_end AS (
    SELECT s.customer_id, s.month, step_kva(o.kva, o.at_most, o.at_least, s.in_force) AS kva
    FROM served AS s
    ASOF JOIN order_steps AS o
      ON o.customer_id = s.customer_id
     AND o.day <= CASE WHEN s.first_day <= s.last_day THEN s.last_day ELSE s.to_day END
), over_days AS (  -- a day of unknown capacity makes the three unknown (NaN in numpy)
    SELECT s.customer_id, s.month,
           CASE WHEN bool_and(step_kva(o.kva, o.at_most, o.at_least, s.in_force) IS NOT NULL) THEN
               sum(step_kva(o.kva, o.at_most, o.at_least, s.in_force)
                   * (least(o.next_day - 1, s.last_day) - greatest(o.day, s.first_day) + 1)) END
             AS day_sum,
           CASE WHEN bool_and(step_kva(o.kva, o.at_most, o.at_least, s.in_force) IS NOT NULL)
                THEN min(step_kva(o.kva, o.at_most, o.at_least, s.in_force)) END AS lowest,
           CASE WHEN bool_and(step_kva(o.kva, o.at_most, o.at_least, s.in_force) IS NOT NULL)
                THEN max(step_kva(o.kva, o.at_most, o.at_least, s.in_force)) END AS highest,
           true AS spanned
    FROM served AS s
    JOIN order_steps AS o
      ON o.customer_id = s.customer_id AND o.day <= s.last_day AND o.next_day > s.first_day
    WHERE s.first_day <= s.last_day
    GROUP BY s.customer_id, s.month
), filed AS (
    SELECT s.customer_id, s.month, s.in_force, s.connected_in_month,
           coalesce(s.connection_day BETWEEN s.from_day AND s.to_day, false)
             OR coalesce(s.closure_day BETWEEN s.from_day AND s.to_day, false)
             OR greatest(s.last_day - s.first_day + 1, 0) < s.to_day - s.from_day + 1 AS part_month,
           CASE WHEN t.customer_id IS NULL THEN s.in_force ELSE e.kva END AS last_kva,
           CASE WHEN t.customer_id IS NULL
                THEN s.in_force * greatest(s.last_day - s.first_day + 1, 0)
                WHEN o.spanned THEN o.day_sum ELSE 0 END AS day_sum,
           CASE WHEN t.customer_id IS NULL THEN s.in_force
                WHEN o.spanned THEN o.lowest ELSE e.kva END AS lowest,
           CASE WHEN t.customer_id IS NULL THEN s.in_force
                WHEN o.spanned THEN o.highest ELSE e.kva END AS highest
    FROM served AS s
    LEFT JOIN stepped AS t USING (customer_id)
    LEFT JOIN at_end AS e USING (customer_id, month)
    LEFT JOIN over_days AS o USING (customer_id, month)
), spanned AS (
    SELECT f.*, part_month OR coalesce(lowest <> highest, true) AS prorated,
           EXISTS (SELECT 1 FROM reducing_spans AS r
                   WHERE r.order_type = 'suspension' AND r.customer_id = f.customer_id
                     AND f.month >= r.start_month AND f.month < r.end_month) AS suspended,
           EXISTS (SELECT 1 FROM reducing_spans AS r
                   WHERE r.order_type = 'capacity_reduction' AND r.customer_id = f.customer_id
                     AND f.month >= r.start_month AND f.month < r.end_month) AS inside_reduction,
           EXISTS (SELECT 1 FROM rule_orders AS o
                   WHERE o.customer_id = f.customer_id AND o.effective_month = f.month
                     AND o.order_type IN ('capacity_increase', 'capacity_reduction', 'suspension',
                                          'resumption', 'closure')) AS order_in_month
    FROM filed AS f
)
SELECT s.customer_id, s.month, s.in_force, s.last_kva, s.highest, s.prorated, s.suspended,
       s.inside_reduction, s.order_in_month OR s.connected_in_month OR s.suspended AS changing,
       CASE WHEN NOT s.prorated THEN s.last_kva
            WHEN s.day_sum IS NOT NULL AND s.highest IS NOT NULL
            THEN least(s.day_sum / $days_per_month, s.highest) END AS kva_months,
       p.peak
FROM spanned AS s
LEFT JOIN peaks AS p USING (customer_id, month);

-- view: laxer_bills
-- pf_standard_mismatch's bills (pf_standard._bills_under_laxer), where its needs are met (a
-- customer with a standard and one with a capacity): of open accounts whose standard recorded
-- is laxer than the one their class and archive capacity call for, the bills up to the audit
-- month still laxer than due on the capacity in force in their month, with the adjustment's
-- base billed (energy and basic charges, empty as 0) and the adjustment percent under the
-- standard recorded (none: 0) and under the one due, on the bill's power factor (its own, else
-- A / √(A² + Q²) from its kWh + loss kWh and its reactive registers, half up to 2 decimals);
-- NULL percents where the bill has none. A household tariff: its first schedule row's usage.
WITH needs AS (
    SELECT count(pf_standard) > 0 AND count(contract_capacity_kva) > 0 AS met FROM customers
), household AS (
    SELECT CAST(tariff_category AS VARCHAR) AS category,
           arg_min_null(CAST(usage_type AS VARCHAR), row_no) = 'residential' AS household
    FROM tariffs GROUP BY 1
), archive AS (
    SELECT c.customer_id, c.pf_standard AS recorded, CAST(c.usage_type AS VARCHAR) AS usage,
           coalesce(h.household, false) AS household, c.voltage_kv
    FROM customers AS c
    LEFT JOIN household AS h ON h.category = CAST(c.tariff_category AS VARCHAR)
    WHERE (SELECT met FROM needs) AND c.status IS DISTINCT FROM 'closed'
      AND laxer(c.pf_standard,
                standard_due(CAST(c.usage_type AS VARCHAR), coalesce(h.household, false),
                             c.voltage_kv, c.contract_capacity_kva, $pf_assessed_min_kva,
                             $pf_strict_min_kva, $pf_low_voltage_kv))
), billed AS (
    SELECT a.customer_id, b.month, a.recorded,
           standard_due(a.usage, a.household, a.voltage_kv,
                        coalesce(ch.old_value, c.contract_capacity_kva), $pf_assessed_min_kva,
                        $pf_strict_min_kva, $pf_low_voltage_kv) AS due_then,
           coalesce(b.power_factor,
                    CASE WHEN b.kwh_billed + coalesce(b.loss_kwh, 0) > 0
                              AND (b.kvarh_import IS NOT NULL OR b.kvarh_export IS NOT NULL)
                         THEN half_up((b.kwh_billed + coalesce(b.loss_kwh, 0))
                                      / sqrt((b.kwh_billed + coalesce(b.loss_kwh, 0)) ^ 2
                                             + (coalesce(b.kvarh_import, 0)
                                                + coalesce(abs(b.kvarh_export), 0)) ^ 2), 2) END)
             AS pf,
           coalesce(b.energy_charge, 0) + coalesce(b.basic_charge, 0) AS base
    FROM archive AS a
    JOIN bills AS b USING (customer_id)
    JOIN customers AS c USING (customer_id)
    ASOF LEFT JOIN capacity_changes AS ch ON ch.customer_id = b.customer_id AND ch.month > b.month
    WHERE b.month <= $as_of
), kept AS (
    SELECT * FROM billed WHERE laxer(recorded, due_then)
), asked AS (
    SELECT customer_id, month, 'recorded' AS kind, recorded AS standard, pf FROM kept
    UNION ALL SELECT customer_id, month, 'due', due_then, pf FROM kept
), percents AS (  -- the piece of the standard's table the percent falls in (pf_pieces)
    SELECT a.customer_id, a.month, a.kind,
           half_up(arg_max(x.base + x.slope * (round(a.pf * 100) - x.anchor), x.start_percent), 6)
             AS percent
    FROM asked AS a
    JOIN pf_pieces AS x
      ON abs(x.standard - a.standard) <= 1e-9 AND x.start_percent <= round(a.pf * 100)
    GROUP BY ALL
)
SELECT k.customer_id, k.month, k.base,
       CASE WHEN k.pf IS NULL THEN NULL WHEN k.recorded IS NULL THEN 0.0 ELSE r.percent END
         AS percent,
       d.percent AS due_percent
FROM kept AS k
LEFT JOIN percents AS r ON r.customer_id = k.customer_id AND r.month = k.month AND r.kind = 'recorded'
LEFT JOIN percents AS d ON d.customer_id = k.customer_id AND d.month = k.month AND d.kind = 'due';

-- view: charging_rows
-- The schedule's rows charging a basic charge (a rate per kVA or per kW), whatever their dates:
-- a tariff is two-part at a voltage where the band of one of them holds it (any row where the
-- voltage is unknown; tariff_due.two_part_for: a tariff by demand alone is two-part, a rate at
-- another voltage does not make it so).
SELECT DISTINCT category, vmin, vmax FROM tariff_rows
WHERE coalesce(basic_rate_kva_month, 0) > 0 OR coalesce(basic_rate_kw_month, 0) > 0;

-- view: tariff_mismatch_due
-- tariff_mismatch's customers (the rule below) and the tariff it finds due for each (NULL where
-- the schedule offers none), read by the rule and by capacity_underbilled (a single-part
-- tariff due owes no basic charge).
WITH schedule AS (  -- per tariff: its first row's usage type and position
    SELECT category, arg_min_null(usage_type, row) AS usage_type, min(row) AS first_row
    FROM (SELECT CAST(tariff_category AS VARCHAR) AS category, usage_type, row_no AS row
          FROM tariffs)
    GROUP BY category
), offered AS (  -- the tariffs with an energy rate in force at the audit month, per voltage,
    -- and whether each is two-part there
    SELECT f.category, f.voltage, s.usage_type, s.first_row,
           EXISTS (SELECT 1 FROM charging_rows AS g
                   WHERE g.category = f.category AND f.voltage BETWEEN g.vmin AND g.vmax)
             AS two_part
    FROM flat_rates AS f JOIN schedule AS s USING (category)
    WHERE f.month = $as_of AND f.energy_rate IS NOT NULL
), archive AS (
    SELECT c.customer_id, c.usage_type, c.voltage_kv, s.usage_type AS tariff_usage,
           EXISTS (SELECT 1 FROM charging_rows AS g
                   WHERE g.category = s.category
                     AND (c.voltage_kv IS NULL OR c.voltage_kv BETWEEN g.vmin AND g.vmax))
             AS is_two_part,
           coalesce(c.contract_capacity_kva, 0) >= $two_part_threshold_kva AS large,
           coalesce(list_contains($ev_charging_industries, c.industry), false) AS ev,
           -- a sub-class of a shared-meter industry (tariff_due._of_industry_classes): a name
           -- ending with a listed name, a code (letters and digits) starting with a listed code
           (len(list_filter($shared_meter_industries,
                            lambda x: CASE WHEN regexp_full_match(x, '[A-Za-z0-9]+')
                                           THEN starts_with(upper(trim(c.industry)), upper(x))
                                           ELSE ends_with(trim(c.industry), x) END)) > 0
              AND s.usage_type = 'residential')
             OR (coalesce(list_contains($ev_charging_industries, c.industry), false)
                 AND list_contains($ev_charging_usages, s.usage_type)) AS legal,
           s.category IS NULL OR EXISTS (
               SELECT 1 FROM offered AS o
               WHERE o.category = s.category AND o.voltage = c.voltage_kv
           ) AS at_voltage,
           EXISTS (
               SELECT 1 FROM offered AS o
               WHERE o.two_part AND o.usage_type = c.usage_type AND o.voltage = c.voltage_kv
           ) AS two_part_offered
    FROM customers AS c
    LEFT JOIN schedule AS s ON s.category = CAST(c.tariff_category AS VARCHAR)
    WHERE c.status IS DISTINCT FROM 'closed'
), flagged AS (
    SELECT customer_id, usage_type, voltage_kv, large AND NOT ev AS two_part_due
    FROM archive
    WHERE NOT coalesce(tariff_usage = usage_type OR legal, false)
       OR NOT at_voltage
       OR (NOT is_two_part AND large AND two_part_offered AND NOT ev)
), due AS (  -- the tariff due: of the usage at the voltage, its part kind first, schedule order
    SELECT f.customer_id, arg_min(o.category, (o.two_part <> f.two_part_due, o.first_row)) AS tariff
    FROM flagged AS f
    JOIN offered AS o ON o.usage_type = f.usage_type AND o.voltage = f.voltage_kv
    GROUP BY f.customer_id
)
SELECT f.customer_id, d.tariff FROM flagged AS f LEFT JOIN due AS d USING (customer_id);

-- view: no_basic_due
-- The bills up to the audit month on which no basic charge is due (tariff_due.
-- bills_without_basic_charge_due): their tariff due is listed and single-part, no row of it
-- whose voltage band holds the customer's voltage (any row where that is unknown) having a rate
-- per kVA or per kW. The tariff due: for a customer tariff_mismatch flags, the tariff it finds
-- due (where it finds one); else the tariff in force (tariff_due.tariff_in_force): the new
-- tariff of the latest tariff_change order effective by the bill's month (of two, the later
-- effective date, then the later row), before any the first order's old tariff, else the
-- archive's.
WITH listed AS (SELECT DISTINCT category FROM tariff_rows),
tariff_orders AS (
    SELECT customer_id, effective_month, CAST(new_value AS VARCHAR) AS new_tariff,
           CAST(old_value AS VARCHAR) AS old_tariff,
           row_number() OVER (PARTITION BY customer_id
                              ORDER BY effective_month, effective_date, row_no) AS seq
    FROM work_orders
    SEMI JOIN customers USING (customer_id)
    WHERE CAST(order_type AS VARCHAR) = 'tariff_change' AND effective_date IS NOT NULL
), month_last AS (  -- per customer and month of orders, the new tariff of its last
    SELECT customer_id, effective_month, arg_max_null(new_tariff, seq) AS new_tariff
    FROM tariff_orders GROUP BY ALL
), in_force AS (
    SELECT b.customer_id, b.month,
           coalesce(m.tariff,
                    CASE WHEN f.customer_id IS NOT NULL THEN
                        CASE WHEN l.customer_id IS NOT NULL THEN l.new_tariff ELSE f.old_tariff END
                    ELSE CAST(c.tariff_category AS VARCHAR) END) AS tariff,
           c.voltage_kv
    FROM bills AS b
    JOIN customers AS c USING (customer_id)
    LEFT JOIN tariff_mismatch_due AS m USING (customer_id)
    LEFT JOIN tariff_orders AS f ON f.customer_id = b.customer_id AND f.seq = 1
    ASOF LEFT JOIN month_last AS l
      ON l.customer_id = b.customer_id AND l.effective_month <= b.month
    WHERE b.month <= $as_of
)
SELECT i.customer_id, i.month
FROM in_force AS i
SEMI JOIN listed AS l ON l.category = i.tariff
WHERE NOT EXISTS (
    SELECT 1 FROM charging_rows AS g
    WHERE g.category = i.tariff
      AND (i.voltage_kv IS NULL OR (i.voltage_kv >= g.vmin AND i.voltage_kv <= g.vmax)));

-- rule: multiplier_mismatch
-- Bills whose multiplier differs from the archive's (CT × PT) by more than the relative
-- tolerance, unless it is the multiplier in force then (the old value of the first later meter
-- replacement) or, in the month of a replacement, the one before it. Revenue: the kWh left out
-- (kWh × (archive / billed − 1)) at the energy rate due (else billed), plus a demand charge short
-- by the same ratio.
WITH off AS (
    SELECT b.customer_id, b.month, b.multiplier_billed AS billed, c.ct_ratio * c.pt_ratio AS archive,
           b.kwh_billed, b.basic_charge, c.basic_charge_basis = 'demand' AS demand_basis
    FROM bills AS b
    JOIN customers AS c USING (customer_id)
    WHERE b.month <= $as_of
      AND abs(b.multiplier_billed - c.ct_ratio * c.pt_ratio) > $multiplier_tolerance * c.ct_ratio * c.pt_ratio
), replacements AS (  -- per customer and month, the old multiplier of its first replacement
    SELECT customer_id, effective_month AS month, arg_min(old_number, row_no) AS old_value
    FROM rule_orders
    WHERE order_type = 'meter_replacement' AND NOT isnan(old_number)
    GROUP BY ALL
), judged AS (
    SELECT o.*, coalesce(later.old_value, o.archive) AS due, same.old_value AS changed
    FROM off AS o
    ASOF LEFT JOIN replacements AS later
      ON later.customer_id = o.customer_id AND later.month > o.month
    LEFT JOIN replacements AS same ON same.customer_id = o.customer_id AND same.month = o.month
), wrong AS (
    SELECT *, CASE WHEN billed > 0 THEN archive / billed ELSE 1 END AS ratio
    FROM judged
    WHERE NOT coalesce(abs(billed - due) <= $multiplier_tolerance * due, false)
      AND NOT coalesce(abs(billed - changed) <= $multiplier_tolerance * changed, false)
)
SELECT w.customer_id,
       round(greatest(coalesce(sum(
           w.kwh_billed * (w.ratio - 1) * r.energy_due_or_billed
           + CASE WHEN w.demand_basis THEN coalesce(w.basic_charge, 0) * (w.ratio - 1) ELSE 0 END
       ), 0), 0), 2) AS revenue
FROM wrong AS w
JOIN bill_rates AS r USING (customer_id, month)
GROUP BY w.customer_id;

-- rule: tariff_mismatch
-- Customers not closed whose tariff is not for their usage type (the legal exceptions by
-- industry aside), is not offered at their voltage at the audit month, or is not two-part at
-- their voltage (charging_rows) at or above the two-part threshold where the schedule offers
-- their usage a tariff two-part at their voltage (EV charging may stay single-part): the view
-- tariff_mismatch_due. Revenue: over the bills not on the tariff due (the first of the usage
-- offered at the voltage, two-part there where due, in schedule order), energy and
-- funds at its rates less those due for the tariff billed, plus its basic charge on the capacity
-- in force less the basic charge billed; counted over the months recoverable
-- (routine.tariff_mismatch): from the first such bill where the data shows the start (a bill
-- before it, or a first bill in the month of the connection or the next, the connection the
-- latest new_connection order's, else connection_date's, inside the data), else the last
-- $backbill_months months; none where the bills net to an over-billing (a refund).
WITH gaps AS (
    SELECT r.customer_id, r.month,
           coalesce((t.energy_rate - r.energy_due_or_billed) * r.kwh_billed, 0)
           + coalesce((t.fund_rate - r.fund_due) * r.kwh_billed, 0)
           + CASE WHEN t.kva_rate IS NULL THEN 0
                  ELSE coalesce(coalesce(ch.old_value, c.contract_capacity_kva) * t.kva_rate, 0)
                       - coalesce(r.basic_charge, 0) END AS gap
    FROM tariff_mismatch_due AS d
    JOIN bill_rates AS r USING (customer_id)
    JOIN customers AS c USING (customer_id)
    LEFT JOIN flat_rates AS t
      ON t.category = d.tariff AND t.month = r.month AND t.voltage = r.voltage_kv
    ASOF LEFT JOIN capacity_changes AS ch
      ON ch.customer_id = r.customer_id AND ch.month > r.month
    WHERE d.tariff IS NOT NULL AND r.tariff_flat IS DISTINCT FROM d.tariff
), wrong AS (  -- per customer: its bills not on the tariff due, the first's month, their net
    SELECT customer_id, min(month) AS first_wrong, sum(gap) AS net
    FROM gaps GROUP BY customer_id
), connected AS (  -- the month of the connection: the latest new_connection order's, else the
    -- archive's connection_date
    SELECT c.customer_id,
           coalesce(o.month, year(c.connection_date) * 12 + month(c.connection_date) - 1) AS month
    FROM customers AS c
    LEFT JOIN (SELECT customer_id, arg_max(effective_month, (effective_month, row_no)) AS month
               FROM rule_orders WHERE order_type = 'new_connection' GROUP BY customer_id) AS o
      USING (customer_id)
), windows AS (
    SELECT w.customer_id, w.net,
           CASE WHEN w.first_wrong > b.first_bill
                     OR coalesce(n.month >= $first_month AND b.first_bill >= n.month
                                 AND b.first_bill <= n.month + 1, false)
                THEN w.first_wrong ELSE $as_of - $backbill_months + 1 END AS recovered_from
    FROM wrong AS w
    JOIN (SELECT customer_id, least(min(month), $as_of) AS first_bill
          FROM bills WHERE month <= $as_of GROUP BY customer_id) AS b USING (customer_id)
    LEFT JOIN connected AS n USING (customer_id)
), recoverable AS (
    SELECT w.customer_id,
           CASE WHEN half_up(greatest(-any_value(w.net), 0), 2) > 0 THEN 0
                ELSE coalesce(sum(g.gap) FILTER (WHERE g.month >= w.recovered_from), 0) END
             AS revenue
    FROM windows AS w JOIN gaps AS g USING (customer_id)
    GROUP BY w.customer_id
)
SELECT f.customer_id, money(r.revenue) AS revenue
FROM tariff_mismatch_due AS f
LEFT JOIN recoverable AS r USING (customer_id);

-- rule: rate_mismatch
-- Bills whose energy rate is off the schedule's rate due for the tariff (its flat row for the
-- month and voltage) by more than the tolerance, or whose tariff the schedule does not list. On
-- itemized data a bill on the tariff due, or billed or due by time-of-use periods or tiers, is
-- judged by its energy lines against the recomputed rates due (a line billed at its period's rate
-- of the schedule before, or on a bill whose period or tier kWh differ from due, is another
-- rule's), and a bill of one energy line was billed at that line's rate. A bill billed on another
-- tariff than the one due is judged against the tariff billed's own rates (rate_counted.
-- rates_judged_against: the row of exactly the line's period and tier in force on read_to, the
-- kWh of the read days before that row began at the rate the day before, each part to the fen,
-- per kWh; the tariff difference is the tariff rules'). Revenue: (rate due − rate billed) × kWh;
-- where the lines judge, over the wrong lines each line's kWh at the rate judged against less at
-- the rate billed, each to the fen; on itemized data with the power-factor
-- adjustment that moves (pf_moved), unless the bill's energy kWh differ from due beyond the kWh
-- tolerances (its whole adjustment difference is multiplier_mismatch's).
WITH per_bill AS (  -- one pass over the recomputed lines
    SELECT customer_id, month, any_value(tariff_due) AS tariff_due,
           coalesce(bool_or((billed OR due) AND (tou_period IS NOT NULL OR tier > 0))
                      FILTER (WHERE line_type = 'energy'), false) AS special,
           coalesce(bool_or(abs(coalesce(qb, 0) - coalesce(qd, 0))
                            > greatest($rate_kwh_tolerance, $rate_relative_tolerance * coalesce(qd, 0)))
                      FILTER (WHERE line_type = 'energy'), false) AS structural,
           CASE WHEN count(*) FILTER (WHERE line_type = 'energy' AND billed AND rb IS NOT NULL) = 1
                THEN max(rb) FILTER (WHERE line_type = 'energy' AND billed AND rb IS NOT NULL) END
             AS single
    FROM rc_lines GROUP BY customer_id, month
), bills_judged AS (  -- by_lines: the lines decide (a bill the recomputation left has none wrong)
    SELECT b.customer_id, b.month, b.listed, b.energy_due AS due, b.kwh_billed, p.tariff_due,
           CAST(b.tariff_billed AS VARCHAR) AS tariff_billed,
           CASE WHEN i.itemized THEN coalesce(p.single, b.energy_rate) ELSE b.energy_rate END AS billed,
           coalesce(p.special AND p.structural, false) AS special_structural,
           coalesce(p.tariff_due IS NOT NULL
                    AND (b.tariff_billed IS NULL OR CAST(b.tariff_billed AS VARCHAR) <> p.tariff_due),
                    false) AS differs,
           i.itemized
             AND (p.customer_id IS NULL OR p.special
                  OR NOT (p.tariff_due IS NOT NULL
                          AND (b.tariff_billed IS NULL OR CAST(b.tariff_billed AS VARCHAR) <> p.tariff_due)))
             AS by_lines
    FROM bill_rates AS b
    CROSS JOIN itemized AS i
    LEFT JOIN per_bill AS p USING (customer_id, month)
), judged_lines AS NOT MATERIALIZED (  -- billed energy lines of kWh billed, on bills the lines judge
    SELECT e.customer_id, e.month, e.tou_period, e.tier, e.qb, e.rb, e.rd, j.tariff_due,
           j.tariff_billed, j.differs
    FROM rc_lines AS e
    JOIN bills_judged AS j USING (customer_id, month)
    WHERE e.line_type = 'energy' AND e.billed AND e.rb IS NOT NULL AND e.qb > 0
      AND j.by_lines AND NOT j.special_structural
), other_lines AS (  -- of those, on a bill billed on another tariff (few): read days, voltage
    SELECT row_number() OVER () AS line, l.*, coalesce(l.tou_period, '') AS period,
           coalesce(day_no(b.read_from),
                         day_no(make_date(CAST(l.month // 12 AS BIGINT), CAST(l.month % 12 + 1 AS BIGINT), 1)))
                  AS first_day,
           coalesce(day_no(b.read_to),
                    day_no(last_day(make_date(CAST(l.month // 12 AS BIGINT), CAST(l.month % 12 + 1 AS BIGINT), 1))))
             AS last_day,
           c.voltage_kv AS voltage
    FROM judged_lines AS l
    JOIN bills AS b USING (customer_id, month)
    JOIN customers AS c USING (customer_id)
    WHERE l.differs
), billed_asks AS (  -- the tariff billed's row of exactly each line's period and tier on read_to
    SELECT DISTINCT tariff_billed AS category, last_day AS day, voltage, period, tier
    FROM other_lines
), billed_hits AS (
    SELECT a.*, t.row, t.end_day, g.vmin, g.vmax
    FROM billed_asks AS a
    JOIN tariff_groups AS g
      ON g.category = a.category AND g.period = a.period AND g.tier = a.tier
     AND a.voltage >= g.vmin AND a.voltage <= g.vmax
    ASOF JOIN tariff_rows AS t
      ON t.category = g.category AND t.period = g.period AND t.tier = g.tier
     AND t.vmin = g.vmin AND t.vmax = g.vmax AND t.start_day <= a.day
), billed_rows AS (
    SELECT h.category, h.day, h.voltage, h.period, h.tier, t.energy_rate AS rate, t.start_day
    FROM (SELECT category, day, voltage, period, tier,
                 arg_min(row, lookup_rank(0, vmin, vmax, voltage)) AS row
          FROM billed_hits WHERE day <= end_day GROUP BY ALL) AS h
    JOIN tariff_rows AS t USING (row)
), before_asks AS (  -- where that row began inside a line's read days: the day before it
    SELECT DISTINCT r.category, r.start_day - 1 AS day, r.voltage, r.period, r.tier
    FROM other_lines AS l
    JOIN billed_rows AS r
      ON r.category = l.tariff_billed AND r.day = l.last_day AND r.voltage = l.voltage
     AND r.period = l.period AND r.tier = l.tier
    WHERE r.start_day > l.first_day AND r.rate IS NOT NULL
), before_hits AS (
    SELECT a.*, t.row, t.end_day, g.vmin, g.vmax
    FROM before_asks AS a
    JOIN tariff_groups AS g
      ON g.category = a.category AND g.period = a.period AND g.tier = a.tier
     AND a.voltage >= g.vmin AND a.voltage <= g.vmax
    ASOF JOIN tariff_rows AS t
      ON t.category = g.category AND t.period = g.period AND t.tier = g.tier
     AND t.vmin = g.vmin AND t.vmax = g.vmax AND t.start_day <= a.day
), before_rates AS (
    SELECT h.category, h.day, h.voltage, h.period, h.tier, t.energy_rate AS rate
    FROM (SELECT category, day, voltage, period, tier,
                 arg_min(row, lookup_rank(0, vmin, vmax, voltage)) AS row
          FROM before_hits WHERE day <= end_day GROUP BY ALL) AS h
    JOIN tariff_rows AS t USING (row)
), split_lines AS (  -- the kWh of the days before the change (to the hundredth) at the rate then
    SELECT l.line, l.qb, r.rate, x.rate AS rate_before,
           CASE WHEN x.rate IS NOT NULL AND x.rate <> r.rate
                THEN half_up(l.qb * (r.start_day - l.first_day)
                             / greatest(l.last_day - l.first_day + 1, 1), 2)
                ELSE 0.0 END AS kwh_before
    FROM other_lines AS l
    JOIN billed_rows AS r
      ON r.category = l.tariff_billed AND r.day = l.last_day AND r.voltage = l.voltage
     AND r.period = l.period AND r.tier = l.tier
    LEFT JOIN before_rates AS x
      ON r.start_day > l.first_day AND x.category = r.category AND x.day = r.start_day - 1
     AND x.voltage = r.voltage AND x.period = r.period AND x.tier = r.tier
), billed_rates AS (  -- per line, the rate judged against on the tariff billed (rates_judged_against)
    SELECT line,
           (half_up(kwh_before * coalesce(rate_before, 0), 2) + half_up((qb - kwh_before) * rate, 2))
             / qb AS rate
    FROM split_lines
), off_lines AS (  -- those off the rate they are judged against (rate due, or tariff billed's)
    SELECT customer_id, month, tou_period, qb, rb, differs, rd, tariff_due
    FROM judged_lines
    WHERE NOT differs AND abs(rb - rd) > $rate_tolerance
    UNION ALL
    SELECT l.customer_id, l.month, l.tou_period, l.qb, l.rb, l.differs, r.rate, l.tariff_due
    FROM other_lines AS l
    JOIN billed_rates AS r USING (line)
    WHERE abs(l.rb - r.rate) > $rate_tolerance
), off_period AS (  -- of those on the tariff due, period lines: the day of the schedule row in force
    SELECT o.customer_id, o.month, o.tou_period, o.rb, o.tariff_due AS category,
           coalesce(day_no(b.read_to),
                    day_no(last_day(make_date(CAST(o.month // 12 AS BIGINT), CAST(o.month % 12 + 1 AS BIGINT), 1))))
             AS day,
           c.voltage_kv AS voltage
    FROM off_lines AS o
    JOIN bills AS b USING (customer_id, month)
    JOIN customers AS c USING (customer_id)
    WHERE o.tou_period IS NOT NULL AND NOT o.differs
), period_rows AS (
    SELECT DISTINCT category, day, voltage, tou_period AS period FROM off_period
), in_force AS (  -- the row in force for each (category, day, voltage, period), as flat_rates
    SELECT a.category, a.day, a.voltage, a.period,
           arg_min(t.row, lookup_rank(c.level, g.vmin, g.vmax, a.voltage)) AS row
    FROM period_rows AS a
    JOIN lookup_candidates AS c ON c.ask_period = a.period AND c.ask_tier = 0
    JOIN tariff_groups AS g
      ON g.category = a.category AND g.period = c.period AND g.tier = c.tier
     AND a.voltage >= g.vmin AND a.voltage <= g.vmax
    JOIN tariff_rows AS t
      ON t.category = g.category AND t.period = g.period AND t.tier = g.tier
     AND t.vmin = g.vmin AND t.vmax = g.vmax AND t.start_day <= a.day AND a.day <= t.end_day
     AND NOT EXISTS (  -- the latest start of the group on or before the day
         SELECT 1 FROM tariff_rows AS n
         WHERE n.category = t.category AND n.period = t.period AND n.tier = t.tier
           AND n.vmin = t.vmin AND n.vmax = t.vmax AND n.start_day > t.start_day
           AND n.start_day <= a.day)
    GROUP BY ALL
), before_rows AS (  -- the day before that row's start
    SELECT DISTINCT i.category, t.start_day - 1 AS day, i.voltage, i.period, i.day AS asked
    FROM in_force AS i JOIN tariff_rows AS t USING (row)
), before_in_force AS (  -- the period's rate then
    SELECT a.category, a.asked, a.voltage, a.period,
           arg_min(t.energy_rate, lookup_rank(c.level, g.vmin, g.vmax, a.voltage)) AS rate
    FROM before_rows AS a
    JOIN lookup_candidates AS c ON c.ask_period = a.period AND c.ask_tier = 0
    JOIN tariff_groups AS g
      ON g.category = a.category AND g.period = c.period AND g.tier = c.tier
     AND a.voltage >= g.vmin AND a.voltage <= g.vmax
    JOIN tariff_rows AS t
      ON t.category = g.category AND t.period = g.period AND t.tier = g.tier
     AND t.vmin = g.vmin AND t.vmax = g.vmax AND t.start_day <= a.day AND a.day <= t.end_day
     AND NOT EXISTS (
         SELECT 1 FROM tariff_rows AS n
         WHERE n.category = t.category AND n.period = t.period AND n.tier = t.tier
           AND n.vmin = t.vmin AND n.vmax = t.vmax AND n.start_day > t.start_day
           AND n.start_day <= a.day)
    GROUP BY ALL
), old_schedule AS (  -- billed at the period's rate under the schedule before
    SELECT DISTINCT o.customer_id, o.month, o.tou_period
    FROM off_period AS o
    JOIN before_in_force AS p
      ON p.category = o.category AND p.asked = o.day AND p.voltage = o.voltage
     AND p.period = o.tou_period
    WHERE abs(o.rb - p.rate) <= $rate_tolerance
), wrong_lines AS (  -- each line's kWh at either rate to the fen, as the bill charges it
    SELECT o.customer_id, o.month, sum(half_up(o.rd * o.qb, 2) - half_up(o.rb * o.qb, 2)) AS revenue
    FROM off_lines AS o
    ANTI JOIN old_schedule AS s USING (customer_id, month, tou_period)
    GROUP BY ALL
), flagged AS (
    SELECT j.customer_id, j.month,
           CASE WHEN j.by_lines THEN coalesce(w.revenue, 0)
                ELSE coalesce((j.due - j.billed) * j.kwh_billed, 0) END AS revenue
    FROM bills_judged AS j
    LEFT JOIN wrong_lines AS w USING (customer_id, month)
    WHERE NOT j.listed
       OR CASE WHEN j.by_lines THEN w.month IS NOT NULL ELSE abs(j.billed - j.due) > $rate_tolerance END
)
SELECT f.customer_id,
       money(sum(f.revenue
                 + CASE WHEN (SELECT itemized FROM itemized)
                             AND NOT coalesce(abs(r.kwh_due - r.kwh_billed)
                                              > greatest($rate_kwh_tolerance,
                                                         $rate_relative_tolerance * abs(r.kwh_due)), false)
                        THEN pf_moved(r.pf_rate, r.base, f.revenue) ELSE 0 END)) AS revenue
FROM flagged AS f
LEFT JOIN rc_bills AS r USING (customer_id, month)
GROUP BY f.customer_id;

-- rule: zero_consumption
-- Runs of consecutive months at zero kWh of active customers outside suspensions, at least
-- $zero_min_months long, scored 0.5 + 0.5 × min(1, months / 12), × the household weight for a
-- household, × the vacancy weight for a household whose registers stood still with no demand
-- through the run and whose next bill records energy with no meter replaced from the run's first
-- month to that bill's; a customer is listed for a run scoring at least $zero_min_score. Revenue:
-- of its best run (highest score, then longest, then latest), the mean kWh of the 12 months
-- before it as each month's estimate, × the fund rate due of each month and × its energy rate
-- due (else billed), except on a bill priced by tiers (auditkit.rules.tier_energy: a single
-- household, not on time-of-use, whose tariff for pricing has the schedule's lowest tier in
-- force on read_to at its voltage), where the estimate goes on top of the kWh its tier year
-- billed up to and including it and the run's earlier estimates of that year, each tier's kWh
-- (to 1/10,000 kWh) × the tier's rate to the fen. Months stopped by an order (`stopped`,
-- routine._stopped_by_order: a suspension up to its resumption, or a meter removal registered
-- or archived by the audit month's end, from its month until the customer's next month with
-- energy, for at most $zero_max_removal_months whole months; one re-registered fewer than
-- $zero_min_months after the term before, the meter not back, continues it: idle._chained_ends)
-- are no run and no measure of the use before one; an off-season (`seasons`) is no run. Zero bills with no other bill between them
-- and fewer than $zero_unbilled_min_months (unbilled_account's min_months) months with no bill
-- between them, none of those under such an order, are one run (routine._joined_over_short_gaps):
-- its months count for min_months, the score and the seasons; where the customer was read
-- monthly in the 12 months before (fewer than 1.5 months a bill, the months an order stopped
-- not counted), a bill after months with no bill is priced for them too (routine._months_priced),
-- each month at its own month's flat rates (routine._rates_over_months). In the other years a month with no bill
-- is idle between two 0 kWh bills not stopped with fewer such months between them and no order
-- over it (idle.missing_bills), and only a bill with energy stands against a season: a month
-- stopped by an order, or in a longer gap with no bill, is neither (idle.off_seasons).
WITH removals AS (  -- each registered meter removal's months: [start_month, end_month)
    SELECT o.customer_id, o.effective_month AS start_month,
           o.effective_month + CASE WHEN day(o.effective_date) > 1 THEN 1 ELSE 0 END
             + $zero_max_removal_months AS term_end
    FROM work_orders AS o
    SEMI JOIN customers USING (customer_id)
    WHERE o.order_type = 'meter_removal' AND o.effective_date IS NOT NULL
      AND coalesce(o.registered_at, o.archived_at) <= (SELECT month_end FROM run_month)
), removal_use AS (  -- each removal's first month with energy after its month (none: NULL)
    SELECT r.customer_id, r.start_month, r.term_end, min(b.month) AS use
    FROM removals AS r
    LEFT JOIN bills AS b
      ON b.customer_id = r.customer_id AND b.month > r.start_month AND b.kwh_billed > 0
    GROUP BY r.customer_id, r.start_month, r.term_end
), removal_links AS (  -- a removal continues the one before (idle._chained_ends): that one's term
    -- ran out with the meter still away up to this one's month, fewer than $zero_min_months before
    SELECT *, coalesce((lag(use) OVER w IS NULL
                        OR lag(use) OVER w > greatest(lag(term_end) OVER w, start_month))
                       AND start_month - lag(term_end) OVER w < $zero_min_months, false)
                AS continues
    FROM removal_use
    WINDOW w AS (PARTITION BY customer_id ORDER BY start_month, term_end)
), removal_chains AS (  -- removals chained end where the chain's first term does
    SELECT *, first_value(term_end) OVER (PARTITION BY customer_id, chain_no
                                          ORDER BY start_month, term_end) AS chain_end
    FROM (SELECT *, sum(CAST(NOT continues AS INTEGER))
                      OVER (PARTITION BY customer_id ORDER BY start_month, term_end
                            ROWS UNBOUNDED PRECEDING) AS chain_no
          FROM removal_links)
), stopped_spans AS (
    SELECT customer_id, start_month, end_month FROM reducing_spans
    WHERE order_type = 'suspension'
    UNION ALL
    SELECT customer_id, start_month, least(chain_end, coalesce(use, chain_end)) AS end_month
    FROM removal_chains
), stopped AS (
    SELECT DISTINCT b.customer_id, b.month
    FROM bills AS b
    JOIN stopped_spans AS s
      ON s.customer_id = b.customer_id AND b.month >= s.start_month AND b.month < s.end_month
), zeros AS (
    SELECT b.customer_id, b.month, c.usage_type = 'residential' AS household,
           coalesce(abs(b.register_end - b.register_start) < 1e-9, false)
             AND coalesce(b.max_demand_kw, 0) = 0 AS quiet
    FROM bills AS b
    JOIN customers AS c USING (customer_id)
    ANTI JOIN stopped USING (customer_id, month)
    WHERE b.month <= $as_of AND b.kwh_billed = 0 AND c.status = 'active'
), numbered AS (  -- each bill's place among its customer's: any bill between two zeros parts them
    SELECT customer_id, month, row_number() OVER (PARTITION BY customer_id ORDER BY month) AS bill_no
    FROM bills
    SEMI JOIN zeros USING (customer_id)
    WHERE month <= $as_of
), zero_steps AS (  -- each zero bill and the zero bill before it
    SELECT z.*, n.bill_no, lag(n.bill_no) OVER w AS previous_no, lag(z.month) OVER w AS previous
    FROM zeros AS z
    JOIN numbered AS n USING (customer_id, month)
    WINDOW w AS (PARTITION BY z.customer_id ORDER BY z.month)
), zero_starts AS (  -- a zero bill starts a run unless the one before is the bill before it, with
    -- fewer than $zero_unbilled_min_months months with no bill between, none under an order
    SELECT z.*, previous_no IS NULL OR bill_no - previous_no <> 1
                OR month - previous - 1 >= $zero_unbilled_min_months
                OR EXISTS (SELECT 1 FROM stopped_spans AS s
                           WHERE s.customer_id = z.customer_id AND s.start_month <= z.month - 1
                             AND s.end_month > z.previous + 1 AND z.month - z.previous > 1)
                AS starts
    FROM zero_steps AS z
), all_runs AS (  -- length: its bills; months: the months it spans
    SELECT customer_id, any_value(household) AS household, min(month) AS month_from,
           max(month) AS month_to, count(*) AS length, max(month) - min(month) + 1 AS months,
           bool_and(quiet) AS quiet
    FROM (SELECT *, sum(CAST(starts AS INTEGER)) OVER (PARTITION BY customer_id ORDER BY month)
                      AS run_no
          FROM zero_starts)
    GROUP BY customer_id, run_no
    HAVING max(month) - min(month) + 1 >= $zero_min_months
), shifts AS (  -- the run's own year (0) and the three before and after
    SELECT unnest([0, -3, -2, -1, 1, 2, 3]) AS years
), run_months AS (
    SELECT customer_id, month_from, unnest(range(month_from, month_to + 1)) AS month
    FROM all_runs
), around AS (  -- the months of each run's year outside it: the 12 − months before and after
    SELECT customer_id, month_from,
           unnest(list_concat(range(month_from - (12 - least(months, 12)), month_from),
                              range(month_to + 1, month_to + 1 + (12 - least(months, 12)))))
             AS month
    FROM all_runs
), used_around AS (  -- runs and years in which a month around the run billed energy
    SELECT DISTINCT a.customer_id, a.month_from, y.years
    FROM around AS a CROSS JOIN shifts AS y
    JOIN bills AS b ON b.customer_id = a.customer_id AND b.month = a.month + 12 * y.years
    WHERE b.kwh_billed > 0
), bill_gaps AS (  -- months with no bill between two bills of a run's customer (before, after)
    SELECT customer_id, month AS before, after,
           kwh_billed = 0 AND next_kwh = 0 AND NOT stopped_before AND NOT stopped_after AS zeros_around
    FROM (SELECT b.customer_id, b.month, b.kwh_billed, s.month IS NOT NULL AS stopped_before,
                 lead(b.month) OVER w AS after, lead(b.kwh_billed) OVER w AS next_kwh,
                 lead(s.month IS NOT NULL) OVER w AS stopped_after
          FROM bills AS b
          SEMI JOIN all_runs USING (customer_id)
          LEFT JOIN stopped AS s USING (customer_id, month)
          WINDOW w AS (PARTITION BY b.customer_id ORDER BY b.month))
    WHERE after > month + 1
), other_months AS (  -- per run, other year and month: idle, or against an off-season
    SELECT m.customer_id, m.month_from, y.years,
           CASE WHEN b.month IS NOT NULL THEN b.kwh_billed = 0 AND s.month IS NULL
                ELSE coalesce(g.after - g.before - 1 < $zero_unbilled_min_months
                              AND g.zeros_around AND NOT u.under, false) END AS idle,
           b.month IS NOT NULL AND b.kwh_billed > 0 AS against
    FROM run_months AS m CROSS JOIN shifts AS y
    LEFT JOIN bills AS b ON b.customer_id = m.customer_id AND b.month = m.month + 12 * y.years
    LEFT JOIN stopped AS s ON s.customer_id = b.customer_id AND s.month = b.month
    LEFT JOIN bill_gaps AS g
      ON g.customer_id = m.customer_id AND m.month + 12 * y.years > g.before
     AND m.month + 12 * y.years < g.after
    LEFT JOIN LATERAL (SELECT count(*) > 0 AS under FROM stopped_spans AS p
                       WHERE p.customer_id = m.customer_id
                         AND p.start_month <= m.month + 12 * y.years
                         AND p.end_month > m.month + 12 * y.years) AS u ON true
    WHERE y.years <> 0
), other_years AS (  -- per run and other year: its months all idle there (`alike`), one of them
    -- billed energy (`contradicts`)
    SELECT customer_id, month_from, years, bool_and(idle) AS alike, bool_or(against) AS contradicts
    FROM other_months
    GROUP BY customer_id, month_from, years
), seasons AS (  -- off-seasons (routine._seasonal_runs): at most $zero_max_off_season_months,
    -- energy around the run in its year, its months at zero with no order stopping them in every
    -- other year billed, all of them in one such year at least, and energy around them in each
    SELECT r.customer_id, r.month_from
    FROM all_runs AS r
    SEMI JOIN used_around AS u
      ON u.customer_id = r.customer_id AND u.month_from = r.month_from AND u.years = 0
    WHERE r.months <= $zero_max_off_season_months
      AND NOT EXISTS (SELECT 1 FROM other_years AS o
                      WHERE o.customer_id = r.customer_id AND o.month_from = r.month_from
                        AND (o.contradicts
                             OR o.alike AND NOT EXISTS (
                                 SELECT 1 FROM used_around AS u
                                 WHERE u.customer_id = o.customer_id
                                   AND u.month_from = o.month_from AND u.years = o.years)))
      AND EXISTS (SELECT 1 FROM other_years AS o
                  WHERE o.customer_id = r.customer_id AND o.month_from = r.month_from
                    AND o.alike)
), runs AS (
    SELECT * FROM all_runs ANTI JOIN seasons USING (customer_id, month_from)
), next_bills AS (  -- each run's customer's next bill after it
    SELECT r.customer_id, r.month_from, min(b.month) AS month,
           arg_min_null(b.kwh_billed, b.month) AS kwh_billed
    FROM runs AS r
    JOIN bills AS b ON b.customer_id = r.customer_id AND b.month > r.month_to AND b.month <= $as_of
    GROUP BY r.customer_id, r.month_from
), resumed AS (
    SELECT r.*, coalesce(n.kwh_billed > 0, false)
             AND NOT EXISTS (
                 SELECT 1 FROM rule_orders AS o
                 WHERE o.order_type = 'meter_replacement' AND o.customer_id = r.customer_id
                   AND o.effective_month BETWEEN r.month_from AND n.month) AS resumed
    FROM runs AS r
    LEFT JOIN next_bills AS n USING (customer_id, month_from)
), scored AS (
    SELECT *, (0.5 + 0.5 * least(1.0, months / 12.0))
              * CASE WHEN household THEN $zero_household_weight ELSE 1.0 END
              * CASE WHEN household AND quiet AND resumed THEN $zero_vacancy_weight ELSE 1.0 END
              AS score
    FROM resumed
), best AS (
    SELECT customer_id, arg_max(month_from, (score, length, month_from)) AS month_from,
           arg_max(month_to, (score, length, month_from)) AS month_to
    FROM scored WHERE score >= $zero_min_score
    GROUP BY customer_id
), best_bills AS (  -- the bills of the customers listed (few), read once
    SELECT b.customer_id, b.month, b.kwh_billed, b.read_to
    FROM bills AS b SEMI JOIN best USING (customer_id)
), usual_bills AS (  -- the months an order stopped are no measure of the use
    SELECT s.customer_id, any_value(s.month_from) AS month_from, avg(b.kwh_billed) AS kwh,
           min(b.month) AS first, count(*) AS bills
    FROM best AS s
    JOIN best_bills AS b ON b.customer_id = s.customer_id
     AND b.month >= s.month_from - 12 AND b.month < s.month_from
    ANTI JOIN stopped AS x ON x.customer_id = b.customer_id AND x.month = b.month
    GROUP BY s.customer_id
), usual AS (  -- read monthly: fewer than 1.5 months a bill from the first of them to the run,
    -- the months under an order (`stopped_spans`) not counted (routine._usual_kwh)
    SELECT u.customer_id, u.kwh,
           (u.month_from - u.first
            - (SELECT count(*) FROM range(u.first, u.month_from) AS m(month)
               WHERE EXISTS (SELECT 1 FROM stopped_spans AS p
                             WHERE p.customer_id = u.customer_id
                               AND p.start_month <= m.month AND p.end_month > m.month)))
             / u.bills < 1.5 AS monthly
    FROM usual_bills AS u
), run_bill_months AS (  -- each bill of the best run and the months its estimate covers (read
    -- monthly: from the month after the run's bill before, routine._months_priced)
    SELECT s.customer_id, r.month,
           CASE WHEN coalesce(u.monthly, false)
                THEN greatest(coalesce(r.month - lag(r.month) OVER (PARTITION BY s.customer_id
                                                                 ORDER BY r.month), 1), 1)
                ELSE 1 END AS months
    FROM best AS s
    LEFT JOIN usual AS u USING (customer_id)
    JOIN bill_rates AS r ON r.customer_id = s.customer_id AND r.month BETWEEN s.month_from AND s.month_to
), run_rates AS (  -- per such bill, the mean over its months of each month's flat energy rate
    -- due (else the bill's rate billed) and fund rate due (none: 0): a gap month at its own
    -- month's rates (routine._rates_over_months)
    SELECT m.customer_id, m.month,
           avg(coalesce(f.energy_rate, r.energy_rate)) AS energy_due_or_billed,
           avg(coalesce(f.fund_rate, 0)) AS fund_due
    FROM run_bill_months AS m
    JOIN bill_rates AS r USING (customer_id, month)
    CROSS JOIN LATERAL (SELECT unnest(range(m.month - m.months + 1, m.month + 1)) AS at) AS g
    LEFT JOIN flat_rates AS f
      ON f.category = r.tariff_flat AND f.month = g.at AND f.voltage = r.voltage_kv
    GROUP BY m.customer_id, m.month
), run_bills AS (  -- each bill of the best run, its estimate over its months, tariff for
    -- pricing and read_to
    SELECT s.customer_id, r.month, coalesce(u.kwh, 0) * m.months AS kwh,
           r.tariff_flat AS category,
           r.voltage_kv AS voltage, q.energy_due_or_billed, q.fund_due,
           coalesce(day_no(b.read_to),
                    day_no(last_day(make_date(CAST(r.month // 12 AS BIGINT), CAST(r.month % 12 + 1 AS BIGINT), 1))))
             AS day,
           (r.month - ($tier_year_start_month - 1)) // 12 AS tier_year,
           c.tier_scheme = 'single' AS single, coalesce(c.tou, false) AS tou
    FROM best AS s
    LEFT JOIN usual AS u USING (customer_id)
    JOIN bill_rates AS r ON r.customer_id = s.customer_id AND r.month BETWEEN s.month_from AND s.month_to
    JOIN run_bill_months AS m ON m.customer_id = r.customer_id AND m.month = r.month
    JOIN run_rates AS q ON q.customer_id = r.customer_id AND q.month = r.month
    JOIN best_bills AS b ON b.customer_id = r.customer_id AND b.month = r.month
    JOIN customers AS c ON c.customer_id = s.customer_id
), tier_asks AS (  -- what the tier pricing asks of the schedule: exact rows only (no fallback)
    SELECT DISTINCT category, day, voltage FROM run_bills WHERE single AND kwh > 0
), tier_candidates AS (  -- each tier's row without a period, and the peak and valley rows
    SELECT a.category, a.day, a.voltage, g.period, g.tier, g.vmin, g.vmax
    FROM tier_asks AS a
    JOIN tariff_groups AS g
      ON g.category = a.category AND a.voltage >= g.vmin AND a.voltage <= g.vmax
     AND ((g.period = '' AND g.tier > 0) OR (g.period IN ('peak', 'valley') AND g.tier = 0))
), tier_hits AS (
    SELECT c.*, t.row, t.end_day
    FROM tier_candidates AS c
    ASOF JOIN tariff_rows AS t
      ON t.category = c.category AND t.period = c.period AND t.tier = c.tier
     AND t.vmin = c.vmin AND t.vmax = c.vmax AND t.start_day <= c.day
), tier_rows AS (  -- per ask, period and tier, the row in force (the narrowest band, as flat_rates)
    SELECT h.category, h.day, h.voltage, h.period, h.tier, t.energy_rate, t.tier_from, t.tier_to
    FROM (SELECT category, day, voltage, period, tier,
                 arg_min(row, lookup_rank(0, vmin, vmax, voltage)) AS row
          FROM tier_hits WHERE day <= end_day GROUP BY ALL) AS h
    JOIN tariff_rows AS t USING (row)
), tiered AS (  -- bills priced by tiers: the lowest tier of the schedule has a rate in force and,
    -- for a time-of-use customer, the tariff has neither a peak nor a valley row in force
    SELECT r.customer_id, r.month, r.kwh, r.category, r.day, r.voltage,
           (SELECT coalesce(sum(coalesce(y.kwh_billed, 0)), 0) FROM best_bills AS y
            WHERE y.customer_id = r.customer_id
              AND y.month >= r.tier_year * 12 + ($tier_year_start_month - 1) AND y.month <= r.month)
           + coalesce(sum(r.kwh) OVER (PARTITION BY r.customer_id, r.tier_year ORDER BY r.month
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
             AS before
    FROM run_bills AS r
    WHERE r.single AND r.kwh > 0
      AND EXISTS (SELECT 1 FROM tier_rows AS t
                  WHERE t.category = r.category AND t.day = r.day AND t.voltage = r.voltage
                    AND t.period = '' AND t.energy_rate IS NOT NULL
                    AND t.tier = (SELECT min(tier) FROM tariff_rows WHERE tier > 0))
      AND NOT (r.tou AND EXISTS (SELECT 1 FROM tier_rows AS t
                                 WHERE t.category = r.category AND t.day = r.day
                                   AND t.voltage = r.voltage AND t.period IN ('peak', 'valley')))
), tier_money AS (  -- per tiered bill: each band's kWh to 1/10,000 kWh × its rate, to the fen
    SELECT b.customer_id, b.month,
           sum(half_up(roundbankers((least(greatest(b.before + b.kwh, t.tier_from), t.tier_to)
                                     - least(greatest(b.before, t.tier_from), t.tier_to)) * 10000, 0)
                       / 10000 * coalesce(t.energy_rate, 0), 2)) AS energy
    FROM tiered AS b
    JOIN tier_rows AS t
      ON t.category = b.category AND t.day = b.day AND t.voltage = b.voltage AND t.period = ''
    GROUP BY ALL
)
SELECT r.customer_id,
       money(sum(coalesce(m.energy, r.kwh * r.energy_due_or_billed)
                 + r.kwh * coalesce(r.fund_due, 0))) AS revenue
FROM run_bills AS r
LEFT JOIN tier_money AS m USING (customer_id, month)
GROUP BY r.customer_id;

-- rule: capacity_underbilled
-- Capacity-basis customers' bills billed on less than the capacity due (capacity.py). On
-- itemized data (`_capacity_short_by_lines`): the recomputed basic lines (kVA in force from the
-- transformers or the archive and orders, day by day, prorated in months of change), the kVA
-- due less the kVA billed beyond the tolerance, unless on or after a capacity reduction with the
-- capacity then in force billed (prorated by the orders in its month: equipment used against
-- the reduction, reduction_without_drop's) or single-part (fell_below_two_part: the orders'
-- capacity on the read period's last day in service below the two-part threshold after the
-- customer had at least it, or below $two_part_choice_from_kva), a month prorated by day due at
-- most its largest capacity; revenue the kVA short × the rate due (on a bill billed on another
-- tariff than the one due, the tariff billed's rate per kVA: a bill at no rate is short of no
-- charge and not listed), plus the power-factor adjustment that moves on it (pf_moved) and, under a standard laxer
-- than due, what the standard due moves beyond the one recorded (pf_standard.standard_surcharge),
-- none where the bill's energy kWh differ from due (multiplier_mismatch's). Otherwise
-- (`_capacity_short`) month by month: the capacity in force (archive and capacity orders), in a
-- month of change, connection or closure or inside a suspension the orders' capacity prorated by
-- day (`capacity_bills`), against the capacity billed (recorded, or the basic charge ÷ the rate
-- per kVA due where that is more; a bill recording neither is not judged), unless single-part
-- (fell_below_two_part on the capacity in force, in such a month the orders' capacity on its
-- last day: a customer always between $two_part_choice_from_kva and the threshold chose its
-- two-part tariff and owes its basic charge); revenue the kVA short × the rate per kVA due (none: not listed). A bill's
-- short (its adjustment too) whose capacity in force is below the threshold (a customer that
-- chose its two-part tariff) is at most what the bill lost as a whole (rc_bills.lost,
-- bill_lost.share_within_the_bill_lost): each part × lost ÷ the short, at most 1, to the fen;
-- from the threshold up, or where the capacity in force is unknown, not capped (capacity.py).
WITH basic_lines AS (  -- a month prorated by day is due at most its largest capacity; a bill
    -- on another tariff than the one due is short at its own tariff's rate per kVA
    SELECT l.customer_id, l.month, l.qb, f.in_force,
           CASE WHEN l.tariff_due IS NOT NULL
                     AND (r.tariff_billed IS NULL OR CAST(r.tariff_billed AS VARCHAR) <> l.tariff_due)
                THEN coalesce(r.kva_due, 0) ELSE l.rd END AS rate,
           CASE WHEN f.prorated AND f.highest IS NOT NULL THEN least(l.qd, f.highest) ELSE l.qd END
             - l.qb AS gap  -- a capacity billed unknown (NULL) proves no shortfall
    FROM rc_lines AS l
    JOIN capacity_bills AS f USING (customer_id, month)
    JOIN bill_rates AS r USING (customer_id, month)
    WHERE (SELECT itemized FROM itemized) AND l.line_type = 'basic' AND l.due
      AND l.ad IS NOT NULL AND l.qd - l.qb > $kva_tolerance
      -- where the orders leave the capacity unknown, the line's own says whether it fell below
      -- the two-part threshold
      AND NOT fell_below_two_part(coalesce(f.last_kva, l.qd), f.peak, $capacity_two_part_kva,
                                  $two_part_choice_from_kva)
      AND NOT coalesce(f.inside_reduction
                       AND l.qb
                           >= CASE WHEN f.prorated THEN f.kva_months ELSE f.in_force END
                              - $kva_tolerance, false)
), short_lines AS (  -- short of a charge (a bill at no rate per kVA is short of none), due
    SELECT customer_id, month, in_force, gap * rate AS revenue
    FROM basic_lines
    ANTI JOIN no_basic_due USING (customer_id, month)
    WHERE gap > $kva_tolerance AND gap * rate > 0
), by_lines AS (
    SELECT s.customer_id, s.month, s.in_force, s.revenue AS basic,
           CASE WHEN coalesce(abs(r.kwh_due - r.kwh_billed)
                                > greatest($capacity_kwh_tolerance,
                                           $capacity_relative_tolerance * abs(r.kwh_due)), false)
                  THEN 0
                  ELSE pf_moved(r.pf_rate, coalesce(r.base, 0), s.revenue)
                       + CASE WHEN x.customer_id IS NULL THEN 0 ELSE coalesce(
                             (half_up((x.base + s.revenue) * x.due_percent / 100, 2)
                              - half_up(x.base * x.due_percent / 100, 2))
                             - (half_up((x.base + s.revenue) * x.percent / 100, 2)
                                - half_up(x.base * x.percent / 100, 2)), 0) END
             END AS pf
    FROM short_lines AS s
    LEFT JOIN rc_bills AS r USING (customer_id, month)
    LEFT JOIN laxer_bills AS x USING (customer_id, month)
), monthly AS (
    SELECT f.customer_id, f.month, f.in_force,
           CASE WHEN f.changing AND (f.prorated OR f.suspended) THEN f.kva_months ELSE f.in_force END
             AS due,
           fell_below_two_part(CASE WHEN f.changing THEN f.last_kva ELSE f.in_force END, f.peak,
                               $capacity_two_part_kva, $two_part_choice_from_kva) AS single_part,
           -- the capacity recorded, or what the basic charge pays for where that is more;
           -- NULL (never short) where the bill records neither: an archive gap, not nothing
           CASE WHEN coalesce(r.kva_due, 0) > 0
                THEN greatest(b.capacity_billed_kva, b.basic_charge / r.kva_due)
                ELSE b.capacity_billed_kva END AS billed,
           coalesce(r.kva_due, 0) AS rate
    FROM capacity_bills AS f
    JOIN bills AS b USING (customer_id, month)
    JOIN bill_rates AS r USING (customer_id, month)
    ANTI JOIN no_basic_due USING (customer_id, month)
    WHERE NOT (SELECT itemized FROM itemized) AND f.in_force IS NOT NULL
), short AS (
    SELECT customer_id, month, in_force, basic, pf FROM by_lines
    UNION ALL
    SELECT customer_id, month, in_force, (due - billed) * rate, 0.0 FROM monthly
    WHERE due - billed > $kva_tolerance AND NOT single_part
      AND (due - billed) * rate > 0
), capped AS (  -- below the threshold a bill's short at most what the bill lost as a whole:
    -- each part × the share
    SELECT s.customer_id, s.basic, s.pf,
           CASE WHEN NOT coalesce(s.in_force < $capacity_two_part_kva, false)
                     OR r.lost IS NULL OR s.basic + s.pf <= 0 THEN 1.0
                ELSE least(r.lost / (s.basic + s.pf), 1.0) END AS share
    FROM short AS s
    LEFT JOIN rc_bills AS r USING (customer_id, month)
)
SELECT customer_id, money(sum(half_up(basic * share, 2) + half_up(pf * share, 2))) AS revenue
FROM capped
GROUP BY customer_id;
