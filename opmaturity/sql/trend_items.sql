-- trend_items: each round's item levels per team and rater group, only where the item has a level (answers
-- with a level), for the trends' like-for-like steps (which teams and items two points of a line share).
-- uses: answers, item_levels
-- Parameters: those of the queries used.
SELECT round_id, product, team, rater, category, item, level
FROM item_levels
WHERE n > 0
