-- category_levels: each round's category level and answers per team and rater group: the `level` and `n` of
-- category_scores (the same roll-up of the same item levels: each item weighs the same, items without a level
-- are left out), and nothing else, for the trends of every round.
-- uses: answers, item_levels
-- Parameters: those of the queries used.
SELECT
    round_id,
    product,
    team,
    rater,
    category,
    category_position,
    avg(level) AS level,
    CAST(sum(n) AS BIGINT) AS n
FROM item_levels
GROUP BY round_id, product_id, product, tier, team_id, team, rater, category, category_position
