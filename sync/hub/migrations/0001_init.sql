-- 0001: the first hub schema. Migrations are append-only.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE orgs (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	country    TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

-- One-time enrollment codes, stored as SHA-256 of the normalized code.
CREATE TABLE enroll_codes (
	hash       TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES orgs (id),
	role       TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at    TEXT NOT NULL DEFAULT '',
	used_by    TEXT NOT NULL DEFAULT ''
) STRICT;

-- Enrolled devices, keyed by the device's own id so that the highest
-- applied change sequence survives a re-enrollment.
CREATE TABLE devices (
	id          TEXT PRIMARY KEY,
	org_id      TEXT NOT NULL REFERENCES orgs (id),
	role        TEXT NOT NULL,
	name        TEXT NOT NULL DEFAULT '',
	token_hash  TEXT NOT NULL UNIQUE,
	enrolled_at TEXT NOT NULL,
	revoked_at  TEXT NOT NULL DEFAULT '',
	last_seq    INTEGER NOT NULL DEFAULT 0,
	-- The clock of change last_seq, so that a device restored from an old
	-- copy can tell that its reused sequence numbers mean other changes.
	last_hlc    TEXT NOT NULL DEFAULT '',
	last_seen   TEXT NOT NULL DEFAULT ''
) STRICT;

-- Every record of every entity: its fields as one JSON object, and for each
-- field the hub version, clock and device of its last change (state).
CREATE TABLE records (
	id           TEXT PRIMARY KEY,
	entity       TEXT NOT NULL,
	org_id       TEXT NOT NULL,
	visibility   TEXT NOT NULL,
	deleted      INTEGER NOT NULL DEFAULT 0,
	version      INTEGER NOT NULL,
	hlc          TEXT NOT NULL,
	-- The version before the latest run of clean changes by last_by: a
	-- device whose cursor is at or past it already holds the record.
	prev_version INTEGER NOT NULL DEFAULT 0,
	last_by      TEXT NOT NULL,
	last_clean   INTEGER NOT NULL,
	-- Set once the record was ever visible network-wide, so that other
	-- organizations learn when it is withdrawn.
	was_network  INTEGER NOT NULL DEFAULT 0,
	body         TEXT NOT NULL,
	state        TEXT NOT NULL
) STRICT;

CREATE INDEX records_by_version ON records (version);

CREATE TABLE conflicts (
	id          TEXT PRIMARY KEY,
	entity      TEXT NOT NULL,
	record_id   TEXT NOT NULL REFERENCES records (id),
	field       TEXT NOT NULL,
	winner      TEXT NOT NULL,
	loser       TEXT NOT NULL,
	winner_hlc  TEXT NOT NULL,
	loser_hlc   TEXT NOT NULL,
	loser_by    TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	resolved    INTEGER NOT NULL DEFAULT 0,
	resolved_by TEXT NOT NULL DEFAULT '',
	version     INTEGER NOT NULL
) STRICT;

CREATE INDEX conflicts_by_version ON conflicts (version);

-- Rejected changes, so that a retried push gets the same answer.
CREATE TABLE rejections (
	device_id TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	kind      TEXT NOT NULL,
	reason    TEXT NOT NULL,
	PRIMARY KEY (device_id, seq)
) STRICT;

CREATE INDEX records_by_entity ON records (entity, org_id);

-- Activities in the device's column shape, so that the report queries run
-- here too. A view rather than a copy: every change writes one row.
CREATE VIEW activities AS SELECT
	id, org_id, visibility, deleted, version, hlc AS updated_at,
	json_extract(body, '$.created_by') AS created_by,
	json_extract(body, '$.created_at') AS created_at,
	json_extract(body, '$.kind') AS kind,
	json_extract(body, '$.title') AS title,
	json_extract(body, '$.start_date') AS start_date,
	json_extract(body, '$.end_date') AS end_date,
	json_extract(body, '$.country') AS country,
	json_extract(body, '$.place') AS place,
	json_extract(body, '$.lat') AS lat,
	json_extract(body, '$.lon') AS lon,
	json_extract(body, '$.themes') AS themes,
	json_extract(body, '$.girls_0_5') AS girls_0_5,
	json_extract(body, '$.girls_6_11') AS girls_6_11,
	json_extract(body, '$.girls_12_17') AS girls_12_17,
	json_extract(body, '$.boys_0_5') AS boys_0_5,
	json_extract(body, '$.boys_6_11') AS boys_6_11,
	json_extract(body, '$.boys_12_17') AS boys_12_17,
	json_extract(body, '$.unrecorded_0_5') AS unrecorded_0_5,
	json_extract(body, '$.unrecorded_6_11') AS unrecorded_6_11,
	json_extract(body, '$.unrecorded_12_17') AS unrecorded_12_17,
	json_extract(body, '$.adults') AS adults,
	json_extract(body, '$.partners') AS partners,
	json_extract(body, '$.summary') AS summary,
	json_extract(body, '$.follow_up') AS follow_up,
	json_extract(body, '$.follow_up_date') AS follow_up_date,
	json_extract(body, '$.status') AS status
	FROM records WHERE entity = 'activity';
