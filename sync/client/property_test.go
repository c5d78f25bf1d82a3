package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/hubtest"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// propChecks is how many random histories `make test` tries. Run longer
// with: go test -tags migrated_fynedo,no_emoji -run TestSyncConverges ./sync/client -rapid.checks=5000
const propChecks = 100

// simDevice is one simulated laptop: a real store file and an engine.
type simDevice struct {
	name string
	org  string
	path string
	st   *store.Store
	eng  *client.Engine
	// snap is an earlier copy of the database file, nil if none taken.
	snap []byte
}

// edit is one change a device saved: field of record went from old to new.
type edit struct {
	record, field string
	old, new      string
	// lost is set when the edit existed only in a database state that was
	// thrown away (a device restored from an older copy before the edit
	// left it, or a hub restored when no device held it any more).
	lost bool
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
	// backup is the latest hub backup file, "" before the first.
	backup string
	dir    string
	copies int
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
		a.Visibility = model.VisibilityNetwork
	}
	got, err := d.st.CreateActivity(s.ctx, a)
	if err != nil {
		s.t.Fatalf("create: %v", err)
	}
	s.records = append(s.records, got.ID)
	s.edits = append(s.edits, edit{record: got.ID, field: "title", old: "null", new: fieldJSON(s.ctx, d.st, model.EntityActivity, got.ID, "title")})
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
	old := fieldJSON(s.ctx, d.st, model.EntityActivity, id, field)
	if _, err := d.st.UpdateActivity(s.ctx, a); err != nil {
		s.t.Fatalf("edit: %v", err)
	}
	s.edits = append(s.edits, edit{record: id, field: field, old: old, new: fieldJSON(s.ctx, d.st, model.EntityActivity, id, field)})
}

func (s *sim) delete() {
	d := s.pick()
	id, ok := s.localRecord(d, false)
	if !ok {
		return
	}
	old := fieldJSON(s.ctx, d.st, model.EntityActivity, id, "deleted")
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
	c, err := d.st.CreateComment(s.ctx, model.Comment{ParentEntity: model.EntityActivity, ParentID: id, Body: fmt.Sprintf("%s comment %d", d.name, s.n)})
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
	if err := d.st.ResolveConflict(s.ctx, c.ID, rapid.Bool().Draw(s.t, "keepLoser")); errors.Is(err, store.ErrNotFound) {
		// The conflict's record is not on this device (yet): the person
		// is told so and nothing changes.
		return
	} else if err != nil {
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
			if protocol.KindOf(err) == protocol.KindUnauthenticated {
				// Enrolled after the backup the hub was restored from: an
				// admin enrolls the laptop again.
				s.enroll(d)
				res, err = d.eng.Sync(s.ctx, nil)
			}
			if err != nil {
				s.t.Fatalf("%s: sync on a healed network: %v", d.name, err)
			}
			if res.Pushed+res.Pulled+res.Rejected > 0 || res.PendingPush > 0 {
				// Changes still queued (given back before what they need)
				// go on the next round.
				moved = true
			}
		}
		if !moved {
			return
		}
	}
	s.t.Fatal("devices did not settle after 12 rounds")
}

func (s *sim) enroll(d *simDevice) {
	code, err := s.hub.NewEnrollCode(s.ctx, d.org, hub.RoleStaff, time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := client.New(d.st, client.Options{NewHub: func(string) client.Hub { return &hubtest.Local{Hub: s.hub} }, Logger: quiet}).
		Enroll(s.ctx, "http://hub.test", code); err != nil {
		s.t.Fatalf("enroll %s: %v", d.name, err)
	}
}

// fileOf returns a consistent copy of d's database file.
func (s *sim) fileOf(d *simDevice) []byte {
	d.st.Close()
	b, err := os.ReadFile(d.path)
	if err != nil {
		s.t.Fatal(err)
	}
	s.openDevice(d)
	return b
}

func (s *sim) writeDB(path string, b []byte) {
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// holds says whether any device of the record's organization holds value v
// of field f of record id: in the record, in a queued change, or in a
// conflict.
func (s *sim) holds(id, f, v string) bool {
	for _, d := range s.devices {
		if r, err := d.st.RecordFields(s.ctx, model.EntityActivity, id); err == nil && r.OrgID != d.org {
			continue // another organization's record: this device cannot give it back
		}
		if fieldJSON(s.ctx, d.st, model.EntityActivity, id, f) == v {
			return true
		}
		if pendingHas(s.ctx, d.st, id, f, v) {
			return true
		}
		cs, _ := d.st.Conflicts(s.ctx, false)
		for _, c := range cs {
			if c.RecordID == id && c.Field == f && (string(c.Winner) == v || string(c.Loser) == v) {
				return true
			}
		}
	}
	return false
}

// pendingHas says whether st has a queued change setting field f of
// record id to v.
func pendingHas(ctx context.Context, st *store.Store, id, f, v string) bool {
	out, _ := st.Outbox(ctx, 0, 1<<20)
	for _, c := range out {
		if c.RecordID == id {
			if ch, ok := c.Changes[f]; ok && string(ch.New) == v {
				return true
			}
		}
	}
	return false
}

// restoreDevice puts back an earlier copy of a device's database. What
// existed only in the thrown-away state (no other device, and not the hub,
// holds it) is lost, as it is for real.
func (s *sim) restoreDevice() {
	d := s.pick()
	if d.snap == nil {
		return
	}
	d.st.Close()
	s.writeDB(d.path, d.snap)
	s.openDevice(d)
	s.forget(func(_ int, e edit) bool { return !s.holds(e.record, e.field, e.new) && !s.hubHas(e) })
}

// hubHas says whether the hub holds edit e's value now.
func (s *sim) hubHas(e edit) bool {
	r, err := s.hub.Records(s.ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, rec := range r {
		if rec.ID == e.record {
			return string(rec.Fields[e.field]) == e.new
		}
	}
	return false
}

// forget marks lost the edits lost reports, and drops records and comments
// that neither the hub nor any device holds any more.
func (s *sim) forget(lost func(int, edit) bool) {
	for i := range s.edits {
		if !s.edits[i].lost && lost(i, s.edits[i]) {
			s.edits[i].lost = true
		}
	}
	held := func(entity, id string) bool {
		for _, d := range s.devices {
			r, err := d.st.RecordFields(s.ctx, entity, id)
			if err != nil {
				continue
			}
			if entity != model.EntityComment {
				// A record is given back only by a device of its own
				// organization: no organization writes another's.
				if r.OrgID == d.org {
					return true
				}
				continue
			}
			// A comment is given back only by its author's database (or
			// a copy of it): no device speaks for another's comment.
			var by string
			_ = json.Unmarshal(r.Fields["created_by"], &by)
			ids, _ := d.st.DeviceIDs(s.ctx)
			if slices.Contains(ids, by) {
				return true
			}
		}
		recs, _ := s.hub.Records(s.ctx)
		for _, r := range recs {
			if r.ID == id {
				return true
			}
		}
		return false
	}
	keep := s.records[:0]
	for _, id := range s.records {
		if held(model.EntityActivity, id) {
			keep = append(keep, id)
		}
	}
	s.records = keep
	keepC := s.comment[:0]
	for _, id := range s.comment {
		if held(model.EntityComment, id) {
			keepC = append(keepC, id)
		}
	}
	s.comment = keepC
}

// restoreHub puts back the latest hub backup. What only the lost hub held
// (no device still has it) is lost with it.
func (s *sim) restoreHub() {
	if s.backup == "" {
		return
	}
	s.hub.Close()
	if _, err := hub.Restore(s.ctx, s.hubDir, s.backup); err != nil {
		s.t.Fatalf("restore hub: %v", err)
	}
	s.openHub()
	s.forget(func(_ int, e edit) bool { return !s.holds(e.record, e.field, e.new) && !s.hubHas(e) })
}

func (s *sim) check() {
	ctx := s.ctx
	// A comment whose record is gone everywhere (thrown away by restores)
	// cannot be placed: the hub refuses it with a reason, and the device
	// that wrote it keeps it, shown as refused.
	records := map[string]bool{}
	for _, id := range s.records {
		records[id] = true
	}
	orphan := map[string]bool{}
	keep := s.comment[:0]
	for _, id := range s.comment {
		for _, d := range s.devices {
			if r, err := d.st.RecordFields(ctx, model.EntityComment, id); err == nil {
				var parent string
				_ = json.Unmarshal(r.Fields["parent_id"], &parent)
				orphan[id] = !records[parent]
				break
			}
		}
		if !orphan[id] {
			keep = append(keep, id)
		}
	}
	s.comment = keep
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
		var missing []string
		for _, id := range append(append([]string{}, s.records...), s.comment...) {
			if _, ok := hubRecs[id]; !ok {
				where := ""
				for _, d := range s.devices {
					if r, err := d.st.RecordFields(ctx, model.EntityActivity, id); err == nil {
						where += d.name + ":" + string(r.Fields["title"]) + " "
					}
					if r, err := d.st.RecordFields(ctx, model.EntityComment, id); err == nil {
						st, _ := d.st.OutboxStats(ctx)
						rej, _ := d.st.Rejections(ctx)
						where += fmt.Sprintf("%s:%s parent %s %+v %+v ", d.name, r.Fields["body"], r.Fields["parent_id"], st, rej)
					}
				}
				missing = append(missing, id+" on "+where)
			}
		}
		s.t.Fatalf("hub holds %d records, want %d (directory + activities + comments); missing %v", len(recs), want, missing)
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
		rej, _ := d.st.Rejections(ctx)
		for _, r := range rej {
			if r.Entity == model.EntityComment && orphan[r.RecordID] {
				stats.Rejected--
			}
		}
		if err != nil || stats.Pending != 0 || stats.Rejected != 0 || stats.Quarantined != 0 {
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
					var hv, prev int64
					var lastBy, st string
					var clean int
					hub.ReportDB(s.hub).QueryRow("SELECT version, prev_version, last_by, last_clean, state FROM records WHERE id = ?", id).Scan(&hv, &prev, &lastBy, &clean, &st)
					cur, _ := d.st.SyncState(ctx, "cursor")
					fp, _ := d.st.SyncState(ctx, "full_pull")
					s.t.Fatalf("%s %s %s (%s).%s = %s, hub has %s; hub v%d prev%d by %s clean%d state %s; device %s cursor %s full %q local v%d %s", d.name, entities[id], id, fields["title"], f, local.Fields[f], v,
						hv, prev, lastBy, clean, st, d.st.DeviceID(), cur, fp, local.Version, local.UpdatedAt)
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
		if e.lost || string(hubRecs[e.record][e.field]) == e.new || kept[e.record+"/"+e.field+"/"+e.new] {
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
		s := &sim{t: rt, ctx: context.Background(), hubDir: filepath.Join(dir, "hub"), dir: dir}
		s.net = hubtest.NewNetwork(rapid.Uint64().Draw(rt, "seed"), hubtest.Faults{
			DropRequest: rapid.Float64Range(0, 0.3).Draw(rt, "dropRequest"),
			DropReply:   rapid.Float64Range(0, 0.3).Draw(rt, "dropReply"),
			Duplicate:   rapid.Float64Range(0, 0.3).Draw(rt, "duplicate"),
			Delay:       rapid.Float64Range(0, 0.3).Draw(rt, "delay"),
			Corrupt:     rapid.Float64Range(0, 0.2).Draw(rt, "corrupt"),
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
		acts := map[string]func(*rapid.T){
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
			"snapshotDevice": func(*rapid.T) {
				d := s.pick()
				d.snap = s.fileOf(d)
			},
			"restoreDevice": func(*rapid.T) { s.restoreDevice() },
			"copyDevice": func(*rapid.T) {
				if s.copies >= 2 {
					return
				}
				d := s.pick()
				s.copies++
				c := &simDevice{name: fmt.Sprintf("%s-copy%d", d.name, s.copies), org: d.org, path: filepath.Join(s.dir, fmt.Sprintf("copy%d.db", s.copies))}
				s.writeDB(c.path, s.fileOf(d))
				s.openDevice(c)
				s.devices = append(s.devices, c)
			},
			"backupHub": func(*rapid.T) {
				s.n++
				s.backup = filepath.Join(s.dir, fmt.Sprintf("hub-backup-%d.db", s.n))
				if err := s.hub.Backup(s.ctx, s.backup); err != nil {
					s.t.Fatal(err)
				}
			},
			"restoreHub": func(*rapid.T) { s.restoreHub() },
		}
		rt.Repeat(acts)
		s.settle()
		s.check()
	})
}
