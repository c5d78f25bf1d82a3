-- 0005: database identity and recovery.

-- The device a queued change was first queued under, when this database
-- has since become a device of its own (a copy); and changes that give a
-- hub restored from a backup what this database holds beyond it.
ALTER TABLE outbox ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN reoffer INTEGER NOT NULL DEFAULT 0;
-- How many times a refused reoffer was queued again.
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

-- For each record this device changed, the hub epoch and version as of
-- which the hub acknowledged the change: a hub restored from a backup
-- older than that lacks the change, and the device gives it back.
CREATE TABLE acked_marks (
	record_id TEXT PRIMARY KEY,
	entity    TEXT NOT NULL,
	epoch     TEXT NOT NULL,
	version   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Records and conflicts this database holds beyond what a restored hub
-- has, until the full pull that follows the restore has compared them.
CREATE TABLE recovery (
	id   TEXT PRIMARY KEY,
	kind TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Pulled records that could not be read, kept raw with the reason until a
-- readable version of the same record arrives.
CREATE TABLE quarantine (
	record_id TEXT PRIMARY KEY,
	entity    TEXT NOT NULL,
	version   INTEGER NOT NULL,
	raw       TEXT NOT NULL,
	reason    TEXT NOT NULL,
	at        TEXT NOT NULL
) STRICT;
