package store

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/a20-network/fieldbook/model"
)

func TestOutboxAckAndRejections(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	var ids []string
	for range 4 {
		a, err := s.CreateActivity(ctx, sampleActivity())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	out, err := s.Outbox(ctx, 0, 10)
	if err != nil || len(out) != 4 {
		t.Fatalf("Outbox = %d %v", len(out), err)
	}
	for i, c := range out {
		if c.RecordID != ids[i] || c.Entity != model.EntityActivity || c.Op != OpCreate || c.BaseVersion != 0 || c.HLC == "" || c.CreatedAt.IsZero() {
			t.Fatalf("change %d = %+v", i, c)
		}
		if i > 0 && c.Seq <= out[i-1].Seq {
			t.Fatalf("seq not increasing: %d after %d", c.Seq, out[i-1].Seq)
		}
		var title string
		if err := json.Unmarshal(c.Changes["title"].New, &title); err != nil || title != "School visit in Lilongwe" || string(c.Changes["title"].Old) != "null" {
			t.Fatalf("create changes %s", c.Changes["title"])
		}
	}
	if page, _ := s.Outbox(ctx, out[1].Seq, 1); len(page) != 1 || page[0].Seq != out[2].Seq {
		t.Fatalf("page after %d = %+v", out[1].Seq, page)
	}
	if st, _ := s.OutboxStats(ctx); st.Pending != 4 || st.Rejected != 0 || st.Oldest.IsZero() {
		t.Fatalf("stats %+v", st)
	}

	if err := s.AckOutbox(ctx, out[1].Seq, []Rejection{{Seq: out[2].Seq, Kind: "invalid", Reason: "x"}}, nil); err == nil {
		t.Fatal("a rejection beyond the acknowledged range was accepted")
	}
	err = s.AckOutbox(ctx, out[2].Seq, []Rejection{{Seq: out[1].Seq, Kind: "forbidden", Reason: "not your organization"}},
		map[string]string{"push_seq": "3"})
	if err != nil {
		t.Fatal(err)
	}
	rest, _ := s.Outbox(ctx, 0, 10)
	if len(rest) != 1 || rest[0].Seq != out[3].Seq {
		t.Fatalf("after ack: %+v", rest)
	}
	rej, err := s.Rejections(ctx)
	if err != nil || len(rej) != 1 || rej[0].Seq != out[1].Seq || rej[0].Kind != "forbidden" || rej[0].Reason != "not your organization" ||
		rej[0].RecordID != ids[1] || len(rej[0].Changes) == 0 || rej[0].RejectedAt.IsZero() {
		t.Fatalf("Rejections = %+v %v", rej, err)
	}
	if v, _ := s.SyncState(ctx, "push_seq"); v != "3" {
		t.Fatalf("state saved with the ack = %q", v)
	}
	if st, _ := s.OutboxStats(ctx); st.Pending != 1 || st.Rejected != 1 {
		t.Fatalf("stats %+v", st)
	}
	// The rejected record itself stays on the device.
	if _, err := s.Activity(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	if err := s.DismissRejection(ctx, out[1].Seq); err != nil {
		t.Fatal(err)
	}
	if rej, _ := s.Rejections(ctx); len(rej) != 0 {
		t.Fatalf("dismissed rejection still listed")
	}

	// Sequence numbers are never reused, even after everything is
	// acknowledged and the table is empty, and across reopening.
	s.AckOutbox(ctx, out[3].Seq, nil, nil)
	path := s.Path()
	s.Close()
	s2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s2.CreateActivity(ctx, sampleActivity())
	next, _ := s2.Outbox(ctx, 0, 10)
	if len(next) != 1 || next[0].Seq <= out[3].Seq {
		t.Fatalf("new change got seq %d after %d was acknowledged", next[0].Seq, out[3].Seq)
	}
}

func TestSyncStateAndAdoptOrg(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	if v, err := s.SyncState(ctx, "cursor"); v != "" || err != nil {
		t.Fatalf("unset state %q %v", v, err)
	}
	if err := s.SetSyncState(ctx, map[string]string{"cursor": "e1:10", "hub": "https://hub.example"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.SyncState(ctx, "cursor"); v != "e1:10" {
		t.Fatalf("cursor %q", v)
	}
	a, _ := s.CreateActivity(ctx, sampleActivity())
	if org, _ := s.OrgID(ctx); org != UnassignedOrg || a.OrgID != UnassignedOrg {
		t.Fatalf("before enrollment org %q / %q", org, a.OrgID)
	}
	if err := s.AdoptOrg(ctx, "org-mw"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Activity(ctx, a.ID)
	out, _ := s.Outbox(ctx, 0, 10)
	if org, _ := s.OrgID(ctx); org != "org-mw" || got.OrgID != "org-mw" || out[0].OrgID != "org-mw" {
		t.Fatalf("after adopt: device %q record %q outbox %q", org, got.OrgID, out[0].OrgID)
	}
	b, _ := s.CreateActivity(ctx, sampleActivity())
	if b.OrgID != "org-mw" {
		t.Fatalf("new record org %q", b.OrgID)
	}
}

// TestBatchCreateOutbox checks that a create queued by a batch insert reads
// back as every field from null to the value it was created with, even after
// the record is edited, deleted, or the create is rejected and the record
// edited later.
func TestBatchCreateOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	batch := []model.Activity{sampleActivity(), sampleActivity(), sampleActivity()}
	batch[1].Title = "Second visit"
	if err := s.CreateActivities(ctx, batch); err != nil {
		t.Fatal(err)
	}
	first, err := s.Outbox(ctx, 0, 10)
	if err != nil || len(first) != 3 {
		t.Fatalf("Outbox = %d %v", len(first), err)
	}
	for i, c := range first {
		if c.Op != OpCreate || c.RecordID != batch[i].ID || c.OrgID != batch[i].OrgID || c.HLC != batch[i].UpdatedAt.String() ||
			c.BaseVersion != 0 || len(c.Changes) != len(activitySpec.Fields) {
			t.Fatalf("create %d = %+v", i, c)
		}
		for name, fc := range c.Changes {
			if string(fc.Old) != "null" {
				t.Fatalf("create %d: %s old = %s", i, name, fc.Old)
			}
		}
		var title string
		if err := json.Unmarshal(c.Changes["title"].New, &title); err != nil || title != batch[i].Title {
			t.Fatalf("create %d title %s", i, c.Changes["title"].New)
		}
	}

	edited := batch[0]
	edited.Title = "Renamed visit"
	if _, err := s.UpdateActivity(ctx, edited); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteActivity(ctx, batch[1].ID); err != nil {
		t.Fatal(err)
	}
	after, err := s.Outbox(ctx, 0, 10)
	if err != nil || len(after) != 5 {
		t.Fatalf("Outbox after edits = %d %v", len(after), err)
	}
	for i := range first {
		if !sameChanges(first[i].Changes, after[i].Changes) {
			t.Fatalf("create %d changed after edits:\n%v\n%v", i, first[i].Changes, after[i].Changes)
		}
	}
	if after[3].Op != OpUpdate || string(after[3].Changes["title"].New) != `"Renamed visit"` || after[4].Op != OpDelete {
		t.Fatalf("edits queued as %+v / %+v", after[3], after[4])
	}

	// The hub sending a record back while its create waits (a pull after a
	// push not yet acknowledged) keeps every local value and the queued
	// create.
	pulled, err := s.RecordFields(ctx, model.EntityActivity, batch[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	pulled.Version = 1
	pulled.Fields["title"] = json.RawMessage(`"Hub title"`)
	if err := s.ApplyRemote(ctx, []RemoteRecord{pulled}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Activity(ctx, batch[2].ID); a.Title != batch[2].Title || a.Version != 1 {
		t.Fatalf("pull over a queued create: title %q version %d", a.Title, a.Version)
	}
	if again, _ := s.Outbox(ctx, 0, 10); len(again) != 5 || !sameChanges(again[2].Changes, first[2].Changes) {
		t.Fatalf("queued create changed by a pull: %+v", again)
	}

	// A rejected create keeps the values it was made with.
	if err := s.AckOutbox(ctx, after[4].Seq, []Rejection{{Seq: first[2].Seq, Kind: "invalid", Reason: "x"}}, nil); err != nil {
		t.Fatal(err)
	}
	later := batch[2]
	later.Title = "Edited after rejection"
	if _, err := s.UpdateActivity(ctx, later); err != nil {
		t.Fatal(err)
	}
	rej, err := s.Rejections(ctx)
	if err != nil || len(rej) != 1 || !sameChanges(rej[0].Changes, first[2].Changes) {
		t.Fatalf("Rejections = %+v %v", rej, err)
	}
}

func sameChanges(a, b map[string]FieldChange) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || string(v.Old) != string(w.Old) || string(v.New) != string(w.New) {
			return false
		}
	}
	return true
}
