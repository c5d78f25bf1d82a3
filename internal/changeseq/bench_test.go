package changeseq

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest"
)

// BenchmarkTake measures how many change numbers writers get per second,
// each transaction taking per numbers, writing that many changes and
// committing: with 1, 2 and 8 writers at once, on a server that skips
// flushing to disk (as the tests' servers do) and on one that flushes every
// commit (fsync=on, PostgreSQL's default). per=1 is the worst case, a
// transaction per change; per=100 is a page of a sync. nextval is a plain
// sequence, which lets pulls skip changes, for comparison.
func BenchmarkTake(b *testing.B) {
	durable, err := pgtest.Start(context.Background(), pgtest.Options{Durable: true})
	if err != nil {
		b.Fatal(err)
	}
	defer durable.Stop()
	take := func(ctx context.Context, tx *sql.Tx, per int) error {
		first, err := Take(ctx, tx, per)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO changes SELECT $1::bigint + g, 'x' FROM generate_series(0, $2 - 1) AS g", first, per)
		return err
	}
	nextval := func(ctx context.Context, tx *sql.Tx, per int) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO changes SELECT nextval('plain'), 'x' FROM generate_series(1, $1)", per)
		return err
	}
	for _, disk := range []struct {
		name   string
		server *pgtest.Server
	}{{"fsync=off", pgtest.Shared(b)}, {"fsync=on", durable}} {
		for _, per := range []int{1, 100} {
			for _, writers := range []int{1, 2, 8} {
				b.Run(fmt.Sprintf("take/%s/per=%d/writers=%d", disk.name, per, writers), func(b *testing.B) {
					benchWriters(b, disk.server, writers, per, take)
				})
			}
		}
		b.Run(fmt.Sprintf("nextval/%s/per=1/writers=8", disk.name), func(b *testing.B) {
			benchWriters(b, disk.server, 8, 1, nextval)
		})
	}
}

// benchWriters runs b.N transactions of change, per numbers each, on
// writers connections at once.
func benchWriters(b *testing.B, server *pgtest.Server, writers, per int, change func(context.Context, *sql.Tx, int) error) {
	ctx := context.Background()
	db := open(b, fmt.Sprintf("%s&pool_max_conns=%d", server.NewDB(b).URL, writers), "bench")
	if _, err := db.Exec(changesSchema + "CREATE SEQUENCE plain;"); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	b.ResetTimer()
	for range writers {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				if err := pgdb.InTx(ctx, db, nil, func(tx *sql.Tx) error { return change(ctx, tx, per) }); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "numbers/s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}
