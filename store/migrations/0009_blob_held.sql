-- 0009: why a file's upload waits for a later sync, when the hub answered
-- something the person should know: 'hub_full' (the hub's disk is full)
-- or 'damaged' (the hub kept receiving its chunks damaged). '' when the
-- file simply waits its turn. Cleared once a chunk of it goes through.

ALTER TABLE blobs ADD COLUMN held TEXT NOT NULL DEFAULT '';
