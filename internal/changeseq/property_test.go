package changeseq

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// plan is what one writer's transaction does: take n numbers, write n
// changes, hold the transaction open a while, then commit or roll back.
type plan struct {
	n            int
	commit       bool
	before, held time.Duration
}

// TestPullsNeverSkipNorRepeat runs several writers and several readers at
// once on one database, writers holding their transactions open for
// random times and rolling some back, readers pulling pages of random size
// as devices do. Every page must start right after the reader's cursor
// and run without a gap, and once the writers are done every reader must
// have pulled exactly the committed changes, in order.
func TestPullsNeverSkipNorRepeat(t *testing.T) {
	ctx := context.Background()
	db := open(t, newDB(t)+"&pool_max_conns=16", "property")
	rapid.Check(t, func(rt *rapid.T) {
		if _, err := db.ExecContext(ctx, "TRUNCATE changes; UPDATE change_seq SET last = 0"); err != nil {
			rt.Fatal(err)
		}
		plans := make([][]plan, rapid.IntRange(1, 4).Draw(rt, "writers"))
		for w := range plans {
			plans[w] = make([]plan, rapid.IntRange(1, 4).Draw(rt, fmt.Sprint("transactions of writer ", w)))
			for i := range plans[w] {
				plans[w][i] = plan{
					n:      rapid.IntRange(1, 3).Draw(rt, "n"),
					commit: rapid.IntRange(0, 4).Draw(rt, "commit") > 0,
					before: time.Duration(rapid.IntRange(0, 2000).Draw(rt, "µs before")) * time.Microsecond,
					held:   time.Duration(rapid.IntRange(0, 3000).Draw(rt, "µs held")) * time.Microsecond,
				}
			}
		}
		pages := rapid.SliceOfN(rapid.IntRange(1, 5), 1, 3).Draw(rt, "page sizes of the readers")

		var mu sync.Mutex
		var committed []change // guarded by mu
		var errs []error       // guarded by mu
		fail := func(err error) {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
		var writers, readers sync.WaitGroup
		var writersDone atomic.Bool
		for w, txs := range plans {
			writers.Go(func() {
				for i, p := range txs {
					time.Sleep(p.before)
					rows, err := runPlan(ctx, db, p, fmt.Sprintf("w%d.%d", w, i))
					if err != nil {
						fail(err)
						return
					}
					mu.Lock()
					committed = append(committed, rows...)
					mu.Unlock()
				}
			})
		}
		pulled := make([][]change, len(pages))
		for r, size := range pages {
			readers.Go(func() {
				var cursor int64
				for {
					finished := writersDone.Load() // before the pull: then the pull sees every commit
					page, err := pull(ctx, db, cursor, size)
					if err != nil {
						fail(err)
						return
					}
					for i, c := range page {
						if c.seq != cursor+1+int64(i) {
							fail(fmt.Errorf("reader %d at cursor %d pulled %v: a gap, or a change it had", r, cursor, page))
							return
						}
					}
					if len(page) > 0 {
						pulled[r] = append(pulled[r], page...)
						cursor = page[len(page)-1].seq
					} else if finished {
						return
					} else {
						time.Sleep(200 * time.Microsecond)
					}
				}
			})
		}
		writers.Wait()
		writersDone.Store(true)
		readers.Wait()
		if len(errs) > 0 {
			rt.Fatal(errors.Join(errs...))
		}
		slices.SortFunc(committed, func(a, b change) int { return int(a.seq - b.seq) })
		for i, c := range committed {
			if c.seq != int64(i)+1 {
				rt.Fatalf("the committed numbers are not 1, 2, 3…: %v", committed)
			}
		}
		for r := range pulled {
			if fmt.Sprint(pulled[r]) != fmt.Sprint(committed) {
				rt.Fatalf("reader %d pulled\n%v\nwant the committed changes\n%v", r, pulled[r], committed)
			}
		}
	})
}

// runPlan runs one writer transaction and returns the changes it
// committed (none if it rolled back).
func runPlan(ctx context.Context, db *sql.DB, p plan, name string) ([]change, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	first, err := Take(ctx, tx, p.n)
	if err != nil {
		return nil, err
	}
	var rows []change
	for k := range p.n {
		c := change{first + int64(k), fmt.Sprintf("%s.%d", name, k)}
		if _, err := tx.ExecContext(ctx, "INSERT INTO changes (seq, what) VALUES ($1, $2)", c.seq, c.what); err != nil {
			return nil, err
		}
		rows = append(rows, c)
	}
	time.Sleep(p.held)
	if !p.commit {
		return nil, tx.Rollback()
	}
	return rows, tx.Commit()
}
