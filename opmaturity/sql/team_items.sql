-- team_items: one team's items (every item of the model), its to-do list ranked by priority (highest first,
-- then gap, then model order; items without a level last).
-- uses: item_scores
-- Parameters: $product, $team (plus those of the queries used).
--
-- level, n: the team's self-assessed level and answers; sre_level, sre_n: SRE's; target, gap = target - level
-- (the team's answers; SRE's target where the team has none); importance (assumed 2 where the team gave
-- none: importance_assumed), priority = importance * max(gap, 0); perception_gap = sre_level - level;
-- sd, min_level, max_level, disagreement_status: the spread of the team's own respondents, reported only where
-- n >= k ('too_few' below, 'no_data' without answers); previous_round (the team's last assessment before),
-- previous_level, change, change_se, change_significant: against that round.
-- See item_scores for the definitions.
WITH this AS (
    SELECT * FROM item_scores WHERE product = $product AND team = $team
)

SELECT
    i.category_key AS category,
    i.item_key AS item,
    c.position AS category_position,
    i.position,
    tm.level,
    coalesce(tm.n, 0) AS n,
    coalesce(tm.na, 0) AS na,
    sr.level AS sre_level,
    coalesce(sr.n, 0) AS sre_n,
    coalesce(tm.target, sr.target) AS target,
    CASE WHEN tm.target IS NOT NULL THEN tm.target_low ELSE sr.target_low END AS target_low,
    CASE WHEN tm.target IS NOT NULL THEN tm.target_high ELSE sr.target_high END AS target_high,
    tm.gap,
    coalesce(tm.importance, sr.importance) AS importance,
    coalesce(tm.importance_assumed, sr.importance_assumed) AS importance_assumed,
    tm.priority,
    coalesce(tm.perception_gap, sr.perception_gap) AS perception_gap,
    tm.sd,
    tm.min_level,
    tm.max_level,
    coalesce(tm.disagreement_status, 'no_data') AS disagreement_status,
    (SELECT r.name FROM rounds AS r WHERE r.round_id = tm.previous_round_id) AS previous_round,
    tm.previous_level,
    tm.change,
    tm.change_se,
    tm.significant AS change_significant
FROM items AS i
INNER JOIN categories AS c ON c.category_key = i.category_key
LEFT JOIN this AS tm ON tm.item = i.item_key AND tm.rater = 'team'
LEFT JOIN this AS sr ON sr.item = i.item_key AND sr.rater = 'sre'
ORDER BY tm.priority DESC NULLS LAST, tm.gap DESC NULLS LAST, i.position
