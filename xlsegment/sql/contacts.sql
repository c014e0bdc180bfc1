-- Contact details carried through for mailing lists: per customer, the latest known value (by day, then
-- ledger line) of each contact column the ledger has, written for each column as
--     ARG_MAX(email, (day, line)) FILTER (WHERE email IS NOT NULL) AS email
SELECT
    customer_id,
    {latest}
FROM lines
GROUP BY customer_id
