-- The customer summary (docs/architecture.md, "Customer summary"): one row per customer of `lines`, in key
-- order. Customers without a purchase occasion come back last with orders = 0; the caller reports and drops
-- them.
-- Counts are BIGINT (DuckDB sums integers as 128-bit, which reach pandas as Python decimals).
-- Durations are counted in days and divided by $days_per_unit; windows are $window_days days long.
-- The lines are read once, into orders (orders.sql); orders make customer-days (customer_days.sql), and
-- customer-days customers.
-- The signals of optional columns (categories, margin, ...) are signals.sql, run when the ledger has them.
WITH customers AS (
    SELECT
        customer_id,
        MIN(day) FILTER (WHERE occasions > 0) AS first_purchase,
        MAX(day) FILTER (WHERE occasions > 0) AS last_purchase,
        MAX(days_ago) FILTER (WHERE occasions > 0) AS days_since_first,
        MIN(days_ago) FILTER (WHERE occasions > 0) AS days_since_last,
        CAST(SUM(occasions) AS BIGINT) AS orders,
        COUNT(*) FILTER (WHERE occasions > 0) AS purchase_days,
        SUM(occasions_net) AS occasions_net,
        -- the first occasion (earliest, then smallest) and the first purchase day are left out of the
        -- repeat values (lifetimes' monetary value)
        ARG_MAX(smallest_net, days_ago) FILTER (WHERE occasions > 0) AS first_occasion_net,
        ARG_MAX(occasions_net, days_ago) FILTER (WHERE occasions > 0) AS first_day_net,
        CAST(COALESCE(SUM(occasions) FILTER (WHERE days_ago < $window_days), 0) AS BIGINT) AS orders_12m,
        CAST(COALESCE(SUM(occasions) FILTER (
            WHERE days_ago >= $window_days AND days_ago < 2 * $window_days
        ), 0) AS BIGINT) AS orders_prev_12m,
        CAST(SUM(lines) AS BIGINT) AS lines,
        SUM(net) AS revenue,
        COALESCE(SUM(net_12m), 0) AS revenue_12m,
        SUM(gross) AS gross,
        0 - SUM(negative) AS returns
    FROM customer_days
    GROUP BY customer_id
)

SELECT
    customer_id,
    first_purchase,
    last_purchase,
    orders,
    orders - 1 AS frequency,
    days_since_last / $days_per_unit AS recency,
    (days_since_first - days_since_last) / $days_per_unit AS t_x,
    days_since_first / $days_per_unit AS T,
    revenue,
    revenue / NULLIF(orders, 0) AS basket,
    CASE WHEN orders > 1
        THEN (occasions_net - first_occasion_net) / (orders - 1) ELSE 0 END AS monetary_value,
    purchase_days,
    purchase_days - 1 AS repeat_days,
    CASE WHEN purchase_days > 1
        THEN (occasions_net - first_day_net) / (purchase_days - 1) ELSE 0 END AS repeat_day_value,
    (days_since_first + 1) / $days_per_unit AS relationship_length,
    orders / ((days_since_first + 1) / $days_per_unit) AS purchase_rate,
    orders / ((days_since_first + 1) / $days_per_year) AS purchases_per_year,
    CASE WHEN orders > 1
        THEN (days_since_first - days_since_last) / (orders - 1) / $days_per_unit END AS mean_gap,
    orders_12m,
    orders_prev_12m,
    revenue_12m,
    returns,
    CASE WHEN gross > 0 THEN returns / gross ELSE 0 END AS return_rate,
    lines
FROM customers
-- buyers in key order, then the customers without a purchase occasion, whom the caller reports and cuts off
-- (a slice: ten million buyers' rows are not copied to drop a few)
ORDER BY orders = 0, customer_id
