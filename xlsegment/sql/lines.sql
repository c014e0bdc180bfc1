-- The ledger lines a summary counts: every line of the as-of day or before, with its age in days at the
-- as-of date. A purchase line is neither a return nor negative.
SELECT
    *,
    DATE_DIFF('day', day, $as_of) AS days_ago,
    NOT returned AND amount >= 0 AS purchase_line
FROM ledger
WHERE day <= $as_of
