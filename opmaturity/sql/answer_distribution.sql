-- answer_distribution: for one item, how many answers of each level each team gave (the Likert chart).
-- Parameters: $round_id, $item_key, $rater ('team'|'sre'), $max_level (the top of the model's scale).
-- One row per team that answered the item and per level 0..max_level, plus a row with level NULL and answer
-- 'N/A' for not-applicable answers; count may be 0. share: count / answers with a level (NULL on the N/A row).
WITH answered AS (
    SELECT r.team_id, r.level
    FROM current_responses AS r
    WHERE r.round_id = $round_id AND r.item_key = $item_key AND r.rater = $rater
),

scale AS (
    SELECT CAST(unnest(range(0, $max_level + 1)) AS INTEGER) AS level
    UNION ALL
    SELECT CAST(NULL AS INTEGER) AS level
),

cells AS (
    SELECT t.team_id, s.level
    FROM (SELECT DISTINCT team_id FROM answered) AS t
    CROSS JOIN scale AS s
),

counted AS (
    SELECT
        c.team_id,
        c.level,
        count(a.team_id) AS count
    FROM cells AS c
    LEFT JOIN answered AS a ON a.team_id = c.team_id AND a.level IS NOT DISTINCT FROM c.level
    GROUP BY c.team_id, c.level
)

SELECT
    p.name AS product,
    t.name AS team,
    CAST($item_key AS VARCHAR) AS item,
    c.level,
    coalesce(CAST(c.level AS VARCHAR), 'N/A') AS answer,
    c.count,
    CASE
        WHEN c.level IS NOT NULL
            THEN c.count / nullif(sum(c.count) FILTER (WHERE c.level IS NOT NULL) OVER (PARTITION BY c.team_id), 0)
    END AS share
FROM counted AS c
INNER JOIN teams AS t ON t.team_id = c.team_id
INNER JOIN products AS p ON p.product_id = t.product_id
ORDER BY p.name, t.name, c.level NULLS LAST
