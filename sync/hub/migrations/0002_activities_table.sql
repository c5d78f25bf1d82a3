-- 0002: activities become a table the hub writes with every record write,
-- in the device's column shape, so that the report index and the monthly
-- rollup (kept by triggers, which a view cannot have) work on the hub.

DROP VIEW activities;

CREATE TABLE activities (
	rowid        INTEGER PRIMARY KEY,
	id           TEXT NOT NULL UNIQUE,
	org_id       TEXT NOT NULL,
	visibility   TEXT NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	deleted      INTEGER NOT NULL DEFAULT 0,
	version      INTEGER NOT NULL DEFAULT 0,
	kind         TEXT NOT NULL,
	title        TEXT NOT NULL,
	start_date   TEXT NOT NULL,
	end_date     TEXT NOT NULL DEFAULT '',
	country      TEXT NOT NULL,
	place        TEXT NOT NULL DEFAULT '',
	lat          REAL,
	lon          REAL,
	themes       TEXT NOT NULL DEFAULT '[]',
	girls_0_5    INTEGER NOT NULL DEFAULT 0,
	girls_6_11   INTEGER NOT NULL DEFAULT 0,
	girls_12_17  INTEGER NOT NULL DEFAULT 0,
	boys_0_5     INTEGER NOT NULL DEFAULT 0,
	boys_6_11    INTEGER NOT NULL DEFAULT 0,
	boys_12_17   INTEGER NOT NULL DEFAULT 0,
	unrecorded_0_5   INTEGER NOT NULL DEFAULT 0,
	unrecorded_6_11  INTEGER NOT NULL DEFAULT 0,
	unrecorded_12_17 INTEGER NOT NULL DEFAULT 0,
	adults       INTEGER NOT NULL DEFAULT 0,
	partners     TEXT NOT NULL DEFAULT '',
	summary      TEXT NOT NULL DEFAULT '',
	follow_up    TEXT NOT NULL DEFAULT '',
	follow_up_date TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL
) STRICT;

INSERT INTO activities (id, org_id, visibility, created_by, created_at, updated_at, deleted, version,
	kind, title, start_date, end_date, country, place, lat, lon, themes,
	girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17,
	unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults,
	partners, summary, follow_up, follow_up_date, status)
SELECT id, org_id, visibility,
	coalesce(json_extract(body, '$.created_by'), ''), coalesce(json_extract(body, '$.created_at'), ''),
	hlc, coalesce(json_extract(body, '$.deleted'), 0), version,
	coalesce(json_extract(body, '$.kind'), ''), coalesce(json_extract(body, '$.title'), ''),
	coalesce(json_extract(body, '$.start_date'), ''), coalesce(json_extract(body, '$.end_date'), ''),
	coalesce(json_extract(body, '$.country'), ''), coalesce(json_extract(body, '$.place'), ''),
	json_extract(body, '$.lat'), json_extract(body, '$.lon'),
	coalesce(json_extract(body, '$.themes'), '[]'),
	coalesce(json_extract(body, '$.girls_0_5'), 0), coalesce(json_extract(body, '$.girls_6_11'), 0),
	coalesce(json_extract(body, '$.girls_12_17'), 0), coalesce(json_extract(body, '$.boys_0_5'), 0),
	coalesce(json_extract(body, '$.boys_6_11'), 0), coalesce(json_extract(body, '$.boys_12_17'), 0),
	coalesce(json_extract(body, '$.unrecorded_0_5'), 0), coalesce(json_extract(body, '$.unrecorded_6_11'), 0),
	coalesce(json_extract(body, '$.unrecorded_12_17'), 0), coalesce(json_extract(body, '$.adults'), 0),
	coalesce(json_extract(body, '$.partners'), ''), coalesce(json_extract(body, '$.summary'), ''),
	coalesce(json_extract(body, '$.follow_up'), ''), coalesce(json_extract(body, '$.follow_up_date'), ''),
	coalesce(json_extract(body, '$.status'), '')
FROM records WHERE entity = 'activity';

-- The organization directory in the device's shape, for the dashboard: the
-- organizations the operator added.
CREATE VIEW organizations AS SELECT
	id, id AS org_id, 'network' AS visibility, name, country, '' AS description, '' AS contact,
	created_at, 0 AS deleted
	FROM orgs;
