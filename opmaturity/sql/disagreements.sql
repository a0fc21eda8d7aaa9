-- disagreements: items where a team's own respondents disagree: the population standard deviation (sd) of
-- their levels with min, max and n, only where n >= k (below that it would expose individuals), ranked by
-- sd (largest first; then n, product, team, model order).
-- uses: item_scores
-- Parameters: $limit (NULL: all); $product, $team (NULL: every product, team: the Team page and the hearing sheet
-- read one team's list here, so that every surface ranks alike), plus those of the queries used ($k among them).
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
    AND ($product IS NULL OR product = $product) AND ($team IS NULL OR team = $team)
ORDER BY sd DESC, n DESC, product, team, item_position
LIMIT $limit
