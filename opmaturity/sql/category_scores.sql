-- category_scores: item_scores rolled up to one row per product, team, rater group and category.
-- uses: answers, previous_levels, item_scores
--
-- Each item weighs the same: level, target, gap, importance, priority and perception_gap are the means of
-- the category's item values (items without the value are left out, so an all-N/A item counts in none).
-- n and na are the sums of the items' answers; items counts the items with a level; respondents counts
-- distinct respondents with a level anywhere in the category. team_level/sre_level are the team's and
-- SRE's category levels beside each other (perception_gap is the mean of the item differences, over the
-- items both answered).
-- sd is the mean of the item spreads that may be reported (n >= k); items_reported counts them;
-- disagreement_status is 'ok' where at least one item is reported, 'too_few' where answers exist but no
-- item reaches k, 'no_data' without answers.
-- previous_level is the category level in the previous round (the mean of that round's item levels);
-- change = level - previous_level, NULL where the team has no level in the category in the previous round.
-- Differences and their means are rounded to 9 decimals (floating-point noise is not a gap).
WITH rolled AS (
    SELECT
        product_id,
        product,
        tier,
        team_id,
        team,
        rater,
        category,
        category_position,
        avg(level) AS level,
        CAST(sum(n) AS BIGINT) AS n,
        CAST(sum(na) AS BIGINT) AS na,
        count(level) AS items,
        avg(target) AS target,
        round(avg(gap), 9) AS gap,
        avg(importance) FILTER (WHERE n > 0) AS importance,
        bool_or(importance_assumed) FILTER (WHERE n > 0) AS importance_assumed,
        round(avg(priority), 9) AS priority,
        round(avg(perception_gap), 9) AS perception_gap,
        avg(sd) AS sd,
        count(sd) AS items_reported
    FROM item_scores
    GROUP BY ALL
),

category_respondents AS (
    SELECT team_id, rater, category, count(DISTINCT respondent) AS respondents
    FROM answers
    WHERE level IS NOT NULL
    GROUP BY team_id, rater, category
),

previous_categories AS (
    SELECT team_id, rater, category, avg(level) AS level
    FROM previous_levels
    GROUP BY team_id, rater, category
),

sides AS (
    SELECT
        team_id,
        category,
        max(level) FILTER (WHERE rater = 'team') AS team_level,
        max(level) FILTER (WHERE rater = 'sre') AS sre_level
    FROM rolled
    WHERE n > 0
    GROUP BY team_id, category
)

SELECT
    r.product_id,
    r.product,
    r.tier,
    r.team_id,
    r.team,
    r.rater,
    r.category,
    r.category_position,
    r.level,
    r.n,
    r.na,
    r.items,
    coalesce(cr.respondents, 0) AS respondents,
    r.target,
    r.gap,
    r.importance,
    r.importance_assumed,
    r.priority,
    d.team_level,
    d.sre_level,
    r.perception_gap,
    r.sd,
    r.items_reported,
    CASE WHEN r.n = 0 THEN 'no_data' WHEN r.items_reported = 0 THEN 'too_few' ELSE 'ok' END AS disagreement_status,
    pc.level AS previous_level,
    round(r.level - pc.level, 9) AS change
FROM rolled AS r
LEFT JOIN category_respondents AS cr ON cr.team_id = r.team_id AND cr.rater = r.rater AND cr.category = r.category
LEFT JOIN sides AS d ON d.team_id = r.team_id AND d.category = r.category
LEFT JOIN previous_categories AS pc ON pc.team_id = r.team_id AND pc.rater = r.rater AND pc.category = r.category
