-- round_order: every round in time order (oldest first), the one order every page, figure and command uses.
-- A round sorts by its date (held_on: the date its name states, else its file's dates, else the date a person
-- gave); a round without one (only in databases older than schema 5) sorts by the day it was created. Rounds
-- on the same day keep the order they were created in. previous_round_id: the round just before (NULL for
-- the first); round_position: 1 = oldest.
SELECT
    round_id,
    name,
    held_on,
    row_number() OVER (ORDER BY coalesce(held_on, CAST(created_at AS DATE)), round_id) AS round_position,
    lag(round_id) OVER (ORDER BY coalesce(held_on, CAST(created_at AS DATE)), round_id) AS previous_round_id
FROM rounds
