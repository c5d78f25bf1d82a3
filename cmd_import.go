package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/a20-network/fieldbook/activitycsv"
	"github.com/a20-network/fieldbook/store"
)

// importChunk is how many rows go to the store in one transaction.
const importChunk = 1000

// errRowsFailed marks an import in which some rows were refused.
var errRowsFailed = errors.New("some rows were not imported")

func init() {
	commands["import"] = command{summary: "import activities from a CSV file: import FILE.csv", run: runImport}
}

// runImport reads FILE.csv (see activitycsv) and writes its good rows to the
// store in chunks, creating new activities and updating those whose id is
// already stored, so importing a file twice never duplicates a record. It
// prints the counts and one "line N: column: reason" per refused row, and
// fails if any row was refused.
func runImport(ctx context.Context, cfg config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: import: %v", errUsage, err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: import FILE.csv: want exactly one file", errUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	r, err := activitycsv.NewReader(f)
	if err != nil {
		return fmt.Errorf("import %s: %w", fs.Arg(0), err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	imp := importer{st: st}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *activitycsv.RowError
		if errors.As(err, &re) {
			imp.failures = append(imp.failures, re.Problems()...)
			imp.failed++
			continue
		}
		if err != nil {
			return fmt.Errorf("import %s: %w", fs.Arg(0), err)
		}
		if imp.pending = append(imp.pending, row); len(imp.pending) == importChunk {
			if err := imp.flush(ctx); err != nil {
				return err
			}
		}
	}
	if err := imp.flush(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "imported: %d (new %d, updated %d, unchanged %d)\nfailed: %d\n",
		imp.res.Created+imp.res.Updated+imp.res.Unchanged, imp.res.Created, imp.res.Updated, imp.res.Unchanged, imp.failed)
	for _, line := range imp.failures {
		fmt.Fprintln(out, line)
	}
	if imp.failed > 0 {
		return fmt.Errorf("import %s: %d rows failed: %w", fs.Arg(0), imp.failed, errRowsFailed)
	}
	return nil
}

// importer writes read rows to the store in chunks and keeps the tally.
type importer struct {
	st       *store.Store
	pending  []activitycsv.Row
	res      store.UpsertResult
	failed   int
	failures []string
}

// flush writes the pending rows in one transaction. If the store refuses
// the chunk, each row is retried alone so that one bad row costs only
// itself, reported with its line.
func (imp *importer) flush(ctx context.Context) error {
	if len(imp.pending) == 0 {
		return nil
	}
	defer func() { imp.pending = imp.pending[:0] }()
	as := make([]store.Activity, len(imp.pending))
	for i, row := range imp.pending {
		as[i] = row.Activity
	}
	res, err := imp.st.UpsertActivities(ctx, as)
	if err == nil {
		imp.add(res)
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("import: %w", ctx.Err())
	}
	for _, row := range imp.pending {
		res, err := imp.st.UpsertActivities(ctx, []store.Activity{row.Activity})
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("import: %w", ctx.Err())
			}
			imp.failed++
			imp.failures = append(imp.failures, fmt.Sprintf("line %d: row: %v", row.Line, err))
			continue
		}
		imp.add(res)
	}
	return nil
}

func (imp *importer) add(r store.UpsertResult) {
	imp.res.Created += r.Created
	imp.res.Updated += r.Updated
	imp.res.Unchanged += r.Unchanged
}
