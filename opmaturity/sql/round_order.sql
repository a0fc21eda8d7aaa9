-- round_order: every round in time order (oldest first), the one order every page, figure and command uses.
-- A round sorts by its date (held_on: the date its name states, else its file's dates, else the date a person
-- gave); a round without one (only in databases older than schema 5) sorts by the day it was created. Rounds
-- on the same day keep the order they were created in. round_position: 1 = oldest. answered: the round holds
-- answers (a round of workshop notes only does not). previous_round_id: the answered round just before (NULL
-- for the first): changes pair a round with the last one that has answers, never with a workshop in between.
WITH dated AS (
    SELECT
        round_id,
        name,
        held_on,
        coalesce(held_on, CAST(created_at AS DATE)) AS day,
        round_id IN (SELECT DISTINCT round_id FROM current_responses) AS answered
    FROM rounds
)

SELECT
    round_id,
    name,
    held_on,
    answered,
    row_number() OVER (ORDER BY day, round_id) AS round_position,
    last_value(CASE WHEN answered THEN round_id END IGNORE NULLS) OVER (
        ORDER BY day, round_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS previous_round_id
FROM dated
