-- Reference of auditkit.billing.recompute as plain DuckDB SQL, for benchmarks/bench_recompute.py:
-- the same recomputation (shared DOMAIN.md, "Recomputation conventions"; docs/billing.md), to time
-- it and to cross-check it line by line.
--
-- Each `-- step: <name>` section is one statement run in order (tables, macros, one view); the
-- `-- result: recompute` section is the query giving the frame of recompute: one row per bill and
-- line kind, columns customer_id, period, line_type, tou_period, tier, quantity_billed,
-- quantity_due, rate_billed, rate_due, amount_billed, amount_due, difference, estimated,
-- tariff_due, in recompute's order.
--
-- Inputs the benchmark creates (every contract column present, NULL where the data has none):
--   customers, bills, bill_lines, tariffs, transformers, work_orders   the tables; tariffs,
--                         transformers and work_orders carry row_no (1, 2, ... in file order)
--   pf_pieces(standard, start_percent, base, slope, anchor)             params pf_tables
--   loss_table(kva, p0, pk)                                             params loss_table
--   tou_profile(tou_period, share)                 params tou_profile (every period, 0 if none)
--   absent_bill_columns(column_name)   the columns energy_charge, loss_kwh, basic_charge,
--                         pf_adjustment, fund_charge the bills lack (a line type's billed side
--                         is unknown where no bill itemizes it and its column is absent)
-- and the named parameters $days_per_month, $demand_floor_share, $demand_excess_threshold,
-- $demand_excess_multiplier, $tier_year_start_month, $hours_per_day, $loss_form_factor,
-- $loss_by_table (loss_method = table) and $last_month (month number of as_of, or a large one).
--
-- Dates are day numbers (days since 1970-01-01) and months month numbers (year * 12 + month - 1),
-- as in auditkit. Money is DOUBLE rounded half away from zero to the fen by half_up, exactly as
-- auditkit.billing.money.round_half_up (DuckDB's ROUND on DOUBLE is not that).

-- step: macros
CREATE OR REPLACE MACRO half_up(x, d) AS
    sign(round(x * pow(10, d), 9 - d)) * floor(abs(round(x * pow(10, d), 9 - d)) + 0.5) / pow(10, d);

-- step: day_macro
CREATE OR REPLACE MACRO day_no(d) AS (CAST(d AS DATE) - DATE '1970-01-01');

-- step: month_share_macro
-- The part of a month a basic charge by demand is due for (basic.month_share): 1 outside a
-- month of connection or closure (`part_month`); in one, its days in service `first_day` ..
-- `last_day` (day numbers) calendar month by calendar month, a whole calendar month in service 1,
-- another its days / `days_per_month`, at most 1 (none in service: 0).
CREATE OR REPLACE MACRO month_first_day(m) AS
    day_no(make_date(CAST(m // 12 AS BIGINT), CAST(m % 12 + 1 AS BIGINT), 1));
CREATE OR REPLACE MACRO day_month(d) AS
    year(DATE '1970-01-01' + CAST(d AS INTEGER)) * 12 + month(DATE '1970-01-01' + CAST(d AS INTEGER)) - 1;
CREATE OR REPLACE MACRO month_share(first_day, last_day, part_month, days_per_month) AS
    CASE WHEN NOT coalesce(part_month, false) THEN 1.0
         WHEN last_day < first_day THEN 0.0
         ELSE list_sum(list_transform(
             range(day_month(first_day), day_month(last_day) + 1),
             lambda m: CASE WHEN first_day <= month_first_day(m)
                                 AND last_day >= month_first_day(m + 1) - 1 THEN 1.0
                            ELSE least((least(last_day, month_first_day(m + 1) - 1)
                                        - greatest(first_day, month_first_day(m)) + 1)
                                       / days_per_month, 1.0) END)) END;

-- step: ratio_macro
CREATE OR REPLACE MACRO ratio(a, q) AS CASE WHEN coalesce(q, 0) <> 0 THEN a / q END;
-- The rate of `lines` lines of one kind summed (recompute._summed): a single line's, the rate
-- several lines share (a bill split by read days at one price: 10.17 × 0.2855 = 2.90 and
-- 42.38 × 0.2855 = 12.10 billed 0.2855, not 15.00 / 52.55 = 0.28544), else amount / quantity.
-- `rated`: the lines with a rate (a line without one, or NaN, shares none).
CREATE OR REPLACE MACRO shared_rate(lines, rated, lowest, highest, amount, quantity) AS
    CASE WHEN lines = 1 THEN lowest
         WHEN rated = lines AND lowest = highest AND NOT isnan(lowest) THEN lowest
         ELSE ratio(amount, quantity) END;

-- step: number_macro
-- An order's value as a number (pandas.to_numeric, errors coerced): NULL where it is none, NaN
-- included.
CREATE OR REPLACE MACRO number_or_null(v) AS
    CASE WHEN NOT isnan(TRY_CAST(v AS DOUBLE)) THEN TRY_CAST(v AS DOUBLE) END;

-- step: lookup_rank_macro
-- The order in which TariffLookup prefers candidate rows: the more exact level (period, tier),
-- then bounded voltage bands, the narrowest band (or nearest bound), then the band itself.
CREATE OR REPLACE MACRO lookup_rank(level, vmin, vmax, voltage) AS
    (level * 3 + CAST(isinf(vmin) AS INTEGER) + CAST(isinf(vmax) AS INTEGER),
     CASE WHEN NOT isinf(vmin) AND NOT isinf(vmax) THEN vmax - vmin
          WHEN isinf(vmin) AND isinf(vmax) THEN 0
          ELSE abs(voltage - CASE WHEN isinf(vmin) THEN vmax ELSE vmin END) END,
     vmin, vmax);

-- step: tariff_rows
-- The schedule as the lookup reads it: an empty band end unbounded, no period '', no tier 0.
CREATE OR REPLACE TEMP TABLE tariff_rows AS
SELECT row_no AS row, CAST(tariff_category AS VARCHAR) AS category,
       coalesce(voltage_kv_min, '-inf'::DOUBLE) AS vmin,
       coalesce(voltage_kv_max, 'inf'::DOUBLE) AS vmax,
       coalesce(CAST(tou_period AS VARCHAR), '') AS period,
       coalesce(CAST(tier AS BIGINT), 0) AS tier,
       day_no(valid_from) AS start_day,
       coalesce(day_no(valid_to), 9223372036854775807) AS end_day,
       energy_rate, basic_rate_kva_month, basic_rate_kw_month, fund_rate,
       coalesce(tier_from_kwh, 0) AS tier_from, coalesce(tier_to_kwh, 'inf'::DOUBLE) AS tier_to
FROM tariffs;

-- step: tariff_groups
CREATE OR REPLACE TEMP TABLE tariff_groups AS
SELECT DISTINCT category, period, tier, vmin, vmax FROM tariff_rows;

-- step: lookup_candidates
-- For an asked period and tier, the rows that may answer and their preference (0 = exact): a
-- period p its own rows, 'flat' falling back to no period and no period to 'flat'; no tier
-- falling back to tier 1, tier 1 to no tier. exact: the asked period and tier only.
CREATE OR REPLACE TEMP TABLE lookup_candidates AS
WITH periods(ask_period, period, p_level) AS (
    VALUES ('', '', 0), ('', 'flat', 1), ('flat', 'flat', 0), ('flat', '', 1),
           ('critical', 'critical', 0), ('peak', 'peak', 0), ('valley', 'valley', 0)
), asked_tiers AS (
    SELECT DISTINCT tier AS ask_tier FROM tariff_rows UNION SELECT 0 UNION SELECT 1
), tiers AS (
    SELECT ask_tier, ask_tier AS tier, 0 AS t_level FROM asked_tiers
    UNION ALL SELECT 0, 1, 1
    UNION ALL SELECT 1, 0, 1
)
SELECT ask_period, ask_tier, period, tier, 2 * p_level + t_level AS level,
       p_level = 0 AND t_level = 0 AS exact
FROM periods, tiers;

-- step: archive
CREATE OR REPLACE TEMP TABLE archive AS
SELECT customer_id, ct_ratio * pt_ratio AS multiplier, CAST(tariff_category AS VARCHAR) AS tariff,
       voltage_kv, CAST(metering_mode AS VARCHAR) AS metering_mode, pf_standard,
       CAST(basic_charge_basis AS VARCHAR) AS basis, contract_capacity_kva, contract_demand_kw,
       day_no(connection_date) AS connection_day, coalesce(tou, false) AS tou,
       coalesce(CAST(tier_scheme AS VARCHAR), 'none') AS tier_scheme
FROM customers;

-- step: orders
-- Orders that took effect (an effective date) of customers in the archive.
CREATE OR REPLACE TEMP TABLE orders AS
SELECT o.row_no AS seq, o.customer_id, CAST(o.order_type AS VARCHAR) AS order_type,
       day_no(o.effective_date) AS day, CAST(o.old_value AS VARCHAR) AS old_text,
       TRY_CAST(o.old_value AS DOUBLE) AS old_number, TRY_CAST(o.new_value AS DOUBLE) AS new_number,
       o.old_final_read AS final_read, o.new_first_read AS first_read
FROM work_orders AS o
SEMI JOIN customers AS c USING (customer_id)
WHERE o.effective_date IS NOT NULL;

-- step: changes
-- What an archive column was before an order of its kind took effect: its old value (a number
-- for numbers, a known basis for the basis, non-blank text for the tariff); of two orders of a
-- day the first in the table.
CREATE OR REPLACE TEMP TABLE changes AS
SELECT kind, customer_id, day, arg_min_null(old_number, seq) AS number,
       arg_min_null(old_text, seq) AS text
FROM (
    SELECT CASE
               WHEN order_type = 'meter_replacement' THEN 'multiplier'
               WHEN order_type = 'tariff_change' THEN 'tariff'
               WHEN order_type = 'voltage_change' THEN 'voltage'
               WHEN order_type IN ('capacity_increase', 'capacity_reduction') THEN 'capacity'
               WHEN order_type = 'demand_change' THEN 'demand'
               WHEN order_type = 'basis_change' THEN 'basis'
           END AS kind, *
    FROM orders
)
WHERE (kind IN ('multiplier', 'voltage', 'capacity', 'demand') AND isfinite(old_number))
   OR (kind = 'tariff' AND trim(old_text) <> '')
   OR (kind = 'basis' AND old_text IN ('capacity', 'demand', 'none'))
GROUP BY kind, customer_id, day;

-- step: bill_frame
-- One row per bill up to the last month: read dates (default the calendar month), the values
-- in force on read_to (the old value of the first later order of their kind, else the archive's),
-- kWh due (a meter replacement inside the read period with both reads joins the two meters,
-- unless the bill already starts on the new meter's first read), `scale` (multiplier due ÷
-- billed; 1 for an estimated read or where the ratio is not a number: bill_frame.register_scale)
-- and the demand and reactive energy at the multiplier due (× scale: the `*_due` columns; the
-- billed side keeps the bill's own), closure date; `bill` numbers the bills in the order of the result (customer, then month).
-- Orders are few: they are joined to the bills of their customers only.
CREATE OR REPLACE TEMP TABLE bill_frame AS
WITH b AS (
    SELECT bills.*,
           CAST(substr(CAST(period AS VARCHAR), 1, 4) AS BIGINT) * 12
             + CAST(substr(CAST(period AS VARCHAR), 6, 2) AS BIGINT) - 1 AS month
    FROM bills
), dated AS (
    SELECT b.*,
           coalesce(day_no(read_from),
                    day_no(make_date(CAST(month // 12 AS BIGINT), CAST(month % 12 + 1 AS BIGINT), 1)))
             AS from_day,
           coalesce(day_no(read_to),
                    day_no(last_day(make_date(CAST(month // 12 AS BIGINT), CAST(month % 12 + 1 AS BIGINT), 1))))
             AS to_day
    FROM b WHERE month <= $last_month
), ranks AS (  -- customers in id order: bill = rank × 100000 + month sorts as the result does
    SELECT customer_id, row_number() OVER (ORDER BY customer_id) AS rank
    FROM (SELECT DISTINCT customer_id FROM dated)
), ordered AS (  -- the bills of customers with orders
    SELECT customer_id, month, from_day, to_day FROM dated SEMI JOIN orders USING (customer_id)
), before_changes AS (
    SELECT x.customer_id, x.month,
           arg_min_null(c.number, c.day) FILTER (WHERE c.kind = 'multiplier') AS multiplier,
           arg_min_null(c.text, c.day) FILTER (WHERE c.kind = 'tariff') AS tariff,
           arg_min_null(c.number, c.day) FILTER (WHERE c.kind = 'voltage') AS voltage,
           arg_min_null(c.number, c.day) FILTER (WHERE c.kind = 'capacity') AS capacity,
           arg_min_null(c.number, c.day) FILTER (WHERE c.kind = 'demand') AS demand,
           arg_min_null(c.text, c.day) FILTER (WHERE c.kind = 'basis') AS basis
    FROM ordered AS x JOIN changes AS c ON c.customer_id = x.customer_id AND c.day > x.to_day
    GROUP BY x.customer_id, x.month
), joins AS (  -- meter replacements with both reads; of two a day the last in the table
    SELECT customer_id, day, arg_max_null(old_number, seq) AS old_number,
           arg_max_null(final_read, seq) AS final_read, arg_max_null(first_read, seq) AS first_read
    FROM orders
    WHERE order_type = 'meter_replacement' AND final_read IS NOT NULL AND first_read IS NOT NULL
    GROUP BY customer_id, day
), joined_reads AS (  -- the latest such replacement on or before read_to, if after read_from
    SELECT x.customer_id, x.month, arg_max_null(j.old_number, j.day) AS old_number,
           arg_max_null(j.final_read, j.day) AS final_read,
           arg_max_null(j.first_read, j.day) AS first_read, max(j.day) AS day
    FROM ordered AS x JOIN joins AS j ON j.customer_id = x.customer_id AND j.day <= x.to_day
    GROUP BY x.customer_id, x.month
), closures AS (
    SELECT x.customer_id, x.month, min(o.day) AS closure_day
    FROM ordered AS x
    JOIN orders AS o ON o.customer_id = x.customer_id AND o.day >= x.from_day
    WHERE o.order_type = 'closure'
    GROUP BY x.customer_id, x.month
), f AS (
    SELECT x.*, a.tou AND a.customer_id IS NOT NULL AS in_tou, a.tier_scheme AS scheme,
           a.metering_mode, a.pf_standard, a.connection_day,
           coalesce(c.multiplier, a.multiplier) AS multiplier_due,
           coalesce(c.tariff, a.tariff) AS tariff_due,
           coalesce(c.voltage, a.voltage_kv) AS voltage_kv_due,
           coalesce(c.capacity, a.contract_capacity_kva) AS contract_capacity_kva,
           coalesce(c.demand, a.contract_demand_kw) AS contract_demand_kw,
           coalesce(c.basis, a.basis) AS basis,
           CASE WHEN x.read_type IS DISTINCT FROM 'estimated'
                     AND isfinite(coalesce(c.multiplier, a.multiplier) / x.multiplier_billed)
                THEN coalesce(c.multiplier, a.multiplier) / x.multiplier_billed ELSE 1.0 END AS scale
    FROM dated AS x
    LEFT JOIN archive AS a USING (customer_id)
    LEFT JOIN before_changes AS c USING (customer_id, month)
)
SELECT f.customer_id, CAST(f.period AS VARCHAR) AS period, f.month, f.from_day, f.to_day,
       f.to_day - f.from_day + 1 AS read_days,
       f.kwh_billed, f.multiplier_billed, f.multiplier_due, f.scale,
       CASE
           WHEN f.read_type = 'estimated' THEN f.kwh_billed
           -- to 0.01 kWh as a bill line shows it (bill_frame._kwh_due)
           WHEN j.day > f.from_day AND f.register_start <> j.first_read
                AND j.final_read >= f.register_start THEN
               half_up((j.final_read - f.register_start) * coalesce(j.old_number, f.multiplier_due)
                       + (f.register_end - j.first_read) * f.multiplier_due, 2)
           ELSE half_up((f.register_end - f.register_start) * f.multiplier_due, 2)
       END AS kwh_due,
       f.tariff_due, f.voltage_kv_due AS voltage_kv, f.metering_mode, f.pf_standard, f.basis,
       f.contract_capacity_kva, f.contract_demand_kw, f.max_demand_kw,
       f.max_demand_kw * f.scale AS max_demand_kw_due, f.kvarh_import * f.scale AS kvarh_import_due,
       f.kvarh_export * f.scale AS kvarh_export_due, f.connection_day, c.closure_day,
       CAST(f.read_type AS VARCHAR) AS read_type, coalesce(f.in_tou, false) AS tou,
       coalesce(f.scheme, 'none') AS tier_scheme,
       f.kwh_critical, f.kwh_peak, f.kwh_valley,
       f.energy_rate, f.energy_charge, f.capacity_billed_kva, f.basic_charge, f.pf_adjustment,
       f.loss_kwh, f.fund_charge,
       (f.month - ($tier_year_start_month - 1)) // 12 AS tier_year,
       r.rank * 100000 + f.month AS bill
FROM f
JOIN ranks AS r USING (customer_id)
LEFT JOIN joined_reads AS j USING (customer_id, month)
LEFT JOIN closures AS c USING (customer_id, month);

-- step: asks_on_read_to
-- Everything asked of the schedule on read_to: the flat row (rates), each period, each tier
-- with fallbacks, each tier's exact row (tier bands), and the exact peak and valley rows (a
-- time-of-use customer on a tariff without them is priced flat).
CREATE OR REPLACE TEMP TABLE asks AS
WITH keys AS (SELECT DISTINCT tariff_due AS category, to_day AS day, voltage_kv AS voltage FROM bill_frame),
kinds AS (
    SELECT * FROM (VALUES ('', 0, false), ('critical', 0, false), ('peak', 0, false),
                          ('flat', 0, false), ('valley', 0, false), ('peak', 0, true),
                          ('valley', 0, true)) AS k(period, tier, exact_only)
    UNION ALL SELECT '', tier, false FROM (SELECT DISTINCT tier FROM tariff_rows WHERE tier > 0)
    UNION ALL SELECT '', tier, true FROM (SELECT DISTINCT tier FROM tariff_rows WHERE tier > 0)
)
SELECT * FROM keys, kinds WHERE category IS NOT NULL;

-- step: tariff_pick
-- The row in force for each ask (category, day, voltage, period, tier, exact_only) of the table
-- `asks`: per candidate group (category, period, tier, band holding the voltage) the row of the
-- latest valid_from on or before the day, valid if the day is not after its valid_to; of those,
-- the most exact, then bounded before half-bounded before unbounded bands, then the narrowest (a
-- half-bounded band by the distance from its one end to the voltage).
CREATE OR REPLACE VIEW tariff_pick AS
WITH candidates AS (
    SELECT a.category, a.day, a.voltage, a.period AS ask_period, a.tier AS ask_tier,
           a.exact_only, c.level, g.period, g.tier, g.vmin, g.vmax
    FROM asks AS a
    JOIN lookup_candidates AS c
      ON c.ask_period = a.period AND c.ask_tier = a.tier AND (c.exact OR NOT a.exact_only)
    JOIN tariff_groups AS g
      ON g.category = a.category AND g.period = c.period AND g.tier = c.tier
     AND a.voltage >= g.vmin AND a.voltage <= g.vmax
), hits AS (
    SELECT c.*, t.row, t.end_day
    FROM candidates AS c
    ASOF JOIN tariff_rows AS t
      ON t.category = c.category AND t.period = c.period AND t.tier = c.tier
     AND t.vmin = c.vmin AND t.vmax = c.vmax AND t.start_day <= c.day
)
SELECT category, day, voltage, ask_period AS period, ask_tier AS tier, exact_only,
       arg_min(row, lookup_rank(level, vmin, vmax, voltage)) AS row
FROM hits
WHERE day <= end_day
GROUP BY ALL;

-- step: picked_on_read_to
CREATE OR REPLACE TEMP TABLE picked_on_read_to AS
SELECT p.*, t.energy_rate, t.start_day, t.basic_rate_kva_month, t.basic_rate_kw_month,
       t.fund_rate, t.tier_from, t.tier_to
FROM tariff_pick AS p JOIN tariff_rows AS t USING (row);

-- step: rates
-- Per bill, the flat row's rates in force on read_to.
CREATE OR REPLACE TEMP TABLE rates AS
SELECT b.bill, p.energy_rate AS flat_rate, p.basic_rate_kva_month,
       p.basic_rate_kw_month, p.fund_rate
FROM bill_frame AS b
LEFT JOIN picked_on_read_to AS p
  ON p.category = b.tariff_due AND p.day = b.to_day AND p.voltage = b.voltage_kv
 AND p.period = '' AND p.tier = 0 AND NOT p.exact_only;

-- step: itemized_lines
CREATE OR REPLACE TEMP TABLE itemized_lines AS
SELECT b.bill, CAST(l.line_type AS VARCHAR) AS line_type,
       CAST(l.tou_period AS VARCHAR) AS tou_period, coalesce(CAST(l.tier AS BIGINT), 0) AS tier,
       l.quantity, l.rate, l.amount
FROM bill_lines AS l
JOIN bill_frame AS b ON b.customer_id = l.customer_id AND b.period = CAST(l.period AS VARCHAR);

-- step: itemized_bills
CREATE OR REPLACE TEMP TABLE itemized_bills AS
SELECT DISTINCT bill FROM itemized_lines;

-- step: energy_base
-- Energy quantities due before pricing: time-of-use bills one per period (registers × multiplier
-- due / billed; without registers the billed period lines; without either the profile's shares
-- of the periods the tariff prices, estimated), single-household tiered bills one per tier
-- reached on the tier year's kWh due, any other bill one line.
CREATE OR REPLACE TEMP TABLE energy_base AS
WITH lowest_tier AS (SELECT min(tier) AS tier FROM tariff_rows WHERE tier > 0),
bands AS (
    SELECT category, day, voltage, tier, tier_from, tier_to
    FROM picked_on_read_to WHERE exact_only AND period = ''
),
units AS (  -- kWh due in whole 1/10,000 kWh (energy.TIER_UNITS; numpy's rint: half to even)
    SELECT bill, customer_id, tier_year, month,
           CAST(roundbankers(CASE WHEN kwh_due IS NULL OR isnan(kwh_due) THEN 0.0
                                  ELSE kwh_due END * 10000, 0) AS BIGINT) AS kwh_units
    FROM bill_frame WHERE tier_scheme = 'single'
),
cumulated AS (  -- `before`: kWh due of the customer's earlier bills of the tier year, in units
    SELECT bill, kwh_units,
           coalesce(sum(kwh_units) OVER (
               PARTITION BY customer_id, tier_year ORDER BY month
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM units
),
periods_priced AS (
    SELECT DISTINCT category, day, voltage FROM picked_on_read_to
    WHERE exact_only AND period IN ('peak', 'valley') AND tier = 0
),
effective AS (  -- time-of-use where the tariff has peak or valley rows in force
    SELECT b.* REPLACE (b.tou AND p.category IS NOT NULL AS tou)
    FROM bill_frame AS b
    LEFT JOIN periods_priced AS p
      ON p.category = b.tariff_due AND p.day = b.to_day AND p.voltage = b.voltage_kv
),
classed AS (
    SELECT b.*, cu.before, cu.kwh_units,
           NOT b.tou AND b.tier_scheme = 'single' AND low.tier IS NOT NULL AS tiered
    FROM effective AS b
    LEFT JOIN cumulated AS cu USING (bill)
    LEFT JOIN bands AS low
      ON low.category = b.tariff_due AND low.day = b.to_day AND low.voltage = b.voltage_kv
     AND low.tier = (SELECT tier FROM lowest_tier)
),
plain AS (
    SELECT bill, NULL::VARCHAR AS tou_period, 0 AS tier, kwh_due AS quantity,
           false AS estimated
    FROM classed WHERE NOT tou AND NOT tiered
),
billed_periods AS (
    SELECT bill,
           sum(CASE WHEN tou_period = 'critical' THEN coalesce(quantity, 0) ELSE 0 END) AS critical,
           sum(CASE WHEN tou_period = 'peak' THEN coalesce(quantity, 0) ELSE 0 END) AS peak,
           sum(CASE WHEN tou_period = 'valley' THEN coalesce(quantity, 0) ELSE 0 END) AS valley
    FROM itemized_lines WHERE line_type = 'energy' AND tou_period IS NOT NULL
    GROUP BY bill
),
tou_bills AS (
    SELECT c.bill, c.kwh_due, c.tariff_due, c.to_day, c.voltage_kv,
           c.scale,
           CASE WHEN c.kwh_critical IS NOT NULL OR c.kwh_peak IS NOT NULL OR c.kwh_valley IS NOT NULL
                THEN 'registers' WHEN l.bill IS NOT NULL THEN 'lines' END AS source,
           CASE WHEN c.kwh_critical IS NOT NULL OR c.kwh_peak IS NOT NULL OR c.kwh_valley IS NOT NULL
                THEN coalesce(c.kwh_critical, 0) ELSE l.critical END AS critical,
           CASE WHEN c.kwh_critical IS NOT NULL OR c.kwh_peak IS NOT NULL OR c.kwh_valley IS NOT NULL
                THEN coalesce(c.kwh_peak, 0) ELSE l.peak END AS peak,
           CASE WHEN c.kwh_critical IS NOT NULL OR c.kwh_peak IS NOT NULL OR c.kwh_valley IS NOT NULL
                THEN coalesce(c.kwh_valley, 0) ELSE l.valley END AS valley
    FROM classed AS c
    LEFT JOIN billed_periods AS l USING (bill)
    WHERE c.tou
),
tou_periods AS (
    SELECT b.bill, b.kwh_due, b.source IS NULL AS estimated, r.tou_period,
           CASE WHEN b.source IS NOT NULL THEN
                    CASE r.tou_period WHEN 'critical' THEN b.critical WHEN 'peak' THEN b.peak
                                      ELSE b.valley END * b.scale
                WHEN p.row IS NOT NULL THEN half_up(b.kwh_due * r.share, 2)
                ELSE 0.0 END AS quantity
    FROM tou_bills AS b
    CROSS JOIN (SELECT * FROM tou_profile WHERE tou_period <> 'flat') AS r
    LEFT JOIN picked_on_read_to AS p
      ON b.source IS NULL AND p.category = b.tariff_due AND p.day = b.to_day
     AND p.voltage = b.voltage_kv AND p.period = r.tou_period AND p.tier = 0 AND NOT p.exact_only
),
tou AS (
    SELECT bill, tou_period, 0 AS tier, quantity, estimated
    FROM tou_periods WHERE quantity <> 0 OR isnan(quantity) OR quantity IS NULL
    UNION ALL
    SELECT bill, 'flat', 0, any_value(kwh_due) - sum(quantity), any_value(estimated)
    FROM tou_periods GROUP BY bill
),
tiered AS (
    SELECT bill, tariff_due, to_day, voltage_kv, kwh_units, before
    FROM classed WHERE tiered
),
tiers AS (  -- bands filled in whole units: a year adding up to a band's end fills it exactly
    SELECT t.bill, NULL::VARCHAR AS tou_period, n.tier,
           least(greatest(t.before + t.kwh_units, n.tier_from * 10000), n.tier_to * 10000)
             - least(greatest(t.before, n.tier_from * 10000), n.tier_to * 10000) AS units,
           t.kwh_units, t.before, n.tier_from * 10000 AS low, n.tier_to * 10000 AS high
    FROM tiered AS t
    JOIN bands AS n
      ON n.category = t.tariff_due AND n.day = t.to_day AND n.voltage = t.voltage_kv
)
SELECT * FROM plain
UNION ALL SELECT * FROM tou
UNION ALL
SELECT bill, tou_period, tier, units / 10000, false
FROM tiers
WHERE units <> 0 OR (kwh_units = 0 AND before >= low AND before < high);

-- step: energy_priced
-- Each line at the row in force on read_to (its period and tier, with fallbacks).
CREATE OR REPLACE TEMP TABLE energy_priced AS
SELECT e.*, b.tariff_due, b.voltage_kv, b.from_day, b.to_day, b.read_days,
       p.energy_rate AS rate, p.start_day AS change_day
FROM energy_base AS e
JOIN bill_frame AS b USING (bill)
LEFT JOIN picked_on_read_to AS p
  ON p.category = b.tariff_due AND p.day = b.to_day AND p.voltage = b.voltage_kv
 AND p.period = coalesce(e.tou_period, '') AND p.tier = e.tier AND NOT p.exact_only;

-- step: asks_before_change
-- The day before a row that started inside the read period: the rate it replaced.
CREATE OR REPLACE TEMP TABLE asks AS
SELECT DISTINCT tariff_due AS category, change_day - 1 AS day, voltage_kv AS voltage,
       coalesce(tou_period, '') AS period, tier, false AS exact_only
FROM energy_priced
WHERE change_day > from_day AND change_day <= to_day;

-- step: picked_before_change
CREATE OR REPLACE TEMP TABLE picked_before_change AS
SELECT p.*, t.energy_rate FROM tariff_pick AS p JOIN tariff_rows AS t USING (row);

-- step: energy_lines
-- A line whose rate changed inside the read period is split by read days:
-- q_old = round(q × d_old / rd, 2) at the old rate, q − q_old at the new.
CREATE OR REPLACE TEMP TABLE energy_lines AS
WITH split AS (
    SELECT e.*, o.energy_rate AS old_rate,
           o.energy_rate IS NOT NULL AND NOT isnan(o.energy_rate) AND o.energy_rate <> e.rate
             AS is_split,
           half_up(e.quantity * (e.change_day - e.from_day) / e.read_days, 2) AS q_old
    FROM energy_priced AS e
    LEFT JOIN picked_before_change AS o
      ON e.change_day > e.from_day AND e.change_day <= e.to_day
     AND o.category = e.tariff_due AND o.day = e.change_day - 1 AND o.voltage = e.voltage_kv
     AND o.period = coalesce(e.tou_period, '') AND o.tier = e.tier
)
SELECT bill, tou_period, tier,
       CASE WHEN is_split THEN quantity - q_old ELSE quantity END AS quantity, rate, estimated
FROM split
UNION ALL
SELECT bill, tou_period, tier, q_old, old_rate, estimated FROM split WHERE is_split;

-- step: units
-- Per high_low bill, its transformers running on read_to (each one's latest status row by
-- status_since, a row without one holding since always), with P0 and Pk (nameplate, else the
-- loss table; the loss table only when $loss_by_table); a customer without transformer rows is
-- one transformer of its contract capacity with losses from the loss table.
CREATE OR REPLACE TEMP TABLE units AS
WITH states AS (
    SELECT customer_id, CAST(transformer_id AS VARCHAR) AS unit,
           coalesce(day_no(status_since), -1048576) AS day, arg_max_null(status, row_no) AS status,
           arg_max_null(kva, row_no) AS kva, arg_max_null(no_load_loss_kw, row_no) AS p0,
           arg_max_null(load_loss_kw, row_no) AS pk
    FROM transformers GROUP BY ALL
),
hl AS (SELECT bill, customer_id, to_day, contract_capacity_kva FROM bill_frame WHERE metering_mode = 'high_low'),
with_rows AS (
    SELECT hl.bill, hl.customer_id, hl.to_day, u.unit
    FROM hl JOIN (SELECT DISTINCT customer_id, unit FROM states) AS u USING (customer_id)
),
running AS (
    SELECT w.bill, s.kva, s.p0, s.pk
    FROM with_rows AS w
    ASOF JOIN states AS s ON s.customer_id = w.customer_id AND s.unit = w.unit AND s.day <= w.to_day
    WHERE s.status = 'running'
),
alone AS (
    SELECT hl.bill, hl.contract_capacity_kva AS kva,
           NULL::DOUBLE AS p0, NULL::DOUBLE AS pk
    FROM hl ANTI JOIN (SELECT DISTINCT customer_id FROM states) USING (customer_id)
),
all_units AS (SELECT * FROM running UNION ALL SELECT * FROM alone)
SELECT u.bill, u.kva,
       CASE WHEN $loss_by_table THEN lt.p0 ELSE coalesce(u.p0, lt.p0) END AS p0,
       CASE WHEN $loss_by_table THEN lt.pk ELSE coalesce(u.pk, lt.pk) END AS pk
FROM all_units AS u LEFT JOIN loss_table AS lt ON abs(lt.kva - u.kva) <= 1e-6;

-- step: loss_lines
-- loss kWh = ΣP0·T + K·ΣPk·(Ap² + Aq²) / ((ΣSn)²·T), rounded half up to the kWh (DL/T 686),
-- T = hours × read days, priced at the flat rate; none where a running unit's losses are unknown.
CREATE OR REPLACE TEMP TABLE loss_lines AS
WITH per_bill AS (
    SELECT bill, sum(kva) AS sn, sum(coalesce(p0, 0)) AS p0, sum(coalesce(pk, 0)) AS pk,
           bool_or(p0 IS NULL OR pk IS NULL OR kva IS NULL) AS unknown
    FROM units GROUP BY bill
)
SELECT b.bill, NULL::VARCHAR AS tou_period, 0 AS tier,
       half_up(u.p0 * $hours_per_day * b.read_days
               + $loss_form_factor * u.pk
                 * (b.kwh_due ^ 2 + (coalesce(b.kvarh_import_due, 0) + coalesce(abs(b.kvarh_export_due), 0)) ^ 2)
                 / (u.sn ^ 2 * $hours_per_day * b.read_days), 0) AS quantity,
       r.flat_rate AS rate,
       b.kvarh_import_due IS NULL AND b.kvarh_export_due IS NULL AS estimated
FROM per_bill AS u
JOIN bill_frame AS b USING (bill)
JOIN rates AS r USING (bill)
WHERE NOT u.unknown AND b.kwh_due IS NOT NULL;

-- step: step_kva_macro
-- The capacity of a step for a bill whose contract capacity is `archive`: the step's kVA, else
-- the contract capacity held within the step's bounds (basic._step_capacity; least and greatest
-- pass over NULL as numpy's fmin and fmax over NaN).
CREATE OR REPLACE MACRO step_kva(kva, at_most, at_least, archive) AS
    CASE WHEN kva IS NULL THEN greatest(least(archive, at_most), at_least) ELSE kva END;

-- step: order_steps
-- The contract capacity moved by capacity and suspension orders that took effect, per customer
-- (basic.order_steps): before the first (by day, then the table's order) its old value, from
-- each order's day its new value (of two a day the later in the table); a value that is not a
-- number is NULL (the bill's contract capacity), and an order recording none holds that
-- capacity at most (a reduction or suspension) or at least (an increase or resumption) at the
-- last capacity recorded before it (the new values before it, else the first's old value);
-- `next_day`: the customer's next step's day. The rules read it too (capacity_underbilled).
CREATE OR REPLACE TEMP TABLE order_steps AS
WITH o AS (
    SELECT customer_id, day_no(effective_date) AS day,
           CAST(order_type AS VARCHAR) IN ('capacity_reduction', 'suspension') AS lowering,
           row_number() OVER (PARTITION BY customer_id ORDER BY day_no(effective_date), row_no) AS seq,
           number_or_null(old_value) AS old_number, number_or_null(new_value) AS new_number
    FROM work_orders
    WHERE order_type IN ('capacity_increase', 'capacity_reduction', 'suspension', 'resumption')
      AND effective_date IS NOT NULL
), recorded AS (
    SELECT *,
           last_value(CASE WHEN seq = 1 THEN old_number ELSE previous_new END IGNORE NULLS)
               OVER (PARTITION BY customer_id ORDER BY seq
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS recorded_before
    FROM (SELECT *, lag(new_number) OVER (PARTITION BY customer_id ORDER BY seq) AS previous_new
          FROM o)
), steps AS (
    SELECT customer_id, -1048576 AS day, arg_min_null(old_number, seq) AS kva,
           NULL::DOUBLE AS at_most, NULL::DOUBLE AS at_least
    FROM recorded GROUP BY customer_id
    UNION ALL
    SELECT customer_id, day, arg_max_null(new_number, seq),
           arg_max_null(CASE WHEN new_number IS NULL AND lowering THEN recorded_before END, seq),
           arg_max_null(CASE WHEN new_number IS NULL AND NOT lowering THEN recorded_before END, seq)
    FROM recorded GROUP BY customer_id, day
)
SELECT *,
       coalesce(lead(day) OVER (PARTITION BY customer_id ORDER BY day), 9223372036854775807) AS next_day
FROM steps;

-- step: steps
-- Capacity in force per customer as steps from a day on: running + hot-standby kVA by the
-- transformers' status history where the customer has transformer rows, else its capacity and
-- suspension orders (`order_steps`), every customer starting at day −2^20; `next_day`: the
-- customer's next step's day.
CREATE OR REPLACE TEMP TABLE steps AS
WITH known AS (SELECT DISTINCT customer_id FROM bill_frame),
t AS (
    SELECT x.customer_id, CAST(x.transformer_id AS VARCHAR) AS unit, x.row_no,
           coalesce(day_no(x.status_since), -1048576) AS day,
           CASE WHEN x.status IN ('running', 'hot_standby') THEN x.kva ELSE 0.0 END AS kva
    FROM transformers AS x SEMI JOIN known USING (customer_id)
),
deltas AS (
    SELECT customer_id, day,
           kva - coalesce(lag(kva) OVER (PARTITION BY customer_id, unit ORDER BY day, row_no), 0)
             AS delta
    FROM t
    UNION ALL SELECT DISTINCT customer_id, -1048576, 0.0 FROM t
),
from_transformers AS (
    SELECT customer_id, day,
           half_up(sum(sum(delta)) OVER (PARTITION BY customer_id ORDER BY day), 6) AS kva,
           NULL::DOUBLE AS at_most, NULL::DOUBLE AS at_least
    FROM deltas GROUP BY customer_id, day
)
SELECT *,
       coalesce(lead(day) OVER (PARTITION BY customer_id ORDER BY day), 9223372036854775807) AS next_day
FROM from_transformers
UNION ALL
SELECT customer_id, day, kva, at_most, at_least, next_day
FROM order_steps SEMI JOIN known USING (customer_id)
WHERE customer_id NOT IN (SELECT customer_id FROM from_transformers);

-- step: basic_lines
-- By capacity: kVA in force, or in a month of connection, change or closure Σ day kVA / days per
-- month, at most the largest kVA of a day of it; by demand: max(demand, floor × capacity) + (multiplier − 1) × excess over threshold ×
-- contract demand, × the months in service (month_share) in a month of connection or closure.
CREATE OR REPLACE TEMP TABLE basic_lines AS
WITH w AS (
    SELECT b.*, r.basic_rate_kva_month AS kva_rate, r.basic_rate_kw_month AS kw_rate,
           greatest(b.from_day, coalesce(b.connection_day, -1048576)) AS first_day,
           least(b.to_day, coalesce(b.closure_day, 9223372036854775807)) AS last_day
    FROM bill_frame AS b JOIN rates AS r USING (bill)
    WHERE (b.basis = 'capacity' AND r.basic_rate_kva_month > 0)
       OR (b.basis = 'demand' AND r.basic_rate_kw_month > 0)
), span AS (
    SELECT w.bill,
           sum(step_kva(s.kva, s.at_most, s.at_least, w.contract_capacity_kva)
               * (least(s.next_day - 1, w.last_day) - greatest(s.day, w.first_day) + 1)) AS day_sum,
           max(step_kva(s.kva, s.at_most, s.at_least, w.contract_capacity_kva))
             <> min(step_kva(s.kva, s.at_most, s.at_least, w.contract_capacity_kva))
             AS changed,
           max(step_kva(s.kva, s.at_most, s.at_least, w.contract_capacity_kva)) AS highest
    FROM w JOIN steps AS s
      ON s.customer_id = w.customer_id AND s.day <= w.last_day AND s.next_day > w.first_day
    WHERE w.first_day <= w.last_day
    GROUP BY w.bill
), stepped AS (SELECT DISTINCT customer_id FROM steps),
at_end AS (
    SELECT w.bill, step_kva(s.kva, s.at_most, s.at_least, w.contract_capacity_kva) AS kva
    FROM w ASOF JOIN steps AS s
      ON s.customer_id = w.customer_id
     AND s.day <= CASE WHEN w.first_day <= w.last_day THEN w.last_day ELSE w.to_day END
), figures AS (
    SELECT w.*, st.customer_id IS NOT NULL AS is_stepped,
           CASE WHEN st.customer_id IS NOT NULL THEN coalesce(sp.day_sum, 0)
                ELSE w.contract_capacity_kva * greatest(w.last_day - w.first_day + 1, 0) END AS day_sum,
           coalesce(sp.changed, false) AS changed,
           CASE WHEN st.customer_id IS NOT NULL THEN sp.highest ELSE w.contract_capacity_kva END
             AS highest,
           CASE WHEN st.customer_id IS NOT NULL THEN e.kva ELSE w.contract_capacity_kva END AS capacity,
           (w.connection_day >= w.from_day AND w.connection_day <= w.to_day)
             OR (w.closure_day >= w.from_day AND w.closure_day <= w.to_day)
             OR greatest(w.last_day - w.first_day + 1, 0) < w.read_days AS part_month
    FROM w
    LEFT JOIN stepped AS st USING (customer_id)
    LEFT JOIN span AS sp USING (bill)
    LEFT JOIN at_end AS e USING (bill)
), quantities AS (
    SELECT *,
           -- a prorated month due at most its largest capacity (least passes over NULL, as fmin)
           CASE WHEN coalesce(part_month, false) OR changed
                THEN least(day_sum / $days_per_month, highest) ELSE capacity END AS kva,
           CASE WHEN max_demand_kw_due IS NULL THEN NULL
                ELSE (greatest(max_demand_kw_due, coalesce($demand_floor_share * capacity, max_demand_kw_due))
                      + ($demand_excess_multiplier - 1)
                        * coalesce(greatest(max_demand_kw_due - $demand_excess_threshold * contract_demand_kw, 0), 0))
                     * month_share(first_day, last_day, part_month, $days_per_month)
           END AS kw
    FROM figures
)
SELECT bill, NULL::VARCHAR AS tou_period, 0 AS tier,
       CASE WHEN basis = 'capacity' THEN kva ELSE kw END AS quantity,
       CASE WHEN basis = 'capacity' THEN kva_rate ELSE kw_rate END AS rate, false AS estimated
FROM quantities
WHERE (basis = 'capacity' AND kva_rate > 0 AND kva IS NOT NULL AND NOT isnan(kva))
   OR (basis = 'demand' AND kw_rate > 0 AND max_demand_kw_due IS NOT NULL);

-- step: due_lines
-- Every due line with its amount; the power-factor adjustment on the energy, loss and basic
-- amounts due (PF = A / √(A² + Q²) rounded half up to 2 decimals, the percent of the
-- customer's standard's table), funds on kWh due + loss kWh (to the hundredth) at the flat row's
-- fund rate.
CREATE OR REPLACE TEMP TABLE due_lines AS
WITH priced AS (
    SELECT 'energy' AS line_type, *, half_up(quantity * rate, 2) AS amount FROM energy_lines
    UNION ALL SELECT 'loss', *, half_up(quantity * rate, 2) FROM loss_lines
    UNION ALL SELECT 'basic', *, half_up(quantity * rate, 2) FROM basic_lines
), per_bill AS (
    SELECT bill,
           half_up(sum(CASE WHEN isnan(amount) THEN 0 ELSE coalesce(amount, 0) END), 2) AS base,
           sum(CASE WHEN line_type = 'loss' THEN coalesce(quantity, 0) ELSE 0 END) AS loss_kwh
    FROM priced GROUP BY bill
), pf AS (
    SELECT b.bill, coalesce(p.base, 0) AS base, b.pf_standard,
           b.kvarh_import_due IS NOT NULL OR b.kvarh_export_due IS NOT NULL AS registers,
           b.kwh_due + coalesce(p.loss_kwh, 0) AS active,
           coalesce(b.kvarh_import_due, 0) + coalesce(abs(b.kvarh_export_due), 0) AS reactive
    FROM bill_frame AS b LEFT JOIN per_bill AS p USING (bill)
), factor AS (
    SELECT *,
           CASE WHEN active > 0 THEN half_up(active / sqrt(active ^ 2 + reactive ^ 2), 2) END AS pf
    FROM pf WHERE registers
), percent AS (
    SELECT f.bill, f.base,
           half_up(arg_max(x.base + x.slope * (round(f.pf * 100) - x.anchor), x.start_percent), 6)
             AS percent
    FROM factor AS f
    JOIN pf_pieces AS x
      ON abs(x.standard - f.pf_standard) <= 1e-9 AND x.start_percent <= round(f.pf * 100)
    GROUP BY f.bill, f.base
), funds AS (
    SELECT b.bill, half_up(b.kwh_due + coalesce(p.loss_kwh, 0), 2) AS quantity,
           r.fund_rate AS rate
    FROM bill_frame AS b
    JOIN rates AS r USING (bill)
    LEFT JOIN per_bill AS p USING (bill)
    WHERE r.fund_rate > 0 AND b.kwh_due IS NOT NULL AND NOT isnan(b.kwh_due)
)
SELECT * FROM priced
UNION ALL
SELECT 'pf_adjustment', bill, NULL, 0, base, percent / 100, false,
       half_up(base * percent / 100, 2)
FROM percent
UNION ALL
SELECT 'fund', bill, NULL, 0, quantity, rate, false, half_up(quantity * rate, 2)
FROM funds;

-- step: billed_lines
-- The billed side, per bill and line type: its lines of the type in bill_lines; else the bill's
-- own column for the type (energy_charge with kwh_billed and energy_rate, loss_kwh, basic_charge,
-- pf_adjustment, fund_charge): one line where the figure is filled and not 0 (energy wherever
-- filled), an empty cell or 0 billing nothing. The energy charge holds the loss energy: the loss
-- charged is energy_charge − the itemized energy where the energy is itemized, else loss kWh at
-- the bill's energy rate. (A type no bill itemizes whose column the bills lack is unknown, and
-- so are the funds of a bill whose fund_charge cell is empty where no bill itemizes funds: see
-- `unknown_types` and the result's `funds_unknown`.)
CREATE OR REPLACE TEMP TABLE billed_lines AS
WITH per_type AS (
    SELECT bill,
           bool_or(line_type = 'energy') AS energy_lines,
           bool_or(line_type = 'loss') AS loss_lines,
           bool_or(line_type = 'basic') AS basic_lines,
           bool_or(line_type = 'pf_adjustment') AS pf_lines,
           bool_or(line_type = 'fund') AS fund_lines,
           sum(CASE WHEN line_type = 'energy' THEN coalesce(amount, 0) ELSE 0 END) AS energy_amount,
           sum(CASE WHEN line_type = 'loss' THEN coalesce(amount, 0) ELSE 0 END) AS loss_amount,
           sum(CASE WHEN line_type = 'loss' THEN coalesce(quantity, 0) ELSE 0 END) AS loss_quantity,
           sum(CASE WHEN line_type = 'basic' THEN coalesce(amount, 0) ELSE 0 END) AS basic_amount
    FROM itemized_lines GROUP BY bill
), b AS (
    SELECT f.bill, f.kwh_billed, f.energy_rate, f.energy_charge, f.loss_kwh, f.basic_charge,
           f.capacity_billed_kva, f.max_demand_kw, f.basis AS basic_charge_basis, f.pf_adjustment,
           f.fund_charge,
           coalesce(t.energy_lines, false) AS energy_lines,
           coalesce(t.loss_lines, false) AS loss_lines,
           coalesce(t.basic_lines, false) AS basic_lines,
           coalesce(t.pf_lines, false) AS pf_lines,
           coalesce(t.fund_lines, false) AS fund_lines,
           t.energy_amount, t.loss_amount, t.loss_quantity, t.basic_amount,
           -- the loss charged where the loss is not itemized
           CASE WHEN coalesce(f.loss_kwh, 0) = 0 THEN 0.0
                WHEN coalesce(t.energy_lines, false)
                THEN half_up(f.energy_charge - t.energy_amount, 2)
                ELSE half_up(f.loss_kwh * coalesce(f.energy_rate, 0), 2) END AS loss_charged
    FROM bill_frame AS f LEFT JOIN per_type AS t USING (bill)
), billed AS (  -- what each type billed: its lines where itemized, else the bill's own figure
    SELECT *,
           CASE WHEN loss_lines THEN loss_amount ELSE loss_charged END AS loss_billed,
           CASE WHEN loss_lines THEN loss_quantity ELSE coalesce(loss_kwh, 0) END AS loss_kwh_billed,
           CASE WHEN energy_lines THEN energy_amount
                ELSE energy_charge - CASE WHEN loss_lines THEN loss_amount ELSE loss_charged END
           END AS energy_billed,
           CASE WHEN basic_lines THEN basic_amount ELSE coalesce(basic_charge, 0) END AS basic_billed,
           CASE WHEN basic_charge_basis = 'demand' AND max_demand_kw IS NOT NULL
                     OR capacity_billed_kva IS NULL
                THEN max_demand_kw ELSE capacity_billed_kva END AS basic_q
    FROM b
)
SELECT * FROM itemized_lines
UNION ALL
SELECT bill, 'energy', NULL, 0, kwh_billed,
       CASE WHEN loss_billed <> 0 THEN ratio(energy_charge - loss_billed, kwh_billed)
            ELSE energy_rate END,
       energy_charge - loss_billed
FROM billed WHERE NOT energy_lines AND energy_charge IS NOT NULL AND NOT isnan(energy_charge)
UNION ALL
SELECT bill, 'loss', NULL, 0, loss_kwh, ratio(loss_charged, loss_kwh), loss_charged
FROM billed WHERE NOT loss_lines AND abs(loss_kwh) > 0
UNION ALL
SELECT bill, 'basic', NULL, 0, basic_q, ratio(basic_charge, basic_q), basic_charge
FROM billed WHERE NOT basic_lines AND abs(basic_charge) > 0
UNION ALL
SELECT bill, 'pf_adjustment', NULL, 0, energy_billed + loss_billed + basic_billed,
       ratio(pf_adjustment, energy_billed + loss_billed + basic_billed), pf_adjustment
FROM billed WHERE NOT pf_lines AND abs(pf_adjustment) > 0
UNION ALL
SELECT bill, 'fund', NULL, 0, kwh_billed + loss_kwh_billed,
       ratio(fund_charge, kwh_billed + loss_kwh_billed), fund_charge
FROM billed WHERE NOT fund_lines AND abs(fund_charge) > 0;

-- step: unknown_types
-- Line types whose billed side is unknown: no bill itemizes the type and the bills lack its
-- column (the table `absent_bill_columns(column_name)` the benchmark gives lists the columns of
-- energy_charge, loss_kwh, basic_charge, pf_adjustment, fund_charge the data lacks).
CREATE OR REPLACE TEMP TABLE unknown_types AS
SELECT k.line_type, k.code  -- code: the line type's thousands in the result's line kind
FROM (VALUES ('energy', 'energy_charge', 1), ('loss', 'loss_kwh', 2),
             ('basic', 'basic_charge', 3), ('pf_adjustment', 'pf_adjustment', 4),
             ('fund', 'fund_charge', 5)) AS k(line_type, figure, code)
JOIN absent_bill_columns AS a ON a.column_name = k.figure
WHERE k.line_type NOT IN (SELECT DISTINCT line_type FROM itemized_lines);

-- result: recompute
-- Both sides summed per bill and line kind (the rate of a single line or the one rate its lines
-- share, else amount / quantity: `shared_rate`), outer-joined; difference = amount due − amount
-- billed. A bill without lines says nothing of its periods or tiers: its energy due is one line
-- too. A line kind is one integer, in the order of the result: line type × 1000 + period × 100
-- + tier.
WITH coded_billed AS (
    SELECT *, CASE line_type WHEN 'energy' THEN 1000 WHEN 'loss' THEN 2000 WHEN 'basic' THEN 3000
                             WHEN 'pf_adjustment' THEN 4000 ELSE 5000 END
              + CASE tou_period WHEN 'critical' THEN 100 WHEN 'peak' THEN 200 WHEN 'flat' THEN 300
                                WHEN 'valley' THEN 400 ELSE 500 END
              + tier AS kind
    FROM billed_lines
), coded_due AS (
    SELECT d.*, CASE WHEN d.line_type = 'energy' AND i.bill IS NULL THEN 1500 ELSE
              CASE d.line_type WHEN 'energy' THEN 1000 WHEN 'loss' THEN 2000 WHEN 'basic' THEN 3000
                               WHEN 'pf_adjustment' THEN 4000 ELSE 5000 END
              + CASE d.tou_period WHEN 'critical' THEN 100 WHEN 'peak' THEN 200 WHEN 'flat' THEN 300
                                  WHEN 'valley' THEN 400 ELSE 500 END
              + d.tier END AS kind
    FROM due_lines AS d LEFT JOIN itemized_bills AS i USING (bill)
), billed AS (
    SELECT bill, kind, sum(quantity) AS quantity,
           shared_rate(count(*), count(rate), min(rate), max(rate), sum(amount), sum(quantity)) AS rate,
           half_up(sum(amount), 2) AS amount, true AS present
    FROM coded_billed GROUP BY bill, kind
), due AS (
    SELECT bill, kind, sum(quantity) AS quantity,
           shared_rate(count(*), count(rate), min(rate), max(rate), sum(amount), sum(quantity)) AS rate,
           half_up(sum(amount), 2) AS amount, bool_or(estimated) AS estimated, true AS present
    FROM coded_due GROUP BY bill, kind
), funds_unknown AS (  -- bills whose fund_charge cell is empty where no bill itemizes funds:
                     -- the amount may hold them (0.00 recorded is none), as the column missing
    SELECT bill FROM bill_frame
    WHERE fund_charge IS NULL
      AND NOT EXISTS (SELECT 1 FROM itemized_lines WHERE line_type = 'fund')
), paired AS (  -- `billed_unknown`: the line's type is unknown on the billed side
                -- (`unknown_types`, or funds on `funds_unknown`'s bills)
    SELECT bill, kind, b.present AS billed_present, b.quantity AS billed_quantity,
           b.amount AS billed_amount, b.rate AS rate_billed, d.rate AS rate_due,
           CASE WHEN d.present IS NULL THEN 0 ELSE d.quantity END AS quantity_due,
           CASE WHEN d.present IS NULL THEN 0 ELSE d.amount END AS amount_due,
           coalesce(d.estimated, false) AS estimated,
           kind // 1000 IN (SELECT code FROM unknown_types)
             OR kind // 1000 = 5 AND bill IN (SELECT bill FROM funds_unknown) AS billed_unknown
    FROM billed AS b FULL JOIN due AS d USING (bill, kind)
), joined AS (  -- a side without the line: quantity and amount 0, no rate; an unknown billed
               -- side without the line: empty
    SELECT bill, kind,
           CASE WHEN billed_present IS NOT NULL THEN billed_quantity
                WHEN NOT billed_unknown THEN 0 END AS quantity_billed,
           quantity_due, rate_billed, rate_due,
           CASE WHEN billed_present IS NOT NULL THEN billed_amount
                WHEN NOT billed_unknown THEN 0 END AS amount_billed,
           amount_due, estimated
    FROM paired
)
SELECT f.customer_id, f.period,
       CASE j.kind // 1000 WHEN 1 THEN 'energy' WHEN 2 THEN 'loss' WHEN 3 THEN 'basic'
                           WHEN 4 THEN 'pf_adjustment' ELSE 'fund' END AS line_type,
       CASE j.kind // 100 % 10 WHEN 1 THEN 'critical' WHEN 2 THEN 'peak' WHEN 3 THEN 'flat'
                               WHEN 4 THEN 'valley' END AS tou_period,
       CASE WHEN j.kind % 100 > 0 THEN j.kind % 100 END AS tier,
       j.quantity_billed, j.quantity_due, j.rate_billed, j.rate_due, j.amount_billed, j.amount_due,
       half_up(j.amount_due - j.amount_billed, 2) AS difference, j.estimated, f.tariff_due
FROM joined AS j JOIN bill_frame AS f USING (bill)
ORDER BY j.bill, j.kind
