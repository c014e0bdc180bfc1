-- The customer summary (docs/architecture.md, "Customer summary"): one row per customer of `lines`, in key
-- order. Customers without a purchase occasion come back with orders = 0; the caller reports and drops them.
-- Durations are counted in days and divided by $days_per_unit; windows are $window_days days long.
WITH purchase_days AS (
    -- the BTYD clock ticks in days: the occasions of one calendar day make one purchase day
    SELECT
        customer_id,
        day,
        MIN(days_ago) AS days_ago,
        COUNT(*) AS occasions,
        SUM(net) AS net,
        MIN(net) AS smallest_net
    FROM occasions
    GROUP BY customer_id, day
),

buyers AS (
    SELECT
        customer_id,
        MIN(day) AS first_purchase,
        MAX(day) AS last_purchase,
        MAX(days_ago) AS days_since_first,
        MIN(days_ago) AS days_since_last,
        SUM(occasions) AS orders,
        COUNT(*) AS purchase_days,
        SUM(net) AS occasions_net,
        -- the first occasion (earliest, then smallest) and the first purchase day are left out of the
        -- repeat values (lifetimes' monetary value)
        ARG_MAX(smallest_net, days_ago) AS first_occasion_net,
        ARG_MAX(net, days_ago) AS first_day_net,
        COALESCE(SUM(occasions) FILTER (WHERE days_ago < $window_days), 0) AS orders_12m,
        COALESCE(SUM(occasions) FILTER (
            WHERE days_ago >= $window_days AND days_ago < 2 * $window_days
        ), 0) AS orders_prev_12m
    FROM purchase_days
    GROUP BY customer_id
),

line_totals AS (
    SELECT
        customer_id,
        COUNT(*) AS lines,
        SUM(amount) AS revenue,
        COALESCE(SUM(amount) FILTER (WHERE days_ago < $window_days), 0) AS revenue_12m,
        SUM(GREATEST(amount, 0)) AS gross,
        0 - SUM(LEAST(amount, 0)) AS returns,
        COALESCE(SUM(GREATEST(amount, 0)) FILTER (WHERE discounted), 0) AS bought_at_discount,
        SUM(margin) AS margin,
        SUM(amount) FILTER (WHERE margin IS NOT NULL) AS margin_base,
        AVG(payment_delay_days) AS payment_delay,
        COALESCE(SUM(service_contacts), 0) AS service_contacts
    FROM lines
    GROUP BY customer_id
),

category_revenue AS (
    -- the categories a customer bought, and the main one: most revenue (to the millionth), ties to the
    -- first name in alphabetical order
    SELECT
        customer_id,
        category,
        COUNT(*) OVER (PARTITION BY customer_id) AS n_categories,
        ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ROUND(SUM(amount), 6) DESC, category) AS rank
    FROM lines
    WHERE category IS NOT NULL AND amount > 0
    GROUP BY customer_id, category
)

SELECT
    t.customer_id,
    b.first_purchase,
    b.last_purchase,
    COALESCE(b.orders, 0) AS orders,
    b.orders - 1 AS frequency,
    b.days_since_last / $days_per_unit AS recency,
    (b.days_since_first - b.days_since_last) / $days_per_unit AS t_x,
    b.days_since_first / $days_per_unit AS T,
    t.revenue,
    t.revenue / b.orders AS basket,
    CASE WHEN b.orders > 1
        THEN (b.occasions_net - b.first_occasion_net) / (b.orders - 1) ELSE 0 END AS monetary_value,
    b.purchase_days,
    b.purchase_days - 1 AS repeat_days,
    CASE WHEN b.purchase_days > 1
        THEN (b.occasions_net - b.first_day_net) / (b.purchase_days - 1) ELSE 0 END AS repeat_day_value,
    (b.days_since_first + 1) / $days_per_unit AS relationship_length,
    b.orders / ((b.days_since_first + 1) / $days_per_unit) AS purchase_rate,
    b.orders / ((b.days_since_first + 1) / $days_per_year) AS purchases_per_year,
    CASE WHEN b.orders > 1
        THEN (b.days_since_first - b.days_since_last) / (b.orders - 1) / $days_per_unit END AS mean_gap,
    b.orders_12m,
    b.orders_prev_12m,
    t.revenue_12m,
    t.returns,
    CASE WHEN t.gross > 0 THEN t.returns / t.gross ELSE 0 END AS return_rate,
    COALESCE(c.n_categories, 0) AS n_categories,
    c.category AS main_category,
    t.margin,
    CASE WHEN t.margin_base > 0 THEN t.margin / t.margin_base END AS margin_rate,
    CASE WHEN t.gross > 0 THEN t.bought_at_discount / t.gross ELSE 0 END AS discount_share,
    t.payment_delay,
    t.service_contacts,
    t.lines
FROM line_totals AS t
LEFT JOIN buyers AS b ON b.customer_id = t.customer_id
LEFT JOIN category_revenue AS c ON c.customer_id = t.customer_id AND c.rank = 1
ORDER BY t.customer_id
