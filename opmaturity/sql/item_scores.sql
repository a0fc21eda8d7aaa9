-- item_scores: one row per product, team, rater group (team|sre) and item that has answers in the round.
-- uses: answers, previous_levels
-- Parameters: $k, the fewest respondents whose spread may be shown (plus those of the queries used).
--
-- level        mean of the answers' levels; n = answers with a level. N/A answers count in neither (na counts
--              them); a row whose answers are all N/A has level NULL and n = 0.
-- respondents  distinct respondents with a level.
-- target       mean of the effective targets (see answers) of the answers with a level.
-- gap          target - level (positive = below target).
-- importance   mean importance of the team's own (rater = 'team') answers for the item; 2 when nobody gave
--              one, flagged by importance_assumed. The SRE row carries the same team figure.
-- priority     importance * max(gap, 0). The defined figure is the team row's; the SRE row applies the same
--              formula to SRE's gap, so that every metric exists for both rater groups.
-- perception_gap  SRE level - team level for the same team and item, where both have n >= 1 (team_level,
--              sre_level, team_n, sre_n beside it); the same value on both rows.
-- sd, min_level, max_level  population standard deviation (stddev_pop), min and max of the group's
--              respondents' levels, reported only where n >= k. disagreement_status: 'ok' where n >= k,
--              'too_few' where 0 < n < k (showing it would expose individuals), 'no_data' where n = 0.
--              The defined disagreement is the team row's (the team's own respondents).
-- previous_level, change  the level in the previous round and level - previous_level; NULL where the team
--              (this rater group) has no level for the item in the previous round.
-- Differences (gap, perception_gap, change) are rounded to 9 decimals, so that floating-point noise between
-- equal means never reads as a gap or a change.
WITH groups AS (
    SELECT
        product_id,
        product,
        tier,
        team_id,
        team,
        rater,
        category,
        category_position,
        item,
        item_position,
        avg(level) AS level,
        count(level) AS n,
        count(*) - count(level) AS na,
        count(DISTINCT respondent) FILTER (WHERE level IS NOT NULL) AS respondents,
        avg(target) FILTER (WHERE level IS NOT NULL) AS target,
        stddev_pop(level) AS sd,
        min(level) AS min_level,
        max(level) AS max_level
    FROM answers
    GROUP BY ALL
),

team_importance AS (
    SELECT team_id, item, avg(importance) AS importance
    FROM answers
    WHERE rater = 'team'
    GROUP BY team_id, item
),

sides AS (
    SELECT
        team_id,
        item,
        max(level) FILTER (WHERE rater = 'team') AS team_level,
        max(n) FILTER (WHERE rater = 'team') AS team_n,
        max(level) FILTER (WHERE rater = 'sre') AS sre_level,
        max(n) FILTER (WHERE rater = 'sre') AS sre_n
    FROM groups
    WHERE n > 0
    GROUP BY team_id, item
),

scored AS (
    SELECT
        g.*,
        round(g.target - g.level, 9) AS gap,
        coalesce(ti.importance, 2) AS importance,
        ti.importance IS NULL AS importance_assumed
    FROM groups AS g
    LEFT JOIN team_importance AS ti ON ti.team_id = g.team_id AND ti.item = g.item
)

SELECT
    s.product_id,
    s.product,
    s.tier,
    s.team_id,
    s.team,
    s.rater,
    s.category,
    s.category_position,
    s.item,
    s.item_position,
    s.level,
    s.n,
    s.na,
    s.respondents,
    s.target,
    s.gap,
    s.importance,
    s.importance_assumed,
    CASE WHEN s.gap IS NOT NULL THEN s.importance * greatest(s.gap, 0) END AS priority,
    d.team_level,
    d.team_n,
    d.sre_level,
    d.sre_n,
    round(d.sre_level - d.team_level, 9) AS perception_gap,
    CASE WHEN s.n >= $k THEN s.sd END AS sd,
    CASE WHEN s.n >= $k THEN s.min_level END AS min_level,
    CASE WHEN s.n >= $k THEN s.max_level END AS max_level,
    CASE WHEN s.n = 0 THEN 'no_data' WHEN s.n < $k THEN 'too_few' ELSE 'ok' END AS disagreement_status,
    p.level AS previous_level,
    round(s.level - p.level, 9) AS change
FROM scored AS s
LEFT JOIN sides AS d ON d.team_id = s.team_id AND d.item = s.item
LEFT JOIN previous_levels AS p ON p.team_id = s.team_id AND p.rater = s.rater AND p.item = s.item
