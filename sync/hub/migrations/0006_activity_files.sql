-- 0006: the activities table keeps the device's column shape: an
-- activity's attached files (a JSON list of file references).

ALTER TABLE activities ADD COLUMN files TEXT NOT NULL DEFAULT '[]';
