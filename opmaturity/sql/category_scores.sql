-- category_scores: item_scores rolled up to one row per round scored, product, team, rater group and category.
-- uses: answers, item_scores
--
-- Each item weighs the same: level, target, gap, importance and priority are the means of the category's item
-- values (items without the value are left out, so an all-N/A item counts in none). n and na are the sums of
-- the items' answers; items counts the items with a level; respondents counts distinct respondents with a
-- level anywhere in the category.
-- Comparisons pair like with like before they average, so the two sides shown beside a difference always
-- subtract to it:
-- perception_gap  the mean over the items both SRE and the team rated of SRE level - team level;
--              team_level and sre_level are the two sides over those same items (team_level - sre_level =
--              -perception_gap), perception_items how many items that is. A category's own level (all items
--              rated) may differ from its team_level here.
-- change       the mean over the items the group rated in both rounds (paired items) of level now - level
--              before; previous_level and paired_level are the two sides over those items, change_items how
--              many, n_before and n_after the answers behind each side. NULL without a paired item.
-- change_se    sqrt(sum of the items' change_se^2) / change_items (items taken as independent).
-- significant  |change| > 1.96 * change_se and at least 2 answers on each side of every paired item.
-- sd is the mean of the item spreads that may be reported (n >= k); items_reported counts them;
-- disagreement_status is 'ok' where at least one item is reported, 'too_few' where answers exist but no item
-- reaches k, 'no_data' without answers.
-- Differences are averaged from the items' unrounded figures and rounded to 9 decimals once (noise is not a
-- gap, and the same data always gives the same rank).
WITH rolled AS (
    SELECT
        round_id,
        product_id,
        product,
        tier,
        team_id,
        team,
        rater,
        category,
        category_position,
        avg(level) AS level,
        CAST(sum(n) AS BIGINT) AS n,
        CAST(sum(na) AS BIGINT) AS na,
        count(level) AS items,
        avg(target) AS target,
        min(target_low) AS target_low,
        max(target_high) AS target_high,
        round(avg(exact_gap), 9) AS gap,
        avg(importance) FILTER (WHERE n > 0) AS importance,
        bool_or(importance_assumed) FILTER (WHERE n > 0) AS importance_assumed,
        round(avg(exact_priority), 9) AS priority,
        avg(team_level) FILTER (WHERE perception_gap IS NOT NULL) AS team_level,
        avg(sre_level) FILTER (WHERE perception_gap IS NOT NULL) AS sre_level,
        round(avg(exact_perception_gap), 9) AS perception_gap,
        count(perception_gap) AS perception_items,
        max(previous_round_id) AS previous_round_id,  -- one per team and rater group (item_scores)
        avg(level) FILTER (WHERE change IS NOT NULL) AS paired_level,
        avg(previous_level) FILTER (WHERE change IS NOT NULL) AS previous_level,
        round(avg(exact_change), 9) AS change,
        count(change) AS change_items,
        CAST(sum(previous_n) FILTER (WHERE change IS NOT NULL) AS BIGINT) AS n_before,
        CAST(sum(n) FILTER (WHERE change IS NOT NULL) AS BIGINT) AS n_after,
        sqrt(sum(change_se * change_se)) / count(change) AS change_se,
        min(least(n, previous_n)) FILTER (WHERE change IS NOT NULL) AS fewest_paired_answers,
        avg(sd) AS sd,
        count(sd) AS items_reported
    FROM item_scores
    GROUP BY ALL
),

category_respondents AS (
    SELECT round_id, team_id, rater, category, count(DISTINCT respondent) AS respondents
    FROM answers
    WHERE level IS NOT NULL
    GROUP BY round_id, team_id, rater, category
)

SELECT
    r.* EXCLUDE (fewest_paired_answers, change_se, items_reported, sd),
    coalesce(cr.respondents, 0) AS respondents,
    r.sd,
    r.items_reported,
    CASE WHEN r.n = 0 THEN 'no_data' WHEN r.items_reported = 0 THEN 'too_few' ELSE 'ok' END AS disagreement_status,
    CASE WHEN r.change IS NOT NULL THEN r.change_se END AS change_se,
    CASE
        WHEN r.change IS NOT NULL THEN r.fewest_paired_answers >= 2 AND abs(r.change) > 1.96 * r.change_se
    END AS significant
FROM rolled AS r
LEFT JOIN category_respondents AS cr
    ON cr.round_id = r.round_id AND cr.team_id = r.team_id AND cr.rater = r.rater AND cr.category = r.category
