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

-- Activities in the device's shape, so that the report queries run here too.
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

CREATE INDEX activities_by_org ON activities (org_id, deleted, start_date);
