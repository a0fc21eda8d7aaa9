-- changes: how team levels moved since the previous round (round_order), per team and category
-- ($level = 'category') or per team and item ($level = 'item'), team rater, over paired items only (rated in
-- both rounds; see item_scores and category_scores).
-- uses: item_scores, category_scores
-- Parameters: $level ('category'|'item'), $limit (NULL: all), plus those of the queries used.
-- previous_round: the round the change is since, the team's own last assessment before this round (item_scores:
-- a team that skipped a round compares with the one before it skipped).
-- level and previous_level are the two sides over the paired items (level - previous_level = change); items:
-- how many paired items a category change rests on (1 for an item); n_before, n_after: the answers behind each
-- side; change_se, significant: its uncertainty and whether it is clearly beyond it.
-- Ranked: significant changes first, then by the size of the change (largest first; then the rise before the
-- fall, product, team, model order). A team with no paired item has no change (left out), nor has an
-- unchanged level (0).
WITH moved AS (
    SELECT
        'category' AS kind, product, team, category, CAST(NULL AS VARCHAR) AS item,
        category_position AS position, previous_round_id, paired_level AS level, previous_level, change,
        change_items AS items, n_before, n_after, change_se, significant
    FROM category_scores
    WHERE rater = 'team'
    UNION ALL
    SELECT
        'item' AS kind, product, team, category, item,
        item_position AS position, previous_round_id, level, previous_level, change,
        1 AS items, previous_n AS n_before, n AS n_after, change_se, significant
    FROM item_scores
    WHERE rater = 'team'
)

SELECT
    m.product, m.team, m.category, m.item, m.position, r.name AS previous_round, m.level, m.previous_level, m.change,
    m.n_after AS n, m.n_before, m.n_after, m.items, m.change_se, m.significant
FROM moved AS m
LEFT JOIN rounds AS r ON r.round_id = m.previous_round_id
WHERE m.kind = $level AND m.change IS NOT NULL AND m.change <> 0
ORDER BY m.significant DESC, abs(m.change) DESC, m.change DESC, m.product, m.team, m.position
LIMIT $limit
