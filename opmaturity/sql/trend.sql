-- trend: per round (in time order, round_order) and category, the category level of a selection: one team
-- ($product and $team), the teams of one product ($product), or the whole organisation (both NULL); a $team
-- without $product takes every team of that name.
-- uses: round_order, category_scores, trend_items
-- Parameters: $rater ('team'|'sre'), $product, $team; $round_id NULL and $round_ids every round (so that
-- category_scores scores every round), plus those of the queries used.
-- A team's category level is category_scores' (the mean of its item levels, N/A in no mean and no n); the
-- selection's level is the mean of its teams' levels (each team weighs the same). n: answers with a level;
-- teams: teams with a level; round_teams: teams with a level in any category that round; teams_total: teams of the selection with a level in any round and category (the
-- "of N"); items: distinct items with a level. Rounds and categories without data have no row.
-- A step of the line (from the category's previous point, previous_round) may mix teams and items that
-- answered in one of the two rounds only, so it is compared like with like beside it: over the teams and items
-- with a level in both rounds, paired_previous and paired_level are the two sides (each team's mean over its
-- paired items, averaged over those teams; paired_level - paired_previous = paired_change), paired_teams and
-- paired_items (distinct items) what they rest on. like_for_like: both points rest on exactly the same teams
-- and items (then the step of the line is paired_change). NULL on a category's first point.
WITH chosen AS (
    SELECT *
    FROM category_scores
    WHERE rater = $rater AND n > 0
        AND ($product IS NULL OR product = $product)
        AND ($team IS NULL OR team = $team)
),

items AS (
    SELECT *
    FROM trend_items
    WHERE rater = $rater
        AND ($product IS NULL OR product = $product)
        AND ($team IS NULL OR team = $team)
),

points AS (
    SELECT
        o.name AS round,
        o.round_position,
        o.held_on,
        c.round_id,
        c.category,
        c.category_position AS position,
        avg(c.level) AS level,
        CAST(sum(c.n) AS BIGINT) AS n,
        count(*) AS teams
    FROM chosen AS c
    INNER JOIN round_order AS o ON o.round_id = c.round_id
    GROUP BY o.name, o.round_position, o.held_on, c.round_id, c.category, c.category_position
),

stepped AS (
    SELECT
        *,
        lag(round_id) OVER (PARTITION BY category ORDER BY round_position) AS previous_round_id,
        lag(round) OVER (PARTITION BY category ORDER BY round_position) AS previous_round
    FROM points
),

sides AS (
    SELECT round_id, category, count(*) AS team_items, count(DISTINCT item) AS items
    FROM items
    GROUP BY round_id, category
),

pairs AS (
    SELECT s.round_id, s.category, now.product, now.team, now.item, now.level, before.level AS previous_level
    FROM stepped AS s
    INNER JOIN items AS now ON now.round_id = s.round_id AND now.category = s.category
    INNER JOIN items AS before
        ON before.round_id = s.previous_round_id AND before.category = s.category
        AND before.product = now.product AND before.team = now.team AND before.item = now.item
),

team_steps AS (
    SELECT
        round_id,
        category,
        avg(level) AS level,
        avg(previous_level) AS previous_level,
        avg(level - previous_level) AS change,
        count(*) AS pairs
    FROM pairs
    GROUP BY round_id, category, product, team
),

steps AS (
    SELECT
        round_id,
        category,
        avg(level) AS paired_level,
        avg(previous_level) AS paired_previous,
        round(avg(change), 9) AS paired_change,
        count(*) AS paired_teams,
        sum(pairs) AS pairs
    FROM team_steps
    GROUP BY round_id, category
),

paired_items AS (
    SELECT round_id, category, count(DISTINCT item) AS paired_items
    FROM pairs
    GROUP BY round_id, category
),

round_teams AS (
    SELECT round_id, count(DISTINCT (product, team)) AS round_teams
    FROM chosen
    GROUP BY round_id
),

teams_total AS (
    SELECT count(DISTINCT (product, team)) AS teams_total
    FROM chosen
)

SELECT
    s.round,
    s.round_position,
    s.held_on,
    s.category,
    s.position,
    s.level,
    s.n,
    s.teams,
    rt.round_teams,
    tt.teams_total,
    now.items,
    s.previous_round,
    st.paired_previous,
    st.paired_level,
    st.paired_change,
    coalesce(st.paired_teams, 0) AS paired_teams,
    coalesce(pi.paired_items, 0) AS paired_items,
    CASE
        WHEN s.previous_round_id IS NOT NULL
            THEN coalesce(st.pairs, 0) = now.team_items AND coalesce(st.pairs, 0) = before.team_items
    END AS like_for_like
FROM stepped AS s
LEFT JOIN sides AS now ON now.round_id = s.round_id AND now.category = s.category
LEFT JOIN sides AS before ON before.round_id = s.previous_round_id AND before.category = s.category
LEFT JOIN steps AS st ON st.round_id = s.round_id AND st.category = s.category
LEFT JOIN paired_items AS pi ON pi.round_id = s.round_id AND pi.category = s.category
INNER JOIN round_teams AS rt ON rt.round_id = s.round_id
CROSS JOIN teams_total AS tt
ORDER BY s.round_position, s.position
