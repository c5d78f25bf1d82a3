-- 0004: the counter every change number comes from (package changeseq,
-- whose Schema this is), in place of SQLite's meta key "seq": taken in
-- the writer's transaction, so that a pull never skips a change that
-- commits late, however many hub processes write.

CREATE TABLE change_seq (
	one  boolean PRIMARY KEY DEFAULT true CHECK (one),
	last bigint NOT NULL CHECK (last >= 0)
);
INSERT INTO change_seq (last) VALUES (0);
