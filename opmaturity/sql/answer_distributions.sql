-- answer_distributions: for every item answered in the round, how many answers of each level the whole
-- organisation gave (the Likert chart of the Gaps page), items in model order.
-- Parameters: $round_id, $rater ('team'|'sre'), $k (the fewest respondents whose answers may be counted apart).
-- The scale runs from 0 to the model's max_level (models table).
-- One row per item and level 0..max_level, plus a row with level NULL and answer 'N/A' for not-applicable
-- answers; count may be 0. share: count / the item's answers with a level (NULL on the N/A row).
-- respondents: distinct respondents who answered the item. Where fewer than k did, the counts would show
-- what single people answered: count and share are NULL and status is 'too_few' (else 'ok').
WITH answered AS (
    SELECT r.item_key AS item, r.level, r.respondent
    FROM current_responses AS r
    WHERE r.round_id = $round_id AND r.rater = $rater
),

per_item AS (
    SELECT item, count(DISTINCT respondent) AS respondents FROM answered GROUP BY item
),

scale AS (
    SELECT CAST(unnest(range(0, (SELECT coalesce(max(max_level), 4) FROM models) + 1)) AS INTEGER) AS level
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
),

shared AS (
    SELECT
        c.*,
        CASE
            WHEN c.level IS NOT NULL
                THEN c.count / nullif(sum(c.count) FILTER (WHERE c.level IS NOT NULL) OVER (PARTITION BY c.item), 0)
        END AS share,
        p.respondents
    FROM counted AS c
    INNER JOIN per_item AS p ON p.item = c.item
)

SELECT
    item,
    category,
    position,
    level,
    coalesce(CAST(level AS VARCHAR), 'N/A') AS answer,
    CASE WHEN respondents >= $k THEN count END AS count,
    CASE WHEN respondents >= $k THEN share END AS share,
    respondents,
    CASE WHEN respondents >= $k THEN 'ok' ELSE 'too_few' END AS status
FROM shared
ORDER BY position, level NULLS LAST
