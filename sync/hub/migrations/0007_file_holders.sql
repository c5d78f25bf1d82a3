-- 0007: which organizations have shown they hold a file. Naming a file's
-- hash in a record is not enough to read it: the hash may have been
-- learned from a screenshot or a log. An organization becomes a holder
-- when one of its devices has sent every byte of the file (checked
-- against the hash, even when the hub had the file already), and only a
-- holder's records give access to the file: its own devices for its own
-- records, every device for the records it shares with the network.
--
-- Files the hub held before this table were reachable by every
-- organization whose records named them; those organizations are made
-- holders, so that nobody loses access they had. No one gains any.

CREATE TABLE file_holders (
	hash   TEXT NOT NULL,
	org_id TEXT NOT NULL,
	since  TEXT NOT NULL,
	PRIMARY KEY (hash, org_id)
) STRICT, WITHOUT ROWID;

INSERT INTO file_holders (hash, org_id, since)
SELECT DISTINCT r.hash, r.org_id, f.stored_at
FROM file_refs r JOIN files f ON f.hash = r.hash;
