package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Keys of the engine's values in the store's sync state.
const (
	stateHubURL    = "hub_url"
	stateToken     = "token"
	stateEpoch     = "epoch"
	stateCursor    = "cursor"
	stateLastSync  = "last_sync"
	stateLastError = "last_error"
	// stateLastProblem is the [Problem] of the last error, as a number.
	stateLastProblem = "last_problem"
	statePage        = "page_size"
	stateFullPull    = "full_pull"
	stateKnownSeq    = "known_seq"
	stateKnownHLC    = "known_hlc"
	stateMoved       = "moved"
	stateEvent       = "identity_event"
	stateEventFrom   = "identity_event_from"
)

// Identity events the Sync screen explains in one line ([Status.Event]).
const (
	// EventCopied: the data folder was copied from another device; this
	// database became a device of its own.
	EventCopied = "copied"
	// EventRestored: the database was restored from an older copy; it
	// became a device of its own and took back its later work.
	EventRestored = "restored"
	// EventHubRestored: the hub was restored from a backup; this device
	// gave back what the hub had lost.
	EventHubRestored = "hub_restored"
)

// Page sizes, in bytes of uncompressed JSON; the wire carries about a
// quarter of that.
const (
	MinPage     = 2 << 10
	StartPage   = 8 << 10
	MaxPage     = 256 << 10
	fastTrip    = 3 * time.Second
	outboxBatch = 2000
)

// ErrNotEnrolled is returned by [Engine.Sync] before [Engine.Enroll].
var ErrNotEnrolled = errors.New("client: this device is not enrolled with a hub")

// Options configure an [Engine]. Zero values mean the defaults.
type Options struct {
	// NewHub returns the hub at a URL; nil means [NewHTTPHub] with a client
	// that times out after RequestTimeout.
	NewHub func(url string) Hub
	// RequestTimeout bounds one round trip (default 2 minutes).
	RequestTimeout time.Duration
	// Retries is how many times one round trip is retried after a
	// transient failure before Sync gives up (default 6).
	Retries int
	// Backoff is the first retry's delay, doubled each time up to MaxBackoff
	// (defaults 1 s and 1 min), with full jitter.
	Backoff, MaxBackoff time.Duration
	// Interval is how often [Engine.Run] syncs when nothing else prompts it
	// (default 5 minutes); it checks whether the hub is reachable every
	// Interval/10.
	Interval time.Duration
	// DeviceName labels the device in the hub's device list.
	DeviceName string
	// Now reads the wall clock; nil means time.Now.
	Now func() time.Time
	// Logger receives logs; nil means slog.Default().
	Logger *slog.Logger
}

// Engine syncs one device store with its hub. Its methods are safe for
// concurrent use; syncs run one at a time.
type Engine struct {
	st   *store.Store
	opts Options

	mu sync.Mutex // held for a whole sync; guards page
	// page is the push page size in bytes, adapted to the link and kept
	// in the store between runs; 0 until read.
	page int

	stmu      sync.Mutex // guards reachable, transfer and waiting
	reachable bool
	transfer  *FileProgress
	// waiting holds the files the last sync left for a later one (the hub
	// cannot take or give them now), by hash.
	waiting map[string]bool

	fmu sync.Mutex // guards chunk, rate and busy
	// chunk is the file chunk size in bytes, adapted to the link and kept
	// in the store between runs; 0 until read.
	chunk int
	// rate is the link's throughput for file chunks in bytes per second,
	// averaged over the chunks moved; 0 until one has.
	rate float64
	// busy holds the files being transferred, each closed when done.
	busy map[string]chan struct{}
}

// New returns an engine for st.
func New(st *store.Store, opts Options) *Engine {
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 2 * time.Minute
	}
	if opts.NewHub == nil {
		client := newHTTPClient(opts.RequestTimeout)
		opts.NewHub = func(u string) Hub { return NewHTTPHub(u, client) }
	}
	if opts.Retries <= 0 {
		opts.Retries = 6
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = time.Minute
	}
	if opts.Interval <= 0 {
		opts.Interval = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Engine{st: st, opts: opts}
}

// Enroll registers this device with the hub at hubURL (completed by
// [NormalizeHubURL]: "hub.example.org" means https://hub.example.org)
// using a one-time code from an organization admin, stores the device
// token, and hands records made before enrollment to the organization. On
// error nothing changes on the device; [ProblemOf] says what went wrong.
func (e *Engine) Enroll(ctx context.Context, hubURL, code string) error {
	hubURL, err := NormalizeHubURL(hubURL)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	resp, err := e.opts.NewHub(hubURL).Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: code, Device: e.st.DeviceID(), Name: e.opts.DeviceName})
	if err != nil {
		return fmt.Errorf("client: enroll: %w", err)
	}
	if resp.Token == "" || resp.Org == "" {
		return errors.New("client: enroll: hub sent no token")
	}
	// The hub may enroll this device under another id (its own was
	// taken); either way, changes still unsent that this database made
	// under an id it had before are made the enrolled device's.
	id := e.st.DeviceID()
	if resp.Device != "" {
		id = resp.Device
	}
	if err := e.st.SetDeviceID(ctx, id); err != nil {
		return fmt.Errorf("client: enroll: %w", err)
	}
	// A new enrollment is a new history as far as the hub is concerned:
	// nothing of it acknowledged yet.
	state := map[string]string{stateHubURL: hubURL, stateToken: resp.Token, stateLastError: "",
		stateKnownSeq: "0", stateKnownHLC: "", stateMoved: ""}
	if old, err := e.st.SyncState(ctx, stateHubURL); err != nil {
		return err
	} else if old != hubURL {
		state[stateEpoch], state[stateCursor] = "", "0"
	}
	if err := e.st.SetSyncState(ctx, state); err != nil {
		return fmt.Errorf("client: enroll: %w", err)
	}
	if err := e.st.AdoptOrg(ctx, resp.Org); err != nil {
		return fmt.Errorf("client: enroll: %w", err)
	}
	e.opts.Logger.Info("device enrolled", "hub", hubURL, "org", resp.Org, "orgName", resp.OrgName, "role", resp.Role)
	return nil
}

// Status reports what the Sync screen shows. It does not touch the network.
func (e *Engine) Status(ctx context.Context) (Status, error) {
	var s Status
	var err error
	if s.HubURL, err = e.st.SyncState(ctx, stateHubURL); err != nil {
		return s, err
	}
	token, err := e.st.SyncState(ctx, stateToken)
	if err != nil {
		return s, err
	}
	s.Enrolled = token != ""
	if s.Enrolled {
		if s.OrgID, err = e.st.OrgID(ctx); err != nil {
			return s, err
		}
	}
	e.stmu.Lock()
	s.Reachable = e.reachable
	e.stmu.Unlock()
	stats, err := e.st.OutboxStats(ctx)
	if err != nil {
		return s, err
	}
	s.Pending, s.Rejected, s.Quarantined = stats.Pending, stats.Rejected, stats.Quarantined
	if s.Event, err = e.st.SyncState(ctx, stateEvent); err != nil {
		return s, err
	}
	if s.EventFrom, err = e.st.SyncState(ctx, stateEventFrom); err != nil {
		return s, err
	}
	open, err := e.st.Conflicts(ctx, true)
	if err != nil {
		return s, err
	}
	s.OpenConflicts = len(open)
	if v, _ := e.st.SyncState(ctx, stateLastSync); v != "" {
		s.LastSync, _ = time.Parse(time.RFC3339Nano, v)
	}
	if s.LastError, err = e.st.SyncState(ctx, stateLastError); err != nil {
		return s, err
	}
	v, err := e.st.SyncState(ctx, stateLastProblem)
	if err != nil {
		return s, err
	}
	if n, perr := strconv.Atoi(v); perr == nil {
		s.LastProblem = Problem(n)
	}
	return s, e.fileStatus(ctx, &s)
}

// Sync runs one full sync: round trips until every local change is
// acknowledged (or rejected) and the hub has nothing more to send. progress,
// if not nil, is called after each round trip. A failed sync keeps every
// unacknowledged change in the outbox and everything already pulled.
func (e *Engine) Sync(ctx context.Context, progress func(Progress)) (Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	start := e.opts.Now()
	res, err := e.sync(ctx, progress)
	res.Duration = e.opts.Now().Sub(start)
	state := map[string]string{stateLastError: "", stateLastProblem: ""}
	if e.page > 0 {
		state[statePage] = strconv.Itoa(e.page)
	}
	e.fmu.Lock()
	if e.chunk > 0 {
		state[stateChunk] = strconv.Itoa(e.chunk)
	}
	e.fmu.Unlock()
	if err != nil {
		state[stateLastError] = err.Error()
		state[stateLastProblem] = strconv.Itoa(int(ProblemOf(err)))
	} else {
		state[stateLastSync] = e.opts.Now().UTC().Format(time.RFC3339Nano)
	}
	if serr := e.st.SetSyncState(context.WithoutCancel(ctx), state); serr != nil && err == nil {
		err = serr
	}
	if res.Pulled >= optimizeAfter {
		// Many new rows: refresh the planner's statistics now rather than
		// at the next close, which may be days away on a laptop left open.
		if oerr := e.st.Optimize(context.WithoutCancel(ctx)); oerr != nil {
			e.opts.Logger.Warn("refreshing the database statistics failed", "err", oerr)
		}
	}
	return res, err
}

// optimizeAfter is how many pulled records make a sync refresh the
// database's statistics (see [store.Store.Optimize]).
const optimizeAfter = 1000

func (e *Engine) sync(ctx context.Context, progress func(Progress)) (Result, error) {
	var res Result
	hubURL, err := e.st.SyncState(ctx, stateHubURL)
	if err != nil {
		return res, err
	}
	token, err := e.st.SyncState(ctx, stateToken)
	if err != nil {
		return res, err
	}
	if token == "" || hubURL == "" {
		return res, ErrNotEnrolled
	}
	org, err := e.st.OrgID(ctx)
	if err != nil {
		return res, err
	}
	if e.page == 0 {
		v, err := e.st.SyncState(ctx, statePage)
		if err != nil {
			return res, err
		}
		n, _ := strconv.Atoi(v)
		e.page = StartPage
		if n >= MinPage && n <= MaxPage {
			e.page = n
		}
	}
	hub := e.opts.NewHub(hubURL)
	zero := map[string]map[string]json.RawMessage{}
	switches := 0
	holdPush := false
	for {
		epoch, err := e.st.SyncState(ctx, stateEpoch)
		if err != nil {
			return res, err
		}
		cursorText, err := e.st.SyncState(ctx, stateCursor)
		if err != nil {
			return res, err
		}
		cursor, _ := strconv.ParseInt(cursorText, 10, 64)
		full, err := e.st.SyncState(ctx, stateFullPull)
		if err != nil {
			return res, err
		}
		known, top, err := e.st.Identity(ctx)
		if err != nil {
			return res, err
		}
		moved, err := e.st.Moved(ctx)
		if err != nil {
			return res, err
		}
		pending, err := e.st.Outbox(ctx, 0, outboxBatch)
		if err != nil {
			return res, err
		}
		held := false
		if holdPush {
			// Changes given back and refused wait for the next sync.
			held, pending = len(pending) > 0, nil
		}
		if recovering, err := e.st.Recovering(ctx); err != nil {
			return res, err
		} else if recovering {
			// The restored hub may lack records these changes were made
			// to: they go once the pull has shown what it has.
			held, pending = len(pending) > 0, nil
		}
		aside, err := e.st.QuarantinedRecords(ctx, maxRefetch)
		if err != nil {
			return res, err
		}
		page, size := []protocol.Change{}, 0
		for _, c := range pending {
			pc := toWire(c, zero)
			n := wireSize(pc)
			if len(page) > 0 && size+n > e.page {
				break
			}
			page, size = append(page, pc), size+n
		}
		req := &protocol.SyncRequest{V: protocol.Version, Org: org, Cursor: protocol.Cursor{Epoch: epoch, Seq: cursor},
			Push: page, PullBytes: max(4*e.page, 64<<10), Echo: full == "1",
			Ident: &protocol.Identity{Known: protocol.Mark{Seq: known.Seq, HLC: known.HLC}, Top: protocol.Mark{Seq: top.Seq, HLC: top.HLC}, Moved: moved}}
		for _, q := range aside {
			req.Refetch = append(req.Refetch, q.ID)
		}
		resp, err := e.roundTrip(ctx, hub, token, req, &res)
		if err != nil {
			return res, err
		}
		if resp.Epoch != nil || resp.Diverged != nil {
			// Identity: nothing was applied. Settle it and go again.
			if switches++; switches > 4 {
				return res, errors.New("client: the hub keeps refusing this database's identity; try again later")
			}
			if token, err = e.settleIdentity(ctx, hub, token, epoch, resp); err != nil {
				return res, err
			}
			continue
		}
		if len(page) > 0 && resp.Acked < page[0].Seq {
			return res, fmt.Errorf("client: hub acknowledged through %d but the page starts at %d", resp.Acked, page[0].Seq)
		}
		rejected := []store.Rejection{}
		for _, r := range resp.Rejected {
			if r.Seq <= resp.Acked {
				rejected = append(rejected, store.Rejection{Seq: r.Seq, Kind: string(r.Kind), Reason: r.Reason})
			}
		}
		if len(page) > 0 {
			// Count what left the outbox: after a retry with a smaller page
			// the hub may acknowledge more than the page it last saw.
			before, err := e.st.OutboxStats(ctx)
			if err != nil {
				return res, err
			}
			ack := store.Ack{Through: resp.Acked, HLC: resp.AckedHLC, Rejected: rejected, Epoch: resp.Cursor.Epoch, Version: resp.Version}
			if err := e.st.Acknowledge(ctx, ack); err != nil {
				return res, err
			}
			after, err := e.st.OutboxStats(ctx)
			if err != nil {
				return res, err
			}
			refused := after.Rejected - before.Rejected
			res.Pushed += before.Pending - after.Pending - refused
			res.Rejected += refused
			if refused < len(rejected) {
				// Some were given back to a restored hub before what they
				// depend on; they go again next time.
				holdPush = true
			}
		}
		recs, conflicts := fromWire(resp)
		state := map[string]string{stateEpoch: resp.Cursor.Epoch, stateCursor: strconv.FormatInt(resp.Cursor.Seq, 10)}
		if !resp.More {
			state[stateFullPull] = ""
		}
		if err := e.st.ApplyRemote(ctx, recs, conflicts, state); err != nil {
			return res, err
		}
		if err := e.st.ForgetQuarantined(ctx, resp.Gone); err != nil {
			return res, err
		}
		res.Pulled += len(recs)
		for _, c := range conflicts {
			if !c.Resolved {
				res.Conflicts++
			}
		}
		gaveBack := 0
		if !resp.More {
			n, err := e.st.FinishRecovery(ctx)
			if err != nil {
				return res, err
			}
			gaveBack = n
			if n > 0 {
				e.opts.Logger.Info("giving back to the restored hub what it lost", "records", n)
			}
		}
		stats, err := e.st.OutboxStats(ctx)
		if err != nil {
			return res, err
		}
		res.PendingPush = stats.Pending
		if progress != nil {
			progress(res.Progress)
		}
		if !resp.More && (stats.Pending == 0 || (len(page) == 0 && gaveBack == 0 && !held) || (holdPush && len(page) == 0)) {
			// Records always go first: a file goes once a record refers to it.
			err := e.syncFiles(ctx, hub, token, progress, &res)
			return res, err
		}
		if len(page) == 0 && resp.Cursor.Epoch == epoch && resp.Cursor.Seq <= cursor {
			return res, fmt.Errorf("client: hub says it has more but its cursor stays at %d", resp.Cursor.Seq)
		}
	}
}

// maxRefetch is how many set-aside records one request asks for again.
const maxRefetch = 100

// settleIdentity answers a reply that refused the request for identity:
// a hub restored from a backup (the device rebases and recovers), or a
// database that is not the one the hub knows as this device (it becomes a
// device of its own). It returns the token to go on with.
func (e *Engine) settleIdentity(ctx context.Context, hub Hub, token, epoch string, resp *protocol.SyncResponse) (string, error) {
	if ep := resp.Epoch; ep != nil {
		lineage := make([]store.EpochMark, 0, len(ep.Lineage))
		for _, m := range ep.Lineage {
			lineage = append(lineage, store.EpochMark{Epoch: m.Epoch, Seq: m.Seq})
		}
		e.opts.Logger.Warn("hub was restored from a backup; pulling everything again and giving back what it lost", "oldEpoch", epoch, "newEpoch", ep.Epoch)
		if err := e.st.SwitchEpoch(ctx, ep.Epoch, lineage); err != nil {
			return token, err
		}
		return token, e.st.SetSyncState(ctx, map[string]string{stateEvent: EventHubRestored})
	}
	old := e.st.DeviceID()
	e.opts.Logger.Warn("this database is not the one the hub knows as this device; becoming a device of its own", "device", old, "reason", resp.Diverged.Reason)
	rctx, cancel := context.WithTimeout(ctx, e.opts.RequestTimeout)
	defer cancel()
	fork, err := hub.Fork(rctx, token, protocol.ForkRequest{V: protocol.Version, Name: e.opts.DeviceName})
	if err != nil {
		return token, fmt.Errorf("client: become a device of its own: %w", err)
	}
	if fork.Device == "" || fork.Token == "" {
		return token, errors.New("client: become a device of its own: hub sent no device")
	}
	event := EventRestored
	if moved, err := e.st.Moved(ctx); err != nil {
		return token, err
	} else if moved {
		event = EventCopied
	}
	if err := e.st.ForkDevice(ctx, fork.Device, map[string]string{stateToken: fork.Token, stateEvent: event, stateEventFrom: old}); err != nil {
		return token, err
	}
	e.opts.Logger.Info("this database is now a device of its own", "device", fork.Device, "copyOf", old)
	return fork.Token, nil
}

// roundTrip sends req, retrying transient failures with backoff and
// jitter, honouring the hub's Retry-After, and adapts the page size: it
// grows after fast round trips and shrinks after failures.
func (e *Engine) roundTrip(ctx context.Context, hub Hub, token string, req *protocol.SyncRequest, res *Result) (*protocol.SyncResponse, error) {
	delay := e.opts.Backoff
	for attempt := 0; ; attempt++ {
		t0 := time.Now()
		rctx, cancel := context.WithTimeout(ctx, e.opts.RequestTimeout)
		resp, tr, err := hub.Sync(rctx, token, req)
		cancel()
		res.Requests++
		res.BytesUp += tr.Up
		res.BytesDown += tr.Down
		e.setReachable(err == nil || protocol.KindOf(err) != protocol.KindTransient)
		if err == nil {
			if time.Since(t0) < fastTrip {
				e.page = min(e.page*4, MaxPage)
			}
			return resp, nil
		}
		e.page = max(e.page/2, MinPage)
		if !protocol.KindOf(err).Retryable() || ctx.Err() != nil {
			return nil, fmt.Errorf("client: sync: %w", err)
		}
		if len(req.Push) > 1 {
			// A smaller page has a better chance on a bad link.
			cut, size := 1, wireSize(req.Push[0])
			for cut < len(req.Push) && size+wireSize(req.Push[cut]) <= e.page {
				size += wireSize(req.Push[cut])
				cut++
			}
			req.Push = req.Push[:cut]
		}
		req.PullBytes = max(4*e.page, 64<<10)
		wait, perr := e.pause(ctx, attempt, delay, err)
		if perr != nil {
			return nil, fmt.Errorf("client: sync: %w", perr)
		}
		e.opts.Logger.Info("sync round trip failed; retrying", "attempt", attempt+1, "wait", wait, "err", err)
		delay = min(delay*2, e.opts.MaxBackoff)
	}
}

func (e *Engine) setReachable(ok bool) {
	e.stmu.Lock()
	e.reachable = ok
	e.stmu.Unlock()
}

// Run syncs whenever there is reason to: when the hub becomes reachable
// again, when local changes wait, when files wait to be sent or
// downloaded (attached, or asked for, or left by a failed sync), and
// every Interval. A file the last sync left for later (the hub's disk is
// full, the hub does not hold it yet) waits for the next of these. It
// returns when ctx is done. Failures are recorded in [Status] and retried
// later.
func (e *Engine) Run(ctx context.Context) error {
	tick := max(e.opts.Interval/10, time.Second)
	var last time.Time
	wasReachable := false
	for {
		if token, _ := e.st.SyncState(ctx, stateToken); token != "" {
			hubURL, _ := e.st.SyncState(ctx, stateHubURL)
			err := e.opts.NewHub(hubURL).Health(ctx)
			reachable := err == nil
			e.setReachable(reachable)
			stats, _ := e.st.OutboxStats(ctx)
			files, ferr := e.filesToMove(ctx)
			if ferr != nil {
				e.opts.Logger.Warn("reading the files to move failed", "err", ferr)
			}
			due := e.opts.Now().Sub(last) >= e.opts.Interval
			if reachable && (!wasReachable || stats.Pending > 0 || files || due) {
				if _, err := e.Sync(ctx, nil); err != nil {
					e.opts.Logger.Warn("background sync failed", "err", err)
				}
				last = e.opts.Now()
			}
			wasReachable = reachable
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(tick):
		}
	}
}

var wireOps = map[string]string{store.OpCreate: protocol.OpCreate, store.OpUpdate: protocol.OpUpdate, store.OpDelete: protocol.OpDelete}

// toWire converts an outbox change to its wire form: only new values, and
// for a create only the fields that differ from their zero value.
func toWire(c store.Change, zero map[string]map[string]json.RawMessage) protocol.Change {
	pc := protocol.Change{Seq: c.Seq, Entity: c.Entity, ID: c.RecordID, Org: c.OrgID, Op: wireOps[c.Op], Base: c.BaseVersion,
		HLC: c.HLC, Fields: make(map[string]json.RawMessage, len(c.Changes)), Origin: c.Origin, Reoffer: c.Reoffer}
	z, ok := zero[c.Entity]
	if !ok && c.Op == store.OpCreate {
		z = model.ZeroFields(c.Entity)
		zero[c.Entity] = z
	}
	for f, ch := range c.Changes {
		if c.Op == store.OpCreate && z != nil && bytes.Equal(z[f], ch.New) {
			continue
		}
		pc.Fields[f] = ch.New
	}
	return pc
}

// wireSize estimates the JSON size of a change.
func wireSize(c protocol.Change) int {
	n := 60 + len(c.Entity) + len(c.ID) + len(c.Org) + len(c.HLC)
	for k, v := range c.Fields {
		n += len(k) + len(v) + 4
	}
	return n
}

func fromWire(resp *protocol.SyncResponse) ([]store.RemoteRecord, []store.Conflict) {
	recs := make([]store.RemoteRecord, 0, len(resp.Records))
	for _, r := range resp.Records {
		recs = append(recs, store.RemoteRecord{Entity: r.Entity, ID: r.ID, OrgID: r.Org, Version: r.Version, UpdatedAt: r.HLC, Fields: r.Fields})
	}
	conflicts := make([]store.Conflict, 0, len(resp.Conflicts))
	for _, c := range resp.Conflicts {
		at, _ := time.Parse(time.RFC3339Nano, c.CreatedAt)
		conflicts = append(conflicts, store.Conflict{ID: c.ID, Entity: c.Entity, RecordID: c.RecordID, Field: c.Field,
			Winner: c.Winner, Loser: c.Loser, WinnerHLC: c.WinnerHLC, LoserHLC: c.LoserHLC, LoserBy: c.LoserBy, CreatedAt: at, Resolved: c.Resolved})
	}
	return recs, conflicts
}
