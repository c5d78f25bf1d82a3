package report

import (
	"context"
	"database/sql"
	"fmt"
)

// RollupTable holds the live activities summed by month and organization:
// in total (dim "total", with the reach by sex and age band), and by kind,
// country and theme (dims "kind", "country", "theme", the code in key).
// Triggers on the activities table keep it in step with every insert,
// update and delete, so reading it gives the same figures as reading the
// activities, from a few rows per organization and month. [Compute] uses it
// for the whole months of a period when it exists and the filter needs no
// visibility or status.
//
// The triggers see every change made with INSERT, UPDATE (including
// INSERT … ON CONFLICT DO UPDATE) and DELETE. INSERT OR REPLACE removes the
// old row without firing delete triggers unless PRAGMA recursive_triggers is
// on: writers of the activities table must upsert instead.
const RollupTable = "activity_rollup"

// RollupSQL creates [RollupTable], its triggers, and fills it from the
// activities already stored. Run it once, in one transaction (a schema
// migration or [Migrate]).
const RollupSQL = `CREATE TABLE activity_rollup (
	dim TEXT NOT NULL,
	month TEXT NOT NULL,
	org_id TEXT NOT NULL,
	key TEXT NOT NULL,
	n INTEGER NOT NULL,
	girls_0_5 INTEGER NOT NULL,
	girls_6_11 INTEGER NOT NULL,
	girls_12_17 INTEGER NOT NULL,
	boys_0_5 INTEGER NOT NULL,
	boys_6_11 INTEGER NOT NULL,
	boys_12_17 INTEGER NOT NULL,
	unrecorded_0_5 INTEGER NOT NULL,
	unrecorded_6_11 INTEGER NOT NULL,
	unrecorded_12_17 INTEGER NOT NULL,
	adults INTEGER NOT NULL,
	PRIMARY KEY (dim, month, org_id, key)
) WITHOUT ROWID;

CREATE TRIGGER activity_rollup_ai AFTER INSERT ON activities BEGIN
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'total', substr(new.start_date, 1, 7), new.org_id, '', 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'kind', substr(new.start_date, 1, 7), new.org_id, new.kind, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'country', substr(new.start_date, 1, 7), new.org_id, new.country, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'theme', substr(new.start_date, 1, 7), new.org_id, t.value, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults FROM json_each(new.themes) t WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
END;

CREATE TRIGGER activity_rollup_ad AFTER DELETE ON activities BEGIN
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'total' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = '';
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'kind' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = old.kind;
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'country' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = old.country;
	UPDATE activity_rollup SET n = n - (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_0_5 = girls_0_5 - old.girls_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_6_11 = girls_6_11 - old.girls_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_12_17 = girls_12_17 - old.girls_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_0_5 = boys_0_5 - old.boys_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_6_11 = boys_6_11 - old.boys_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_12_17 = boys_12_17 - old.boys_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), adults = adults - old.adults * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key)
	WHERE old.deleted = 0 AND dim = 'theme' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id
		AND key IN (SELECT value FROM json_each(old.themes));
	DELETE FROM activity_rollup WHERE n = 0 AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND dim IN ('total', 'kind', 'country', 'theme');
END;

CREATE TRIGGER activity_rollup_au AFTER UPDATE OF deleted, start_date, org_id, kind, country, themes, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults ON activities BEGIN
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'total' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = '';
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'kind' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = old.kind;
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'country' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = old.country;
	UPDATE activity_rollup SET n = n - (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_0_5 = girls_0_5 - old.girls_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_6_11 = girls_6_11 - old.girls_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_12_17 = girls_12_17 - old.girls_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_0_5 = boys_0_5 - old.boys_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_6_11 = boys_6_11 - old.boys_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_12_17 = boys_12_17 - old.boys_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), adults = adults - old.adults * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key)
	WHERE old.deleted = 0 AND dim = 'theme' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id
		AND key IN (SELECT value FROM json_each(old.themes));
	DELETE FROM activity_rollup WHERE n = 0 AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND dim IN ('total', 'kind', 'country', 'theme');
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'total', substr(new.start_date, 1, 7), new.org_id, '', 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'kind', substr(new.start_date, 1, 7), new.org_id, new.kind, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'country', substr(new.start_date, 1, 7), new.org_id, new.country, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'theme', substr(new.start_date, 1, 7), new.org_id, t.value, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults FROM json_each(new.themes) t WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
END;

INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
SELECT 'total', substr(a.start_date, 1, 7), a.org_id, '', count(*), sum(a.girls_0_5), sum(a.girls_6_11), sum(a.girls_12_17), sum(a.boys_0_5), sum(a.boys_6_11), sum(a.boys_12_17), sum(a.unrecorded_0_5), sum(a.unrecorded_6_11), sum(a.unrecorded_12_17), sum(a.adults)
FROM activities a WHERE a.deleted = 0 GROUP BY 2, 3;
INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
SELECT 'kind', substr(a.start_date, 1, 7), a.org_id, a.kind, count(*), sum(a.girls_0_5), sum(a.girls_6_11), sum(a.girls_12_17), sum(a.boys_0_5), sum(a.boys_6_11), sum(a.boys_12_17), sum(a.unrecorded_0_5), sum(a.unrecorded_6_11), sum(a.unrecorded_12_17), sum(a.adults)
FROM activities a WHERE a.deleted = 0 GROUP BY 2, 3, 4;
INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
SELECT 'country', substr(a.start_date, 1, 7), a.org_id, a.country, count(*), sum(a.girls_0_5), sum(a.girls_6_11), sum(a.girls_12_17), sum(a.boys_0_5), sum(a.boys_6_11), sum(a.boys_12_17), sum(a.unrecorded_0_5), sum(a.unrecorded_6_11), sum(a.unrecorded_12_17), sum(a.adults)
FROM activities a WHERE a.deleted = 0 GROUP BY 2, 3, 4;
INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
SELECT 'theme', substr(a.start_date, 1, 7), a.org_id, t.value, count(*), sum(a.girls_0_5), sum(a.girls_6_11), sum(a.girls_12_17), sum(a.boys_0_5), sum(a.boys_6_11), sum(a.boys_12_17), sum(a.unrecorded_0_5), sum(a.unrecorded_6_11), sum(a.unrecorded_12_17), sum(a.adults)
FROM activities a, json_each(a.themes) t WHERE a.deleted = 0 GROUP BY 2, 3, 4;
`

// Migrate prepares db's activities table for fast reports: it creates the
// covering index [IndexName] and creates and fills [RollupTable] if they do
// not exist yet, in one transaction. It is safe to call on every start and
// from several processes; reports give the same figures before and after.
func Migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("report: create rollup: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", RollupTable).Scan(&n); err != nil {
		return fmt.Errorf("report: create rollup: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, IndexSQL); err != nil {
		return fmt.Errorf("report: create index: %w", err)
	}
	if _, err := tx.ExecContext(ctx, RollupSQL); err != nil {
		return fmt.Errorf("report: create rollup: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("report: create rollup: %w", err)
	}
	return nil
}

// HasRollup reports whether q's database has [RollupTable] and the report
// index [IndexName], which [Migrate] creates together.
func HasRollup(ctx context.Context, q Querier) (bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT count(*) FROM sqlite_master WHERE (type = 'table' AND name = ?) OR (type = 'index' AND name = ?)", RollupTable, IndexName)
	if err != nil {
		return false, fmt.Errorf("report: look for rollup: %w", err)
	}
	defer rows.Close()
	var n int
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return false, fmt.Errorf("report: look for rollup: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("report: look for rollup: %w", err)
	}
	return n == 2, nil
}
