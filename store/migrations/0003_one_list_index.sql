-- 0003: one index for the activity list instead of three.

-- Every list index takes a new activity at a random place (by start date),
-- so a batch of new activities rewrote a page of each of the three list
-- indexes per row: most of the data a batch import wrote. One index now
-- serves the list: the list is ordered by start date, then id (UUIDv7
-- ids sort by creation time, so created_at added nothing to the order but
-- width). The country rides along at the end of the key, so a list filtered
-- by country is read from the index alone, without touching the table for
-- the rows it skips.
DROP INDEX activities_by_org;
DROP INDEX activities_by_country;
DROP INDEX activities_by_start;
CREATE INDEX activities_by_start ON activities (deleted, start_date DESC, id DESC, country);
