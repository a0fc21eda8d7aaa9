-- answer_distributions: for every item answered in the round, how many answers of each level the whole
-- organisation gave (the Likert chart of the Gaps page), items in model order.
-- Parameters: $round_id, $rater ('team'|'sre'), $max_level (the top of the model's scale).
-- One row per item and level 0..max_level, plus a row with level NULL and answer 'N/A' for not-applicable
-- answers; count may be 0. share: count / the item's answers with a level (NULL on the N/A row).
WITH answered AS (
    SELECT r.item_key AS item, r.level
    FROM current_responses AS r
    WHERE r.round_id = $round_id AND r.rater = $rater
),

scale AS (
    SELECT CAST(unnest(range(0, $max_level + 1)) AS INTEGER) AS level
    UNION ALL
    SELECT CAST(NULL AS INTEGER) AS level
),

counted AS (
    SELECT i.item_key AS item, i.category_key AS category, i.position, s.level, count(a.item) AS count
    FROM items AS i
    CROSS JOIN scale AS s
    LEFT JOIN answered AS a ON a.item = i.item_key AND a.level IS NOT DISTINCT FROM s.level
    WHERE i.item_key IN (SELECT item FROM answered)
    GROUP BY i.item_key, i.category_key, i.position, s.level
)

SELECT
    item,
    category,
    position,
    level,
    coalesce(CAST(level AS VARCHAR), 'N/A') AS answer,
    count,
    CASE
        WHEN level IS NOT NULL
            THEN count / nullif(sum(count) FILTER (WHERE level IS NOT NULL) OVER (PARTITION BY item), 0)
    END AS share
FROM counted
ORDER BY position, level NULLS LAST
