-- item_scores: one row per round scored, product, team, rater group (team|sre) and item with answers.
-- uses: round_order, item_levels
-- Parameters: $round_id, the round scored (NULL: every round read); $k, the fewest respondents whose spread
-- may be shown; plus those of the queries used.
--
-- level, n, na, respondents, target: see item_levels.
-- gap          target - level (positive = below target).
-- importance   the team's own mean importance for the item (item_levels); 2 when nobody gave one, flagged by
--              importance_assumed.
-- priority     importance * max(gap, 0). The defined figure is the team row's; the SRE row applies the same
--              formula to SRE's gap, so that every metric exists for both rater groups.
-- perception_gap  SRE level - team level for the same team and item, where both have n >= 1 (team_level,
--              sre_level, team_n, sre_n beside it); the same value on both rows.
-- sd, min_level, max_level  spread, min and max of the group's levels, reported only where n >= k.
--              disagreement_status: 'ok' where n >= k, 'too_few' where 0 < n < k (showing it would expose
--              individuals), 'no_data' where n = 0. The defined disagreement is the team row's.
-- previous_round_id  the round this team's rater group last answered before this one (round_order): a team
--              that skipped a round compares with its own last assessment, not with nothing. Read from the rounds
--              in $round_ids (the caller includes each team's previous round: metrics._context).
-- previous_level, previous_n  the level and answers of the same team, rater group and item in that round;
--              NULL where either round has no level for it.
-- change       level - previous_level, only where both rounds have a level (a paired item).
-- change_se    its standard error: sqrt(s_now^2 / n_now + s_before^2 / n_before), each s^2 the side's sample
--              variance but at least 0.25 (half a level, the resolution of a 0-4 answer), so that a group that
--              answered unanimously on both sides still needs a move of about a level to count.
-- significant  |change| > 1.96 * change_se (about 95 %), and at least 2 answers on each side (one person's
--              answer carries no estimate of noise). With 3 respondents a move of 0.3 is never significant.
-- Every figure is computed from unrounded means and rounded to 9 decimals once at the end: floating-point noise
-- between equal values (4/3 x 1.5 and 1 x 2) never reads as a gap, a change or a difference in rank. Means of
-- up to 10,000 answers stay exact at that precision. The unrounded figures (exact_gap, exact_priority,
-- exact_perception_gap, exact_change) are kept for roll-ups, which round once again at their own end.
WITH answered AS (  -- the rounds each team's rater group answered (a level for at least one item)
    SELECT DISTINCT l.round_id, l.team_id, l.rater, ro.round_position
    FROM item_levels AS l
    INNER JOIN round_order AS ro ON ro.round_id = l.round_id
    WHERE l.n > 0
),

team_previous AS (
    SELECT
        round_id, team_id, rater,
        lag(round_id) OVER (PARTITION BY team_id, rater ORDER BY round_position) AS previous_round_id
    FROM answered
),

scored AS (
    SELECT l.*, tp.previous_round_id
    FROM item_levels AS l
    LEFT JOIN team_previous AS tp ON tp.round_id = l.round_id AND tp.team_id = l.team_id AND tp.rater = l.rater
    WHERE $round_id IS NULL OR l.round_id = $round_id
),

sides AS (
    SELECT
        round_id,
        team_id,
        item,
        max(level) FILTER (WHERE rater = 'team') AS team_level,
        max(n) FILTER (WHERE rater = 'team') AS team_n,
        max(level) FILTER (WHERE rater = 'sre') AS sre_level,
        max(n) FILTER (WHERE rater = 'sre') AS sre_n
    FROM scored
    WHERE n > 0
    GROUP BY round_id, team_id, item
),

paired AS (
    SELECT
        s.*,
        p.level AS previous_level,
        p.n AS previous_n,
        s.level - p.level AS raw_change,
        sqrt(greatest(coalesce(s.variance, 0), 0.25) / s.n + greatest(coalesce(p.variance, 0), 0.25) / p.n)
            AS raw_change_se,
        s.target - s.level AS raw_gap,
        coalesce(s.importance, 2) AS importance_used
    FROM scored AS s
    LEFT JOIN item_levels AS p
        ON p.round_id = s.previous_round_id AND p.team_id = s.team_id AND p.rater = s.rater AND p.item = s.item
        AND p.n > 0 AND s.n > 0
)

SELECT
    s.round_id,
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
    s.target_low,
    s.target_high,
    round(s.raw_gap, 9) AS gap,
    s.importance_used AS importance,
    s.importance IS NULL AS importance_assumed,
    CASE WHEN s.raw_gap IS NOT NULL THEN round(s.importance_used * greatest(s.raw_gap, 0), 9) END AS priority,
    d.team_level,
    d.team_n,
    d.sre_level,
    d.sre_n,
    round(d.sre_level - d.team_level, 9) AS perception_gap,
    CASE WHEN s.n >= $k THEN s.sd END AS sd,
    CASE WHEN s.n >= $k THEN s.min_level END AS min_level,
    CASE WHEN s.n >= $k THEN s.max_level END AS max_level,
    CASE WHEN s.n = 0 THEN 'no_data' WHEN s.n < $k THEN 'too_few' ELSE 'ok' END AS disagreement_status,
    CASE WHEN s.previous_level IS NOT NULL THEN s.previous_round_id END AS previous_round_id,
    s.previous_level,
    s.previous_n,
    round(s.raw_change, 9) AS change,
    CASE WHEN s.raw_change IS NOT NULL THEN s.raw_change_se END AS change_se,
    CASE
        WHEN s.raw_change IS NOT NULL
            THEN s.n >= 2 AND s.previous_n >= 2 AND round(abs(s.raw_change), 9) > 1.96 * s.raw_change_se
    END AS significant,
    s.raw_gap AS exact_gap,
    CASE WHEN s.raw_gap IS NOT NULL THEN s.importance_used * greatest(s.raw_gap, 0) END AS exact_priority,
    d.sre_level - d.team_level AS exact_perception_gap,
    s.raw_change AS exact_change
FROM paired AS s
LEFT JOIN sides AS d ON d.round_id = s.round_id AND d.team_id = s.team_id AND d.item = s.item
