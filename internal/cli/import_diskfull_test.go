package cli

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"modernc.org/sqlite"

	"github.com/a20-network/fieldbook/internal/activitycsv"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// smallDisk is a data folder on a disk that fills after a few megabytes,
// and the way to give it more room.
type smallDisk struct {
	dir  string
	grow func(t *testing.T)
}

// newSmallDisk returns a data folder on a real 4 MiB tmpfs where the test
// may mount one (as root); elsewhere a folder whose database SQLite caps
// at the same size with PRAGMA max_page_count, so that SQLite itself
// answers SQLITE_FULL as it does on a full disk. Either way the test runs.
func newSmallDisk(t *testing.T) smallDisk {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir).CombinedOutput()
	if err == nil {
		t.Cleanup(func() {
			if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v %s", dir, err, out)
			}
		})
		return smallDisk{dir: dir, grow: func(t *testing.T) {
			if out, err := exec.Command("mount", "-o", "remount,size=256m", dir).CombinedOutput(); err != nil {
				t.Fatalf("remount %s larger: %v %s", dir, err, out)
			}
		}}
	}
	t.Logf("cannot mount a tmpfs (%v %s): capping the database with max_page_count instead", err, bytes.TrimSpace(out))
	pageCaps.set(dir, 4<<20/storePageSize)
	t.Cleanup(func() { pageCaps.set(dir, 0) })
	return smallDisk{dir: dir, grow: func(*testing.T) { pageCaps.set(dir, 1<<30) }}
}

// storePageSize is the page size of the store's new databases.
const storePageSize = 16384

// pageCaps holds the max_page_count a test gives the databases under a
// folder; a connection hook applies it to every connection opened there.
var pageCaps = &pageCapHook{caps: map[string]int{}}

type pageCapHook struct {
	once sync.Once
	mu   sync.Mutex // guards caps
	caps map[string]int
}

func (h *pageCapHook) set(dir string, pages int) {
	h.once.Do(func() { sqlite.RegisterConnectionHook(h.apply) })
	h.mu.Lock()
	defer h.mu.Unlock()
	if pages == 0 {
		delete(h.caps, dir)
		return
	}
	h.caps[dir] = pages
}

func (h *pageCapHook) apply(conn sqlite.ExecQuerierContext, dsn string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for dir, pages := range h.caps {
		if strings.Contains(dsn, dir) {
			_, err := conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA max_page_count = %d", pages), nil)
			return err
		}
	}
	return nil
}

// bigCSV writes n valid activities, with ids when withIDs is set, whose
// summaries are long enough to fill a few megabytes.
func bigCSV(t *testing.T, n int, withIDs bool) string {
	t.Helper()
	var buf bytes.Buffer
	w := activitycsv.NewWriter(&buf)
	for i := range n {
		a := model.Activity{Meta: model.Meta{Visibility: model.VisibilityOrg}, Kind: "training",
			Title: fmt.Sprintf("Training %d", i), StartDate: "2026-02-03", Country: "MW", Status: "final",
			Summary: strings.Repeat(fmt.Sprintf("Session %d with teachers on safe schools. ", i), 8)}
		if withIDs {
			a.ID = model.NewID()
		}
		if err := w.Write(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "activities.csv")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// checkSound opens the data folder and fails unless the database passes its
// integrity check and holds exactly one outbox entry per activity; it
// returns how many activities are stored.
func checkSound(t *testing.T, dir string) int {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenDir(ctx, dir, store.Options{})
	if err != nil {
		t.Fatalf("open after import: %v", err)
	}
	defer st.Close()
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity check = %q, %v", res, err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.DBFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var activities, missing int
	err = db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (
		SELECT 1 FROM outbox o WHERE o.record_id = a.id)) FROM activities a`).Scan(&activities, &missing)
	if err != nil {
		t.Fatal(err)
	}
	if missing != 0 {
		t.Fatalf("%d of %d activities have no outbox entry", missing, activities)
	}
	return activities
}

// TestImportStopsAtFullDisk fills a small disk with an import: the import
// stops at the first full write with one line of error, says how many rows
// went in and what to do, and the database is whole. Doing what it says
// (more room, then the import again) brings in every row exactly once.
func TestImportStopsAtFullDisk(t *testing.T) {
	const rows = 12000
	for _, tt := range []struct {
		name    string
		withIDs bool
		again   func(file string, line int) []string
	}{
		{"rows with ids", true, func(file string, _ int) []string { return []string{"import", file} }},
		{"rows without ids", false, func(file string, line int) []string {
			return []string{"import", "--from-line", fmt.Sprint(line), file}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			disk := newSmallDisk(t)
			file := bigCSV(t, rows, tt.withIDs)
			code, out, errOut := runCmd(t, "--data", disk.dir, "import", file)
			if code != 1 {
				t.Fatalf("exit %d, want 1\nout %q\nerr %q", code, out, errOut)
			}
			all := out + errOut
			if n := strings.Count(all, "full"); n != 1 {
				t.Fatalf("the full disk is reported %d times, want once:\n%.2000s", n, all)
			}
			if lines := strings.Split(strings.TrimSpace(errOut), "\n"); len(lines) != 1 {
				t.Fatalf("%d lines of error, want 1:\n%.2000s", len(lines), errOut)
			}
			var imported, line int
			if _, err := fmt.Sscanf(errOut[strings.Index(errOut, "full"):], "full at line %d: %d rows", &line, &imported); err != nil {
				t.Fatalf("error line %q: %v", errOut, err)
			}
			if imported == 0 || imported >= rows || line != imported+2 {
				t.Fatalf("stopped at line %d with %d rows imported, of %d", line, imported, rows)
			}
			if !strings.Contains(out, fmt.Sprintf("imported: %d (new %d,", imported, imported)) {
				t.Fatalf("tally does not say %d rows went in:\n%s", imported, out)
			}
			want := strings.Join(tt.again(file, line), " ")
			if !strings.Contains(out, want) {
				t.Fatalf("advice lacks %q:\n%s", want, out)
			}
			if got := checkSound(t, disk.dir); got != imported {
				t.Fatalf("stored %d activities, the import said %d", got, imported)
			}

			disk.grow(t)
			code, out, errOut = runCmd(t, append([]string{"--data", disk.dir}, tt.again(file, line)...)...)
			if code != 0 {
				t.Fatalf("import again: exit %d\nout %q\nerr %q", code, out, errOut)
			}
			if got := checkSound(t, disk.dir); got != rows {
				t.Fatalf("after the import again %d activities, want %d", got, rows)
			}
		})
	}
}
