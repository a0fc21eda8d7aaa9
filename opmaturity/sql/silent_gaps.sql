-- silent_gaps: what nobody has raised. Items where many teams are below target by their own assessment, but
-- (almost) no workshop note and no comment of the round speaks of the item.
-- uses: item_scores
-- Parameters: $limit (NULL: all), plus those of the queries used.
--
-- teams: teams with a team-rater level for the item; teams_below_target: those whose level < target (gap > 0);
-- share = teams_below_target / teams; mean_gap: the mean gap of the teams below target;
-- notes: the round's workshop notes linked to the item plus the round's non-blank answer comments on it (both
-- rater groups): everything anyone wrote about it.
-- An item is silent when at least 2 teams and at least a quarter of the teams are below target and there is
-- fewer than one note or comment for every 5 teams below target (so 0 notes for up to 5 teams below, at most
-- 1 for up to 10). Ranked by share (highest first), then mean_gap (largest first), then model order.
WITH per_item AS (
    SELECT
        item,
        category,
        item_position AS position,
        count(*) AS teams,
        count(*) FILTER (WHERE gap > 0) AS teams_below_target,
        round(avg(gap) FILTER (WHERE gap > 0), 9) AS mean_gap
    FROM item_scores
    WHERE rater = 'team' AND n > 0
    GROUP BY item, category, item_position
),

spoken AS (
    SELECT item_key AS item, count(*) AS notes
    FROM current_notes
    WHERE round_id = $round_id AND item_key IS NOT NULL
    GROUP BY item_key
    UNION ALL
    SELECT item_key AS item, count(*) AS notes
    FROM current_responses
    WHERE round_id = $round_id AND nullif(trim(comment), '') IS NOT NULL
    GROUP BY item_key
),

said AS (
    SELECT item, CAST(sum(notes) AS BIGINT) AS notes FROM spoken GROUP BY item
)

SELECT
    p.item,
    p.category,
    p.position,
    p.teams_below_target,
    p.teams,
    p.teams_below_target / p.teams AS share,
    p.mean_gap,
    coalesce(s.notes, 0) AS notes
FROM per_item AS p
LEFT JOIN said AS s ON s.item = p.item
WHERE p.teams_below_target >= 2
    AND p.teams_below_target * 4 >= p.teams
    AND coalesce(s.notes, 0) * 5 < p.teams_below_target
ORDER BY share DESC, p.mean_gap DESC, p.position
LIMIT $limit
