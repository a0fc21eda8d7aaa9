-- trend: per round (in round order: held_on NULLS LAST, round_id) and category, the category level of a
-- selection: one team ($product and $team), the teams of one product ($product), or the whole organisation
-- (both NULL); a $team without $product takes every team of that name.
-- Parameters: $rater ('team'|'sre'), $product, $team.
-- A team's category level is the mean of its item levels (each item weighs the same; N/A answers count in
-- no mean and no n); the selection's level is the mean of its teams' levels (each team weighs the same).
-- n: answers with a level; teams: teams with a level. Rounds and categories without data have no row.
WITH ordered AS (
    SELECT round_id, name, held_on, row_number() OVER (ORDER BY held_on NULLS LAST, round_id) AS round_position
    FROM rounds
),

item_levels AS (
    SELECT r.round_id, r.team_id, i.category_key AS category, r.item_key, avg(r.level) AS level, count(r.level) AS n
    FROM current_responses AS r
    INNER JOIN teams AS t ON t.team_id = r.team_id
    INNER JOIN products AS p ON p.product_id = t.product_id
    INNER JOIN items AS i ON i.item_key = r.item_key
    WHERE r.rater = $rater AND r.level IS NOT NULL
        AND ($product IS NULL OR p.name = $product)
        AND ($team IS NULL OR t.name = $team)
    GROUP BY r.round_id, r.team_id, i.category_key, r.item_key
),

team_levels AS (
    SELECT round_id, team_id, category, avg(level) AS level, sum(n) AS n
    FROM item_levels
    GROUP BY round_id, team_id, category
)

SELECT
    o.name AS round,
    o.round_position,
    o.held_on,
    tl.category,
    c.position,
    avg(tl.level) AS level,
    CAST(sum(tl.n) AS BIGINT) AS n,
    count(*) AS teams
FROM team_levels AS tl
INNER JOIN ordered AS o ON o.round_id = tl.round_id
INNER JOIN categories AS c ON c.category_key = tl.category
GROUP BY o.name, o.round_position, o.held_on, tl.category, c.position
ORDER BY o.round_position, c.position
