package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/a20-network/fieldbook/internal/activitycsv"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// importChunk is how many rows go to the store in one transaction.
const importChunk = 1000

// errRowsFailed marks an import in which some rows were refused.
var errRowsFailed = errors.New("some rows were not imported")

// diskFullError stops an import at the first row the full disk refused.
// The rows before it are in, with their outbox entries; that row and the
// rest are not.
type diskFullError struct {
	line     int // the file's line of the first row not imported
	imported int
}

func (e *diskFullError) Error() string {
	return fmt.Sprintf("the disk is full at line %d: %d rows were imported, the rest were not; nothing was lost",
		e.line, e.imported)
}

// runImport reads FILE.csv (see activitycsv) and writes its good rows to the
// store in chunks, creating new activities and updating those whose id is
// already stored, so importing a file twice never duplicates a record. It
// prints the counts and one "line N: column: reason" per refused row, and
// fails if any row was refused. --from-line N skips the rows before line N.
//
// The files column (see [activitycsv.FilesColumn]) names files; it attaches
// none: an activity already stored keeps its own files, a new one gets
// none, and the output says so when any row named files.
//
// A full disk stops the import at the first row it refuses: the counts say
// what went in, one error line says where it stopped, and the output says
// how to go on once there is room (see [importer.advice]).
func runImport(ctx context.Context, cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	fromLine := fs.Int("from-line", 0, "import only the rows from this line of the file on")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: import [--from-line N] FILE.csv: want exactly one file", errUsage)
	}
	if *fromLine < 0 {
		return fmt.Errorf("%w: import: --from-line %d: want a line number of the file", errUsage, *fromLine)
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
	imp := importer{st: st, fromLine: *fromLine}
	err = imp.readAll(ctx, r)
	imp.report(out)
	var full *diskFullError
	if errors.As(err, &full) {
		fmt.Fprint(out, imp.advice(cfg, fs.Arg(0), full.line))
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", fs.Arg(0), err)
	}
	if imp.failed > 0 {
		return fmt.Errorf("import %s: %d rows failed: %w", fs.Arg(0), imp.failed, errRowsFailed)
	}
	return nil
}

// readAll reads r to its end, writing its good rows to the store in chunks
// and keeping its refused rows' problems. It stops at the first error that
// is not one row's: a file that cannot be read, a full disk, a cancel.
func (imp *importer) readAll(ctx context.Context, r *activitycsv.Reader) error {
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *activitycsv.RowError
		if errors.As(err, &re) {
			if re.Line >= imp.fromLine {
				imp.failures = append(imp.failures, re.Problems()...)
				imp.failed++
			}
			continue
		}
		if err != nil {
			return err
		}
		if row.Line < imp.fromLine {
			continue
		}
		if len(row.Files) > 0 {
			imp.namedFiles++
		}
		if imp.pending = append(imp.pending, row); len(imp.pending) == importChunk {
			if err := imp.flush(ctx); err != nil {
				return err
			}
		}
	}
	return imp.flush(ctx)
}

// report prints the counts and the refused rows' problems.
func (imp *importer) report(out io.Writer) {
	fmt.Fprintf(out, "imported: %d (new %d, updated %d, unchanged %d)\nfailed: %d\n",
		imp.imported(), imp.res.Created, imp.res.Updated, imp.res.Unchanged, imp.failed)
	for _, line := range imp.failures {
		fmt.Fprintln(out, line)
	}
	if imp.namedFiles > 0 {
		fmt.Fprintf(out, "note: %d row(s) name attached files in the %s column. Import does not attach files: "+
			"an activity already on this device keeps its own, a new one gets none (attach them with fieldbook attach).\n",
			imp.namedFiles, activitycsv.FilesColumn)
	}
}

// advice says what to do after a full disk stopped the import at line:
// free some space and import again. Rows with an id are recognised when
// imported again (left as they are, or updated), so the same import again
// is right when every row that went in had one; a row without an id would
// be added a second time, so then only the rest of the file, from line on,
// is to be imported.
func (imp *importer) advice(cfg config, file string, line int) string {
	cmd := []string{"fieldbook", "--data", shellQuote(cfg.dataDir), "import"}
	if imp.withoutID == 0 {
		return fmt.Sprintf("Free some space on the disk, then run the same import again; the rows already imported "+
			"are recognised by their id and left as they are:\n  %s\n", strings.Join(append(cmd, shellQuote(file)), " "))
	}
	return fmt.Sprintf("Free some space on the disk, then import the rest of the file, from line %d on; %d of the rows "+
		"already imported have no id, so importing the whole file again would add them a second time:\n  %s\n",
		line, imp.withoutID, strings.Join(append(cmd, "--from-line", fmt.Sprint(line), shellQuote(file)), " "))
}

// shellQuote returns s as one word for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !strings.ContainsRune(shellSafe, r) }) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellSafe are the characters a shell word may hold unquoted.
const shellSafe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_"

// importer writes read rows to the store in chunks and keeps the tally.
type importer struct {
	st       *store.Store
	fromLine int // rows before this line of the file are skipped
	pending  []activitycsv.Row
	res      store.UpsertResult
	// withoutID counts the imported rows that had no id in the file.
	withoutID int
	// namedFiles counts the rows read whose files column named files.
	namedFiles int
	failed     int
	failures   []string
}

// flush writes the pending rows in one transaction. If the store refuses
// the chunk, each row is retried alone so that one bad row costs only
// itself, reported with its line; a full disk stops the import at the
// first row it refuses, with a [*diskFullError].
func (imp *importer) flush(ctx context.Context) error {
	if len(imp.pending) == 0 {
		return nil
	}
	defer func() { imp.pending = imp.pending[:0] }()
	as := make([]model.Activity, len(imp.pending))
	for i, row := range imp.pending {
		as[i] = row.Activity
	}
	res, err := imp.st.UpsertActivities(ctx, as)
	if err == nil {
		imp.add(res, imp.pending)
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for i, row := range imp.pending {
		res, err := imp.st.UpsertActivities(ctx, []model.Activity{row.Activity})
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case store.IsDiskFull(err):
			slog.Debug("importStoppedDiskFull", "line", row.Line, "err", err)
			return &diskFullError{line: row.Line, imported: imp.imported()}
		case err != nil:
			imp.failed++
			imp.failures = append(imp.failures, fmt.Sprintf("line %d: row: %v", row.Line, err))
		default:
			imp.add(res, imp.pending[i:i+1])
		}
	}
	return nil
}

// add counts rows, just written with result r, as imported.
func (imp *importer) add(r store.UpsertResult, rows []activitycsv.Row) {
	imp.res.Created += r.Created
	imp.res.Updated += r.Updated
	imp.res.Unchanged += r.Unchanged
	for _, row := range rows {
		if row.Activity.ID == "" {
			imp.withoutID++
		}
	}
}

// imported is how many rows are in the store so far.
func (imp *importer) imported() int {
	return imp.res.Created + imp.res.Updated + imp.res.Unchanged
}
