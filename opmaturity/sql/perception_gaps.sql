-- perception_gaps: where SRE and the team see the same item differently: perception_gap = SRE level - team
-- level (both with n >= 1), ranked by its absolute size (largest first; then product, team, model order).
-- uses: item_scores
-- Parameters: $limit (NULL: all); $product, $team (NULL: every product, team: the Team page and the hearing sheet
-- read one team's list here, so that every surface ranks alike), plus those of the queries used.
-- Items where both sides agree exactly (difference 0) are left out.
SELECT
    product,
    team,
    category,
    item,
    item_position AS position,
    team_level,
    sre_level,
    perception_gap,
    team_n,
    sre_n
FROM item_scores
WHERE rater = 'team' AND perception_gap IS NOT NULL AND perception_gap <> 0
    AND ($product IS NULL OR product = $product) AND ($team IS NULL OR team = $team)
ORDER BY abs(perception_gap) DESC, product, team, item_position
LIMIT $limit
