package hub

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// TestOnePushWritesWhatItCreates: the hub inserts a request's new records
// together, late in its transaction. One request that creates a record,
// edits it, makes a conflict on another record (whose row refers to the
// records table), edits the new record again, comments on it and sends a
// bad record leaves every record as a request of one change each would:
// the new record's last values in its row, its activities row and its
// comment; the conflict kept; the bad record refused. The request sent
// again changes nothing.
func TestOnePushWritesWhatItCreates(t *testing.T) {
	t.Parallel()
	fx := newAttackFixture(t)
	ctx := context.Background()
	push := []protocol.Change{
		fx.activity(fx.a2, "rec-new", fx.orgA, model.VisibilityOrg),
		fx.edit(fx.a2, model.EntityActivity, "rec-new", fx.orgA, map[string]any{"title": "First edit"}),
		// fx.a wrote privA's title after the version this edit was made
		// from (0): a conflict, which this later edit wins.
		fx.edit(fx.a2, model.EntityActivity, fx.privA, fx.orgA, map[string]any{"title": "Another title"}),
		fx.edit(fx.a2, model.EntityActivity, "rec-new", fx.orgA, map[string]any{"title": "Second edit", "place": "Zomba"}),
		fx.comment(fx.a2, "cmt-on-new", fx.orgA, "rec-new", model.VisibilityOrg),
	}
	bad := fx.activity(fx.a2, "rec-bad", fx.orgA, model.VisibilityOrg)
	bad.Fields["start_date"] = json.RawMessage(`"2026-13-45"`)
	push = append(push, bad)
	d, err := fx.hub.Authenticate(ctx, fx.a2.token)
	if err != nil {
		t.Fatal(err)
	}
	req := protocol.SyncRequest{V: protocol.Version, Push: push}
	resp, err := fx.hub.Sync(ctx, d, &req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Acked != push[len(push)-1].Seq || len(resp.Rejected) != 1 || resp.Rejected[0].Seq != bad.Seq {
		t.Fatalf("reply = %+v", resp)
	}
	for _, c := range []struct{ query, want string }{
		{"SELECT title || '|' || place FROM activities WHERE id = 'rec-new'", "Second edit|Zomba"},
		{"SELECT count(*) FROM records WHERE id IN ('rec-new', 'cmt-on-new', 'rec-bad')", "2"},
		{"SELECT field || '|' || loser FROM conflicts WHERE record_id = '" + fx.privA + "'", `title|"Training rec-priv-a"`},
		{"SELECT count(*) FROM applied WHERE device_id = 'dev-a2'", "6"},
	} {
		var got string
		if err := fx.hub.reader.QueryRowContext(ctx, c.query).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.query, got, c.want)
		}
	}
	r, err := loadRecord(ctx, fx.hub.reader, "rec-new")
	if err != nil || r == nil {
		t.Fatalf("rec-new: %v, %v", r, err)
	}
	if r.text("title") != "Second edit" || r.text("place") != "Zomba" || r.lastBy != fx.a2.id || r.state["title"].V != r.version {
		t.Errorf("rec-new = %+v", r)
	}
	before := snapshot(t, fx.hub)
	again, err := fx.hub.Sync(ctx, d, &req)
	if err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, fx.hub); after != before {
		t.Errorf("the request sent again changed the hub")
	}
	if again.Acked != resp.Acked || len(again.Rejected) != 1 {
		t.Errorf("reply to the request sent again = %+v", again)
	}
}

// TestExecRowsWritesEveryRow: a multi-row write of any number of rows, up
// to past two of its largest statements, writes each row once.
func TestExecRowsWritesEveryRow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	next := int64(0)
	for n := range 2*appliedBatch + 3 {
		rows := make([][]any, n)
		for i := range rows {
			next++
			rows[i] = []any{"device-1", next, "mark"}
		}
		if err := f.hub.inTx(ctx, func(tx writeTx) error { return execRows(ctx, tx, appliedWrites, rows) }); err != nil {
			t.Fatalf("%d rows: %v", n, err)
		}
		var count, sum int64
		if err := f.hub.reader.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(seq), 0) FROM applied WHERE device_id = 'device-1'").Scan(&count, &sum); err != nil {
			t.Fatal(err)
		}
		if count != next || sum != next*(next+1)/2 {
			t.Fatalf("after %d rows: %d rows summing to %d, want %d summing to %d", n, count, sum, next, next*(next+1)/2)
		}
	}
}
