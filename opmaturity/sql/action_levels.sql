-- action_levels: the levels of the teams read ($team_ids) in the rounds read, per rater group and item: what a
-- finished action's item moved to. The `level` of item_scores for those rows (the same item levels), without
-- computing every team's scores.
-- uses: answers, item_levels
-- Parameters: those of the queries used.
SELECT round_id, product, team, rater, item, level
FROM item_levels
WHERE level IS NOT NULL
