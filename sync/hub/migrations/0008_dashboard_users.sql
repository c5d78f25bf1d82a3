-- 0008: the dashboard's users (coordinators and organization admins, with
-- their argon2id password hashes) and their sign-in sessions (tokens
-- stored hashed, with when they expire).
--
-- Earlier versions of the hub had the dashboard make these two tables
-- itself, with CREATE TABLE IF NOT EXISTS, each time the hub opened: a
-- hub database they made already holds them, as below, with its users
-- and sessions. IF NOT EXISTS here is for that database: it keeps its
-- tables and their rows; a new database gets them made.

CREATE TABLE IF NOT EXISTS users (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	role       TEXT NOT NULL CHECK (role IN ('coordinator', 'orgadmin')),
	org_id     TEXT NOT NULL DEFAULT '',
	salt       BLOB NOT NULL,
	hash       BLOB NOT NULL,
	params     TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dashboard_sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);
