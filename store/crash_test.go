package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/model"
)

// crashChildEnv, when set to a database path, makes the test binary act as
// the crash test's child process, writing to that database until killed.
const crashChildEnv = "FIELDBOOK_CRASH_CHILD"

// crashRoundEnv tells the child which round it is, so its titles are unique
// across rounds.
const crashRoundEnv = "FIELDBOOK_CRASH_ROUND"

// crashRoundsEnv overrides how many times the crash test kills the child.
const crashRoundsEnv = "FIELDBOOK_CRASH_ROUNDS"

// TestCrashChild is the child of [TestCrashSafety]: it writes activities in
// a loop and prints each write once it has committed ("acknowledged"):
//
//	create ID
//	update ID TITLE
//	delete ID
//	ack SEQ
//
// Before a delete or an acknowledgement it also prints "begin delete ID" or
// "begin ack SEQ": the kill may land after the commit and before the report,
// so the parent accepts either outcome for that one write.
// It runs only when crashChildEnv is set.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("runs only as the child of TestCrashSafety")
	}
	round := os.Getenv(crashRoundEnv)
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var live []string
	if err := s.WalkActivities(ctx, ActivityFilter{}, func(a model.Activity) error { live = append(live, a.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	say := func(format string, args ...any) {
		// One write(2) per line, unbuffered: a line printed is a write the
		// parent may count on.
		os.Stdout.WriteString(fmt.Sprintf(format, args...) + "\n")
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid())))
	for n := 0; ; n++ {
		switch p := r.IntN(100); {
		case p < 40 || len(live) == 0:
			a, err := s.CreateActivity(ctx, fakeActivity(r))
			if err != nil {
				t.Fatal(err)
			}
			live = append(live, a.ID)
			say("create %s", a.ID)
		case p < 50:
			batch := make([]model.Activity, 2+r.IntN(30))
			for i := range batch {
				batch[i] = fakeActivity(r)
			}
			if err := s.CreateActivities(ctx, batch); err != nil {
				t.Fatal(err)
			}
			for _, a := range batch {
				live = append(live, a.ID)
				say("create %s", a.ID)
			}
		case p < 85:
			id := live[r.IntN(len(live))]
			a, err := s.Activity(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			a.Title = fmt.Sprintf("t%s-%d", round, n)
			a.Reach.Adults = r.IntN(100)
			a.Summary = fakeActivity(r).Summary
			if _, err := s.UpdateActivity(ctx, a); err != nil {
				t.Fatal(err)
			}
			say("update %s %s", id, a.Title)
		case p < 95:
			i := r.IntN(len(live))
			id := live[i]
			say("begin delete %s", id)
			if err := s.DeleteActivity(ctx, id); err != nil {
				t.Fatal(err)
			}
			live = append(live[:i], live[i+1:]...)
			say("delete %s", id)
		default:
			out, err := s.Outbox(ctx, 0, 50)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) == 0 {
				continue
			}
			through := out[r.IntN(len(out))].Seq
			say("begin ack %d", through)
			if err := s.AckOutbox(ctx, through, nil, map[string]string{"push_seq": strconv.FormatInt(through, 10)}); err != nil {
				t.Fatal(err)
			}
			say("ack %d", through)
		}
	}
}

// crashLedger is what the parent knows from every round's acknowledged
// writes.
type crashLedger struct {
	created map[string]bool
	deleted map[string]bool
	title   map[string]string // last acknowledged title per id
	acked   int64             // highest acknowledged outbox seq
	seqs    map[int64]string  // every outbox seq ever seen: record id and clock
	maxSeq  int64
	// maybeDeleted and maybeAcked are the last round's write that began but
	// was not reported: it may or may not have committed before the kill.
	maybeDeleted string
	maybeAcked   int64
}

// TestCrashSafety kills a writing child process at random moments and
// checks after each kill that the database is intact and holds every write
// the child reported as committed, with an outbox consistent with its
// records.
func TestCrashSafety(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("this is the child")
	}
	rounds := 20
	if v := os.Getenv(crashRoundsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("%s=%q: %v", crashRoundsEnv, v, err)
		}
		rounds = n
	}
	if testing.Short() {
		rounds = 3
	}
	path := filepath.Join(t.TempDir(), DBFile)
	led := &crashLedger{created: map[string]bool{}, deleted: map[string]bool{}, title: map[string]string{}, seqs: map[int64]string{}}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := 1; round <= rounds; round++ {
		lines := runCrashChild(t, path, round, time.Duration(50+r.IntN(300))*time.Millisecond)
		led.maybeDeleted, led.maybeAcked = "", 0
		for _, l := range lines {
			f := strings.Fields(l)
			switch {
			case len(f) == 3 && f[0] == "begin" && f[1] == "delete":
				led.maybeDeleted = f[2]
			case len(f) == 3 && f[0] == "begin" && f[1] == "ack":
				led.maybeAcked, _ = strconv.ParseInt(f[2], 10, 64)
			case len(f) == 2 && f[0] == "create":
				led.created[f[1]] = true
			case len(f) == 3 && f[0] == "update":
				led.title[f[1]] = f[2]
			case len(f) == 2 && f[0] == "delete":
				led.deleted[f[1]] = true
				led.maybeDeleted = ""
			case len(f) == 2 && f[0] == "ack":
				n, _ := strconv.ParseInt(f[1], 10, 64)
				led.acked = max(led.acked, n)
				led.maybeAcked = 0
			default:
				t.Fatalf("round %d: child said %q", round, l)
			}
		}
		checkAfterCrash(t, path, round, led)
		t.Logf("round %d: %d acknowledged writes, %d records so far", round, len(lines), len(led.created))
	}
}

// runCrashChild starts the child on path, kills it with SIGKILL after it
// has run for about d (counted from its first acknowledged write), and
// returns the complete lines it printed.
func runCrashChild(t *testing.T, path string, round int, d time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashRoundEnv+"="+strconv.Itoa(round))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex // guards lines
		lines []string
		first = make(chan struct{})
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		br := bufio.NewReader(stdout)
		once := sync.OnceFunc(func() { close(first) })
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return // a partial last line is not an acknowledgement
			}
			mu.Lock()
			lines = append(lines, strings.TrimSuffix(l, "\n"))
			mu.Unlock()
			once()
		}
	}()
	select {
	case <-first:
	case <-done:
	case <-time.After(60 * time.Second):
	}
	time.Sleep(d)
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("round %d: child ended by itself (%v), not by the kill:\n%s", round, err, stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	return lines
}

func checkAfterCrash(t *testing.T, path string, round int, led *crashLedger) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("round %d: reopen: %v", round, err)
	}
	defer s.Close()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("round %d: "+format, append([]any{round}, args...)...)
	}
	if res, err := s.IntegrityCheck(ctx); err != nil || res != "ok" {
		fail("integrity_check = %q, %v", res, err)
	}
	if _, err := s.writer.Exec("INSERT INTO activities_fts (activities_fts, rank) VALUES ('integrity-check', 1)"); err != nil {
		fail("full-text index integrity: %v", err)
	}

	// An acknowledgement that committed just before the kill counts as made.
	if v, err := s.SyncState(ctx, "push_seq"); err != nil {
		fail("read push_seq: %v", err)
	} else if v != "" {
		n, _ := strconv.ParseInt(v, 10, 64)
		switch {
		case n == led.maybeAcked:
			led.acked = max(led.acked, n)
		case n != led.acked:
			fail("push_seq %d was never acknowledged (acknowledged %d)", n, led.acked)
		}
	}

	// Every acknowledged write is there.
	for id := range led.created {
		a, err := s.Activity(ctx, id)
		if err != nil {
			fail("acknowledged create of %s lost: %v", id, err)
		}
		if a.Deleted && !led.deleted[id] && id == led.maybeDeleted {
			led.deleted[id] = true // committed just before the kill
		}
		if led.deleted[id] != a.Deleted {
			fail("activity %s deleted=%v, acknowledged delete=%v", id, a.Deleted, led.deleted[id])
		}
		if want, ok := led.title[id]; ok && a.Title != want && !laterTitle(a.Title, want) {
			fail("activity %s title %q, acknowledged %q", id, a.Title, want)
		}
	}

	// The outbox: sequence numbers strictly increasing, never reused.
	out, err := s.Outbox(ctx, 0, 1<<30)
	if err != nil {
		fail("read outbox: %v", err)
	}
	prev := int64(0)
	for _, c := range out {
		if c.Seq <= prev {
			fail("outbox seq %d after %d", c.Seq, prev)
		}
		prev = c.Seq
		if c.Seq <= led.acked {
			fail("outbox holds seq %d, acknowledged through %d", c.Seq, led.acked)
		}
		key := c.RecordID + " " + c.HLC
		if old, ok := led.seqs[c.Seq]; ok && old != key {
			fail("outbox seq %d reused: was %s, now %s", c.Seq, old, key)
		}
		if _, ok := led.seqs[c.Seq]; !ok && c.Seq <= led.maxSeq {
			fail("new outbox seq %d not above the highest seen before, %d", c.Seq, led.maxSeq)
		}
	}
	for _, c := range out {
		led.seqs[c.Seq] = c.RecordID + " " + c.HLC
		led.maxSeq = max(led.maxSeq, c.Seq)
	}

	// No half-written record: replaying each record's queued changes gives
	// the stored value of every field they touch, its clock is that of its
	// last change, and a queued create carries every field.
	byRecord := map[string][]Change{}
	for _, c := range out {
		byRecord[c.RecordID] = append(byRecord[c.RecordID], c)
	}
	for id, changes := range byRecord {
		rr, err := s.RecordFields(ctx, model.EntityActivity, id)
		if err != nil {
			fail("outbox change for missing record %s: %v", id, err)
		}
		replayed := map[string]json.RawMessage{}
		for _, c := range changes {
			if c.Op == OpCreate && len(c.Changes) != len(activitySpec.Fields) {
				fail("create of %s queued %d fields, want %d", id, len(c.Changes), len(activitySpec.Fields))
			}
			for f, ch := range c.Changes {
				replayed[f] = ch.New
			}
		}
		for f, v := range replayed {
			if !sameJSON(v, rr.Fields[f]) {
				fail("record %s field %s = %s, outbox replays %s", id, f, rr.Fields[f], v)
			}
		}
		if last := changes[len(changes)-1].HLC; rr.UpdatedAt != last {
			fail("record %s updated_at %s, last queued change %s", id, rr.UpdatedAt, last)
		}
	}
	// Every record has a queued create unless its changes were acknowledged.
	var orphans int
	err = s.reader.QueryRow(`SELECT count(*) FROM activities a WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = a.id)
		AND ? = 0`, led.acked).Scan(&orphans)
	if err != nil || orphans != 0 {
		fail("%d records with no outbox row though nothing was acknowledged (%v)", orphans, err)
	}
	var fts, rows int
	s.reader.QueryRow("SELECT (SELECT count(*) FROM activities_fts), (SELECT count(*) FROM activities)").Scan(&fts, &rows)
	if fts != rows {
		fail("%d full-text rows for %d activities", fts, rows)
	}
}

// laterTitle reports whether title was written after want: both are
// "tROUND-N" and a write may have committed just before the kill without
// being reported.
func laterTitle(title, want string) bool {
	parse := func(s string) (int, int, bool) {
		r, n, ok := strings.Cut(strings.TrimPrefix(s, "t"), "-")
		a, err1 := strconv.Atoi(r)
		b, err2 := strconv.Atoi(n)
		return a, b, ok && err1 == nil && err2 == nil
	}
	r1, n1, ok1 := parse(title)
	r2, n2, ok2 := parse(want)
	return ok1 && ok2 && (r1 > r2 || r1 == r2 && n1 > n2)
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y bytes.Buffer
	if json.Compact(&x, a) != nil || json.Compact(&y, b) != nil {
		return false
	}
	return bytes.Equal(x.Bytes(), y.Bytes())
}
