"""A frozen copy of the SQL views of ``audible_sync/0002_sql_views``, for books migrations.

Two books migrations (0003, 0006) alter the ``books`` table, which on SQLite rebuilds it; the
SQL views reading ``books`` do not survive that, so they are dropped first and created again
afterwards. Migrations are history, so this app keeps its own copy of the SQL as it stood
then, instead of importing another app's migration module. The leading underscore keeps
Django's migration loader from taking this module for a migration.
"""

VIEW_NAMES = [
    "audible_sync_stats",
    "audible_sync_activity",
    "audible_currently_reading",
    "audible_unmapped_books",
]

DIALECTS = {
    "postgresql": {
        "day": "CAST((l.started_at AT TIME ZONE 'UTC') AS date)",
        "since_30_days": "now() - INTERVAL '30 days'",
        "title": "{t}.item ->> 'title'",
        "authors": "{t}.item -> 'authors'",
    },
    "sqlite": {
        "day": "date(l.started_at)",
        "since_30_days": "datetime('now', '-30 days')",
        "title": "json_extract({t}.item, '$.title')",
        "authors": "json_extract({t}.item, '$.authors')",
    },
}

STATS = """
CREATE VIEW audible_sync_stats AS
SELECT
    u.user_id AS user_id,
    COALESCE(l.syncs_total, 0) AS syncs_total,
    COALESCE(l.syncs_ok, 0) AS syncs_ok,
    COALESCE(l.syncs_partial, 0) AS syncs_partial,
    COALESCE(l.syncs_failed, 0) AS syncs_failed,
    COALESCE(l.syncs_skipped, 0) AS syncs_skipped,
    l.last_sync_at AS last_sync_at,
    (SELECT s.status FROM audible_sync_logs s WHERE s.user_id = u.user_id
     ORDER BY s.started_at DESC, s.id DESC LIMIT 1) AS last_sync_status,
    l.last_ok_sync_at AS last_ok_sync_at,
    COALESCE(m.mapped, 0) AS mapped_count,
    COALESCE(m.ignored, 0) AS ignored_count,
    COALESCE(m.unmapped, 0) AS unmapped_count,
    COALESCE(k.open_conflicts, 0) AS open_conflicts
FROM (
    SELECT user_id FROM audible_config
    UNION SELECT user_id FROM audible_sync_logs
    UNION SELECT user_id FROM audible_book_mappings
    UNION SELECT user_id FROM audible_conflicts
) u
LEFT JOIN (
    SELECT user_id,
           COUNT(*) AS syncs_total,
           SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS syncs_ok,
           SUM(CASE WHEN status = 'partial' THEN 1 ELSE 0 END) AS syncs_partial,
           SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS syncs_failed,
           SUM(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END) AS syncs_skipped,
           MAX(started_at) AS last_sync_at,
           MAX(CASE WHEN status = 'ok' THEN finished_at END) AS last_ok_sync_at
    FROM audible_sync_logs GROUP BY user_id
) l ON l.user_id = u.user_id
LEFT JOIN (
    SELECT user_id,
           SUM(CASE WHEN book_id IS NOT NULL AND ignored = FALSE THEN 1 ELSE 0 END) AS mapped,
           SUM(CASE WHEN ignored = TRUE THEN 1 ELSE 0 END) AS ignored,
           SUM(CASE WHEN book_id IS NULL AND ignored = FALSE THEN 1 ELSE 0 END) AS unmapped
    FROM audible_book_mappings GROUP BY user_id
) m ON m.user_id = u.user_id
LEFT JOIN (
    SELECT user_id, COUNT(*) AS open_conflicts
    FROM audible_conflicts WHERE status = 'open' GROUP BY user_id
) k ON k.user_id = u.user_id
"""

ACTIVITY = """
CREATE VIEW audible_sync_activity AS
SELECT
    l.user_id AS user_id,
    {day} AS day,
    COUNT(*) AS syncs,
    SUM(CASE WHEN l.status = 'ok' THEN 1 ELSE 0 END) AS syncs_ok,
    SUM(CASE WHEN l.status = 'failed' THEN 1 ELSE 0 END) AS syncs_failed,
    SUM(CASE WHEN l.dry_run = TRUE THEN 0 ELSE l.updated END) AS items_updated,
    SUM(CASE WHEN l.dry_run = TRUE THEN 0 ELSE l.created END) AS items_created,
    SUM(l.items_seen) AS items_seen
FROM audible_sync_logs l
WHERE l.started_at >= {since_30_days}
GROUP BY l.user_id, {day}
"""

CURRENTLY_READING = """
CREATE VIEW audible_currently_reading AS
SELECT
    b.user_id AS user_id,
    b.id AS book_id,
    b.title AS title,
    b.authors AS authors,
    m.asin AS asin,
    b.progress_percent AS percent,
    m.last_percent AS audible_percent,
    m.last_position_ms AS position_ms,
    b.started_at AS started_at,
    COALESCE(
        (SELECT MAX(h.recorded_at) FROM audible_progress_history h WHERE h.mapping_id = m.id),
        m.last_seen_at,
        b.updated_at
    ) AS last_update
FROM books b
JOIN audible_book_mappings m ON m.book_id = b.id AND m.user_id = b.user_id
WHERE b.status = 'reading' AND m.ignored = FALSE
"""

UNMAPPED = """
CREATE VIEW audible_unmapped_books AS
SELECT
    c.user_id AS user_id,
    c.asin AS asin,
    'conflict' AS kind,
    {conflict_title} AS title,
    {conflict_authors} AS authors,
    c.recommendation AS recommendation,
    c.id AS conflict_id,
    CAST(NULL AS BIGINT) AS mapping_id,
    c.created_at AS seen_at
FROM audible_conflicts c
WHERE c.status = 'open'
UNION ALL
SELECT
    m.user_id AS user_id,
    m.asin AS asin,
    'unlinked' AS kind,
    {mapping_title} AS title,
    {mapping_authors} AS authors,
    CAST(NULL AS VARCHAR(10)) AS recommendation,
    CAST(NULL AS BIGINT) AS conflict_id,
    m.id AS mapping_id,
    COALESCE(m.last_seen_at, m.created_at) AS seen_at
FROM audible_book_mappings m
WHERE m.book_id IS NULL AND m.ignored = FALSE
  AND NOT EXISTS (
      SELECT 1 FROM audible_conflicts o
      WHERE o.user_id = m.user_id AND o.asin = m.asin AND o.status = 'open'
  )
"""


def view_sql(vendor):
    """The four CREATE VIEW statements for one database vendor."""
    dialect = DIALECTS.get(vendor)
    if dialect is None:
        raise NotImplementedError(f"No SQL views written for the {vendor} backend.")
    return [
        STATS,
        ACTIVITY.format(**dialect),
        CURRENTLY_READING,
        UNMAPPED.format(
            conflict_title=dialect["title"].format(t="c"),
            conflict_authors=dialect["authors"].format(t="c"),
            mapping_title=dialect["title"].format(t="m"),
            mapping_authors=dialect["authors"].format(t="m"),
        ),
    ]


def create_views(apps, schema_editor):
    for statement in view_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop_views(apps, schema_editor):
    for name in reversed(VIEW_NAMES):
        schema_editor.execute(f"DROP VIEW IF EXISTS {name}")
