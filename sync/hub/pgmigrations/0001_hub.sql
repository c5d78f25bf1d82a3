-- 0001: the hub's tables on PostgreSQL, in the shape the hub's SQLite
-- migrations (sync/hub/migrations) give them after their last one. This
-- list starts anew rather than replaying that one, because PostgreSQL hubs
-- start empty: what the SQLite list does to data already held (0002 fills
-- activities from records, 0003 marks the enrollment codes stored before
-- they were keyed, 0004 fills applied from devices, 0007 fills
-- file_holders) has nothing to do here. How the lists map:
--
--   SQLite                              PostgreSQL
--   0001 meta, orgs, enroll_codes,      0001 (this file), with the columns
--        devices, records, conflicts,        0004 adds to devices
--        rejections, activities view
--   0002 activities table,              0001; activities is a table from
--        organizations view                  the start (0001's view is gone)
--   0003 enrollment codes rekeyed       nothing to rekey
--   0004 applied, devices columns       0001
--   0005 file_refs, files               0001
--   0006 activities.files               0001
--   0007 file_holders                   0001
--   dashboard.Migrate (users,           0002_dashboard.sql
--        dashboard_sessions)
--   report.Migrate (activities_report   0003_report_rollup.sql, the
--        index, activity_rollup and          triggers in PL/pgSQL
--        its triggers, guarded by
--        the hub at open)
--   meta key "seq" (the last change     0004_change_seq.sql (package
--        number)                             changeseq), so that several hub
--                                            processes number changes
--                                            without a pull skipping one
--   the files folder (DirStore)         0005_blobs.sql (PGStore)
--
-- Table and column names, primary keys, unique constraints, NOT NULL and
-- defaults are SQLite's, so that the hub's queries can be shared through
-- pgdb.Rebind wherever their SQL is portable; TestPostgresSchemaMatchesSQLite
-- compares the two. Types are chosen as follows:
--   * versions, sequence numbers, sizes and counts that grow with the
--     network are bigint (SQLite's INTEGER is 64 bits), so that nothing
--     wraps at 2^31;
--   * flags (deleted, resolved, was_network, last_clean) and the reach
--     counts of one activity stay integer holding 0/1 or a count, not
--     boolean: the hub's SQL compares them with 0 and 1 and scans them
--     into Go integers;
--   * times stay text (RFC 3339 as the hub writes them), compared as text
--     as on SQLite; the dashboard's session expiry is Unix seconds, bigint;
--   * JSON (records.body and state, activities.themes and files, meta
--     values) stays text, not jsonb: the hub hands a record's body to the
--     devices as it stored it (sorted keys, its own encoding), which jsonb
--     would not keep byte for byte, and the few queries that look inside
--     (the dashboard's organization names, the rollup's themes) cast as
--     they read;
--   * an INTEGER PRIMARY KEY that SQLite numbers itself (activities.rowid)
--     is a bigint identity.

CREATE TABLE meta (
	key   text PRIMARY KEY,
	value text NOT NULL
);

CREATE TABLE orgs (
	id         text PRIMARY KEY,
	name       text NOT NULL,
	country    text NOT NULL,
	created_at text NOT NULL
);

-- One-time enrollment codes, stored keyed (HMAC-SHA-256, see codeHash).
CREATE TABLE enroll_codes (
	hash       text PRIMARY KEY,
	org_id     text NOT NULL REFERENCES orgs (id),
	role       text NOT NULL CHECK (role IN ('staff', 'admin')),
	created_at text NOT NULL,
	expires_at text NOT NULL,
	used_at    text NOT NULL DEFAULT '',
	used_by    text NOT NULL DEFAULT ''
);

-- Enrolled devices, keyed by the device's own id.
CREATE TABLE devices (
	id          text PRIMARY KEY,
	org_id      text NOT NULL REFERENCES orgs (id),
	role        text NOT NULL,
	name        text NOT NULL DEFAULT '',
	token_hash  text NOT NULL UNIQUE,
	enrolled_at text NOT NULL,
	revoked_at  text NOT NULL DEFAULT '',
	last_seq    bigint NOT NULL DEFAULT 0,
	last_hlc    text NOT NULL DEFAULT '',
	last_seen   text NOT NULL DEFAULT '',
	copy_of     text NOT NULL DEFAULT '',
	log_from    bigint NOT NULL DEFAULT 0,
	diverged_at text NOT NULL DEFAULT ''
);

-- Every record of every entity: its fields as one JSON object, and for
-- each field the hub version, clock and device of its last change.
CREATE TABLE records (
	id           text PRIMARY KEY,
	entity       text NOT NULL,
	org_id       text NOT NULL,
	visibility   text NOT NULL,
	deleted      integer NOT NULL DEFAULT 0,
	version      bigint NOT NULL,
	hlc          text NOT NULL,
	prev_version bigint NOT NULL DEFAULT 0,
	last_by      text NOT NULL,
	last_clean   integer NOT NULL,
	was_network  integer NOT NULL DEFAULT 0,
	body         text NOT NULL,
	state        text NOT NULL
);

CREATE INDEX records_by_version ON records (version);
CREATE INDEX records_by_entity ON records (entity, org_id);

CREATE TABLE conflicts (
	id          text PRIMARY KEY,
	entity      text NOT NULL,
	record_id   text NOT NULL REFERENCES records (id),
	field       text NOT NULL,
	winner      text NOT NULL,
	loser       text NOT NULL,
	winner_hlc  text NOT NULL,
	loser_hlc   text NOT NULL,
	loser_by    text NOT NULL,
	created_at  text NOT NULL,
	resolved    integer NOT NULL DEFAULT 0,
	resolved_by text NOT NULL DEFAULT '',
	version     bigint NOT NULL
);

CREATE INDEX conflicts_by_version ON conflicts (version);

-- Rejected changes, so that a retried push gets the same answer.
CREATE TABLE rejections (
	device_id text NOT NULL,
	seq       bigint NOT NULL,
	kind      text NOT NULL,
	reason    text NOT NULL,
	PRIMARY KEY (device_id, seq)
);

-- Activities in the device's column shape, written with every record
-- write, so that the report queries and the rollup work on the hub.
CREATE TABLE activities (
	rowid        bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	id           text NOT NULL UNIQUE,
	org_id       text NOT NULL,
	visibility   text NOT NULL,
	created_by   text NOT NULL,
	created_at   text NOT NULL,
	updated_at   text NOT NULL,
	deleted      integer NOT NULL DEFAULT 0,
	version      bigint NOT NULL DEFAULT 0,
	kind         text NOT NULL,
	title        text NOT NULL,
	start_date   text NOT NULL,
	end_date     text NOT NULL DEFAULT '',
	country      text NOT NULL,
	place        text NOT NULL DEFAULT '',
	lat          double precision,
	lon          double precision,
	themes       text NOT NULL DEFAULT '[]',
	girls_0_5    integer NOT NULL DEFAULT 0,
	girls_6_11   integer NOT NULL DEFAULT 0,
	girls_12_17  integer NOT NULL DEFAULT 0,
	boys_0_5     integer NOT NULL DEFAULT 0,
	boys_6_11    integer NOT NULL DEFAULT 0,
	boys_12_17   integer NOT NULL DEFAULT 0,
	unrecorded_0_5   integer NOT NULL DEFAULT 0,
	unrecorded_6_11  integer NOT NULL DEFAULT 0,
	unrecorded_12_17 integer NOT NULL DEFAULT 0,
	adults       integer NOT NULL DEFAULT 0,
	partners     text NOT NULL DEFAULT '',
	summary      text NOT NULL DEFAULT '',
	follow_up    text NOT NULL DEFAULT '',
	follow_up_date text NOT NULL DEFAULT '',
	status       text NOT NULL,
	files        text NOT NULL DEFAULT '[]'
);

-- The organization directory in the device's shape, for the dashboard.
CREATE VIEW organizations AS SELECT
	id, id AS org_id, 'network'::text AS visibility, name, country, ''::text AS description, ''::text AS contact,
	created_at, 0 AS deleted
	FROM orgs;

-- Every change the hub handled from a device, by sequence number and clock.
CREATE TABLE applied (
	device_id text NOT NULL,
	seq       bigint NOT NULL,
	hlc       text NOT NULL,
	PRIMARY KEY (device_id, seq)
);

-- The references records make to files, kept in step with every write.
CREATE TABLE file_refs (
	record_id  text NOT NULL,
	hash       text NOT NULL,
	entity     text NOT NULL,
	org_id     text NOT NULL,
	visibility text NOT NULL,
	size       bigint NOT NULL,
	name       text NOT NULL DEFAULT '',
	PRIMARY KEY (record_id, hash)
);

CREATE INDEX file_refs_by_hash ON file_refs (hash, org_id);
CREATE INDEX file_refs_by_org ON file_refs (org_id, hash);

-- The files the hub holds whole, and the type found from their content.
CREATE TABLE files (
	hash      text PRIMARY KEY,
	size      bigint NOT NULL,
	type      text NOT NULL,
	stored_at text NOT NULL
);

-- Which organizations have shown they hold a file (see SQLite's 0007).
CREATE TABLE file_holders (
	hash   text NOT NULL,
	org_id text NOT NULL,
	since  text NOT NULL,
	PRIMARY KEY (hash, org_id)
);
