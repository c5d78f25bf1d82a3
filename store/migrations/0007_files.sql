-- 0007: attached files. A record refers to its files by reference (hash,
-- name, size, type, thumbnail) in a field of its own; the bytes live in
-- the data folder's files/ folder, named by their SHA-256, and blobs says
-- what this device holds of each and what the hub has acknowledged.

ALTER TABLE activities ADD COLUMN files TEXT NOT NULL DEFAULT '[]';
ALTER TABLE resources ADD COLUMN files TEXT NOT NULL DEFAULT '[]';
ALTER TABLE comments ADD COLUMN file TEXT NOT NULL DEFAULT 'null';

CREATE TABLE blobs (
	hash          TEXT PRIMARY KEY,
	size          INTEGER NOT NULL,
	type          TEXT NOT NULL DEFAULT '',
	-- 'local': complete here; 'partial': part downloaded (have bytes);
	-- 'absent': known from a record, not here.
	state         TEXT NOT NULL CHECK (state IN ('local', 'partial', 'absent')),
	have          INTEGER NOT NULL DEFAULT 0,
	-- The hash of the original a photo was reduced from, kept on this
	-- device only; '' when what is sent is the original.
	original_path TEXT NOT NULL DEFAULT '',
	-- A person asked to download it.
	wanted        INTEGER NOT NULL DEFAULT 0,
	-- Bytes of it the hub has acknowledged.
	sent          INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;
