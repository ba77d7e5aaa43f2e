-- Five auditkit rules as plain DuckDB SQL: multiplier_mismatch, tariff_mismatch, rate_mismatch,
-- zero_consumption, capacity_underbilled, for benchmarks/bench_scale.py and
-- benchmarks/check_duckdb_parity.py (which runs it: `load_tables`, then `run_rules`).
--
-- Each `-- rule: <rule_id>` section is one query giving the customers the rule flags at the audit
-- month, (customer_id, revenue): the finding's revenue_impact, yuan to the fen, never negative.
-- Each `-- view: <name>` section is one query, run before the rules in file order into a table of
-- that name. The semantics are auditkit/rules' (each rule's code, tests/rules); money as there.
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
-- tariff_rows, tariff_groups, lookup_candidates (the schedule as looked up) and its macro day_no.
-- Named parameters: $as_of (audit month), $first_month (first billed month), the thresholds
-- of params/rules.yaml ($multiplier_tolerance; $two_part_threshold_kva,
-- $shared_meter_industries, $ev_charging_industries, $ev_charging_usages (lists);
-- $rate_tolerance, $rate_kwh_tolerance, $rate_relative_tolerance; $zero_min_months,
-- $zero_min_score, $zero_household_weight, $zero_vacancy_weight; $kva_tolerance).

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
       o.effective_month, TRY_CAST(o.old_value AS DOUBLE) AS old_number
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

-- view: rc_lines
-- The recomputed lines up to the audit month, NaN as NULL, with the bill's month; `billed` / `due`:
-- the line is on the bill (a rate or an amount billed, or an unknown amount) / due.
WITH r AS (
    SELECT customer_id, CAST(substr(period, 1, 4) AS INTEGER) * 12 + CAST(substr(period, 6, 2) AS INTEGER) - 1 AS month,
           line_type, tou_period, coalesce(tier, 0) AS tier, tariff_due,
           CASE WHEN NOT isnan(quantity_billed) THEN quantity_billed END AS qb,
           CASE WHEN NOT isnan(quantity_due) THEN quantity_due END AS qd,
           CASE WHEN NOT isnan(rate_billed) THEN rate_billed END AS rb,
           CASE WHEN NOT isnan(rate_due) THEN rate_due END AS rd,
           CASE WHEN NOT isnan(amount_billed) THEN amount_billed END AS ab,
           CASE WHEN NOT isnan(amount_due) THEN amount_due END AS ad
    FROM recomputed
)
SELECT r.*, rb IS NOT NULL OR ab IS NULL OR ab <> 0 AS billed,
       rd IS NOT NULL OR coalesce(ad, 0) <> 0 AS due
FROM r SEMI JOIN customers USING (customer_id);

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
-- industry aside), is not offered at their voltage at the audit month, or is single-part at or
-- above the two-part threshold where the schedule offers their usage a two-part tariff at their
-- voltage (EV charging may stay single-part). Revenue: over the bills not on the tariff due (the
-- first of the usage offered at the voltage, two-part where due, in schedule order), energy and
-- funds at its rates less those due for the tariff billed, plus its basic charge on the capacity
-- in force less the basic charge billed.
WITH schedule AS (  -- per tariff: its first row's usage type and position; two-part: any row
    SELECT category, arg_min_null(usage_type, row) AS usage_type, min(row) AS first_row,
           bool_or(coalesce(basic_rate_kva_month, 0) > 0) AS two_part
    FROM (SELECT CAST(tariff_category AS VARCHAR) AS category, usage_type, row_no AS row,
                 basic_rate_kva_month FROM tariffs)
    GROUP BY category
), offered AS (  -- the tariffs with an energy rate in force at the audit month, per voltage
    SELECT f.category, f.voltage, s.usage_type, s.two_part, s.first_row
    FROM flat_rates AS f JOIN schedule AS s USING (category)
    WHERE f.month = $as_of AND f.energy_rate IS NOT NULL
), archive AS (
    SELECT c.customer_id, c.usage_type, c.voltage_kv, s.usage_type AS tariff_usage,
           coalesce(s.two_part, false) AS is_two_part,
           coalesce(c.contract_capacity_kva, 0) >= $two_part_threshold_kva AS large,
           coalesce(list_contains($ev_charging_industries, c.industry), false) AS ev,
           (coalesce(list_contains($shared_meter_industries, c.industry), false)
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
), gaps AS (
    SELECT r.customer_id,
           coalesce((t.energy_rate - r.energy_due_or_billed) * r.kwh_billed, 0)
           + coalesce((t.fund_rate - r.fund_due) * r.kwh_billed, 0)
           + CASE WHEN t.kva_rate IS NULL THEN 0
                  ELSE coalesce(coalesce(ch.old_value, c.contract_capacity_kva) * t.kva_rate, 0)
                       - coalesce(r.basic_charge, 0) END AS gap
    FROM due AS d
    JOIN bill_rates AS r USING (customer_id)
    JOIN customers AS c USING (customer_id)
    LEFT JOIN flat_rates AS t
      ON t.category = d.tariff AND t.month = r.month AND t.voltage = r.voltage_kv
    ASOF LEFT JOIN capacity_changes AS ch
      ON ch.customer_id = r.customer_id AND ch.month > r.month
    WHERE r.tariff_flat IS DISTINCT FROM d.tariff
)
SELECT f.customer_id, round(greatest(coalesce(sum(g.gap), 0), 0), 2) AS revenue
FROM flagged AS f
LEFT JOIN gaps AS g USING (customer_id)
GROUP BY f.customer_id;

-- rule: rate_mismatch
-- Bills whose energy rate is off the schedule's rate due for the tariff (its flat row for the
-- month and voltage) by more than the tolerance, or whose tariff the schedule does not list. On
-- itemized data a bill on the tariff due, or billed or due by time-of-use periods or tiers, is
-- judged by its energy lines against the recomputed rates due (a line billed at its period's rate
-- of the schedule before, or on a bill whose period or tier kWh differ from due, is another
-- rule's), and a bill of one energy line was billed at that line's rate. Revenue: (rate due −
-- rate billed) × kWh, of the wrong lines where the lines judge.
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
           CASE WHEN i.itemized THEN coalesce(p.single, b.energy_rate) ELSE b.energy_rate END AS billed,
           coalesce(p.special AND p.structural, false) AS special_structural,
           i.itemized
             AND (p.customer_id IS NULL OR p.special
                  OR NOT (p.tariff_due IS NOT NULL
                          AND (b.tariff_billed IS NULL OR CAST(b.tariff_billed AS VARCHAR) <> p.tariff_due)))
             AS by_lines
    FROM bill_rates AS b
    CROSS JOIN itemized AS i
    LEFT JOIN per_bill AS p USING (customer_id, month)
), off_lines AS (  -- billed energy lines off the rate due, on bills the lines judge
    SELECT e.customer_id, e.month, e.tou_period, e.qb, e.rb, e.rd, j.tariff_due
    FROM rc_lines AS e
    JOIN bills_judged AS j USING (customer_id, month)
    WHERE e.line_type = 'energy' AND e.billed AND e.rb IS NOT NULL AND e.rd IS NOT NULL
      AND e.qb > 0 AND abs(e.rb - e.rd) > $rate_tolerance
      AND j.by_lines AND NOT j.special_structural
), off_period AS (  -- of those, period lines: the day of the schedule row in force
    SELECT o.customer_id, o.month, o.tou_period, o.rb, o.tariff_due AS category,
           coalesce(day_no(b.read_to),
                    day_no(last_day(make_date(CAST(o.month // 12 AS BIGINT), CAST(o.month % 12 + 1 AS BIGINT), 1))))
             AS day,
           c.voltage_kv AS voltage
    FROM off_lines AS o
    JOIN bills AS b USING (customer_id, month)
    JOIN customers AS c USING (customer_id)
    WHERE o.tou_period IS NOT NULL
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
), wrong_lines AS (
    SELECT o.customer_id, o.month, sum((o.rd - o.rb) * o.qb) AS revenue
    FROM off_lines AS o
    ANTI JOIN old_schedule AS s USING (customer_id, month, tou_period)
    GROUP BY ALL
)
SELECT j.customer_id,
       round(greatest(coalesce(sum(CASE WHEN j.by_lines THEN coalesce(w.revenue, 0)
                                        ELSE coalesce((j.due - j.billed) * j.kwh_billed, 0) END), 0), 0), 2)
         AS revenue
FROM bills_judged AS j
LEFT JOIN wrong_lines AS w USING (customer_id, month)
WHERE NOT j.listed
   OR CASE WHEN j.by_lines THEN w.month IS NOT NULL ELSE abs(j.billed - j.due) > $rate_tolerance END
GROUP BY j.customer_id;

-- rule: zero_consumption
-- Runs of consecutive months at zero kWh of active customers outside suspensions, at least
-- $zero_min_months long, scored 0.5 + 0.5 × min(1, months / 12), × the household weight for a
-- household, × the vacancy weight for a household whose registers stood still with no demand
-- through the run and whose next bill records energy with no meter replaced from the run's first
-- month to that bill's; a customer is listed for a run scoring at least $zero_min_score. Revenue:
-- of its best run (highest score, then longest, then latest), the mean kWh of the 12 months
-- before it × the energy rates due (else billed) of its months summed.
WITH zeros AS (
    SELECT b.customer_id, b.month, c.usage_type = 'residential' AS household,
           coalesce(abs(b.register_end - b.register_start) < 1e-9, false)
             AND coalesce(b.max_demand_kw, 0) = 0 AS quiet
    FROM bills AS b
    JOIN customers AS c USING (customer_id)
    WHERE b.month <= $as_of AND b.kwh_billed = 0 AND c.status = 'active'
      AND NOT EXISTS (
          SELECT 1 FROM reducing_spans AS s
          WHERE s.order_type = 'suspension' AND s.customer_id = b.customer_id
            AND b.month >= s.start_month AND b.month < s.end_month)
), runs AS (  -- consecutive months share month − their rank
    SELECT customer_id, any_value(household) AS household, min(month) AS month_from,
           max(month) AS month_to, count(*) AS length, bool_and(quiet) AS quiet
    FROM (SELECT *, month - row_number() OVER (PARTITION BY customer_id ORDER BY month) AS island
          FROM zeros)
    GROUP BY customer_id, island
    HAVING count(*) >= $zero_min_months
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
    SELECT *, (0.5 + 0.5 * least(1.0, length / 12.0))
              * CASE WHEN household THEN $zero_household_weight ELSE 1.0 END
              * CASE WHEN household AND quiet AND resumed THEN $zero_vacancy_weight ELSE 1.0 END
              AS score
    FROM resumed
), best AS (
    SELECT customer_id, arg_max(month_from, (score, length, month_from)) AS month_from,
           arg_max(month_to, (score, length, month_from)) AS month_to
    FROM scored WHERE score >= $zero_min_score
    GROUP BY customer_id
), usual AS (
    SELECT s.customer_id, avg(b.kwh_billed) AS kwh
    FROM best AS s
    JOIN bills AS b ON b.customer_id = s.customer_id
     AND b.month >= s.month_from - 12 AND b.month < s.month_from
    GROUP BY s.customer_id
), rates AS (
    SELECT s.customer_id, sum(r.energy_due_or_billed) AS rate
    FROM best AS s
    JOIN bill_rates AS r ON r.customer_id = s.customer_id AND r.month BETWEEN s.month_from AND s.month_to
    GROUP BY s.customer_id
)
SELECT s.customer_id, round(greatest(coalesce(coalesce(u.kwh, 0) * r.rate, 0), 0), 2) AS revenue
FROM best AS s
LEFT JOIN usual AS u USING (customer_id)
LEFT JOIN rates AS r USING (customer_id);

-- rule: capacity_underbilled
-- Capacity-basis customers' bills billed on less than the capacity in force. On itemized data:
-- the recomputed basic lines (kVA in force from the transformers or the archive and orders, day
-- by day, prorated in months of change), the kVA due less the kVA billed beyond the tolerance,
-- unless on or after a capacity reduction with the capacity then in force billed (equipment used
-- against the reduction: reduction_without_drop's); revenue the kVA short × the rate due.
-- Otherwise month by month outside suspensions: the capacity in force (archive and capacity
-- orders) against the capacity billed (recorded, else the basic charge ÷ the rate per kVA due);
-- revenue the kVA short × the rate per kVA due.
WITH lines AS (
    SELECT l.customer_id, l.month, coalesce(l.qb, 0) AS billed, l.qd - coalesce(l.qb, 0) AS gap,
           l.rd AS rate, c.contract_capacity_kva AS archive
    FROM rc_lines AS l
    JOIN customers AS c USING (customer_id)
    WHERE (SELECT itemized FROM itemized) AND l.line_type = 'basic'
      AND c.basic_charge_basis = 'capacity' AND l.due AND l.ad IS NOT NULL
      AND l.qd - coalesce(l.qb, 0) > $kva_tolerance
), by_lines AS (
    SELECT l.customer_id, l.gap * l.rate AS revenue
    FROM lines AS l
    ASOF LEFT JOIN capacity_changes AS ch ON ch.customer_id = l.customer_id AND ch.month > l.month
    WHERE NOT coalesce(
        EXISTS (SELECT 1 FROM reducing_spans AS s
                WHERE s.order_type = 'capacity_reduction' AND s.customer_id = l.customer_id
                  AND l.month >= s.start_month AND l.month < s.end_month)
        AND l.billed >= coalesce(ch.old_value, l.archive) - $kva_tolerance, false)
), monthly AS (
    SELECT b.customer_id, b.month, coalesce(ch.old_value, c.contract_capacity_kva) AS in_force,
           coalesce(b.capacity_billed_kva,
                    CASE WHEN coalesce(r.kva_due, 0) > 0 THEN coalesce(b.basic_charge / r.kva_due, 0) ELSE 0 END)
             AS billed,
           coalesce(r.kva_due, 0) AS rate
    FROM bills AS b
    JOIN customers AS c USING (customer_id)
    JOIN bill_rates AS r USING (customer_id, month)
    ASOF LEFT JOIN capacity_changes AS ch ON ch.customer_id = b.customer_id AND ch.month > b.month
    WHERE NOT (SELECT itemized FROM itemized) AND c.basic_charge_basis = 'capacity'
      AND NOT EXISTS (
          SELECT 1 FROM reducing_spans AS s
          WHERE s.order_type = 'suspension' AND s.customer_id = b.customer_id
            AND b.month >= s.start_month AND b.month < s.end_month)
), short AS (
    SELECT customer_id, revenue FROM by_lines
    UNION ALL
    SELECT customer_id, (in_force - billed) * rate FROM monthly WHERE in_force - billed > $kva_tolerance
)
SELECT customer_id, round(greatest(coalesce(sum(revenue), 0), 0), 2) AS revenue
FROM short
GROUP BY customer_id;
