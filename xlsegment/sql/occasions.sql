-- Purchase occasions (see orders.sql): the orders that are one.
SELECT
    customer_id,
    day,
    days_ago,
    net
FROM orders
WHERE occasion
