-- org_categories: the organisation per category (every category of the model, in model order), from the teams'
-- own (rater 'team') category levels.
-- uses: category_scores
-- level: the mean of the team category levels (each team weighs the same); org_median: their median;
-- target: the mean of the team category targets; gap = target - level; n: answers with a level behind it;
-- teams: teams with a level in the category. A category nobody answered has level NULL and n 0.
WITH team_levels AS (
    SELECT category, level, target, n FROM category_scores WHERE rater = 'team' AND n > 0
),

org AS (
    SELECT
        category,
        avg(level) AS level,
        median(level) AS org_median,
        avg(target) AS target,
        CAST(sum(n) AS BIGINT) AS n,
        count(*) AS teams
    FROM team_levels
    GROUP BY category
)

SELECT
    c.category_key AS category,
    c.position,
    o.level,
    o.org_median,
    o.target,
    round(o.target - o.level, 9) AS gap,
    coalesce(o.n, 0) AS n,
    coalesce(o.teams, 0) AS teams
FROM categories AS c
LEFT JOIN org AS o ON o.category = c.category_key
ORDER BY c.position
