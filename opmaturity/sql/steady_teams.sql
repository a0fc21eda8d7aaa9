-- steady_teams: of the teams chosen, those that assessed themselves (a level, rater team) in every round any of them
-- did: a trend over them alone compares the same teams from round to round (metrics.steady_teams).
-- Parameters: $team_ids, the teams chosen (a list).
WITH answered AS (
    SELECT DISTINCT team_id, round_id
    FROM current_responses
    WHERE rater = 'team' AND level IS NOT NULL AND list_contains(CAST($team_ids AS INTEGER[]), team_id)
)

SELECT team_id
FROM answered
GROUP BY team_id
HAVING count(*) = (SELECT count(DISTINCT round_id) FROM answered)
ORDER BY team_id
