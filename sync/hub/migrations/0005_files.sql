-- 0005: files. A record refers to its attachments by hash in its "files"
-- field ("file" on comments); file_refs indexes those references, kept in
-- step with every write of a record, so that the file endpoints can tell
-- which organizations may upload or read a file. Records written before
-- this table are indexed by the hub when it opens (see backfillFileRefs).

CREATE TABLE file_refs (
	record_id  TEXT NOT NULL,
	hash       TEXT NOT NULL,
	entity     TEXT NOT NULL,
	org_id     TEXT NOT NULL,
	visibility TEXT NOT NULL,
	size       INTEGER NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (record_id, hash)
) STRICT, WITHOUT ROWID;

CREATE INDEX file_refs_by_hash ON file_refs (hash, org_id);
CREATE INDEX file_refs_by_org ON file_refs (org_id, hash);

-- The files the hub holds whole, and the type found from their content.
CREATE TABLE files (
	hash      TEXT PRIMARY KEY,
	size      INTEGER NOT NULL,
	type      TEXT NOT NULL,
	stored_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
