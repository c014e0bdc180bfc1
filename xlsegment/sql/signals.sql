-- The signals of the optional ledger columns, per customer (docs/architecture.md, "Customer summary"): the
-- categories bought and the main one, margin and its rate, the share bought at a discount, the mean payment
-- delay and the after-sales contacts. Run only when the ledger has one of those columns; a column it lacks
-- reads as NULL here and its signals are left out of the summary.
WITH totals AS (
    SELECT
        customer_id,
        SUM(GREATEST(amount, 0)) AS gross,
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
        ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ROUND(SUM(amount), $money_decimals) DESC, category) AS rank
    FROM lines
    WHERE category IS NOT NULL AND amount > 0
    GROUP BY customer_id, category
)

SELECT
    t.customer_id,
    COALESCE(c.n_categories, 0) AS n_categories,
    c.category AS main_category,
    t.margin,
    CASE WHEN t.margin_base > 0 THEN t.margin / t.margin_base END AS margin_rate,
    CASE WHEN t.gross > 0 THEN t.bought_at_discount / t.gross ELSE 0 END AS discount_share,
    t.payment_delay,
    t.service_contacts
FROM totals AS t
LEFT JOIN category_revenue AS c ON c.customer_id = t.customer_id AND c.rank = 1
ORDER BY t.customer_id
