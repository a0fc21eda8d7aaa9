-- disagreements: items where a team's own respondents disagree: the population standard deviation (sd) of
-- their levels with min, max and n, only where n >= k (below that it would expose individuals), ranked by
-- sd (largest first; then n, product, team, model order).
-- uses: item_scores
-- Parameters: $limit (NULL: all), plus those of the queries used ($k among them).
-- Items where everyone gave the same level (sd 0) are left out.
SELECT
    product,
    team,
    category,
    item,
    item_position AS position,
    level,
    sd,
    min_level,
    max_level,
    n
FROM item_scores
WHERE rater = 'team' AND disagreement_status = 'ok' AND sd > 0
ORDER BY sd DESC, n DESC, product, team, item_position
LIMIT $limit
