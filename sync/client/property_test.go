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
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest/pghub"
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
	t      *rapid.T
	ctx    context.Context
	hubDir string
	hub    *hub.Hub
	// pg, when set, keeps the hub on PostgreSQL, served by two hub
	// processes (hub and hub2, each its own pool of connections) that
	// every request reaches one of at random (spread), made when the hub
	// opens; opened counts the openings, which seed the draws.
	pg      *pgdb.Config
	hub2    *hub.Hub
	spread  *hubtest.Spread
	opened  uint64
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
	// files are the files attached, by hash: their bytes and the
	// organizations that attached them (the others only name them).
	files map[string]*simFile
}

// simFile is a file attached in the simulation.
type simFile struct {
	content []byte
	ref     protocol.FileRef
	orgs    map[string]bool
	// shared is set once an organization that has the file attached it to
	// a record shared with the network.
	shared bool
}

func (s *sim) newHub(string) client.Hub { return s.net.Hub(s.local()) }

// local is the hub as a device reaches it without the simulated network:
// on PostgreSQL, either of its two processes, drawn per request.
func (s *sim) local() client.Hub {
	if s.spread != nil {
		return s.spread
	}
	return &hubtest.Local{Hub: s.hub}
}

func (s *sim) openDevice(d *simDevice) {
	if err := os.MkdirAll(filepath.Dir(d.path), 0o700); err != nil {
		s.t.Fatal(err)
	}
	st, err := store.Open(s.ctx, d.path, store.Options{})
	if err != nil {
		s.t.Fatalf("open %s: %v", d.name, err)
	}
	d.st = st
	d.eng = client.New(st, client.Options{NewHub: s.newHub, Retries: 2, Backoff: time.Microsecond, MaxBackoff: time.Microsecond, Logger: quiet})
}

func (s *sim) openHub() {
	h, err := hub.Open(s.ctx, s.hubDir, hub.Options{Logger: quiet, Postgres: s.pg})
	if err != nil {
		s.t.Fatalf("open hub: %v", err)
	}
	s.hub = h
	if s.pg != nil {
		if s.hub2, err = hub.Open(s.ctx, "", hub.Options{Logger: quiet, Postgres: s.pg}); err != nil {
			s.t.Fatalf("open the second hub process: %v", err)
		}
		s.opened++
		s.spread = hubtest.NewSpread(s.opened, s.hub, s.hub2)
	}
}

// closeHub stops the hub (both processes on PostgreSQL).
func (s *sim) closeHub() {
	s.hub.Close()
	if s.hub2 != nil {
		s.hub2.Close()
		s.hub2, s.spread = nil, nil
	}
}

func (s *sim) close() {
	for _, d := range s.devices {
		d.st.Close()
	}
	s.closeHub()
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

// attach has a device attach a new file, or one already attached
// elsewhere in the network, to an activity of its organization.
func (s *sim) attach() {
	d := s.pick()
	id, ok := s.localRecord(d, false)
	if !ok {
		return
	}
	a, err := d.st.Activity(s.ctx, id)
	if err != nil || a.Deleted {
		return
	}
	var f *simFile
	if known := s.fileHashes(); len(known) > 0 && rapid.Bool().Draw(s.t, "sameFile") {
		f = s.files[known[rapid.IntRange(0, len(known)-1).Draw(s.t, "file")]]
	} else {
		s.n++
		content := pdfLike(rapid.IntRange(100, 40<<10).Draw(s.t, "fileSize"), uint64(s.n))
		f = &simFile{content: content, orgs: map[string]bool{}}
	}
	src := filepath.Join(s.dir, fmt.Sprintf("attach-%d.pdf", s.n))
	if err := os.WriteFile(src, f.content, 0o600); err != nil {
		s.t.Fatal(err)
	}
	ref, err := d.st.AttachFile(s.ctx, src, store.AttachOptions{})
	if err != nil {
		s.t.Fatalf("attach: %v", err)
	}
	f.ref, f.orgs[d.org] = ref, true
	f.shared = f.shared || a.Visibility == model.VisibilityNetwork
	if s.files == nil {
		s.files = map[string]*simFile{}
	}
	s.files[ref.Hash] = f
	for _, have := range a.Files {
		if have.Hash == ref.Hash {
			return
		}
	}
	a.Files = append(a.Files, ref)
	if _, err := d.st.UpdateActivity(s.ctx, a); err != nil {
		s.t.Fatalf("attach to %s: %v", id, err)
	}
}

// nameStolenHash has a device of the second organization create a record
// naming a file it does not have, whose hash it learned somehow: it must
// gain nothing by it.
func (s *sim) nameStolenHash() {
	var thieves []*simDevice
	for _, d := range s.devices {
		if len(s.orgs) > 1 && d.org == s.orgs[1] {
			thieves = append(thieves, d)
		}
	}
	known := s.fileHashes()
	if len(thieves) == 0 || len(known) == 0 {
		return
	}
	d := thieves[rapid.IntRange(0, len(thieves)-1).Draw(s.t, "thief")]
	f := s.files[known[rapid.IntRange(0, len(known)-1).Draw(s.t, "stolen")]]
	s.n++
	a := activity(fmt.Sprintf("%s names a file %d", d.name, s.n))
	a.Files = []protocol.FileRef{f.ref}
	if rapid.Bool().Draw(s.t, "shareStolen") {
		a.Visibility = model.VisibilityNetwork
	}
	got, err := d.st.CreateActivity(s.ctx, a)
	if err != nil {
		s.t.Fatalf("name a stolen hash: %v", err)
	}
	// An organization that has the file (another of its devices attached
	// it) shares it for real.
	f.shared = f.shared || f.orgs[d.org] && a.Visibility == model.VisibilityNetwork
	s.records = append(s.records, got.ID)
	s.edits = append(s.edits, edit{record: got.ID, field: "title", old: "null", new: fieldJSON(s.ctx, d.st, model.EntityActivity, got.ID, "title")})
}

func (s *sim) fileHashes() []string {
	out := make([]string, 0, len(s.files))
	for h := range s.files {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// checkFiles checks, once the devices have settled, that every file a
// device holds is byte for byte what was attached; that a device holds a
// file only if its organization attached it or one that did shared it
// with the network (a hash named by an organization that never had the
// file gives nothing); and that a device that sees a record of an
// organization that attached the file holds it whenever a device of that
// organization still has it.
func (s *sim) checkFiles(recs []protocol.Record) {
	ctx := s.ctx
	// Which organizations' devices still hold each file's bytes.
	holders := map[string]map[string]bool{}
	for _, d := range s.devices {
		for h, f := range s.files {
			if !f.orgs[d.org] {
				continue
			}
			if st, err := d.st.FileState(ctx, h); err == nil && st.Where != store.FileNotDownloaded && st.Where != store.FileDownloading {
				if holders[h] == nil {
					holders[h] = map[string]bool{}
				}
				holders[h][d.org] = true
			}
		}
	}
	for _, d := range s.devices {
		mayHave, mustHave := map[string]bool{}, map[string]bool{}
		for h, f := range s.files {
			// A device keeps what it once could see: a record deleted later
			// leaves its files here.
			mayHave[h] = f.orgs[d.org] || f.shared
		}
		for _, r := range recs {
			if r.Org != d.org && string(r.Fields["visibility"]) != `"network"` || string(r.Fields["deleted"]) == "1" {
				continue
			}
			var refs []protocol.FileRef
			_ = json.Unmarshal(r.Fields["files"], &refs)
			for _, ref := range refs {
				f := s.files[ref.Hash]
				if f == nil || !f.orgs[r.Org] {
					continue // named by an organization that never had it
				}
				if holders[ref.Hash][r.Org] {
					mustHave[ref.Hash] = true
				}
			}
		}
		for h, f := range s.files {
			p, err := d.st.FilePath(ctx, h)
			switch {
			case err == nil && !mayHave[h]:
				var refs []string
				for _, r := range recs {
					if bytes.Contains(r.Fields["files"], []byte(h)) {
						refs = append(refs, fmt.Sprintf("%s of %s %s deleted=%s", r.ID[len(r.ID)-4:], r.Org[len(r.Org)-4:], r.Fields["visibility"], r.Fields["deleted"]))
					}
				}
				var orgs []string
				for o := range f.orgs {
					orgs = append(orgs, o[len(o)-4:])
				}
				s.t.Fatalf("%s of %s holds file %s, which no record it may see gives it (attached by %v, shared %v; hub records naming it: %v)",
					d.name, d.org[len(d.org)-4:], h[:12], orgs, f.shared, refs)
			case err == nil:
				got, rerr := os.ReadFile(p)
				if rerr != nil || !bytes.Equal(got, f.content) {
					s.t.Fatalf("%s holds file %s with other bytes (%d of %d, %v)", d.name, h[:12], len(got), len(f.content), rerr)
				}
			case mustHave[h]:
				st, _ := d.st.FileState(ctx, h)
				where := ""
				for _, o := range s.devices {
					ost, _ := o.st.FileState(ctx, h)
					where += fmt.Sprintf("\n  %s (org %s): %s sent %d", o.name, o.org[len(o.org)-4:], ost.Where, ost.Done)
				}
				fetchErr := d.eng.Fetch(ctx, h, nil)
				wanted, _ := d.st.WantedDownloads(ctx, 256<<10)
				where += fmt.Sprintf("\n  fetch now: %v; wanted: %+v", fetchErr, wanted)
				holdersOnHub := hubRows(s.hub, "SELECT org_id FROM file_holders WHERE hash = ?", h) +
					"; file_refs: " + hubRows(s.hub, "SELECT record_id || ' of ' || org_id || ' ' || visibility FROM file_refs WHERE hash = ?", h)
				for _, r := range recs {
					if bytes.Contains(r.Fields["files"], []byte(h)) {
						holdersOnHub += fmt.Sprintf("; record %s of %s %s deleted=%s", r.ID[len(r.ID)-4:], r.Org[len(r.Org)-4:], r.Fields["visibility"], r.Fields["deleted"])
					}
				}
				s.t.Fatalf("%s of %s lacks file %s that a record it sees gives it: %v (%+v); holders on the hub: %q; devices:%s",
					d.name, d.org, h[:12], err, st, holdersOnHub, where)
			}
		}
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
	s.net.Flush(s.ctx, s.local())
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
			if res.Pushed+res.Pulled+res.Rejected+res.FilesSent+res.FilesFetched > 0 || res.PendingPush > 0 {
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
	if err := client.New(d.st, client.Options{NewHub: func(string) client.Hub { return s.local() }, Logger: quiet}).
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
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		s.t.Fatal(err)
	}
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
	s.closeHub()
	if _, err := hub.RestoreInto(s.ctx, s.hubDir, hub.Options{Postgres: s.pg, Logger: quiet}, s.backup); err != nil {
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
	s.checkFiles(recs)
}

func TestSyncConverges(t *testing.T) {
	explicit := os.Getenv("RAPID_CHECKS") != ""
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "rapid.checks" })
	if !explicit {
		flag.Set("rapid.checks", fmt.Sprint(propChecks))
	}
	rapid.Check(t, func(rt *rapid.T) {
		dir := t.TempDir()
		s := &sim{t: rt, ctx: context.Background(), hubDir: filepath.Join(dir, "hub"), dir: dir, pg: pghub.Config(t, dir)}
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
			// Each laptop has its own data folder: its database and files.
			d := &simDevice{name: fmt.Sprintf("dev%d", i), org: org, path: filepath.Join(dir, fmt.Sprintf("dev%d", i), "fieldbook.db")}
			s.openDevice(d)
			code, err := s.hub.NewEnrollCode(s.ctx, org, hub.RoleStaff, time.Hour)
			if err != nil {
				rt.Fatal(err)
			}
			if err := client.New(d.st, client.Options{NewHub: func(string) client.Hub { return s.local() }, Logger: quiet}).
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
				s.closeHub()
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
				// The whole data folder is copied: the database and files.
				c := &simDevice{name: fmt.Sprintf("%s-copy%d", d.name, s.copies), org: d.org, path: filepath.Join(s.dir, fmt.Sprintf("copy%d", s.copies), "fieldbook.db")}
				d.st.Close()
				if err := os.CopyFS(filepath.Dir(c.path), os.DirFS(filepath.Dir(d.path))); err != nil {
					s.t.Fatal(err)
				}
				s.openDevice(d)
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
			"attach":     func(*rapid.T) { s.attach() },
			"attach2":    func(*rapid.T) { s.attach() },
			"nameStolen": func(*rapid.T) { s.nameStolenHash() },
		}
		rt.Repeat(acts)
		s.settle()
		s.check()
	})
}

// hubRows is the one column of query's rows on h's database, joined, for
// a failure's message.
func hubRows(h *hub.Hub, query string, args ...any) string {
	rows, err := hub.ReportDB(h).Query(query, args...)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err.Error()
		}
		out = append(out, v)
	}
	return strings.Join(out, "; ")
}
