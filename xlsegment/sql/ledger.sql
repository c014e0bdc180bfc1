-- What the summary needs to know of the whole ledger before it starts: its size, its last day and how many
-- lines have no customer.
SELECT
    COUNT(*) AS lines,
    MAX(day) AS last_date,
    COUNT(*) FILTER (WHERE customer_id IS NULL) AS no_customer
FROM ledger
