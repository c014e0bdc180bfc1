-- Customer-days (customer_days.sql) of a ledger without an order id column: there every order already is
-- one customer-day (orders.sql), so each customer-day is its one order and the sums of customer_days.sql
-- are that order's own values. Written out, this spares regrouping millions of rows into the same groups.
SELECT
    customer_id,
    day,
    days_ago,
    CAST(occasion AS BIGINT) AS occasions,
    CASE WHEN occasion THEN net END AS occasions_net,
    CASE WHEN occasion THEN net END AS smallest_net,
    lines,
    net,
    net_12m,
    gross,
    negative
FROM orders
