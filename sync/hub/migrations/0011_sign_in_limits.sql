-- 0011: the dashboard's sign-in limits, kept in the database so that every
-- hub process on one database counts the same attempts (they were kept in
-- each process's memory). One row per account name or client address
-- tried lately: key is the hex SHA-256 of the name or address, kind says
-- which, times the Unix nanoseconds of its attempts within the window as
-- a JSON array (oldest first, at most the limit), touched when it was last
-- tried or asked about, which orders what is forgotten first. IF NOT
-- EXISTS as in 0008: a database taken back to an older schema by hand
-- keeps the dashboard's tables.

CREATE TABLE IF NOT EXISTS sign_in_limits (
	key     TEXT NOT NULL PRIMARY KEY,
	kind    TEXT NOT NULL CHECK (kind IN ('name', 'addr')),
	times   TEXT NOT NULL,
	touched INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_in_limits_by_touched ON sign_in_limits (kind, touched);
