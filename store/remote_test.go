package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/model"
)

// remoteOf returns the hub's view of a record: its fields as JSON.
func remoteOf(t *testing.T, s *Store, entity, id string) RemoteRecord {
	t.Helper()
	rr, err := s.RecordFields(context.Background(), entity, id)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

func js(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func TestApplyRemote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hub := openTest(t) // stands in for another device whose records arrive
	s := openTest(t)

	// A record new to this device is stored whole, indexed for search, and
	// the cursor is saved with it.
	theirs, _ := hub.CreateActivity(ctx, sampleActivity())
	rr := remoteOf(t, hub, model.EntityActivity, theirs.ID)
	rr.Version = 7
	if err := s.ApplyRemote(ctx, []RemoteRecord{rr}, nil, map[string]string{"cursor": "e1:7"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Activity(ctx, theirs.ID)
	if err != nil || got.Title != theirs.Title || got.Version != 7 || got.CreatedBy != hub.DeviceID() || got.UpdatedAt != theirs.UpdatedAt {
		t.Fatalf("pulled %+v %v", got, err)
	}
	if n, _ := s.CountActivities(ctx, ActivityFilter{Text: "lilongwe"}); n != 1 {
		t.Fatalf("pulled record not found by search: %d", n)
	}
	if v, _ := s.SyncState(ctx, "cursor"); v != "e1:7" {
		t.Fatalf("cursor %q", v)
	}
	if st, _ := s.OutboxStats(ctx); st.Pending != 0 {
		t.Fatal("pulled record queued for push")
	}

	// A local edit not yet acknowledged keeps its value when the hub sends
	// the record again; other fields take the hub's values.
	mine := got
	mine.Title = "My local title"
	if _, err := s.UpdateActivity(ctx, mine); err != nil {
		t.Fatal(err)
	}
	rr.Fields["title"] = js("Hub title")
	rr.Fields["summary"] = js("Hub summary")
	rr.Fields["future_field"] = js("ignored") // a newer hub's field
	delete(rr.Fields, "place")                // an older hub's missing field keeps the local value
	rr.Version = 8
	rr.UpdatedAt = hub.Clock().Now().String()
	if err := s.ApplyRemote(ctx, []RemoteRecord{rr}, nil, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Activity(ctx, theirs.ID)
	if got.Title != "My local title" || got.Summary != "Hub summary" || got.Place != "Lilongwe" || got.Version != 8 {
		t.Fatalf("after pull over a pending edit: title %q summary %q place %q version %d", got.Title, got.Summary, got.Place, got.Version)
	}
	if n, _ := s.CountActivities(ctx, ActivityFilter{Text: "hub summary"}); n != 1 {
		t.Fatal("updated text not re-indexed")
	}

	// Once acknowledged, the hub's value wins again.
	out, _ := s.Outbox(ctx, 0, 10)
	s.AckOutbox(ctx, out[len(out)-1].Seq, nil, nil)
	rr.Fields["title"] = js("Merged title")
	if err := s.ApplyRemote(ctx, []RemoteRecord{rr}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Activity(ctx, theirs.ID); got.Title != "Merged title" {
		t.Fatalf("title %q", got.Title)
	}

	t.Run("an unreadable record is set aside, the rest apply", func(t *testing.T) {
		other, _ := hub.CreateActivity(ctx, sampleActivity())
		fresh := remoteOf(t, hub, model.EntityActivity, other.ID)
		bad := fresh
		bad.ID = model.NewID()
		bad.Fields = map[string]json.RawMessage{}
		for k, v := range fresh.Fields {
			bad.Fields[k] = v
		}
		bad.Fields["girls_0_5"] = js("many")
		badClock := RemoteRecord{Entity: model.EntityActivity, ID: model.NewID(), UpdatedAt: "yesterday", Fields: fresh.Fields}
		if err := s.ApplyRemote(ctx, []RemoteRecord{bad, fresh, badClock}, nil, map[string]string{"cursor": "e1:99"}); err != nil {
			t.Fatalf("a pull with unreadable records failed as a whole: %v", err)
		}
		if _, err := s.Activity(ctx, other.ID); err != nil {
			t.Fatalf("the good record of the pull was not kept: %v", err)
		}
		if v, _ := s.SyncState(ctx, "cursor"); v != "e1:99" {
			t.Fatalf("cursor stayed at %q", v)
		}
		aside, err := s.QuarantinedRecords(ctx, 10)
		if err != nil || len(aside) != 2 {
			t.Fatalf("set aside %+v, %v; want the two unreadable records", aside, err)
		}
		for _, q := range aside {
			if _, err := s.Activity(ctx, q.ID); !errors.Is(err, ErrNotFound) {
				t.Fatalf("unreadable record %s was written", q.ID)
			}
			if q.Reason == "" {
				t.Fatalf("record %s set aside without a reason", q.ID)
			}
		}
		if st, _ := s.OutboxStats(ctx); st.Quarantined != 2 {
			t.Fatalf("stats count %d set aside, want 2", st.Quarantined)
		}
		// A readable version of the same record replaces the bad one.
		fixed := fresh
		fixed.ID = bad.ID
		if err := s.ApplyRemote(ctx, []RemoteRecord{fixed}, nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Activity(ctx, bad.ID); err != nil {
			t.Fatalf("readable version not applied: %v", err)
		}
		if aside, _ := s.QuarantinedRecords(ctx, 10); len(aside) != 1 || aside[0].ID != badClock.ID {
			t.Fatalf("after the readable version, set aside: %+v", aside)
		}
	})
	t.Run("unknown entity skipped", func(t *testing.T) {
		if err := s.ApplyRemote(ctx, []RemoteRecord{{Entity: "poll", ID: "x", UpdatedAt: rr.UpdatedAt}}, nil, map[string]string{"cursor": "e1:9"}); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.SyncState(ctx, "cursor"); v != "e1:9" {
			t.Fatalf("cursor %q", v)
		}
	})
	t.Run("far-future clock is kept but not followed", func(t *testing.T) {
		o, _ := hub.CreateOrganization(ctx, model.Organization{Name: "Future", Country: "MN"})
		fr := remoteOf(t, hub, model.EntityOrganization, o.ID)
		future := hlc.Timestamp{Wall: time.Now().Add(48 * time.Hour).UnixMilli(), Node: "x"}
		fr.UpdatedAt = future.String()
		if err := s.ApplyRemote(ctx, []RemoteRecord{fr}, nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Organization(ctx, o.ID); err != nil {
			t.Fatal(err)
		}
		if now := s.Clock().Now(); now.Compare(future) >= 0 {
			t.Fatalf("clock followed a remote clock two days ahead: %s", now)
		}
	})
}

func TestConflictsAndResolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	a, _ := s.CreateActivity(ctx, sampleActivity())
	out, _ := s.Outbox(ctx, 0, 10)
	s.AckOutbox(ctx, out[0].Seq, nil, nil)
	now := time.Now().UTC()
	conflicts := []Conflict{
		{ID: "c1", Entity: model.EntityActivity, RecordID: a.ID, Field: "title", Winner: js(a.Title), Loser: js("Their title"),
			WinnerHLC: a.UpdatedAt.String(), LoserHLC: a.UpdatedAt.String(), LoserBy: "device-2", CreatedAt: now},
		{ID: "c2", Entity: model.EntityActivity, RecordID: a.ID, Field: "adults", Winner: js(8), Loser: js(12),
			WinnerHLC: a.UpdatedAt.String(), LoserHLC: a.UpdatedAt.String(), LoserBy: "device-2", CreatedAt: now.Add(time.Second)},
	}
	if err := s.ApplyRemote(ctx, nil, conflicts, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyRemote(ctx, nil, conflicts[:1], nil); err != nil { // the same conflict again is no duplicate
		t.Fatal(err)
	}
	open, err := s.Conflicts(ctx, true)
	if err != nil || len(open) != 2 || open[0].ID != "c2" || string(open[1].Loser) != `"Their title"` {
		t.Fatalf("Conflicts = %+v %v", open, err)
	}

	// Keeping the provisional winner changes no field.
	if err := s.ResolveConflict(ctx, "c1", false); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Activity(ctx, a.ID); got.Title != a.Title {
		t.Fatalf("title %q", got.Title)
	}
	// Keeping the loser writes it back as a local edit.
	if err := s.ResolveConflict(ctx, "c2", true); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Activity(ctx, a.ID); got.Reach.Adults != 12 {
		t.Fatalf("adults %d, want the kept-aside 12", got.Reach.Adults)
	}
	if open, _ := s.Conflicts(ctx, true); len(open) != 0 {
		t.Fatalf("%d conflicts still open", len(open))
	}
	if all, _ := s.Conflicts(ctx, false); len(all) != 2 || !all[0].Resolved {
		t.Fatalf("all conflicts %+v", all)
	}
	pending, _ := s.Outbox(ctx, 0, 10)
	var resolutions, edits int
	for _, c := range pending {
		switch {
		case c.Entity == EntityConflict && string(c.Changes["resolved"].New) == "1":
			resolutions++
		case c.Entity == model.EntityActivity && string(c.Changes["adults"].New) == "12":
			edits++
		}
	}
	if resolutions != 2 || edits != 1 || len(pending) != 3 {
		t.Fatalf("outbox %+v", pending)
	}
	// A pulled update that marks a conflict resolved elsewhere never
	// reopens it, and resolving twice does nothing.
	c := conflicts[0]
	c.Resolved = false
	s.ApplyRemote(ctx, nil, []Conflict{c}, nil)
	if open, _ := s.Conflicts(ctx, true); len(open) != 0 {
		t.Fatal("a resolved conflict reopened")
	}
	if err := s.ResolveConflict(ctx, "c1", true); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Outbox(ctx, 0, 10); len(again) != 3 {
		t.Fatal("resolving twice queued another change")
	}
	if err := s.ResolveConflict(ctx, "nope", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing conflict: %v", err)
	}
}

func TestApplyRemoteSameNewRecordTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hub := openTest(t)
	s := openTest(t)
	a, _ := hub.CreateActivity(ctx, sampleActivity())
	first := remoteOf(t, hub, model.EntityActivity, a.ID)
	second := remoteOf(t, hub, model.EntityActivity, a.ID)
	first.Fields["title"] = js("Earlier wording")
	second.Fields["title"] = js("Final wording")
	other, _ := hub.CreateResource(ctx, model.Resource{Kind: "guide", Title: "Guide pulled alongside"})
	res := remoteOf(t, hub, model.EntityResource, other.ID)
	if err := s.ApplyRemote(ctx, []RemoteRecord{first, res, second}, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, fts := range []string{"activities_fts", "resources_fts"} {
		if _, err := s.writer.Exec("INSERT INTO " + fts + " (" + fts + ", rank) VALUES ('integrity-check', 1)"); err != nil {
			t.Fatalf("%s: %v", fts, err)
		}
	}
	if n, _ := s.CountActivities(ctx, ActivityFilter{Text: "final"}); n != 1 {
		t.Fatalf("final wording found %d times", n)
	}
	if n, _ := s.CountActivities(ctx, ActivityFilter{Text: "earlier"}); n != 0 {
		t.Fatalf("earlier wording still indexed")
	}
	if rs, _ := s.Resources(ctx, ResourceFilter{Text: "alongside"}); len(rs) != 1 {
		t.Fatalf("pulled resource not indexed")
	}
}

// TestUndoResolveConflict resolves conflicts both ways and undoes each: the
// conflict is open again as it was, the record shows the value it showed
// before, and no resolution is left to send. Once the resolution has left
// the device, undo is refused and changes nothing.
func TestUndoResolveConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	a, _ := s.CreateActivity(ctx, sampleActivity())
	out, _ := s.Outbox(ctx, 0, 10)
	s.AckOutbox(ctx, out[0].Seq, nil, nil)
	now := time.Now().UTC()
	conflicts := []Conflict{
		{ID: "c1", Entity: model.EntityActivity, RecordID: a.ID, Field: "title", Winner: js(a.Title), Loser: js("Their title"),
			WinnerHLC: a.UpdatedAt.String(), LoserHLC: a.UpdatedAt.String(), LoserBy: "device-2", CreatedAt: now},
		{ID: "c2", Entity: model.EntityActivity, RecordID: a.ID, Field: "adults", Winner: js(8), Loser: js(12),
			WinnerHLC: a.UpdatedAt.String(), LoserHLC: a.UpdatedAt.String(), LoserBy: "device-2", CreatedAt: now.Add(time.Second)},
	}
	if err := s.ApplyRemote(ctx, nil, conflicts, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Conflicts(ctx, true)

	if err := s.ResolveConflict(ctx, "c2", true); err != nil {
		t.Fatal(err)
	}
	if err := s.UndoResolveConflict(ctx, "c2"); err != nil {
		t.Fatalf("undo: %v", err)
	}
	if got, _ := s.Activity(ctx, a.ID); got.Reach.Adults != 8 {
		t.Fatalf("adults %d after undo, want the 8 shown before", got.Reach.Adults)
	}
	if err := s.ResolveConflict(ctx, "c1", false); err != nil {
		t.Fatal(err)
	}
	if err := s.UndoResolveConflict(ctx, "c1"); err != nil {
		t.Fatalf("undo: %v", err)
	}
	after, _ := s.Conflicts(ctx, true)
	if len(after) != 2 || after[0].ID != before[0].ID || after[1].ID != before[1].ID ||
		string(after[0].Loser) != string(before[0].Loser) || after[0].Resolved || after[1].Resolved {
		t.Fatalf("after undo %+v, want %+v", after, before)
	}
	pending, _ := s.Outbox(ctx, 0, 10)
	for _, c := range pending {
		if c.Entity == EntityConflict {
			t.Fatalf("a resolution is still queued after undo: %+v", c)
		}
	}

	// Sent: undo is refused, the conflict stays resolved.
	if err := s.ResolveConflict(ctx, "c1", false); err != nil {
		t.Fatal(err)
	}
	pending, _ = s.Outbox(ctx, 0, 10)
	s.AckOutbox(ctx, pending[len(pending)-1].Seq, nil, nil)
	if err := s.UndoResolveConflict(ctx, "c1"); !errors.Is(err, ErrAlreadySent) {
		t.Fatalf("undo after sending: %v, want ErrAlreadySent", err)
	}
	if open, _ := s.Conflicts(ctx, true); len(open) != 1 || open[0].ID != "c2" {
		t.Fatalf("open after refused undo %+v", open)
	}
	if err := s.UndoResolveConflict(ctx, "c2"); err != nil {
		t.Fatalf("undo of an open conflict: %v", err)
	}
	if err := s.UndoResolveConflict(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing conflict: %v", err)
	}
}
