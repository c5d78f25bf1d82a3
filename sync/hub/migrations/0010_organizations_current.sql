-- 0010: the organization directory in the device's shape, which the
-- dashboard reads: each organization as its record on the hub says now,
-- the name and country its admin device last gave it, rather than those
-- it was added with (0002 read the orgs table). The dashboard reads this
-- view, never the records table itself.

DROP VIEW IF EXISTS organizations;
CREATE VIEW organizations AS SELECT
	id, org_id, visibility,
	coalesce(json_extract(body, '$.name'), id) AS name,
	coalesce(json_extract(body, '$.country'), '') AS country,
	coalesce(json_extract(body, '$.description'), '') AS description,
	coalesce(json_extract(body, '$.contact'), '') AS contact,
	coalesce(json_extract(body, '$.created_at'), '') AS created_at,
	deleted
	FROM records WHERE entity = 'organization';
