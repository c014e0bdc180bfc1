-- Purchase occasions: a distinct order (the order id when there is one, otherwise the customer-day) whose
-- net amount is not negative and that holds at least one purchase line. Free items count; an order made
-- only of returns does not. An order's day is its first day (the oldest). The net is tested to the
-- millionth, so an order returned in full nets zero whatever order the engine adds its lines in.
SELECT
    customer_id,
    MIN(day) AS day,
    MAX(days_ago) AS days_ago,
    SUM(amount) AS net
FROM lines
GROUP BY customer_id, order_id, CASE WHEN order_id IS NULL THEN day END
HAVING ROUND(SUM(amount), 6) >= 0 AND BOOL_OR(purchase_line)
