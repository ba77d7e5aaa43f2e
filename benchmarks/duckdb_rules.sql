-- Reference implementation of five auditkit rules as plain DuckDB SQL, for benchmarks/bench_scale.py.
--
-- Each section after a `-- rule: <rule_id>` line is one query returning the customer ids the rule
-- flags at the audit month, over the views the benchmark creates on the dataset's Parquet files
-- (month numbers are year * 12 + month - 1, as in auditkit.periods):
--   customers, work_orders (+ effective_month)       the tables as stored
--   bills (+ month)                                  the bills
--   tariffs (+ row_number, from_month, to_month)     the schedule, in file order
-- plus the view after `-- view: tariff_months`, and the named parameters $as_of (audit month),
-- $first_month (first billed month), $month_end (last day of the audit month) and the rules'
-- thresholds from params/rules.yaml. The semantics follow auditkit/rules (see each rule's `checks`):
-- only which customers are flagged is computed here, not evidence or revenue.

-- view: tariff_months
-- Each tariff's rates in force per month: where schedules overlap, the latest start wins.
SELECT t.tariff_category, m.month,
       arg_max_null(t.energy_rate, t.from_month) AS energy_rate,
       arg_max_null(t.basic_rate_kva_month, t.from_month) AS basic_rate_kva_month
FROM tariffs AS t
JOIN (SELECT range AS month FROM range($first_month, $as_of + 1)) AS m
  ON m.month BETWEEN t.from_month AND coalesce(t.to_month, $as_of)
GROUP BY t.tariff_category, m.month;

-- rule: multiplier_mismatch
SELECT DISTINCT b.customer_id
FROM bills AS b
JOIN customers AS c USING (customer_id)
WHERE b.month <= $as_of
  AND abs(b.multiplier_billed - c.ct_ratio * c.pt_ratio) > $multiplier_tolerance * c.ct_ratio * c.pt_ratio;

-- rule: tariff_mismatch
WITH schedule AS (  -- the first schedule row of each tariff, as drop_duplicates keeps it
    SELECT tariff_category,
           arg_min_null(usage_type, row_number) AS usage_type,
           arg_min_null(coalesce(basic_rate_kva_month, 0) > 0, row_number) AS two_part
    FROM tariffs
    GROUP BY tariff_category
)
SELECT c.customer_id
FROM customers AS c
LEFT JOIN schedule AS s USING (tariff_category)
WHERE c.status <> 'closed'
  AND (s.usage_type IS DISTINCT FROM c.usage_type
       OR (NOT coalesce(s.two_part, false)
           AND coalesce(c.contract_capacity_kva, 0) >= $two_part_threshold_kva));

-- rule: rate_mismatch
SELECT DISTINCT b.customer_id
FROM bills AS b
JOIN tariff_months AS r ON r.tariff_category = b.tariff_billed AND r.month = b.month
WHERE b.month <= $as_of AND abs(b.energy_rate - r.energy_rate) > $rate_tolerance;

-- rule: zero_consumption
WITH flagged AS (
    SELECT b.customer_id, b.month
    FROM bills AS b
    JOIN customers AS c USING (customer_id)
    WHERE b.month <= $as_of AND b.month > $as_of - $zero_lookback_months
      AND b.kwh_billed = 0 AND c.status = 'active'
), islands AS (  -- consecutive months share month - rank
    SELECT customer_id,
           month - row_number() OVER (PARTITION BY customer_id ORDER BY month) AS island
    FROM flagged
)
SELECT DISTINCT customer_id
FROM islands
GROUP BY customer_id, island
HAVING count(*) >= $zero_min_months;

-- rule: capacity_underbilled
WITH orders AS (
    SELECT o.customer_id, o.order_type, o.effective_month AS month,
           TRY_CAST(o.old_value AS DOUBLE) AS old_value
    FROM work_orders AS o
    SEMI JOIN customers AS c USING (customer_id)
    WHERE o.issued_at <= $month_end
), changes AS (
    SELECT customer_id, month, old_value
    FROM orders
    WHERE order_type IN ('capacity_increase', 'capacity_reduction') AND old_value IS NOT NULL
), suspensions AS (
    SELECT customer_id, month AS start_month FROM orders WHERE order_type = 'suspension'
), resumptions AS (
    SELECT customer_id, month AS end_month FROM orders WHERE order_type = 'resumption'
), spans AS (  -- each suspension until the first resumption after it (or past the audit month)
    SELECT s.customer_id, s.start_month, coalesce(r.end_month, $as_of + 1) AS end_month
    FROM suspensions AS s
    ASOF LEFT JOIN resumptions AS r
      ON s.customer_id = r.customer_id AND s.start_month < r.end_month
), capacity_bills AS (  -- basic rate of the billed tariff, or the archive's when unscheduled
    SELECT b.customer_id, b.month, c.contract_capacity_kva AS archive,
           coalesce(b.capacity_billed_kva,
                    b.basic_charge / nullif(coalesce(r.basic_rate_kva_month, 0), 0),
                    0) AS billed
    FROM bills AS b
    JOIN customers AS c USING (customer_id)
    LEFT JOIN (SELECT DISTINCT tariff_category FROM tariffs) AS known
      ON known.tariff_category = b.tariff_billed
    LEFT JOIN tariff_months AS r
      ON r.tariff_category = coalesce(known.tariff_category, c.tariff_category)
     AND r.month = b.month
    WHERE c.basic_charge_basis = 'capacity' AND b.month <= $as_of
), in_force AS (  -- before each capacity change the capacity was the change's old value
    SELECT cb.customer_id, cb.month, cb.billed, coalesce(ch.old_value, cb.archive) AS in_force
    FROM capacity_bills AS cb
    ASOF LEFT JOIN changes AS ch
      ON cb.customer_id = ch.customer_id AND cb.month < ch.month
)
SELECT DISTINCT f.customer_id
FROM in_force AS f
WHERE f.in_force - f.billed > $kva_tolerance
  AND NOT EXISTS (
      SELECT 1 FROM spans AS s
      WHERE s.customer_id = f.customer_id AND f.month >= s.start_month AND f.month < s.end_month
  );
