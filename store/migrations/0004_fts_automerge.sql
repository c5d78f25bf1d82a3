-- 0004: merge the activities' full-text segments eight at a time.

-- Every transaction that adds activities writes one new segment, and
-- FTS5 merges segments in the background of later writes. Merging
-- eight at a time instead of four makes fewer levels of segments, so
-- each indexed term is rewritten fewer times as the index grows: a
-- batch import spends less on merging, and a search still reads few
-- segments.
INSERT INTO activities_fts (activities_fts, rank) VALUES ('automerge', 8);
