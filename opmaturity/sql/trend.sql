-- trend: per round (in time order, round_order) and category, the category level of a selection: one team
-- ($product and $team), the teams of one product ($product), or the whole organisation (both NULL); a $team
-- without $product takes every team of that name.
-- uses: round_order, category_scores
-- Parameters: $rater ('team'|'sre'), $product, $team; $round_id NULL and $round_ids every round (so that
-- category_scores scores every round), plus those of the queries used.
-- A team's category level is category_scores' (the mean of its item levels, N/A in no mean and no n); the
-- selection's level is the mean of its teams' levels (each team weighs the same). n: answers with a level;
-- teams: teams with a level. Rounds and categories without data have no row. A round-to-round move read off
-- this line may mix teams and items that answered in one round only: the paired change is in `changes`.
SELECT
    o.name AS round,
    o.round_position,
    o.held_on,
    cs.category,
    cs.category_position AS position,
    avg(cs.level) AS level,
    CAST(sum(cs.n) AS BIGINT) AS n,
    count(*) AS teams
FROM category_scores AS cs
INNER JOIN round_order AS o ON o.round_id = cs.round_id
WHERE cs.rater = $rater AND cs.n > 0
    AND ($product IS NULL OR cs.product = $product)
    AND ($team IS NULL OR cs.team = $team)
GROUP BY o.name, o.round_position, o.held_on, cs.category, cs.category_position
ORDER BY o.round_position, cs.category_position
