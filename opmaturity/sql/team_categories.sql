-- team_categories: one team's categories (every category of the model, in model order) beside its target and
-- the organisation.
-- uses: category_scores
-- Parameters: $product, $team (plus those of the queries used).
--
-- team_level, team_n: the team's self-assessed category level (mean of item levels) and answers behind it;
-- sre_level, sre_n: the same from SRE's assessment of the team;
-- target: the team's category target (mean of item targets of its own answers; SRE's where the team has
-- none); gap = target - team_level; sre_gap = SRE's target - sre_level (targets of SRE's answers);
-- perception_gap: mean over the items both rated of SRE level - team level; perception_team_level and
-- perception_sre_level are the two sides over those same items, perception_items how many (the category
-- levels team_level and sre_level may rest on more items each and need not subtract to it);
-- change: the team's mean change over the items it rated in both rounds (change_items of them), with
-- previous_round the round the change is since (the team's last assessment before); previous_level and
-- paired_level the two sides over those items and change_significant whether the change is
-- clearly beyond its uncertainty (category_scores);
-- org_median: the median over teams of the team-rater category level (teams with a level); org_teams: how
-- many teams that median is over.
WITH this AS (
    SELECT * FROM category_scores WHERE product = $product AND team = $team AND n > 0
),

org AS (
    SELECT category, median(level) AS org_median, count(*) AS org_teams
    FROM category_scores
    WHERE rater = 'team' AND n > 0
    GROUP BY category
)

SELECT
    c.category_key AS category,
    c.position,
    tm.level AS team_level,
    coalesce(tm.n, 0) AS team_n,
    sr.level AS sre_level,
    coalesce(sr.n, 0) AS sre_n,
    coalesce(tm.target, sr.target) AS target,
    CASE WHEN tm.target IS NOT NULL THEN tm.target_low ELSE sr.target_low END AS target_low,
    CASE WHEN tm.target IS NOT NULL THEN tm.target_high ELSE sr.target_high END AS target_high,
    tm.gap,
    sr.gap AS sre_gap,
    coalesce(tm.perception_gap, sr.perception_gap) AS perception_gap,
    coalesce(tm.team_level, sr.team_level) AS perception_team_level,
    coalesce(tm.sre_level, sr.sre_level) AS perception_sre_level,
    coalesce(tm.perception_items, sr.perception_items, 0) AS perception_items,
    tm.paired_level,
    (SELECT r.name FROM rounds AS r WHERE r.round_id = tm.previous_round_id) AS previous_round,
    tm.previous_level,
    tm.change,
    coalesce(tm.change_items, 0) AS change_items,
    tm.significant AS change_significant,
    o.org_median,
    coalesce(o.org_teams, 0) AS org_teams
FROM categories AS c
LEFT JOIN this AS tm ON tm.category = c.category_key AND tm.rater = 'team'
LEFT JOIN this AS sr ON sr.category = c.category_key AND sr.rater = 'sre'
LEFT JOIN org AS o ON o.category = c.category_key
ORDER BY c.position
