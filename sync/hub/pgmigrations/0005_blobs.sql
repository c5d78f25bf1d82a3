-- 0005: the bytes of the hub's files (PGStore), so that every hub process
-- reaches every file. A file is its chunks, one row each of at most
-- protocol.MaxChunk bytes, numbered n = 0, 1, … from offset 0. An upload
-- in progress is one sender's (by) chunks; a complete file's chunks have
-- by = '', which no sender's name can be (see Upload.By). Commit turns an
-- upload into the file by setting by = '' on its rows: PostgreSQL then
-- keeps the bytes where they are (an unchanged out-of-line value is not
-- written again), so a file's bytes are written once.

-- Uploads in progress: how many bytes (received) in how many chunks a
-- sender has sent, and when it last sent one (for Sweep).
CREATE TABLE blob_uploads (
	hash     text NOT NULL,
	by       text NOT NULL CHECK (by <> ''),
	received bigint NOT NULL CHECK (received >= 0),
	chunks   integer NOT NULL CHECK (chunks >= 0),
	touched  timestamptz NOT NULL,
	PRIMARY KEY (hash, by)
);

CREATE INDEX blob_uploads_by_touched ON blob_uploads (touched);

-- Complete files: readable once their row is here, which Commit writes
-- in the same transaction as it moves the chunks.
CREATE TABLE blobs (
	hash      text PRIMARY KEY,
	size      bigint NOT NULL CHECK (size >= 0),
	chunks    integer NOT NULL CHECK (chunks >= 0),
	stored_at timestamptz NOT NULL
);

CREATE TABLE blob_chunks (
	hash text NOT NULL,
	by   text NOT NULL,
	n    integer NOT NULL CHECK (n >= 0),
	off  bigint NOT NULL CHECK (off >= 0),
	data bytea NOT NULL CHECK (length(data) BETWEEN 1 AND 1048576),
	PRIMARY KEY (hash, by, n)
);

-- Files arrive mostly compressed (PDF, JPEG, PNG, office files are ZIPs):
-- stored out of line and uncompressed, a read of a range fetches only
-- the pieces it needs instead of decompressing the whole chunk.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
