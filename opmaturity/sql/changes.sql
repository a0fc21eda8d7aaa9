-- changes: how team levels moved since the previous round: change = level in this round - level in the
-- previous round (the round just before it in round order), per team and category ($level = 'category') or
-- per team and item ($level = 'item'), team rater. Ranked by the size of the change (largest first; then
-- the rise before the fall, product, team, model order).
-- uses: answers, previous_levels, item_scores, category_scores
-- Parameters: $level ('category'|'item'), $limit (NULL: all), plus those of the queries used.
-- A team with no data in the previous round has no change (left out), nor has an unchanged level (0).
WITH moved AS (
    SELECT
        'category' AS kind, product, team, category, CAST(NULL AS VARCHAR) AS item,
        category_position AS position, level, previous_level, change, n
    FROM category_scores
    WHERE rater = 'team'
    UNION ALL
    SELECT
        'item' AS kind, product, team, category, item,
        item_position AS position, level, previous_level, change, n
    FROM item_scores
    WHERE rater = 'team'
)

SELECT product, team, category, item, position, level, previous_level, change, n
FROM moved
WHERE kind = $level AND change IS NOT NULL AND change <> 0
ORDER BY abs(change) DESC, change DESC, product, team, position
LIMIT $limit
