-- The annual report for the year 1 April 2025 - 31 March 2026 hand-written in SQL for the sqlite3 CLI, to
-- compare with `mappa stats annual` (issue "Benchmarks at national scale"). Same definitions as
-- Sources/Domain/Statistics.swift: levels and categories worked back from case_history, community only on
-- 31 March, Level 2/3 at any time in the year counted once per nominal at the highest level reached. Prints the
-- non-zero cells as table,row,column,value (one simplification: the category of a case whose category changed
-- in the year is its category at the end of its time in the year).
.mode csv
.headers off
WITH params(ys, ye) AS (VALUES ('2025-04-01', '2026-03-31')),
ch AS (
    SELECT case_id, field, CAST(old_value AS INTEGER) AS old_value, CAST(new_value AS INTEGER) AS new_value,
           substr(changed_at, 1, 10) AS d, id
    FROM case_history, params WHERE field IN ('level', 'category') AND changed_at >= ys),
candidates AS (
    SELECT c.id, c.nominal_id, c.level, c.category, c.start_date, c.exit_date, n.custody_status,
           MAX(c.start_date, ys) AS first_day,
           CASE WHEN c.exit_date IS NULL OR date(c.exit_date, '-1 day') > ye THEN ye ELSE date(c.exit_date, '-1 day') END AS last_day
    FROM cases c JOIN nominals n ON n.id = c.nominal_id, params
    WHERE c.start_date <= ye AND (c.exit_date IS NULL OR c.exit_date >= ys)),
at_end AS (
    SELECT COALESCE((SELECT old_value FROM ch WHERE ch.case_id = k.id AND ch.field = 'level' AND ch.d > ye ORDER BY ch.d, ch.id LIMIT 1), k.level) AS level,
           COALESCE((SELECT old_value FROM ch WHERE ch.case_id = k.id AND ch.field = 'category' AND ch.d > ye ORDER BY ch.d, ch.id LIMIT 1), k.category) AS category
    FROM candidates k, params
    WHERE k.custody_status = 'community' AND (k.exit_date IS NULL OR k.exit_date > ye)),
eligible AS (
    SELECT CASE WHEN level BETWEEN 1 AND 3 THEN 'level_' || level END AS row_name, 'category_' || category AS column_name FROM at_end),
in_year_case AS (
    SELECT k.id, k.nominal_id,
           MAX(COALESCE((SELECT old_value FROM ch WHERE ch.case_id = k.id AND ch.field = 'level' AND ch.d > k.first_day ORDER BY ch.d, ch.id LIMIT 1), k.level),
               COALESCE((SELECT MAX(new_value) FROM ch WHERE ch.case_id = k.id AND ch.field = 'level' AND ch.d > k.first_day AND ch.d <= k.last_day), 0)) AS highest,
           COALESCE((SELECT old_value FROM ch WHERE ch.case_id = k.id AND ch.field = 'category' AND ch.d > k.last_day ORDER BY ch.d, ch.id LIMIT 1), k.category) AS category
    FROM candidates k WHERE k.first_day <= k.last_day),
in_year AS (
    SELECT 'level_' || highest AS row_name, 'category_' || category AS column_name FROM (
        SELECT highest, category, ROW_NUMBER() OVER (PARTITION BY nominal_id ORDER BY highest DESC, id DESC) AS pick
        FROM in_year_case) WHERE pick = 1 AND highest >= 2),
year_events AS (
    SELECT event_type, level_at_event FROM mappa_events, params WHERE event_date >= ys AND event_date <= ye)
SELECT 'eligible_on_31_march', row_name, column_name, COUNT(*) FROM eligible WHERE row_name IS NOT NULL GROUP BY row_name, column_name
UNION ALL SELECT 'eligible_on_31_march', row_name, 'total', COUNT(*) FROM eligible WHERE row_name IS NOT NULL GROUP BY row_name
UNION ALL SELECT 'eligible_on_31_march', 'total', column_name, COUNT(*) FROM eligible GROUP BY column_name
UNION ALL SELECT 'eligible_on_31_march', 'total', 'total', COUNT(*) FROM eligible
UNION ALL SELECT 'level_2_3_in_year', row_name, column_name, COUNT(*) FROM in_year GROUP BY row_name, column_name
UNION ALL SELECT 'level_2_3_in_year', row_name, 'total', COUNT(*) FROM in_year GROUP BY row_name
UNION ALL SELECT 'level_2_3_in_year', 'total', column_name, COUNT(*) FROM in_year GROUP BY column_name
UNION ALL SELECT 'level_2_3_in_year', 'total', 'total', COUNT(*) FROM in_year
UNION ALL SELECT 'rsos_per_100k', 'rate', 'value',
    printf('%.2f', (SELECT COUNT(*) FROM eligible WHERE column_name = 'category_1') * 100000.0 / CAST(value AS REAL))
    FROM settings WHERE key = 'statistics.area_population'
UNION ALL SELECT 'events', event_type, 'count', COUNT(*) FROM year_events GROUP BY event_type
UNION ALL SELECT 'events', event_type, 'level_' || level_at_event, COUNT(*) FROM year_events
    WHERE level_at_event BETWEEN 1 AND 3 AND event_type IN ('returned_to_custody_licence', 'returned_to_custody_order', 'sfo_charged')
    GROUP BY event_type, level_at_event;
