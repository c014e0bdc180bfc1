-- The ledger lines a summary counts: every line of the as-of day or before, with its calendar day and its
-- age in days at the as-of date. A purchase line is neither a return nor negative.
SELECT
    *,
    CAST(date AS DATE) AS day,
    DATE_DIFF('day', CAST(date AS DATE), $as_of) AS days_ago,
    NOT returned AND amount >= 0 AS purchase_line
FROM ledger
WHERE CAST(date AS DATE) <= $as_of
