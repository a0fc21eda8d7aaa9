-- answers: every live answer of the rounds read, with the target that applies to it.
-- Parameters: $round_ids, the rounds read (a list: the round shown and the one before it, or every round for a
-- trend); $team_ids, the teams read (a list: one team's trend, the teams of finished actions; NULL: every team);
-- $older_teams and $older_rounds, pairs read besides (lists of equal length, most often empty): a team that
-- skipped the round before and the round it last answered (metrics._context), so that its change pairs with it.
-- Tiers and their default targets come from the tiers table (the model's, mirrored by sync_model).
--
-- level: the answer's level; NULL for a not-applicable answer, which counts in no mean and no n downstream.
-- target (the effective target of the answer), the first of these that exists:
--   1. the answer's own target;
--   2. the targets table, most specific first: team + item, team + all items (item_key NULL), product + item,
--      product + all items, tier + item, tier + all items (where one was set twice, the newest row wins);
--   3. the default_target of the product's tier in the model;
--   4. the item's default_target (items table);
--   5. the model's default_target (models table).
-- target_source names the step that gave it.
-- Answers to item keys the current model does not know are left out (they have no category), except where an
-- item of the current model replaces that key (item_lineage, written from the model versions' `replaces`, see
-- model_versions.py): such an answer counts as an answer to its successor, so trends and changes continue
-- across model versions. Per round, team, respondent and rater, the respondent's own answer to the current
-- item wins; without one, the answers to its predecessors become one answer: the mean of their levels (a
-- merge; a rename or a split carries the one answer as it is), targets and importances.
WITH target_rules AS (
    SELECT tier, product_id, team_id, item_key, arg_max(level, target_id) AS level
    FROM targets
    GROUP BY tier, product_id, team_id, item_key
),

live AS (
    SELECT round_id, team_id, respondent, rater, item_key, level, target, importance
    FROM current_responses
    WHERE list_contains(CAST($round_ids AS INTEGER[]), round_id)
        AND ($team_ids IS NULL OR list_contains(CAST($team_ids AS INTEGER[]), team_id))
    UNION ALL
    SELECT round_id, team_id, respondent, rater, item_key, level, target, importance
    FROM current_responses
    SEMI JOIN (
        SELECT unnest(CAST($older_teams AS INTEGER[])) AS team_id, unnest(CAST($older_rounds AS INTEGER[])) AS round_id
    ) AS older USING (team_id, round_id)
    WHERE NOT list_contains(CAST($round_ids AS INTEGER[]), round_id)
),

carried AS (
    SELECT round_id, team_id, respondent, rater, item_key, level, target, importance
    FROM live
    UNION ALL
    SELECT
        r.round_id, r.team_id, r.respondent, r.rater, l.current_key AS item_key,
        -- exact decimals, like the whole numbers of the other answers: sums in any order give the same figures
        CAST(avg(r.level) AS DECIMAL(18, 6)) AS level, CAST(avg(r.target) AS DECIMAL(18, 6)) AS target,
        CAST(avg(r.importance) AS DECIMAL(18, 6)) AS importance
    FROM live AS r
    INNER JOIN item_lineage AS l ON l.item_key = r.item_key
    WHERE NOT EXISTS (
        SELECT 1 FROM live AS o
        WHERE o.round_id = r.round_id AND o.team_id = r.team_id AND o.respondent = r.respondent
            AND o.rater = r.rater AND o.item_key = l.current_key
    )
    GROUP BY r.round_id, r.team_id, r.respondent, r.rater, l.current_key
)

SELECT
    r.round_id,
    p.product_id,
    p.name AS product,
    p.tier,
    t.team_id,
    t.name AS team,
    r.rater,
    r.respondent,
    i.category_key AS category,
    c.position AS category_position,
    r.item_key AS item,
    i.position AS item_position,
    r.level,
    r.importance,
    COALESCE(
        r.target, mi.level, ma.level, pi.level, pa.level, ti.level, ta.level, mt.default_target, i.default_target, m.default_target
    ) AS target,
    CASE
        WHEN r.target IS NOT NULL THEN 'answer'
        WHEN mi.level IS NOT NULL THEN 'team_item'
        WHEN ma.level IS NOT NULL THEN 'team'
        WHEN pi.level IS NOT NULL THEN 'product_item'
        WHEN pa.level IS NOT NULL THEN 'product'
        WHEN ti.level IS NOT NULL THEN 'tier_item'
        WHEN ta.level IS NOT NULL THEN 'tier'
        WHEN mt.default_target IS NOT NULL THEN 'model_tier'
        WHEN i.default_target IS NOT NULL THEN 'item'
        WHEN m.default_target IS NOT NULL THEN 'model'
    END AS target_source
FROM carried AS r
INNER JOIN teams AS t ON t.team_id = r.team_id
INNER JOIN products AS p ON p.product_id = t.product_id
INNER JOIN items AS i ON i.item_key = r.item_key
INNER JOIN categories AS c ON c.category_key = i.category_key
LEFT JOIN target_rules AS mi ON mi.team_id = t.team_id AND mi.item_key = r.item_key
LEFT JOIN target_rules AS ma ON ma.team_id = t.team_id AND ma.item_key IS NULL
LEFT JOIN target_rules AS pi ON pi.product_id = p.product_id AND pi.team_id IS NULL AND pi.item_key = r.item_key
LEFT JOIN target_rules AS pa ON pa.product_id = p.product_id AND pa.team_id IS NULL AND pa.item_key IS NULL
LEFT JOIN target_rules AS ti ON ti.tier = p.tier AND ti.item_key = r.item_key
LEFT JOIN target_rules AS ta ON ta.tier = p.tier AND ta.item_key IS NULL
LEFT JOIN tiers AS mt ON mt.tier_key = p.tier
CROSS JOIN (SELECT max(default_target) AS default_target FROM models) AS m
