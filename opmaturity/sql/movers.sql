-- movers: the changes (sql/changes.sql) of the teams chosen: one team ($product and $team), the teams of one
-- product ($product), or every team (both NULL), in the order of changes (repeated here: a filter keeps no
-- order of its own).
-- uses: changes
-- Parameters: $product, $team, plus those of the queries used ($level, $limit).
SELECT *
FROM changes
WHERE ($product IS NULL OR product = $product)
    AND ($team IS NULL OR team = $team)
ORDER BY significant DESC, abs(change) DESC, change DESC, product, team, position
