-- 0004: database identity. Every change the hub handles from a device is
-- remembered by its sequence number and clock, so that a database restored
-- from an older copy, or a copy used beside the original, is told apart
-- from a retry before anything of it is applied; and copies become devices
-- of their own.

CREATE TABLE applied (
	device_id TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	hlc       TEXT NOT NULL,
	PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;

-- What the hub knew before this table: the last change of each device.
INSERT INTO applied (device_id, seq, hlc)
	SELECT id, last_seq, last_hlc FROM devices WHERE last_seq > 0 AND last_hlc != '';

-- The device a copy was made from, and when the hub last found that a
-- database syncing as this device is not the one it knows (a copy may then
-- ask to become a device of its own).
ALTER TABLE devices ADD COLUMN copy_of TEXT NOT NULL DEFAULT '';
-- Changes numbered below log_from were applied before the hub kept its
-- log; only sequence numbers tell them.
ALTER TABLE devices ADD COLUMN log_from INTEGER NOT NULL DEFAULT 0;
UPDATE devices SET log_from = last_seq;
ALTER TABLE devices ADD COLUMN diverged_at TEXT NOT NULL DEFAULT '';
