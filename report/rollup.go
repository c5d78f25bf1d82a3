package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RollupTable holds the live activities summed by month and by everything a
// report groups or filters on. Triggers on the activities table keep it in
// step with every insert, update and delete, so reading it gives the same
// figures as reading the activities themselves, much faster. [Compute] uses
// it for the whole months of a period when it exists.
//
// The triggers see every change made with INSERT, UPDATE (including
// INSERT … ON CONFLICT DO UPDATE) and DELETE. INSERT OR REPLACE removes the
// old row without firing delete triggers unless PRAGMA recursive_triggers is
// on: writers of the activities table must upsert instead.
const RollupTable = "activity_rollup"

// RollupSQL creates [RollupTable], its triggers, and fills it from the
// activities already stored. Run it once, in one transaction (a schema
// migration or [Migrate]).
const RollupSQL = `CREATE TABLE activity_rollup (
	month TEXT NOT NULL,
	org_id TEXT NOT NULL,
	visibility TEXT NOT NULL,
	status TEXT NOT NULL,
	kind TEXT NOT NULL,
	country TEXT NOT NULL,
	themes TEXT NOT NULL,
	n INTEGER NOT NULL,
	girls_0_5 INTEGER NOT NULL,
	girls_6_11 INTEGER NOT NULL,
	girls_12_17 INTEGER NOT NULL,
	boys_0_5 INTEGER NOT NULL,
	boys_6_11 INTEGER NOT NULL,
	boys_12_17 INTEGER NOT NULL,
	unrecorded_0_5 INTEGER NOT NULL,
	unrecorded_6_11 INTEGER NOT NULL,
	unrecorded_12_17 INTEGER NOT NULL,
	adults INTEGER NOT NULL,
	PRIMARY KEY (month, org_id, visibility, status, kind, country, themes)
) WITHOUT ROWID;

CREATE TRIGGER activity_rollup_ai AFTER INSERT ON activities WHEN new.deleted = 0 BEGIN
	INSERT INTO activity_rollup (month, org_id, visibility, status, kind, country, themes, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	VALUES (substr(new.start_date, 1, 7), new.org_id, new.visibility, new.status, new.kind, new.country, new.themes, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults)
	ON CONFLICT DO UPDATE SET n = n + 1, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
END;

CREATE TRIGGER activity_rollup_ad AFTER DELETE ON activities WHEN old.deleted = 0 BEGIN
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND visibility = old.visibility AND status = old.status AND kind = old.kind AND country = old.country AND themes = old.themes;
	DELETE FROM activity_rollup WHERE n = 0 AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND visibility = old.visibility AND status = old.status AND kind = old.kind AND country = old.country AND themes = old.themes;
END;

CREATE TRIGGER activity_rollup_au AFTER UPDATE OF deleted, start_date, org_id, visibility, status, kind, country, themes, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults ON activities BEGIN
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND visibility = old.visibility AND status = old.status AND kind = old.kind AND country = old.country AND themes = old.themes;
	DELETE FROM activity_rollup WHERE n = 0 AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND visibility = old.visibility AND status = old.status AND kind = old.kind AND country = old.country AND themes = old.themes;
	INSERT INTO activity_rollup (month, org_id, visibility, status, kind, country, themes, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT substr(new.start_date, 1, 7), new.org_id, new.visibility, new.status, new.kind, new.country, new.themes, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + 1, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
END;

INSERT INTO activity_rollup (month, org_id, visibility, status, kind, country, themes, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
SELECT substr(a.start_date, 1, 7), a.org_id, a.visibility, a.status, a.kind, a.country, a.themes, count(*), sum(a.girls_0_5), sum(a.girls_6_11), sum(a.girls_12_17), sum(a.boys_0_5), sum(a.boys_6_11), sum(a.boys_12_17), sum(a.unrecorded_0_5), sum(a.unrecorded_6_11), sum(a.unrecorded_12_17), sum(a.adults)
FROM activities a WHERE a.deleted = 0
GROUP BY 1, a.org_id, a.visibility, a.status, a.kind, a.country, a.themes;
`

// Migrate prepares db's activities table for fast reports: it creates the
// covering index [IndexName] and creates and fills [RollupTable] if they do
// not exist yet, in one transaction. It is safe to call on every start and
// from several processes; reports give the same figures before and after.
func Migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("report: create rollup: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", RollupTable).Scan(&n); err != nil {
		return fmt.Errorf("report: create rollup: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, IndexSQL); err != nil {
		return fmt.Errorf("report: create index: %w", err)
	}
	if _, err := tx.ExecContext(ctx, RollupSQL); err != nil {
		return fmt.Errorf("report: create rollup: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("report: create rollup: %w", err)
	}
	return nil
}

// HasRollup reports whether q's database has [RollupTable].
func HasRollup(ctx context.Context, q Querier) (bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", RollupTable)
	if err != nil {
		return false, fmt.Errorf("report: look for rollup: %w", err)
	}
	defer rows.Close()
	ok := rows.Next()
	return ok, errors.Join(rows.Err())
}
