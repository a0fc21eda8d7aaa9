-- item_levels: per round read, team, rater group (team|sre) and item, what the answers say: the one place where
-- answers become figures. Every other figure (category, product, organisation, trend, change, perception) is
-- rolled up from these rows.
-- uses: answers
--
-- level        mean of the answers' levels; n = answers with a level. N/A answers count in neither (na counts
--              them); a row whose answers are all N/A has level NULL and n = 0.
-- respondents  distinct respondents with a level.
-- target       mean of the effective targets (see answers) of the answers with a level; target_low and
--              target_high the lowest and highest of them (equal where one target applies: show it as a level).
-- sd           population standard deviation of the levels (the spread shown, k-masked downstream);
-- variance     sample variance (n - 1), for the uncertainty of a change; NULL where n < 2.
--              Both rounded to 9 decimals: summed in any order (carried answers are decimals), equal spreads
--              stay equal and rank the same.
-- importance   mean importance the team's own (rater = 'team') answers gave the item; the SRE row carries the
--              same team figure. NULL where the team gave none.
WITH groups AS (  -- grouped by ids only; the names are joined once per group below (2-3x faster than by name)
    SELECT
        round_id,
        team_id,
        rater,
        item,
        avg(level) AS level,
        count(level) AS n,
        count(*) - count(level) AS na,
        count(DISTINCT respondent) FILTER (WHERE level IS NOT NULL) AS respondents,
        avg(target) FILTER (WHERE level IS NOT NULL) AS target,
        min(target) FILTER (WHERE level IS NOT NULL) AS target_low,
        max(target) FILTER (WHERE level IS NOT NULL) AS target_high,
        round(stddev_pop(level), 9) AS sd,
        round(var_samp(level), 9) AS variance,
        min(level) AS min_level,
        max(level) AS max_level
    FROM answers
    GROUP BY round_id, team_id, rater, item
),

team_importance AS (
    SELECT round_id, team_id, item, avg(importance) AS importance
    FROM answers
    WHERE rater = 'team'
    GROUP BY round_id, team_id, item
)

SELECT
    g.round_id,
    p.product_id,
    p.name AS product,
    p.tier,
    g.team_id,
    t.name AS team,
    g.rater,
    i.category_key AS category,
    c.position AS category_position,
    g.item,
    i.position AS item_position,
    g.* EXCLUDE (round_id, team_id, rater, item),
    ti.importance
FROM groups AS g
INNER JOIN teams AS t ON t.team_id = g.team_id
INNER JOIN products AS p ON p.product_id = t.product_id
INNER JOIN items AS i ON i.item_key = g.item
INNER JOIN categories AS c ON c.category_key = i.category_key
LEFT JOIN team_importance AS ti ON ti.round_id = g.round_id AND ti.team_id = g.team_id AND ti.item = g.item
