-- The orders themselves (orders.sql), one row each: the purchase occasions count purchases for the backtest,
-- the lapse windows and the cohorts; every order, returns included, earns or takes back loyalty points.
SELECT customer_id, day, net AS amount, occasion
FROM orders
ORDER BY customer_id, day
