-- 0006: the few SQLite functions over JSON text that the queries the hub
-- and the dashboard share with SQLite use (the report's themes, the
-- rollup's batches, the dashboard's resource and file columns), and a
-- sqlite_master view for the checks that a table is there. PostgreSQL's own
-- json_each takes json, not text, so these overloads are picked for a text
-- column or a text parameter and leave the built-in one alone.
--
-- json_each(doc) gives SQLite's columns key, value and type: an array's
-- elements keyed by their index from 0, an object's members by name, a
-- scalar as itself with a NULL key. value is a string's text without its
-- quotes, SQL NULL for JSON null, and the JSON text of anything else;
-- type is SQLite's name for the kind of value (null, true, false,
-- integer, real, text, array, object); id numbers the values in the
-- document's order, as SQLite's id does. Text that is not JSON is an error,
-- as on SQLite. The planner is told to expect 10 values (a batch's ids, a
-- record's themes or files), not its default of 1,000 for a function, so
-- that it looks each one up by index rather than read a whole table.
CREATE FUNCTION json_each(doc text) RETURNS TABLE (key text, value text, type text, id bigint)
LANGUAGE sql IMMUTABLE STRICT ROWS 10 AS $$
	WITH d AS (SELECT doc::json AS j),
	items AS (
		SELECT (e.n - 1)::text AS k, e.v, e.n FROM d, json_array_elements(d.j) WITH ORDINALITY AS e(v, n)
			WHERE json_typeof(d.j) = 'array'
		UNION ALL
		SELECT m.key, m.value, m.n FROM d, json_each(d.j) WITH ORDINALITY AS m(key, value, n) WHERE json_typeof(d.j) = 'object'
		UNION ALL
		SELECT NULL, d.j, 1 FROM d WHERE json_typeof(d.j) NOT IN ('array', 'object')
	)
	SELECT k,
		CASE json_typeof(v) WHEN 'string' THEN v #>> '{}' WHEN 'null' THEN NULL ELSE v::text END,
		CASE json_typeof(v)
			WHEN 'string' THEN 'text'
			WHEN 'number' THEN CASE WHEN v::text ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END
			WHEN 'boolean' THEN v::text
			ELSE json_typeof(v) END,
		n
	FROM items
$$;

-- json_extract(doc, path) is SQLite's for a path of member names, such as
-- '$.title' or '$.a.b': a string's text without quotes, NULL for JSON null
-- or a member that is not there, the JSON text of anything else.
CREATE FUNCTION json_extract(doc text, path text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT CASE json_typeof(v) WHEN 'string' THEN v #>> '{}' WHEN 'null' THEN NULL ELSE v::text END
	FROM (SELECT doc::json #> string_to_array(substr(path, 3), '.') AS v) x
$$;

-- sqlite_master lists the hub's tables, views, indexes and triggers as
-- SQLite's schema table does (type, name, tbl_name; sql is NULL), for the
-- checks shared with SQLite that a table or index is there.
CREATE VIEW sqlite_master AS
	SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'i' THEN 'index' ELSE 'table' END AS type,
		c.relname::text AS name,
		coalesce(t.relname, c.relname)::text AS tbl_name,
		NULL::text AS sql
	FROM pg_class c
	LEFT JOIN pg_index x ON x.indexrelid = c.oid
	LEFT JOIN pg_class t ON t.oid = x.indrelid
	WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'i')
	UNION ALL
	SELECT 'trigger', g.tgname::text, r.relname::text, NULL
	FROM pg_trigger g JOIN pg_class r ON r.oid = g.tgrelid
	WHERE r.relnamespace = current_schema()::regnamespace AND NOT g.tgisinternal;

-- json_valid(doc) says whether doc is JSON; json_type(doc) is SQLite's
-- name for the kind of its value, NULL when it is not JSON (PostgreSQL
-- may evaluate both sides of an AND, so neither fails on bad JSON).
CREATE FUNCTION json_valid(doc text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
	PERFORM doc::json;
	RETURN true;
EXCEPTION WHEN invalid_text_representation THEN
	RETURN false;
END
$$;

CREATE FUNCTION json_type(doc text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
	j json;
BEGIN
	j := doc::json;
	RETURN CASE json_typeof(j)
		WHEN 'string' THEN 'text'
		WHEN 'number' THEN CASE WHEN j::text ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END
		WHEN 'boolean' THEN j::text
		ELSE json_typeof(j) END;
EXCEPTION WHEN invalid_text_representation THEN
	RETURN NULL;
END
$$;

-- json_remove(doc, path) is doc, a JSON object, without the member path
-- names ('$.thumb'); anything else is returned as it is.
CREATE FUNCTION json_remove(doc text, path text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT CASE WHEN json_typeof(doc::json) = 'object' THEN (doc::jsonb - substr(path, 3))::text ELSE doc END
$$;

-- json_group_array(value) is the JSON array of its values, each JSON text
-- already (as json_remove gives them), in the aggregate's ORDER BY.
CREATE FUNCTION json_group_array_step(acc text[], value text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$ SELECT acc || coalesce(value, 'null') $$;

CREATE FUNCTION json_group_array_final(acc text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT '[' || array_to_string(coalesce(acc, '{}'), ',') || ']' $$;

CREATE AGGREGATE json_group_array(text) (
	SFUNC = json_group_array_step,
	STYPE = text[],
	INITCOND = '{}',
	FINALFUNC = json_group_array_final
);
