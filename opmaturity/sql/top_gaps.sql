-- top_gaps: the teams' to-do lists across the organisation: team-rater items below target, ranked by
-- priority = importance * max(gap, 0) (highest first; then gap, product, team, model order).
-- uses: item_scores
-- Parameters: $limit (NULL: all), plus those of the queries used.
-- Items at or above target (priority 0) are not gaps and are left out.
SELECT
    product,
    team,
    category,
    item,
    item_position AS position,
    level,
    n,
    target,
    target_low,
    target_high,
    gap,
    importance,
    importance_assumed,
    priority
FROM item_scores
WHERE rater = 'team' AND priority > 0
ORDER BY priority DESC, gap DESC, product, team, item_position
LIMIT $limit
