package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
)

func TestSyncScreenWithoutHubShowsLocalCounts(t *testing.T) {
	h := newHarness(t)
	h.seed(sampleActivity("One", "MW", "2025-01-01"), sampleActivity("Two", "MW", "2025-01-02"), sampleActivity("Three", "MW", "2025-01-03"))
	ctx := context.Background()
	out, err := h.st.Outbox(ctx, 0, 10)
	if err != nil || len(out) != 3 {
		t.Fatalf("outbox %d %v", len(out), err)
	}
	// The hub took the first two changes and refused the first.
	if err := h.st.AckOutbox(ctx, out[1].Seq, []store.Rejection{{Seq: out[0].Seq, Kind: "forbidden", Reason: "device may not write this organization"}}, nil); err != nil {
		t.Fatal(err)
	}
	u := h.start("en")
	u.SelectTab(TabSync)
	h.settle()
	s := u.sync
	if !strings.HasPrefix(s.hub.Text, "Not connected to a hub") {
		t.Fatalf("hub %q", s.hub.Text)
	}
	if s.pending.Text != "1 change" || s.rejected.Text != "1 change" || s.conflicts.Text != "0 open conflicts" {
		t.Fatalf("pending %q rejected %q conflicts %q", s.pending.Text, s.rejected.Text, s.conflicts.Text)
	}
	if !s.syncNow.Disabled() {
		t.Fatal("Sync now enabled without a hub")
	}
	var texts []string
	for _, o := range s.rejections.Objects {
		switch lbl := o.(type) {
		case *widget.Label:
			texts = append(texts, lbl.Text)
		case *paraLabel:
			texts = append(texts, lbl.Text)
		}
	}
	joined := strings.Join(texts, "\n")
	if !strings.Contains(joined, "Not allowed: device may not write this organization") || !strings.Contains(joined, out[0].RecordID) {
		t.Fatalf("rejections shown: %s", joined)
	}
}

// outboxHub is an in-process stand-in for the hub used where no sync engine
// is wired: it accepts every change in the real store's outbox, one page per
// round trip, and reports progress as the engine does.
type outboxHub struct {
	st       *store.Store
	hubURL   string
	lastSync time.Time
	fail     error
}

func (o *outboxHub) Status(ctx context.Context) (client.Status, error) {
	stats, err := o.st.OutboxStats(ctx)
	if err != nil {
		return client.Status{}, err
	}
	return client.Status{Enrolled: o.hubURL != "", HubURL: o.hubURL, Reachable: o.fail == nil, Pending: stats.Pending, Rejected: stats.Rejected, LastSync: o.lastSync}, nil
}

func (o *outboxHub) Sync(ctx context.Context, progress func(client.Progress)) (client.Result, error) {
	var p client.Progress
	for {
		if o.fail != nil {
			return client.Result{Progress: p}, o.fail
		}
		page, err := o.st.Outbox(ctx, 0, 2)
		if err != nil {
			return client.Result{}, err
		}
		if len(page) == 0 {
			break
		}
		if err := o.st.AckOutbox(ctx, page[len(page)-1].Seq, nil, nil); err != nil {
			return client.Result{}, err
		}
		stats, _ := o.st.OutboxStats(ctx)
		p.Pushed += len(page)
		p.PendingPush = stats.Pending
		p.Requests++
		progress(p)
	}
	o.lastSync = time.Now()
	return client.Result{Progress: p, Duration: time.Second}, nil
}

// Run does nothing: the tests sync by pressing Sync now.
func (o *outboxHub) Run(ctx context.Context) error { return nil }

// Fetch has no files to give.
func (o *outboxHub) Fetch(ctx context.Context, hash string, progress func(done, total int64)) error {
	return fmt.Errorf("outboxHub: no file %s: %w", hash, store.ErrNotFound)
}

func (o *outboxHub) Enroll(ctx context.Context, hubURL, code string) error {
	if code != "K7M2-Q9PX" {
		return errors.New("the code is not valid")
	}
	o.hubURL = hubURL
	return nil
}

func TestSyncNowShowsProgressAndOutcome(t *testing.T) {
	h := newHarness(t)
	h.seed(sampleActivity("One", "MW", "2025-01-01"), sampleActivity("Two", "KH", "2025-01-02"), sampleActivity("Three", "MN", "2025-01-03"))
	hub := &outboxHub{st: h.st}
	h.extra.Syncer = hub
	u := h.start("en")
	u.SelectTab(TabSettings)
	e := u.settings.enroll
	test.Type(e.hubURL, "https://hub.a20.example")
	test.Type(e.code, "WRONG")
	test.Tap(e.button)
	h.settle()
	// An error the app cannot name is not shown as program text: it is
	// behind Details, for support.
	if !strings.HasPrefix(e.status.Text, "Could not connect. Something went wrong") || e.details.text.Text != "the code is not valid" {
		t.Fatalf("bad code: %q, details %q", e.status.Text, e.details.text.Text)
	}
	e.code.SetText("K7M2-Q9PX")
	test.Tap(e.button)
	h.settle()
	if e.status.Text != "This device is now connected to https://hub.a20.example." {
		t.Fatalf("enroll: %q", e.status.Text)
	}

	u.SelectTab(TabSync)
	h.settle()
	s := u.sync
	if s.hub.Text != "https://hub.a20.example" || s.reachable.Text != "Yes" || s.pending.Text != "3 changes" || s.syncNow.Disabled() {
		t.Fatalf("before sync: hub %q reachable %q pending %q", s.hub.Text, s.reachable.Text, s.pending.Text)
	}
	test.Tap(s.syncNow)
	if !s.progress.Visible() || !s.syncNow.Disabled() {
		t.Fatal("no progress shown while syncing")
	}
	h.settle()
	if s.progress.Visible() {
		t.Fatal("progress still shown after the sync")
	}
	if !strings.Contains(s.outcome.Text, "sent 3, received 0, 0 new conflicts, 0 refused") {
		t.Fatalf("outcome %q", s.outcome.Text)
	}
	if s.pending.Text != "0 changes" || s.last.Text == "never" {
		t.Fatalf("after sync: pending %q last %q", s.pending.Text, s.last.Text)
	}

	hub.fail = errors.New("the hub did not answer")
	h.seed(sampleActivity("Four", "KE", "2025-01-04"))
	test.Tap(s.syncNow)
	h.settle()
	if !strings.HasPrefix(s.outcome.Text, "Sync stopped. Something went wrong") || s.details.text.Text != "the hub did not answer" {
		t.Fatalf("failed outcome %q, details %q", s.outcome.Text, s.details.text.Text)
	}
}

func TestConflictsInboxKeepsEitherValue(t *testing.T) {
	h := newHarness(t)
	a := h.seed(sampleActivity("Training in Battambang", "KH", "2025-02-02"))[0]
	ctx := context.Background()
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	conflicts := []store.Conflict{
		{ID: "c1", Entity: model.EntityActivity, RecordID: a.ID, Field: "kind", Winner: raw("school_visit"), Loser: raw("training"),
			WinnerHLC: a.UpdatedAt.String(), LoserHLC: a.UpdatedAt.String(), LoserBy: "laptop-2", CreatedAt: time.Now()},
		{ID: "c2", Entity: model.EntityActivity, RecordID: a.ID, Field: "girls_6_11", Winner: raw(10), Loser: raw(14),
			WinnerHLC: a.UpdatedAt.String(), LoserHLC: a.UpdatedAt.String(), LoserBy: "laptop-2", CreatedAt: time.Now()},
	}
	if err := h.st.ApplyRemote(ctx, nil, conflicts, nil); err != nil {
		t.Fatal(err)
	}
	u := h.start("en")
	u.SelectTab(TabConflicts)
	s := u.conflicts
	if s.count.Text != "2 conflicts to resolve" {
		t.Fatalf("count %q", s.count.Text)
	}
	card := s.box.Objects[0].(*widget.Card)
	if card.Title != "Activity: Training in Battambang" {
		t.Fatalf("card title %q", card.Title)
	}
	var fields []string
	for _, o := range s.box.Objects {
		fields = append(fields, o.(*widget.Card).Subtitle)
	}
	if !strings.Contains(strings.Join(fields, "|"), "Girls, 6–11") || !strings.Contains(strings.Join(fields, "|"), "Kind") {
		t.Fatalf("field labels %v", fields)
	}
	markup := test.RenderObjectToMarkup(s.box)
	for _, want := range []string{"School visit", "Training", "Kept aside (from laptop-2)", "Shown now"} {
		if !strings.Contains(markup, want) {
			t.Errorf("inbox does not show %q", want)
		}
	}
	test.Tap(s.keep["c1"][1]) // keep the kept-aside "training"
	test.Tap(s.keep["c2"][0]) // keep the 10 shown now
	h.settle()
	got, err := h.st.Activity(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != "training" || got.Reach.Girls[1] != 10 {
		t.Fatalf("after resolving: kind %q girls 6–11 %d", got.Kind, got.Reach.Girls[1])
	}
	if s.count.Text != "0 conflicts to resolve" {
		t.Fatalf("count after %q", s.count.Text)
	}
	open, _ := h.st.Conflicts(ctx, true)
	if len(open) != 0 {
		t.Fatalf("%d still open", len(open))
	}
}

func TestResourcesAddEditAndDiscuss(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	u.SelectTab(TabResources)
	s := u.resources
	test.Tap(&onlyTap{fn: s.onNew})
	f := s.form
	test.Type(f.title, "Safe school walks toolkit")
	test.Type(f.link, "ftp://files.example/kit.pdf")
	test.Tap(f.save)
	if e := f.errs["kind"]; e.Text != "Required." {
		t.Fatalf("kind error %q", e.Text)
	}
	if e := f.errs["link"]; !strings.Contains(e.Text, "is not a web link") {
		t.Fatalf("link error %q", e.Text)
	}
	f.kind.SetSelected("Toolkit")
	f.link.SetText("https://a20.example/kit.pdf")
	test.Type(f.body, "How communities in Zomba organised walking groups.")
	f.addCountry.SetSelected("Malawi")
	f.addCountry.SetSelected("Zimbabwe")
	test.Tap(f.themes[3]) // violence
	h.shortcut("S")
	h.settle()
	rs, err := h.st.Resources(context.Background(), store.ResourceFilter{})
	if err != nil || len(rs) != 1 {
		t.Fatalf("resources %d %v", len(rs), err)
	}
	r := rs[0]
	if r.Kind != "toolkit" || r.Link != "https://a20.example/kit.pdf" || strings.Join(r.Countries, ",") != "MW,ZW" || r.Themes[0] != "violence" || r.Visibility != model.VisibilityNetwork || r.Language != "en" {
		t.Fatalf("stored %+v", r)
	}
	if s.count.Text != "1 resource" {
		t.Fatalf("count %q", s.count.Text)
	}

	// Edit, then comment.
	s.list.Select(0)
	f.title.SetText("Safe school walks: a toolkit")
	test.Tap(f.save)
	h.settle()
	if r2, _ := h.st.Resource(context.Background(), r.ID); r2.Title != "Safe school walks: a toolkit" {
		t.Fatalf("edited title %q", r2.Title)
	}
	c := s.comments
	test.Tap(c.add)
	if !c.err.Visible() || !strings.Contains(c.err.Text, "Required.") {
		t.Fatalf("empty comment error %q", c.err.Text)
	}
	test.Type(c.author, "Chikondi")
	test.Type(c.body, "We used this in Machinga, it worked well.")
	test.Tap(c.add)
	cs, err := h.st.Comments(context.Background(), r.ID)
	if err != nil || len(cs) != 1 || cs[0].Author != "Chikondi" || cs[0].ParentEntity != model.EntityResource {
		t.Fatalf("comments %+v %v", cs, err)
	}
	if !strings.Contains(test.RenderObjectToMarkup(c.list), "We used this in Machinga") {
		t.Fatal("comment not shown")
	}
	if c.body.Text != "" {
		t.Fatal("comment box not cleared")
	}

	// Search narrows the list.
	test.Type(s.search, "nothing-like-this")
	h.run.settleFor(t, 400*time.Millisecond)
	if s.total != 0 {
		t.Fatalf("search found %d", s.total)
	}
}

func TestCommentsUnderAnActivity(t *testing.T) {
	h := newHarness(t)
	a := h.seed(sampleActivity("Policy meeting", "TZ", "2025-03-03"))[0]
	u := h.start("en")
	u.activities.list.Select(0)
	c := u.activities.comments
	test.Type(c.body, "Minutes are in the shared folder.")
	test.Tap(c.add)
	cs, err := h.st.Comments(context.Background(), a.ID)
	if err != nil || len(cs) != 1 || cs[0].Body != "Minutes are in the shared folder." {
		t.Fatalf("comments %+v %v", cs, err)
	}
	if !strings.Contains(test.RenderObjectToMarkup(c.list), "Someone") {
		t.Fatal("anonymous author not labelled")
	}
}

func TestOrganizationsDirectory(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, o := range []model.Organization{
		{Name: "Eye of the Child", Country: "MW", Description: "Child rights advocacy in Malawi", Contact: "info@eyeofthechild.example"},
		{Name: "Child Helpline Cambodia", Country: "KH", Description: "Helpline and referrals"},
		{Name: "National Centre Against Violence", Country: "MN", Description: "Shelters and advocacy"},
	} {
		if _, err := h.st.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	u := h.start("en")
	u.SelectTab(TabOrganizations)
	h.settle()
	s := u.orgs
	if s.count.Text != "3 organizations" {
		t.Fatalf("count %q", s.count.Text)
	}
	test.Type(s.filter, "cambodia")
	if len(s.shown) != 1 || s.shown[0].Name != "Child Helpline Cambodia" {
		t.Fatalf("filtered %+v", s.shown)
	}
	s.filter.SetText("")
	s.list.Select(1)
	if s.name.Text != "Eye of the Child" || s.country.Text != "Malawi" || s.contact.Text != "Contact: info@eyeofthechild.example" {
		t.Fatalf("detail %q %q %q", s.name.Text, s.country.Text, s.contact.Text)
	}
}

func TestEmptyOrganizationsSaysWhy(t *testing.T) {
	h := newHarness(t)
	u := h.start("fr")
	u.SelectTab(TabOrganizations)
	h.settle()
	if !strings.HasPrefix(u.orgs.count.Text, "L’annuaire est vide") {
		t.Fatalf("empty directory: %q", u.orgs.count.Text)
	}
}
