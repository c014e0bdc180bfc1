-- Orders: the lines of one order id, or of one customer-day when a line has no order id, with the line
-- totals the summary needs (summed here once per order, so the customer totals never read the lines again).
-- An order's day is its first day (the oldest). It is a purchase occasion when its net amount is not
-- negative and it holds at least one purchase line: free items count, an order made only of returns does
-- not. The net is tested to the millionth, so an order returned in full nets zero whatever order the engine
-- adds its lines in.
SELECT
    customer_id,
    day,
    DATE_DIFF('day', day, $as_of) AS days_ago,
    net,
    ROUND(net, $money_decimals) >= 0 AND has_purchase AS occasion,
    lines,
    net_12m,
    gross,
    negative
FROM (
    SELECT
        customer_id,
        MIN(day) AS day,
        SUM(amount) AS net,
        BOOL_OR(purchase_line) AS has_purchase,
        COUNT(*) AS lines,
        SUM(amount) FILTER (WHERE days_ago < $window_days) AS net_12m,
        SUM(GREATEST(amount, 0)) AS gross,
        SUM(LEAST(amount, 0)) AS negative
    FROM lines
    GROUP BY customer_id, order_id, CASE WHEN order_id IS NULL THEN day END
)
