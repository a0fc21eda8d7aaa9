-- action_levels: the levels of the given teams' items in the rounds read (per rater group): what a finished
-- action's item moved to. The `level` of item_scores for those rows (the same item levels), without computing
-- every team's scores.
-- uses: answers, item_levels
-- Parameters: $team_ids, the teams asked about (a list); plus those of the queries used.
SELECT round_id, product, team, rater, item, level
FROM item_levels
WHERE list_contains(CAST($team_ids AS INTEGER[]), team_id) AND level IS NOT NULL
