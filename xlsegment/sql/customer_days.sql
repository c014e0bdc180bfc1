-- Customer-days: the BTYD clock ticks in days, so the purchase occasions of one calendar day make one
-- purchase day. Each row sums the orders (orders.sql) of one customer on one day.
SELECT
    customer_id,
    day,
    days_ago,
    COUNT(*) FILTER (WHERE occasion) AS occasions,
    SUM(net) FILTER (WHERE occasion) AS occasions_net,
    MIN(net) FILTER (WHERE occasion) AS smallest_net,
    CAST(SUM(lines) AS BIGINT) AS lines,
    SUM(net) AS net,
    SUM(net_12m) AS net_12m,
    SUM(gross) AS gross,
    SUM(negative) AS negative
FROM orders
GROUP BY customer_id, day, days_ago  -- days_ago follows from day
