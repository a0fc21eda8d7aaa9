-- heatmap: one cell per row (a team, or a product) and column (a category, or an item) of the round, for one
-- rater group and one metric.
-- uses: item_scores, category_scores
-- Parameters: $rater ('team'|'sre'), $rows ('team'|'product'), $columns ('category'|'item'), $metric (level,
-- gap, priority, perception_gap, change, n or disagreement), plus those of the queries used.
--
-- Rows: every team with any answer in the round (either rater group, N/A included), so a team SRE has not
-- assessed shows as a row of empty cells. Columns: every category or item of the model, in model order
-- (position), whether answered or not.
-- A team cell holds the team's figures for the category or item (category_scores, item_scores).
-- A product cell is the mean of its teams' values (each team weighs the same); n and respondents are sums.
-- value: the chosen metric (disagreement = the spread sd); n: answers with a level behind the cell.
-- change is the paired change (category_scores: items rated in both rounds).
-- status: 'ok' where the value exists; 'too_few' for disagreement where answers exist but fewer than k per
-- item; 'no_data' otherwise (value NULL: draw a grey cell).
WITH round_teams AS (  -- item_scores has a row for every answer's team and item, N/A included
    SELECT DISTINCT product, team_id, team FROM item_scores WHERE round_id = $round_id
),

model_columns AS (
    SELECT 'category' AS kind, category_key AS key, category_key AS category, position FROM categories
    UNION ALL
    SELECT 'item' AS kind, item_key AS key, category_key AS category, position FROM items
),

cells AS (
    SELECT
        'category' AS kind, team_id, category AS key,
        level, n, respondents, target, gap, priority, perception_gap, change, sd
    FROM category_scores
    WHERE rater = $rater
    UNION ALL
    SELECT
        'item' AS kind, team_id, item AS key,
        level, n, respondents, target, gap, priority, perception_gap, change, sd
    FROM item_scores
    WHERE rater = $rater
),

team_cells AS (
    SELECT
        t.product,
        t.team,
        mc.key,
        mc.category,
        mc.position,
        c.level,
        coalesce(c.n, 0) AS n,
        coalesce(c.respondents, 0) AS respondents,
        c.target,
        c.gap,
        c.priority,
        c.perception_gap,
        c.change,
        c.sd
    FROM round_teams AS t
    CROSS JOIN model_columns AS mc
    LEFT JOIN cells AS c ON c.team_id = t.team_id AND c.kind = mc.kind AND c.key = mc.key
    WHERE mc.kind = $columns
),

product_cells AS (
    SELECT
        product,
        CAST(NULL AS VARCHAR) AS team,
        key,
        category,
        position,
        avg(level) AS level,
        CAST(sum(n) AS BIGINT) AS n,
        CAST(sum(respondents) AS BIGINT) AS respondents,
        avg(target) AS target,
        avg(gap) AS gap,
        avg(priority) AS priority,
        avg(perception_gap) AS perception_gap,
        avg(change) AS change,
        avg(sd) AS sd
    FROM team_cells
    GROUP BY product, key, category, position
),

chosen AS (
    SELECT * FROM team_cells WHERE $rows = 'team'
    UNION ALL
    SELECT * FROM product_cells WHERE $rows = 'product'
),

valued AS (
    SELECT
        *,
        CASE $metric
            WHEN 'level' THEN level
            WHEN 'gap' THEN gap
            WHEN 'priority' THEN priority
            WHEN 'perception_gap' THEN perception_gap
            WHEN 'change' THEN change
            WHEN 'n' THEN CASE WHEN n > 0 THEN n END
            WHEN 'disagreement' THEN sd
        END AS value
    FROM chosen
)

SELECT
    product,
    team,
    key,
    category,
    position,
    CAST(value AS DOUBLE) AS value,
    CAST(n AS BIGINT) AS n,
    CAST(respondents AS BIGINT) AS respondents,
    CASE
        WHEN value IS NOT NULL THEN 'ok'
        WHEN $metric = 'disagreement' AND n > 0 THEN 'too_few'
        ELSE 'no_data'
    END AS status,
    level,
    target,
    gap,
    priority,
    perception_gap,
    change,
    sd
FROM valued
ORDER BY product, team NULLS FIRST, position
