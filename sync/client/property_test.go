package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/hubtest"
)

// propChecks is how many random histories `make test` tries. Run longer
// with: go test -tags migrated_fynedo -run TestSyncConverges ./sync/client -rapid.checks=2000
const propChecks = 12

// simDevice is one simulated laptop: a real store file and an engine.
type simDevice struct {
	name string
	org  string
	path string
	st   *store.Store
	eng  *client.Engine
}

// edit is one change a device saved: field of record went from old to new.
type edit struct {
	record, field string
	old, new      string
}

type sim struct {
	t       *rapid.T
	ctx     context.Context
	hubDir  string
	hub     *hub.Hub
	net     *hubtest.Network
	orgs    []string
	devices []*simDevice
	records []string // activity ids, in creation order
	comment []string // comment ids
	edits   []edit
	n       int // counter for unique values
}

func (s *sim) newHub(string) client.Hub { return s.net.Hub(&hubtest.Local{Hub: s.hub}) }

func (s *sim) openDevice(d *simDevice) {
	st, err := store.Open(s.ctx, d.path, store.Options{})
	if err != nil {
		s.t.Fatalf("open %s: %v", d.name, err)
	}
	d.st = st
	d.eng = client.New(st, client.Options{NewHub: s.newHub, Retries: 2, Backoff: time.Microsecond, MaxBackoff: time.Microsecond, Logger: quiet})
}

func (s *sim) openHub() {
	h, err := hub.Open(s.ctx, s.hubDir, hub.Options{Logger: quiet})
	if err != nil {
		s.t.Fatalf("open hub: %v", err)
	}
	s.hub = h
}

func (s *sim) close() {
	for _, d := range s.devices {
		d.st.Close()
	}
	s.hub.Close()
}

func (s *sim) pick() *simDevice {
	return s.devices[rapid.IntRange(0, len(s.devices)-1).Draw(s.t, "device")]
}

// fieldJSON reads one field of a record on st as JSON text, "" if absent.
func fieldJSON(ctx context.Context, st *store.Store, entity, id, field string) string {
	r, err := st.RecordFields(ctx, entity, id)
	if err != nil {
		return ""
	}
	return string(r.Fields[field])
}

// localRecord picks an activity d holds: one of its own organization
// unless anyOrg (other organizations' records can be read and discussed,
// not edited).
func (s *sim) localRecord(d *simDevice, anyOrg bool) (string, bool) {
	var have []string
	for _, id := range s.records {
		if a, err := d.st.Activity(s.ctx, id); err == nil && (anyOrg || a.OrgID == d.org) {
			have = append(have, id)
		}
	}
	if len(have) == 0 {
		return "", false
	}
	return have[rapid.IntRange(0, len(have)-1).Draw(s.t, "record")], true
}

func (s *sim) create() {
	d := s.pick()
	s.n++
	a := activity(fmt.Sprintf("%s title %d", d.name, s.n))
	if rapid.Bool().Draw(s.t, "network") {
		a.Visibility = store.VisibilityNetwork
	}
	got, err := d.st.CreateActivity(s.ctx, a)
	if err != nil {
		s.t.Fatalf("create: %v", err)
	}
	s.records = append(s.records, got.ID)
	s.edits = append(s.edits, edit{record: got.ID, field: "title", old: "null", new: fieldJSON(s.ctx, d.st, store.EntityActivity, got.ID, "title")})
}

func (s *sim) edit() {
	d := s.pick()
	id, ok := s.localRecord(d, false)
	if !ok {
		return
	}
	a, err := d.st.Activity(s.ctx, id)
	if err != nil {
		s.t.Fatal(err)
	}
	s.n++
	field := rapid.SampledFrom([]string{"title", "summary", "place", "adults"}).Draw(s.t, "field")
	switch field {
	case "title":
		a.Title = fmt.Sprintf("%s title %d", d.name, s.n)
	case "summary":
		a.Summary = fmt.Sprintf("%s summary %d", d.name, s.n)
	case "place":
		a.Place = fmt.Sprintf("%s place %d", d.name, s.n)
	case "adults":
		a.Reach.Adults = 1000 + s.n
	}
	old := fieldJSON(s.ctx, d.st, store.EntityActivity, id, field)
	if _, err := d.st.UpdateActivity(s.ctx, a); err != nil {
		s.t.Fatalf("edit: %v", err)
	}
	s.edits = append(s.edits, edit{record: id, field: field, old: old, new: fieldJSON(s.ctx, d.st, store.EntityActivity, id, field)})
}

func (s *sim) delete() {
	d := s.pick()
	id, ok := s.localRecord(d, false)
	if !ok {
		return
	}
	old := fieldJSON(s.ctx, d.st, store.EntityActivity, id, "deleted")
	if old == "1" {
		return
	}
	if err := d.st.DeleteActivity(s.ctx, id); err != nil {
		s.t.Fatalf("delete: %v", err)
	}
	s.edits = append(s.edits, edit{record: id, field: "deleted", old: old, new: "1"})
}

func (s *sim) addComment() {
	d := s.pick()
	id, ok := s.localRecord(d, true)
	if !ok {
		return
	}
	s.n++
	c, err := d.st.CreateComment(s.ctx, store.Comment{ParentEntity: store.EntityActivity, ParentID: id, Body: fmt.Sprintf("%s comment %d", d.name, s.n)})
	if err != nil {
		s.t.Fatalf("comment: %v", err)
	}
	s.comment = append(s.comment, c.ID)
}

func (s *sim) resolve() {
	d := s.pick()
	open, err := d.st.Conflicts(s.ctx, true)
	if err != nil || len(open) == 0 {
		return
	}
	c := open[rapid.IntRange(0, len(open)-1).Draw(s.t, "conflict")]
	old := fieldJSON(s.ctx, d.st, c.Entity, c.RecordID, c.Field)
	if err := d.st.ResolveConflict(s.ctx, c.ID, rapid.Bool().Draw(s.t, "keepLoser")); err != nil {
		s.t.Fatalf("resolve: %v", err)
	}
	if now := fieldJSON(s.ctx, d.st, c.Entity, c.RecordID, c.Field); now != old {
		s.edits = append(s.edits, edit{record: c.RecordID, field: c.Field, old: old, new: now})
	}
}

func (s *sim) sync() {
	d := s.pick()
	_, _ = d.eng.Sync(s.ctx, nil) // failures are expected on this network
}

// settle heals the network and syncs every device until a whole round
// moves nothing.
func (s *sim) settle() {
	s.net.SetFaults(hubtest.Faults{})
	s.net.SetDown(false)
	s.net.Flush(s.ctx, &hubtest.Local{Hub: s.hub})
	for round := 0; round < 12; round++ {
		moved := false
		for _, d := range s.devices {
			res, err := d.eng.Sync(s.ctx, nil)
			if err != nil {
				s.t.Fatalf("%s: sync on a healed network: %v", d.name, err)
			}
			if res.Pushed+res.Pulled+res.Rejected > 0 {
				moved = true
			}
		}
		if !moved {
			return
		}
	}
	s.t.Fatal("devices did not settle after 12 rounds")
}

func (s *sim) check() {
	ctx := s.ctx
	recs, err := s.hub.Records(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	hubRecs := map[string]map[string]json.RawMessage{}
	entities := map[string]string{}
	for _, r := range recs {
		if _, dup := hubRecs[r.ID]; dup {
			s.t.Fatalf("record %s twice on the hub", r.ID)
		}
		hubRecs[r.ID], entities[r.ID] = r.Fields, r.Entity
	}
	if want := len(s.orgs) + len(s.records) + len(s.comment); len(recs) != want {
		s.t.Fatalf("hub holds %d records, want %d (directory + activities + comments)", len(recs), want)
	}
	orgOf := map[string]string{}
	for _, r := range recs {
		orgOf[r.ID] = r.Org
	}
	visible := func(d *simDevice, id string) bool {
		return orgOf[id] == d.org || string(hubRecs[id]["visibility"]) == `"network"`
	}
	hubConflicts, err := s.hub.Conflicts(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	hubCf := func(d *simDevice) []string {
		var out []string
		for _, c := range hubConflicts {
			if orgOf[c.RecordID] == d.org {
				out = append(out, fmt.Sprintf("%s %s %s %s %s %v", c.ID, c.RecordID, c.Field, c.Winner, c.Loser, c.Resolved))
			}
		}
		sort.Strings(out)
		return out
	}
	for _, d := range s.devices {
		stats, err := d.st.OutboxStats(ctx)
		if err != nil || stats.Pending != 0 || stats.Rejected != 0 {
			rej, _ := d.st.Rejections(ctx)
			s.t.Fatalf("%s outbox after settling: %+v %v %+v", d.name, stats, err, rej)
		}
		for id, fields := range hubRecs {
			local, err := d.st.RecordFields(ctx, entities[id], id)
			if !visible(d, id) {
				if err == nil {
					s.t.Fatalf("%s of organization %s holds %s %s of organization %s", d.name, d.org, entities[id], id, orgOf[id])
				}
				continue
			}
			if err != nil {
				s.t.Fatalf("%s lacks %s %s: %v", d.name, entities[id], id, err)
			}
			for f, v := range fields {
				if !bytes.Equal(local.Fields[f], v) {
					s.t.Fatalf("%s %s %s.%s = %s, hub has %s", d.name, entities[id], id, f, local.Fields[f], v)
				}
			}
		}
		cs, err := d.st.Conflicts(ctx, false)
		if err != nil {
			s.t.Fatal(err)
		}
		var mine []string
		for _, c := range cs {
			mine = append(mine, fmt.Sprintf("%s %s %s %s %s %v", c.ID, c.RecordID, c.Field, c.Winner, c.Loser, c.Resolved))
		}
		sort.Strings(mine)
		if want := hubCf(d); fmt.Sprint(mine) != fmt.Sprint(want) {
			s.t.Fatalf("%s conflicts\n%v\nhub has\n%v", d.name, mine, want)
		}
	}
	// No edit vanished: each value saved is in the data, kept in a
	// conflict, or was replaced by someone who had it in front of them.
	kept := map[string]bool{}
	for _, c := range hubConflicts {
		kept[c.RecordID+"/"+c.Field+"/"+string(c.Winner)] = true
		kept[c.RecordID+"/"+c.Field+"/"+string(c.Loser)] = true
	}
	for _, e := range s.edits {
		kept[e.record+"/"+e.field+"/"+e.old] = true
	}
	for _, e := range s.edits {
		if string(hubRecs[e.record][e.field]) == e.new || kept[e.record+"/"+e.field+"/"+e.new] {
			continue
		}
		s.t.Fatalf("edit lost: %s.%s = %s (now %s)", e.record, e.field, e.new, hubRecs[e.record][e.field])
	}
}

func TestSyncConverges(t *testing.T) {
	explicit := os.Getenv("RAPID_CHECKS") != ""
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "rapid.checks" })
	if !explicit {
		flag.Set("rapid.checks", fmt.Sprint(propChecks))
	}
	rapid.Check(t, func(rt *rapid.T) {
		dir := t.TempDir()
		s := &sim{t: rt, ctx: context.Background(), hubDir: filepath.Join(dir, "hub")}
		s.net = hubtest.NewNetwork(rapid.Uint64().Draw(rt, "seed"), hubtest.Faults{
			DropRequest: rapid.Float64Range(0, 0.3).Draw(rt, "dropRequest"),
			DropReply:   rapid.Float64Range(0, 0.3).Draw(rt, "dropReply"),
			Duplicate:   rapid.Float64Range(0, 0.3).Draw(rt, "duplicate"),
			Delay:       rapid.Float64Range(0, 0.3).Draw(rt, "delay"),
		})
		s.openHub()
		defer s.close()
		for i := range rapid.IntRange(1, 2).Draw(rt, "orgs") {
			org, err := s.hub.AddOrg(s.ctx, fmt.Sprintf("Org %d", i), "MW")
			if err != nil {
				rt.Fatal(err)
			}
			s.orgs = append(s.orgs, org)
		}
		// Two to four devices in the first organization, one in the second.
		n := rapid.IntRange(2, 4).Draw(rt, "devices")
		for i := range n + len(s.orgs) - 1 {
			org := s.orgs[0]
			if i >= n {
				org = s.orgs[1]
			}
			d := &simDevice{name: fmt.Sprintf("dev%d", i), org: org, path: filepath.Join(dir, fmt.Sprintf("dev%d.db", i))}
			s.openDevice(d)
			code, err := s.hub.NewEnrollCode(s.ctx, org, hub.RoleStaff, time.Hour)
			if err != nil {
				rt.Fatal(err)
			}
			if err := client.New(d.st, client.Options{NewHub: func(string) client.Hub { return &hubtest.Local{Hub: s.hub} }, Logger: quiet}).
				Enroll(s.ctx, "http://hub.test", code); err != nil {
				rt.Fatal(err)
			}
			s.devices = append(s.devices, d)
		}
		rt.Repeat(map[string]func(*rapid.T){
			"create":  func(*rapid.T) { s.create() },
			"edit":    func(*rapid.T) { s.edit() },
			"edit2":   func(*rapid.T) { s.edit() },
			"delete":  func(*rapid.T) { s.delete() },
			"comment": func(*rapid.T) { s.addComment() },
			"resolve": func(*rapid.T) { s.resolve() },
			"sync":    func(*rapid.T) { s.sync() },
			"sync2":   func(*rapid.T) { s.sync() },
			"edit3":   func(*rapid.T) { s.edit() },
			"syncAll": func(*rapid.T) {
				for _, d := range s.devices {
					_, _ = d.eng.Sync(s.ctx, nil)
				}
			},
			"partition": func(rt *rapid.T) {
				s.net.SetDown(rapid.Bool().Draw(rt, "down"))
			},
			"reopenDevice": func(*rapid.T) {
				d := s.pick()
				d.st.Close()
				s.openDevice(d)
			},
			"reopenHub": func(*rapid.T) {
				s.hub.Close()
				s.openHub()
			},
		})
		s.settle()
		s.check()
	})
}
