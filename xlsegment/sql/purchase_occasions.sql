-- The purchase occasions themselves, one row each, for the backtest and the lapse windows.
SELECT customer_id, day, net AS amount
FROM occasions
ORDER BY customer_id, day
