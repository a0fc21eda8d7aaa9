-- coverage: per product (every product with teams), who answered the round.
-- Parameters: $round_id.
-- teams: teams known; teams_answered: teams with at least one self-assessment answer (rater 'team', N/A
-- included) in the round; teams_assessed: teams SRE assessed; team_respondents / sre_respondents: distinct
-- respondents per team, summed over the product's teams; answers: answers with a level (both rater groups);
-- coverage = teams_answered / teams; notes: workshop notes of the round about the product or its teams.
WITH this_round AS (
    SELECT team_id, rater, respondent, level FROM current_responses WHERE round_id = $round_id
),

per_team AS (
    SELECT
        t.product_id,
        t.team_id,
        count(DISTINCT r.respondent) FILTER (WHERE r.rater = 'team') AS team_respondents,
        count(DISTINCT r.respondent) FILTER (WHERE r.rater = 'sre') AS sre_respondents,
        count(r.level) AS answers
    FROM teams AS t
    LEFT JOIN this_round AS r ON r.team_id = t.team_id
    GROUP BY t.product_id, t.team_id
),

product_notes AS (
    SELECT coalesce(n.product_id, t.product_id) AS product_id, count(*) AS notes
    FROM current_notes AS n
    LEFT JOIN teams AS t ON t.team_id = n.team_id
    WHERE n.round_id = $round_id
    GROUP BY ALL
)

SELECT
    p.name AS product,
    p.tier,
    count(*) AS teams,
    count(*) FILTER (WHERE pt.team_respondents > 0) AS teams_answered,
    count(*) FILTER (WHERE pt.sre_respondents > 0) AS teams_assessed,
    CAST(sum(pt.team_respondents) AS BIGINT) AS team_respondents,
    CAST(sum(pt.sre_respondents) AS BIGINT) AS sre_respondents,
    CAST(sum(pt.answers) AS BIGINT) AS answers,
    count(*) FILTER (WHERE pt.team_respondents > 0) / count(*) AS coverage,
    coalesce(any_value(pn.notes), 0) AS notes
FROM per_team AS pt
INNER JOIN products AS p ON p.product_id = pt.product_id
LEFT JOIN product_notes AS pn ON pn.product_id = pt.product_id
GROUP BY p.name, p.tier
ORDER BY p.name
