-- notes: workshop notes with their round, product, team and linked item, oldest first, filtered by exact
-- values; a NULL filter does not filter.
-- Parameters: $round_id, $product, $team, $tag (one of the note's tags), $group, $item (linked item key),
-- $linked (TRUE: only notes linked to an item, FALSE: only unlinked ones).
-- A note of a product without a team (a board imported with no team) is the product's note: every team of
-- the product sees it (its team is NULL, which the pages label "the product's note").
SELECT
    n.note_id,
    r.name AS round,
    p.name AS product,
    t.name AS team,
    n.text,
    n.group_name,
    coalesce(n.tags, CAST([] AS VARCHAR[])) AS tags,
    n.colour,
    n.author,
    n.item_key,
    i.category_key AS category,
    n.linked_by
FROM current_notes AS n
LEFT JOIN rounds AS r ON r.round_id = n.round_id
LEFT JOIN products AS p ON p.product_id = n.product_id
LEFT JOIN teams AS t ON t.team_id = n.team_id
LEFT JOIN items AS i ON i.item_key = n.item_key
WHERE ($round_id IS NULL OR n.round_id = $round_id)
    AND ($product IS NULL OR p.name = $product)
    AND ($team IS NULL OR t.name = $team OR (n.team_id IS NULL AND n.product_id IS NOT NULL))
    AND ($tag IS NULL OR list_contains(n.tags, $tag))
    AND ($group IS NULL OR n.group_name = $group)
    AND ($item IS NULL OR n.item_key = $item)
    AND ($linked IS NULL OR (n.item_key IS NOT NULL) = $linked)
ORDER BY n.note_id
