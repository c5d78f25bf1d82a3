-- 0008: the dashboard's sign-in limits, as SQLite's 0011: one row per
-- account name or client address tried lately, which every hub process on
-- the database shares. A sign-in locks the rows of its name and address
-- (an upsert) before it counts, so parallel attempts through several
-- processes are counted one after another.
--
-- And the organization directory as SQLite's 0010 makes it, which 0001
-- missed: each organization as its record on the hub says now (the name
-- and country its admin device last gave it), not as it was added.

CREATE TABLE sign_in_limits (
	key     text NOT NULL PRIMARY KEY,
	kind    text NOT NULL CHECK (kind IN ('name', 'addr')),
	times   text NOT NULL,
	touched bigint NOT NULL
);
CREATE INDEX sign_in_limits_by_touched ON sign_in_limits (kind, touched);

DROP VIEW organizations;
CREATE VIEW organizations AS SELECT
	id, org_id, visibility,
	coalesce(json_extract(body, '$.name'), id) AS name,
	coalesce(json_extract(body, '$.country'), '') AS country,
	coalesce(json_extract(body, '$.description'), '') AS description,
	coalesce(json_extract(body, '$.contact'), '') AS contact,
	coalesce(json_extract(body, '$.created_at'), '') AS created_at,
	deleted
	FROM records WHERE entity = 'organization';
