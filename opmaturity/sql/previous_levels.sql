-- previous_levels: per team, rater group and item, the mean level in the previous round and its n.
-- Parameters: $previous_round_id, the round just before this one in round order (held_on NULLS LAST,
-- round_id); NULL for the first round, which gives no rows. N/A answers count in neither figure.
SELECT
    r.team_id,
    r.rater,
    i.category_key AS category,
    r.item_key AS item,
    avg(r.level) AS level,
    count(r.level) AS n
FROM current_responses AS r
INNER JOIN items AS i ON i.item_key = r.item_key
WHERE r.round_id = $previous_round_id AND r.level IS NOT NULL
GROUP BY r.team_id, r.rater, i.category_key, r.item_key
