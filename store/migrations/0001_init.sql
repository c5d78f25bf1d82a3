-- 0001: the first Fieldbook device schema.
-- Migrations are append-only: never edit a released file, add the next number.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE organizations (
	id          TEXT PRIMARY KEY,
	org_id      TEXT NOT NULL,
	visibility  TEXT NOT NULL,
	created_by  TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	deleted     INTEGER NOT NULL DEFAULT 0,
	version     INTEGER NOT NULL DEFAULT 0,
	name        TEXT NOT NULL,
	country     TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	contact     TEXT NOT NULL DEFAULT ''
) STRICT;

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

CREATE INDEX activities_by_start ON activities (deleted, start_date DESC, created_at DESC);
CREATE INDEX activities_by_org ON activities (org_id, deleted, start_date);

CREATE VIRTUAL TABLE activities_fts USING fts5 (
	title, summary, place, partners,
	content = 'activities', content_rowid = 'rowid',
	tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER activities_fts_ai AFTER INSERT ON activities BEGIN
	INSERT INTO activities_fts (rowid, title, summary, place, partners)
	VALUES (new.rowid, new.title, new.summary, new.place, new.partners);
END;
CREATE TRIGGER activities_fts_ad AFTER DELETE ON activities BEGIN
	INSERT INTO activities_fts (activities_fts, rowid, title, summary, place, partners)
	VALUES ('delete', old.rowid, old.title, old.summary, old.place, old.partners);
END;
CREATE TRIGGER activities_fts_au AFTER UPDATE OF title, summary, place, partners ON activities BEGIN
	INSERT INTO activities_fts (activities_fts, rowid, title, summary, place, partners)
	VALUES ('delete', old.rowid, old.title, old.summary, old.place, old.partners);
	INSERT INTO activities_fts (rowid, title, summary, place, partners)
	VALUES (new.rowid, new.title, new.summary, new.place, new.partners);
END;

CREATE TABLE resources (
	rowid       INTEGER PRIMARY KEY,
	id          TEXT NOT NULL UNIQUE,
	org_id      TEXT NOT NULL,
	visibility  TEXT NOT NULL,
	created_by  TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	deleted     INTEGER NOT NULL DEFAULT 0,
	version     INTEGER NOT NULL DEFAULT 0,
	kind        TEXT NOT NULL,
	title       TEXT NOT NULL,
	body        TEXT NOT NULL DEFAULT '',
	language    TEXT NOT NULL DEFAULT '',
	countries   TEXT NOT NULL DEFAULT '[]',
	themes      TEXT NOT NULL DEFAULT '[]',
	link        TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX resources_by_created ON resources (deleted, created_at DESC);

CREATE VIRTUAL TABLE resources_fts USING fts5 (
	title, body,
	content = 'resources', content_rowid = 'rowid',
	tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER resources_fts_ai AFTER INSERT ON resources BEGIN
	INSERT INTO resources_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
END;
CREATE TRIGGER resources_fts_ad AFTER DELETE ON resources BEGIN
	INSERT INTO resources_fts (resources_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
END;
CREATE TRIGGER resources_fts_au AFTER UPDATE OF title, body ON resources BEGIN
	INSERT INTO resources_fts (resources_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
	INSERT INTO resources_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
END;

-- Comments are append-only: they are created and tombstoned, never edited.
CREATE TABLE comments (
	id          TEXT PRIMARY KEY,
	org_id      TEXT NOT NULL,
	visibility  TEXT NOT NULL,
	created_by  TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	deleted     INTEGER NOT NULL DEFAULT 0,
	version     INTEGER NOT NULL DEFAULT 0,
	parent_entity TEXT NOT NULL,
	parent_id   TEXT NOT NULL,
	author      TEXT NOT NULL DEFAULT '',
	body        TEXT NOT NULL
) STRICT;

CREATE INDEX comments_by_parent ON comments (parent_id, created_at);

-- The outbox: every local change, in order, until the hub acknowledges it.
-- AUTOINCREMENT so that a sequence number is never reused after rows are
-- acknowledged and deleted: the hub deduplicates pushes by it.
CREATE TABLE outbox (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	entity       TEXT NOT NULL,
	record_id    TEXT NOT NULL,
	org_id       TEXT NOT NULL,
	op           TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
	base_version INTEGER NOT NULL,
	changes      TEXT NOT NULL,
	hlc          TEXT NOT NULL,
	created_at   TEXT NOT NULL
) STRICT;

CREATE INDEX outbox_by_record ON outbox (record_id);

-- Changes the hub refused, kept on the device with the reason until the user
-- fixes or discards them.
CREATE TABLE rejections (
	seq         INTEGER PRIMARY KEY,
	entity      TEXT NOT NULL,
	record_id   TEXT NOT NULL,
	org_id      TEXT NOT NULL,
	op          TEXT NOT NULL,
	base_version INTEGER NOT NULL,
	changes     TEXT NOT NULL,
	hlc         TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	kind        TEXT NOT NULL,
	reason      TEXT NOT NULL,
	rejected_at TEXT NOT NULL
) STRICT;

-- Conflicts: the same field changed to two different values. The record holds
-- the provisional winner; the other value waits here until someone resolves it.
CREATE TABLE conflicts (
	id           TEXT PRIMARY KEY,
	entity       TEXT NOT NULL,
	record_id    TEXT NOT NULL,
	field        TEXT NOT NULL,
	winner       TEXT NOT NULL,
	loser        TEXT NOT NULL,
	winner_hlc   TEXT NOT NULL,
	loser_hlc    TEXT NOT NULL,
	loser_by     TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	resolved     INTEGER NOT NULL DEFAULT 0,
	resolved_at  TEXT NOT NULL DEFAULT '',
	resolved_by  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX conflicts_open ON conflicts (resolved, created_at);

-- Local drafts of forms being typed, saved as the user types.
CREATE TABLE drafts (
	key        TEXT PRIMARY KEY,
	body       TEXT NOT NULL,
	saved_at   TEXT NOT NULL
) STRICT;

-- Sync state, in the same database so that pulled rows and the cursor commit
-- together.
CREATE TABLE sync_state (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
