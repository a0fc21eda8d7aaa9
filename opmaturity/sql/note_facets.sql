-- note_facets: the values the Feedback page can filter notes by, for one round ($round_id; NULL: all rounds):
-- one row per facet (product, team, tag, group, item) and distinct value, ordered by name (items in model order).
-- Parameters: $round_id.
WITH chosen AS (
    SELECT * FROM current_notes WHERE $round_id IS NULL OR round_id = $round_id
)

SELECT DISTINCT 'product' AS facet, p.name AS value, 0 AS position
FROM chosen AS n INNER JOIN products AS p ON p.product_id = n.product_id
UNION ALL
SELECT DISTINCT 'team' AS facet, t.name AS value, 0 AS position
FROM chosen AS n INNER JOIN teams AS t ON t.team_id = n.team_id
UNION ALL
SELECT DISTINCT 'tag' AS facet, tag AS value, 0 AS position
FROM (SELECT unnest(tags) AS tag FROM chosen) WHERE tag IS NOT NULL AND tag <> ''
UNION ALL
SELECT DISTINCT 'group' AS facet, group_name AS value, 0 AS position
FROM chosen WHERE group_name IS NOT NULL
UNION ALL
SELECT DISTINCT 'item' AS facet, n.item_key AS value, i.position
FROM chosen AS n INNER JOIN items AS i ON i.item_key = n.item_key
ORDER BY facet, position, value
