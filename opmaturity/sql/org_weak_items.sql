-- org_weak_items: items weak across the organisation, candidates for a shared solution rather than
-- team-by-team fixes. Per item, over the teams with team-rater data (n >= 1) for it:
-- teams; teams_below = teams whose level < target (gap > 0, see item_scores); share_below = teams_below / teams;
-- mean_level = mean of the team levels (each team weighs the same); mean_target likewise.
-- Ranked by share_below (highest first), then mean_level (lowest first), then model order.
-- uses: item_scores
-- Parameters: $limit (NULL: all), plus those of the queries used.
SELECT
    item,
    category,
    item_position AS position,
    count(*) AS teams,
    count(*) FILTER (WHERE gap > 0) AS teams_below,
    count(*) FILTER (WHERE gap > 0) / count(*) AS share_below,
    avg(level) AS mean_level,
    avg(target) AS mean_target,
    min(target_low) AS target_low,
    max(target_high) AS target_high
FROM item_scores
WHERE rater = 'team' AND n > 0
GROUP BY item, category, item_position
ORDER BY share_below DESC, mean_level ASC, item_position
LIMIT $limit
