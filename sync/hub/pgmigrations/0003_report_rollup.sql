-- 0003: the report index and the monthly report rollup the dashboard's
-- figures read (internal/report: IndexSQL, RollupSQL, GuardTriggers),
-- kept in step with the activities table by triggers with the same effect
-- as SQLite's, written in PL/pgSQL:
--
--   * an insert adds the new row, if live (deleted = 0), to its month and
--     organization in total, by kind, by country and by each theme;
--   * a delete takes the old row away from the same rows and drops the
--     rows of that month and organization left at n = 0;
--   * an update of a column the rollup reads does both, old then new;
--   * all three skip while meta holds the key rollup_batch, which a
--     writer that sums a batch itself sets (report.RollupBatchWhen, which
--     the SQLite hub gives its triggers at open).
--
-- Themes are read as SQLite's json_each reads them (rollup_json_values):
-- an array's elements, an object's values, a scalar as itself. A theme
-- named twice counts twice, as SQLite's row-by-row upsert counts it;
-- PostgreSQL's upsert cannot touch one row twice in a statement, so the
-- themes are grouped and counted first. The sums are bigint: one month of
-- a large organization may pass 2^31 adults in no realistic network, but
-- a sum costs nothing more as bigint and never wraps.
--
-- Concurrent writers of activities upsert the same rollup rows: each
-- statement waits for the row lock of the other's, and under READ
-- COMMITTED adds to the committed figures; the hub's writers also take
-- their change numbers first (changeseq), so they are one at a time
-- anyway.

CREATE INDEX activities_report ON activities (deleted, start_date, org_id, visibility, status,
	kind, country, themes, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17,
	unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults);

CREATE TABLE activity_rollup (
	dim              text NOT NULL,
	month            text NOT NULL,
	org_id           text NOT NULL,
	key              text NOT NULL,
	n                bigint NOT NULL,
	girls_0_5        bigint NOT NULL,
	girls_6_11       bigint NOT NULL,
	girls_12_17      bigint NOT NULL,
	boys_0_5         bigint NOT NULL,
	boys_6_11        bigint NOT NULL,
	boys_12_17       bigint NOT NULL,
	unrecorded_0_5   bigint NOT NULL,
	unrecorded_6_11  bigint NOT NULL,
	unrecorded_12_17 bigint NOT NULL,
	adults           bigint NOT NULL,
	PRIMARY KEY (dim, month, org_id, key)
);

-- rollup_json_values returns the values SQLite's json_each gives for the
-- JSON text doc, one row each; an error for text that is not JSON, as on
-- SQLite.
CREATE FUNCTION rollup_json_values(doc text) RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	j json := doc::json;
BEGIN
	CASE json_typeof(j)
	WHEN 'array' THEN
		RETURN QUERY SELECT json_array_elements_text(j);
	WHEN 'object' THEN
		RETURN QUERY SELECT value FROM json_each_text(j);
	ELSE
		RETURN NEXT j #>> '{}';
	END CASE;
END
$$;

-- activity_rollup_change is the body of the three rollup triggers.
CREATE FUNCTION activity_rollup_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM meta WHERE key = 'rollup_batch') THEN
		RETURN NULL;
	END IF;
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		IF OLD.deleted = 0 THEN
			UPDATE activity_rollup r SET n = r.n - t.times,
				girls_0_5 = r.girls_0_5 - OLD.girls_0_5 * t.times,
				girls_6_11 = r.girls_6_11 - OLD.girls_6_11 * t.times,
				girls_12_17 = r.girls_12_17 - OLD.girls_12_17 * t.times,
				boys_0_5 = r.boys_0_5 - OLD.boys_0_5 * t.times,
				boys_6_11 = r.boys_6_11 - OLD.boys_6_11 * t.times,
				boys_12_17 = r.boys_12_17 - OLD.boys_12_17 * t.times,
				unrecorded_0_5 = r.unrecorded_0_5 - OLD.unrecorded_0_5 * t.times,
				unrecorded_6_11 = r.unrecorded_6_11 - OLD.unrecorded_6_11 * t.times,
				unrecorded_12_17 = r.unrecorded_12_17 - OLD.unrecorded_12_17 * t.times,
				adults = r.adults - OLD.adults * t.times
			FROM (SELECT 'total' AS dim, '' AS key, 1 AS times
				UNION ALL SELECT 'kind', OLD.kind, 1
				UNION ALL SELECT 'country', OLD.country, 1
				UNION ALL SELECT 'theme', v, count(*) FROM rollup_json_values(OLD.themes) v GROUP BY v) t
			WHERE r.dim = t.dim AND r.month = substr(OLD.start_date, 1, 7) AND r.org_id = OLD.org_id AND r.key = t.key;
		END IF;
		DELETE FROM activity_rollup WHERE n = 0 AND month = substr(OLD.start_date, 1, 7) AND org_id = OLD.org_id
			AND dim IN ('total', 'kind', 'country', 'theme');
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted = 0 THEN
		INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
		SELECT t.dim, substr(NEW.start_date, 1, 7), NEW.org_id, t.key, t.times, NEW.girls_0_5 * t.times, NEW.girls_6_11 * t.times, NEW.girls_12_17 * t.times, NEW.boys_0_5 * t.times, NEW.boys_6_11 * t.times, NEW.boys_12_17 * t.times, NEW.unrecorded_0_5 * t.times, NEW.unrecorded_6_11 * t.times, NEW.unrecorded_12_17 * t.times, NEW.adults * t.times
		FROM (SELECT 'total' AS dim, '' AS key, 1 AS times
			UNION ALL SELECT 'kind', NEW.kind, 1
			UNION ALL SELECT 'country', NEW.country, 1
			UNION ALL SELECT 'theme', v, count(*) FROM rollup_json_values(NEW.themes) v GROUP BY v) t
		ON CONFLICT (dim, month, org_id, key) DO UPDATE SET n = activity_rollup.n + excluded.n,
			girls_0_5 = activity_rollup.girls_0_5 + excluded.girls_0_5,
			girls_6_11 = activity_rollup.girls_6_11 + excluded.girls_6_11,
			girls_12_17 = activity_rollup.girls_12_17 + excluded.girls_12_17,
			boys_0_5 = activity_rollup.boys_0_5 + excluded.boys_0_5,
			boys_6_11 = activity_rollup.boys_6_11 + excluded.boys_6_11,
			boys_12_17 = activity_rollup.boys_12_17 + excluded.boys_12_17,
			unrecorded_0_5 = activity_rollup.unrecorded_0_5 + excluded.unrecorded_0_5,
			unrecorded_6_11 = activity_rollup.unrecorded_6_11 + excluded.unrecorded_6_11,
			unrecorded_12_17 = activity_rollup.unrecorded_12_17 + excluded.unrecorded_12_17,
			adults = activity_rollup.adults + excluded.adults;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER activity_rollup_ai AFTER INSERT ON activities
	FOR EACH ROW EXECUTE FUNCTION activity_rollup_change();
CREATE TRIGGER activity_rollup_ad AFTER DELETE ON activities
	FOR EACH ROW EXECUTE FUNCTION activity_rollup_change();
CREATE TRIGGER activity_rollup_au AFTER UPDATE OF deleted, start_date, org_id, kind, country, themes,
	girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults ON activities
	FOR EACH ROW EXECUTE FUNCTION activity_rollup_change();
