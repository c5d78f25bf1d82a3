-- 0002: remember the clock's high-water mark, and index the list order.

-- The highest hybrid-logical-clock reading this device issued. Open reads it
-- instead of scanning every table; writes keep it current. Seeded from the
-- device's own timestamps so a remote clock far ahead is not inherited.
INSERT INTO meta (key, value)
SELECT 'hlc', t FROM (
	SELECT max(t) AS t FROM (
		SELECT max(updated_at) AS t FROM activities WHERE updated_at LIKE '%.' || (SELECT value FROM meta WHERE key = 'device_id')
		UNION ALL SELECT max(updated_at) FROM resources WHERE updated_at LIKE '%.' || (SELECT value FROM meta WHERE key = 'device_id')
		UNION ALL SELECT max(updated_at) FROM comments WHERE updated_at LIKE '%.' || (SELECT value FROM meta WHERE key = 'device_id')
		UNION ALL SELECT max(updated_at) FROM organizations WHERE updated_at LIKE '%.' || (SELECT value FROM meta WHERE key = 'device_id')
		UNION ALL SELECT max(hlc) FROM outbox
		UNION ALL SELECT max(hlc) FROM rejections
	)
) WHERE t IS NOT NULL;

-- The activity list is ordered by start date, then creation, then id: index
-- the whole order so that a page (even a deep one) is read in index order
-- with no sort.
DROP INDEX activities_by_start;
CREATE INDEX activities_by_start ON activities (deleted, start_date DESC, created_at DESC, id DESC);

-- New rows reach the full-text indexes from the store, one statement per
-- transaction, instead of from a trigger per row: FTS5 flushes its pending
-- terms at every statement that fires a trigger, which made batch imports
-- write a tiny index segment per row. Updates and deletes keep their
-- triggers.
DROP TRIGGER activities_fts_ai;
DROP TRIGGER resources_fts_ai;

-- The list filtered by country or organization is read in list order
-- from these, so a deep page of a common filter is not a scan of the table.
DROP INDEX activities_by_org;
CREATE INDEX activities_by_org ON activities (org_id, deleted, start_date DESC, created_at DESC, id DESC);
CREATE INDEX activities_by_country ON activities (country, deleted, start_date DESC, created_at DESC, id DESC);
