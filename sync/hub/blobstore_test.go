package hub

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/sync/protocol"
)

func newDirStore(t testing.TB) BlobStore {
	s, err := NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newPGStore(t testing.TB) BlobStore { return newPGStoreOn(t, pgtest.Shared(t)) }

// newPGStoreOn returns a PGStore in a new database on srv.
func newPGStoreOn(t testing.TB, srv *pgtest.Server) BlobStore {
	s, err := NewPGStore(context.Background(), newPostgresOn(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDirStore(t *testing.T) { testBlobStore(t, newDirStore) }

func TestPGStore(t *testing.T) { testBlobStore(t, newPGStore) }

// TestPGStoreNeedsItsTables: a database the hub's PostgreSQL migrations
// have not made is refused by name.
func TestPGStoreNeedsItsTables(t *testing.T) {
	if _, err := NewPGStore(context.Background(), openPostgres(t, pgtest.Shared(t))); err == nil || !bytes.Contains([]byte(err.Error()), []byte("blob_chunks")) {
		t.Fatalf("a store in an empty database: %v", err)
	}
}

// TestPGStoreSharedByTwoHubProcesses: two stores on one database, each
// with its own pool of connections as two hub processes have, carry on
// each other's uploads and read each other's files.
func TestPGStoreSharedByTwoHubProcesses(t *testing.T) {
	ctx := context.Background()
	db := newPostgres(t)
	c, err := pgdb.ParseURL(pgtest.Shared(t).URL(pgDBName(t, db)))
	if err != nil {
		t.Fatal(err)
	}
	db2, err := pgdb.Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	one, err := NewPGStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	two, err := NewPGStore(ctx, db2)
	if err != nil {
		t.Fatal(err)
	}
	data := pdf(200<<10, 41)
	up := Upload{Hash: sum(data), By: UploaderOf("org")}
	if err := one.Append(ctx, up, 0, data[:70<<10]); err != nil {
		t.Fatal(err)
	}
	if n, err := two.Received(ctx, up); n != 70<<10 || err != nil {
		t.Fatalf("the other process sees %d bytes (%v)", n, err)
	}
	wantOffsetError(t, two.Append(ctx, up, 0, data), 70<<10, 0)
	if err := two.Append(ctx, up, 70<<10, data[70<<10:]); err != nil {
		t.Fatal(err)
	}
	if err := two.Commit(ctx, up, int64(len(data)), nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readAll(t, one, up.Hash), data) {
		t.Fatal("the first process reads other bytes")
	}
}

// pgDBName is the name of the database db is connected to.
func pgDBName(t testing.TB, db *sql.DB) string {
	t.Helper()
	var name string
	if err := db.QueryRow("SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

// readAll reads a file the store holds whole, failing t if it cannot.
func readAll(t testing.TB, s BlobStore, hash string) []byte {
	t.Helper()
	b, err := s.Open(context.Background(), hash)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := make([]byte, b.Size())
	if n, err := b.ReadAt(got, 0); n != len(got) || err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("read %d of %d bytes: %v", n, len(got), err)
	}
	return got
}

// upload sends data as up in chunks of chunk bytes and commits it.
func uploadTo(t testing.TB, s BlobStore, up Upload, data []byte, chunk int) {
	t.Helper()
	ctx := context.Background()
	for off := 0; off < len(data); off += chunk {
		if err := s.Append(ctx, up, int64(off), data[off:min(off+chunk, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(ctx, up, int64(len(data)), nil); err != nil {
		t.Fatal(err)
	}
}

func wantOffsetError(t testing.TB, err error, received, offset int64) {
	t.Helper()
	var oe *OffsetError
	if !errors.As(err, &oe) || oe.Received != received || oe.Offset != offset {
		t.Fatalf("got %v, want an OffsetError with %d bytes held, offset %d", err, received, offset)
	}
}

func wantUsage(t testing.TB, s BlobStore, want Usage) {
	t.Helper()
	if u, err := s.Usage(context.Background()); err != nil || u != want {
		t.Fatalf("usage %+v %v, want %+v", u, err, want)
	}
}

// testBlobStore runs the [BlobStore] contract against the stores
// newStore makes, each subtest with a new, empty one.
func testBlobStore(t *testing.T, newStore func(testing.TB) BlobStore) {
	ctx := context.Background()
	org := Upload{By: UploaderOf("org")}
	other := Upload{By: UploaderOf("other org")}
	as := func(u Upload, data []byte) Upload { u.Hash = sum(data); return u }
	run := func(name string, f func(t *testing.T, s BlobStore)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, newStore(t))
		})
	}

	run("AppendsOnlyAtTheCount", func(t *testing.T, s BlobStore) {
		data := pdf(3000, 1)
		up := as(org, data)
		if err := s.Append(ctx, up, 0, data[:1000]); err != nil {
			t.Fatal(err)
		}
		wantOffsetError(t, s.Append(ctx, up, 500, data[500:]), 1000, 500)
		wantOffsetError(t, s.Append(ctx, up, 2000, data[2000:]), 1000, 2000)
		// A refused first chunk keeps nothing.
		wantOffsetError(t, s.Append(ctx, as(other, data), 10, data[10:20]), 0, 10)
		if n, err := s.Received(ctx, up); n != 1000 || err != nil {
			t.Fatalf("Received %d %v, want 1000", n, err)
		}
		wantUsage(t, s, Usage{Partial: 1000})
		if _, err := s.Open(ctx, up.Hash); !errors.Is(err, ErrNoBlob) {
			t.Fatalf("Open of an unfinished upload: %v", err)
		}
		if err := s.Append(ctx, up, 1000, data[1000:]); err != nil {
			t.Fatal(err)
		}
		wantOffsetError(t, s.Commit(ctx, up, 2999, nil), 3000, 2999)
		if err := s.Commit(ctx, up, 3000, nil); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Received(ctx, up); n != 0 || err != nil {
			t.Fatalf("Received after the commit %d %v, want 0", n, err)
		}
		if size, ok, err := s.Held(ctx, up.Hash); size != 3000 || !ok || err != nil {
			t.Fatalf("Held %d %v %v", size, ok, err)
		}
		if !bytes.Equal(readAll(t, s, up.Hash), data) {
			t.Fatal("stored file differs")
		}
		wantUsage(t, s, Usage{Files: 1, Bytes: 3000})
	})

	run("HashMismatchDropsTheUpload", func(t *testing.T, s BlobStore) {
		data := pdf(10, 15)
		wrong := as(org, data)
		if err := s.Append(ctx, wrong, 0, pdf(10, 16)); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, wrong, 10, nil); !errors.Is(err, ErrHashMismatch) {
			t.Fatalf("Commit of wrong bytes: %v", err)
		}
		if n, _ := s.Received(ctx, wrong); n != 0 {
			t.Fatalf("wrong bytes kept: %d", n)
		}
		if _, ok, _ := s.Held(ctx, wrong.Hash); ok {
			t.Fatal("a file of wrong bytes is held")
		}
		wantUsage(t, s, Usage{})
		uploadTo(t, s, wrong, data, 4) // the sender starts again
	})

	run("ASecondSenderKeepsTheFileOnce", func(t *testing.T, s BlobStore) {
		data := pdf(1000, 14)
		uploadTo(t, s, as(org, data), data, 300)
		again := as(other, data)
		if err := s.Append(ctx, again, 0, data); err != nil {
			t.Fatal(err)
		}
		// Checked against the hash, then dropped: check does not run.
		if err := s.Commit(ctx, again, 1000, func(io.ReaderAt, int64) error { return errors.New("check ran again") }); err != nil {
			t.Fatalf("second sender's commit: %v", err)
		}
		wantUsage(t, s, Usage{Files: 1, Bytes: 1000})
		// Wrong bytes from a third sender spoil nothing.
		third := Upload{Hash: again.Hash, By: "third"}
		if err := s.Append(ctx, third, 0, pdf(1000, 99)); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, third, 1000, nil); !errors.Is(err, ErrHashMismatch) {
			t.Fatalf("third sender's wrong bytes: %v", err)
		}
		if !bytes.Equal(readAll(t, s, again.Hash), data) {
			t.Fatal("stored file differs")
		}
	})

	run("CheckSeesTheContentAndItsErrorDropsTheUpload", func(t *testing.T, s BlobStore) {
		data := pdf(5000, 3)
		up := as(org, data)
		refused := errors.New("not a type the network takes")
		for _, chunk := range [][]byte{data[:100], data[100:4097], data[4097:]} {
			if err := s.Append(ctx, up, int64(bytes.Index(data, chunk)), chunk); err != nil {
				t.Fatal(err)
			}
		}
		err := s.Commit(ctx, up, 5000, func(content io.ReaderAt, size int64) error {
			got := make([]byte, size)
			if n, err := content.ReadAt(got, 0); n != len(got) || err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("check read %d: %w", n, err)
			}
			if !bytes.Equal(got, data) {
				return errors.New("check saw other bytes")
			}
			return refused
		})
		if !errors.Is(err, refused) {
			t.Fatalf("Commit: %v, want check's error", err)
		}
		if _, err := s.Open(ctx, up.Hash); !errors.Is(err, ErrNoBlob) {
			t.Fatalf("Open of a refused file: %v", err)
		}
		wantUsage(t, s, Usage{})
	})

	run("EmptyFile", func(t *testing.T, s BlobStore) {
		up := as(org, nil)
		if err := s.Commit(ctx, up, 0, nil); err != nil {
			t.Fatal(err)
		}
		b, err := s.Open(ctx, up.Hash)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if n, err := b.ReadAt(make([]byte, 4), 0); b.Size() != 0 || n != 0 || !errors.Is(err, io.EOF) {
			t.Fatalf("empty file: size %d, read %d %v", b.Size(), n, err)
		}
	})

	run("ChunkLargerThanARequest", func(t *testing.T, s BlobStore) {
		data := pdf(protocol.MaxChunk+5000, 4)
		uploadTo(t, s, as(org, data), data, len(data))
		if !bytes.Equal(readAll(t, s, sum(data)), data) {
			t.Fatal("stored file differs")
		}
	})

	run("ReadAtAnyRange", func(t *testing.T, s BlobStore) {
		data := pdf(80000, 5)
		up := as(org, data)
		for _, r := range [][2]int{{0, 1000}, {1000, 71000}, {71000, 80000}} {
			if err := s.Append(ctx, up, int64(r[0]), data[r[0]:r[1]]); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx, up, int64(len(data)), nil); err != nil {
			t.Fatal(err)
		}
		b, err := s.Open(ctx, up.Hash)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if b.Size() != int64(len(data)) {
			t.Fatalf("Size %d, want %d", b.Size(), len(data))
		}
		want := bytes.NewReader(data)
		for _, r := range [][2]int{{0, 1}, {999, 2}, {500, 75000}, {70999, 9001}, {79990, 10}, {79990, 100}, {80000, 5}, {90000, 1}, {1000, 0}} {
			got, exp := make([]byte, r[1]), make([]byte, r[1])
			n, err := b.ReadAt(got, int64(r[0]))
			en, eerr := want.ReadAt(exp, int64(r[0]))
			if n != en || (err == nil) != (eerr == nil) || err != nil && !errors.Is(err, io.EOF) || !bytes.Equal(got[:n], exp[:en]) {
				t.Fatalf("ReadAt %d bytes at %d: %d %v, want %d %v", r[1], r[0], n, err, en, eerr)
			}
		}
	})

	run("UsageCountsFilesAndUploads", func(t *testing.T, s BlobStore) {
		a, b, c := pdf(1200, 6), pdf(3400, 7), pdf(900, 8)
		uploadTo(t, s, as(org, a), a, 500)
		uploadTo(t, s, as(other, b), b, 5000)
		if err := s.Append(ctx, as(org, c), 0, c[:700]); err != nil {
			t.Fatal(err)
		}
		if err := s.Append(ctx, as(other, c), 0, c[:40]); err != nil {
			t.Fatal(err)
		}
		wantUsage(t, s, Usage{Files: 2, Bytes: 4600, Partial: 740})
	})

	run("SweepDropsOldUploads", func(t *testing.T, s BlobStore) {
		kept, partial := pdf(1000, 9), pdf(2000, 10)
		uploadTo(t, s, as(org, kept), kept, 1000)
		up := as(other, partial)
		if err := s.Append(ctx, up, 0, partial[:1500]); err != nil {
			t.Fatal(err)
		}
		if d, err := s.Sweep(ctx, time.Now().Add(-time.Hour)); err != nil || d != (Usage{}) {
			t.Fatalf("Sweep of uploads older than an hour: %+v %v", d, err)
		}
		if d, err := s.Sweep(ctx, time.Now().Add(time.Hour)); err != nil || d != (Usage{Partial: 1500}) {
			t.Fatalf("Sweep of every upload: %+v %v, want 1500 partial bytes dropped", d, err)
		}
		if n, err := s.Received(ctx, up); n != 0 || err != nil {
			t.Fatalf("Received after a sweep: %d %v", n, err)
		}
		wantUsage(t, s, Usage{Files: 1, Bytes: 1000})
		uploadTo(t, s, up, partial, 700) // the sender starts again
	})

	run("RemoveDropsTheFileAndItsUploads", func(t *testing.T, s BlobStore) {
		data := pdf(2500, 11)
		up := as(org, data)
		uploadTo(t, s, up, data, 1000)
		if err := s.Append(ctx, as(other, data), 0, data[:100]); err != nil {
			t.Fatal(err)
		}
		for range 2 { // removing what is gone does nothing
			if err := s.Remove(ctx, up.Hash); err != nil {
				t.Fatal(err)
			}
		}
		if _, ok, err := s.Held(ctx, up.Hash); ok || err != nil {
			t.Fatalf("Held after Remove: %v %v", ok, err)
		}
		if _, err := s.Open(ctx, up.Hash); !errors.Is(err, ErrNoBlob) {
			t.Fatalf("Open after Remove: %v", err)
		}
		if n, _ := s.Received(ctx, as(other, data)); n != 0 {
			t.Fatalf("an upload survived Remove: %d bytes", n)
		}
		wantUsage(t, s, Usage{})
		uploadTo(t, s, as(other, data), data, 2500)
	})

	run("SendersAndFilesNeverMix", func(t *testing.T, s BlobStore) {
		one, two := pdf(300<<10, 12), pdf(200<<10, 13)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		send := func(up Upload, data []byte, chunk int) {
			defer wg.Done()
			for off := 0; off < len(data); off += chunk {
				if err := s.Append(ctx, up, int64(off), data[off:min(off+chunk, len(data))]); err != nil {
					errs <- fmt.Errorf("%s: %w", up.By, err)
					return
				}
			}
			errs <- s.Commit(ctx, up, int64(len(data)), nil)
		}
		wg.Add(4)
		go send(as(org, one), one, 16<<10)
		go send(as(other, one), one, 40<<10)
		go send(as(org, two), two, 16<<10)
		go send(Upload{Hash: sum(two), By: "third"}, two, 64<<10)
		// Two connections of one sender race for the same chunks: each
		// chunk is taken once, the other gets the count.
		race := Upload{Hash: sum(two), By: "racer"}
		wg.Add(2)
		for range 2 {
			go func() {
				defer wg.Done()
				for off := 0; off < len(two); {
					err := s.Append(ctx, race, int64(off), two[off:min(off+8<<10, len(two))])
					var oe *OffsetError
					switch {
					case errors.As(err, &oe):
						off = int(oe.Received)
					case err != nil:
						errs <- err
						return
					default:
						off += 8 << 10
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.Received(ctx, race); n != int64(len(two)) || err != nil {
			t.Fatalf("racing appends left %d bytes (%v), want %d", n, err, len(two))
		}
		if err := s.Commit(ctx, race, int64(len(two)), nil); err != nil {
			t.Fatalf("racing appends left bytes out of order: %v", err)
		}
		if !bytes.Equal(readAll(t, s, sum(one)), one) || !bytes.Equal(readAll(t, s, sum(two)), two) {
			t.Fatal("stored files differ")
		}
		wantUsage(t, s, Usage{Files: 2, Bytes: int64(len(one) + len(two))})
	})

	run("SendersAreNamedSafely", func(t *testing.T, s BlobStore) {
		data := pdf(10, 17)
		for _, by := range []string{"", "../x", "A", string(make([]byte, 65))} {
			if err := s.Append(ctx, Upload{Hash: sum(data), By: by}, 0, data); err == nil {
				t.Errorf("sender %q was taken", by)
			}
		}
		wantUsage(t, s, Usage{})
	})
}

// TestDirStoreDropsUnacknowledgedBytes: bytes a crash left past an
// upload's count are never counted nor stored (a [PGStore] writes a
// chunk and its count in one transaction, so it has no such bytes).
func TestDirStoreDropsUnacknowledgedBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := pdf(1000, 14)
	up := Upload{Hash: sum(data), By: UploaderOf("org")}
	if err := s.Append(ctx, up, 0, data[:400]); err != nil {
		t.Fatal(err)
	}
	// A crash mid-write left bytes past the count.
	fh, err := os.OpenFile(s.partial(up), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.Write([]byte("garbage from a torn write"))
	fh.Close()
	if n, err := s.Received(ctx, up); n != 400 || err != nil {
		t.Fatalf("Received %d %v", n, err)
	}
	if err := s.Append(ctx, up, 400, data[400:]); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, up, 1000, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readAll(t, s, up.Hash), data) {
		t.Fatal("stored file differs")
	}
}

// FuzzBlobStoreUploads runs one sequence of calls, decoded from the
// input, against a [DirStore] and a [PGStore] side by side: appends by
// two senders of two files at offsets near the count, with right or
// wrong bytes, commits of the right or a wrong size, removals and sweeps.
// Both stores answer every call alike (no error, an [OffsetError] with
// the same count, [ErrHashMismatch]), hold the same counts, files and
// usage after it, and never hold a file whole with other bytes than its own.
// The shared fuzz targets (FuzzFilePut) reach a store only through the
// hub's handler, on a DirStore; this one reaches PGStore's transactions
// directly.
func FuzzBlobStoreUploads(f *testing.F) {
	ctx := context.Background()
	pg := newPGStore(f)
	files := [][]byte{pdf(700, 31), pdf(2100, 32)}
	senders := []string{"a", "b"}
	f.Add([]byte{0, 0, 70, 0, 0, 0, 4, 0, 0})
	f.Add([]byte{0, 0, 255, 4, 0, 0, 2, 0, 255, 6, 0, 0, 8, 0, 0})
	f.Add([]byte{1, 0, 100, 1, 0, 100, 5, 0, 0, 12, 0, 0, 5, 0, 1})
	f.Add([]byte{2, 0, 210, 2, 230, 10, 3, 3, 210, 6, 0, 0, 7, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		dir := newDirStore(t)
		for _, d := range files {
			if err := pg.Remove(ctx, sum(d)); err != nil {
				t.Fatal(err)
			}
		}
		// outcome is how a call ended, in terms both stores must agree on.
		outcome := func(err error) string {
			var oe *OffsetError
			switch {
			case err == nil:
				return "ok"
			case errors.As(err, &oe):
				return fmt.Sprint("offset ", oe.Received)
			case errors.Is(err, ErrHashMismatch):
				return "mismatch"
			}
			t.Fatalf("unexpected error: %v", err)
			return ""
		}
		for i := 0; i+2 < len(ops) && i < 3*40; i += 3 {
			op, a, b := ops[i], ops[i+1], ops[i+2]
			data := files[op>>1&1]
			up := Upload{Hash: sum(data), By: senders[op&1]}
			var call func(BlobStore) error
			switch op >> 2 % 4 {
			case 0: // append at the count, a little off it, or with wrong bytes
				call = func(s BlobStore) error {
					n, err := s.Received(ctx, up)
					if err != nil {
						t.Fatal(err)
					}
					off := max(0, n+int64(int8(a))/32)
					chunk := bytes.Clone(data[min(off, int64(len(data))):min(off+int64(b)*10, int64(len(data)))])
					if a%7 == 3 && len(chunk) > 0 {
						chunk[0] ^= 0xff
					}
					return s.Append(ctx, up, off, chunk)
				}
			case 1: // commit, at the file's size or not
				call = func(s BlobStore) error { return s.Commit(ctx, up, int64(len(data)-int(a%2)), nil) }
			case 2:
				call = func(s BlobStore) error { return s.Remove(ctx, up.Hash) }
			default:
				call = func(s BlobStore) error {
					_, err := s.Sweep(ctx, time.Now().Add(time.Duration(int8(a))*time.Minute))
					return err
				}
			}
			if d, p := outcome(call(dir)), outcome(call(pg)); d != p {
				t.Fatalf("call %d (op %d): DirStore %s, PGStore %s", i/3, op, d, p)
			}
			du, err1 := dir.Usage(ctx)
			pu, err2 := pg.Usage(ctx)
			if du != pu || err1 != nil || err2 != nil {
				t.Fatalf("after call %d: DirStore's usage %+v (%v), PGStore's %+v (%v)", i/3, du, err1, pu, err2)
			}
			for _, d := range files {
				for _, by := range senders {
					up := Upload{Hash: sum(d), By: by}
					dn, err1 := dir.Received(ctx, up)
					pn, err2 := pg.Received(ctx, up)
					if dn != pn || err1 != nil || err2 != nil {
						t.Fatalf("after call %d: DirStore holds %d (%v), PGStore %d (%v)", i/3, dn, err1, pn, err2)
					}
				}
				_, dh, _ := dir.Held(ctx, sum(d))
				_, ph, _ := pg.Held(ctx, sum(d))
				if dh != ph {
					t.Fatalf("after call %d: DirStore holds the file %v, PGStore %v", i/3, dh, ph)
				}
				if ph && !bytes.Equal(readAll(t, pg, sum(d)), d) {
					t.Fatal("PGStore holds a file with other bytes")
				}
			}
		}
	})
}
