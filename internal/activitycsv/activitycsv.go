// Package activitycsv reads and writes activities as CSV: UTF-8 with a
// byte-order mark (so spreadsheets pick the right encoding), a header row of
// the column names in [Columns], and one activity per row.
//
// The format round-trips: [Reader] reads back exactly what [Writer] wrote,
// text with commas, quotes, line breaks and any script included. The one
// exception is the files column: it names an activity's attached files (see
// [FilesColumn]) for people to read, but names are not files, so [Reader]
// returns them beside the activity and never as its files. A row that
// cannot be read or fails the record model's validation is reported as a
// [*RowError] naming its line, column and reason; reading goes on with the
// next row.
package activitycsv

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/internal/export"
	"github.com/a20-network/fieldbook/model"
)

// BOM is the UTF-8 byte-order mark [Writer] puts first and [Reader] skips.
const BOM = "\uFEFF"

// ThemeSeparator separates theme codes in the themes column.
const ThemeSeparator = ";"

// FilesColumn lists an activity's attached files by name, as
// [export.JoinFileNames] writes them: "guide.pdf; photo.jpg", a ";" inside
// a name written "\;". A file may leave the column out (files written
// before it existed do). Reading never attaches files: [Row.Files] holds
// the names, [Row.Activity] none, so an activity already stored keeps its
// own files when the row is imported ([model.Store.UpsertActivities]) and a
// new one gets none.
const FilesColumn = "files"

// Columns are the header names, in the order [Writer] writes them. A file
// may order them differently but must have each exactly once, but for
// [FilesColumn], which it may leave out.
var Columns = func() []string {
	cols := []string{"id", "org_id", "visibility", "kind", "title", "start_date", "end_date",
		"country", "place", "lat", "lon", "themes"}
	for _, c := range (model.Reach{}).Cells() {
		cols = append(cols, c.Field)
	}
	return append(cols, "adults", "partners", "summary", "follow_up", "follow_up_date", "status", FilesColumn)
}()

// optional reports whether a file may leave out column name.
func optional(name string) bool { return name == FilesColumn }

// MaxOrgID is the longest org_id accepted, in bytes.
const MaxOrgID = 64

// Reasons a cell is refused before the store's validation runs; the store's
// own reasons (such as [model.ReasonRequired]) are used for the rest.
const (
	ReasonNotNumber   = "not_a_number"
	ReasonNotInteger  = "not_an_integer"
	ReasonBadID       = "bad_id"
	ReasonDuplicateID = "duplicate_id"
	ReasonFieldCount  = "field_count"
	ReasonSyntax      = "syntax"
)

// Writer writes activities as CSV. It writes the byte-order mark and the
// header before the first row (or at Flush, for a file with no rows). It is
// not safe for concurrent use.
type Writer struct {
	w       *csv.Writer
	raw     io.Writer
	started bool
	err     error
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: csv.NewWriter(w), raw: w}
}

func (w *Writer) start() error {
	if w.started || w.err != nil {
		return w.err
	}
	w.started = true
	if _, err := io.WriteString(w.raw, BOM); err != nil {
		w.err = fmt.Errorf("activitycsv: write: %w", err)
		return w.err
	}
	if err := w.w.Write(Columns); err != nil {
		w.err = fmt.Errorf("activitycsv: write header: %w", err)
	}
	return w.err
}

// Write writes one activity as a row.
func (w *Writer) Write(a model.Activity) error {
	if err := w.start(); err != nil {
		return err
	}
	if err := w.w.Write(Record(a)); err != nil {
		w.err = fmt.Errorf("activitycsv: write activity %s: %w", a.ID, err)
	}
	return w.err
}

// Flush writes any buffered rows (and the header, if no row was written)
// and returns the first error met while writing.
func (w *Writer) Flush() error {
	if err := w.start(); err != nil {
		return err
	}
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		return fmt.Errorf("activitycsv: write: %w", err)
	}
	return nil
}

// Record returns a's cells in [Columns] order.
func Record(a model.Activity) []string {
	rec := make([]string, 0, len(Columns))
	rec = append(rec, a.ID, a.OrgID, a.Visibility, a.Kind, a.Title, a.StartDate, a.EndDate,
		a.Country, a.Place, formatFloat(a.Lat), formatFloat(a.Lon), strings.Join(a.Themes, ThemeSeparator))
	for _, c := range a.Reach.Cells() {
		rec = append(rec, strconv.Itoa(c.Value))
	}
	return append(rec, strconv.Itoa(a.Reach.Adults), a.Partners, a.Summary, a.FollowUp, a.FollowUpDate, a.Status,
		export.JoinFileNames(export.FileNames(a.Files)))
}

func formatFloat(p *float64) string {
	if p == nil {
		return ""
	}
	// The shortest text that parses back to exactly the same float.
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// HeaderError reports a header row that does not name the columns of
// [Columns] exactly once each. Nothing is read from such a file.
type HeaderError struct {
	Missing, Unknown, Duplicate []string
	// Empty is set when the file has no header row at all.
	Empty bool
}

// Error says which columns are unknown, repeated or missing.
func (e *HeaderError) Error() string {
	if e.Empty {
		return "activitycsv: the file is empty: want a header row naming the columns"
	}
	var parts []string
	if len(e.Unknown) > 0 {
		parts = append(parts, "unknown column(s) "+strings.Join(e.Unknown, ", "))
	}
	if len(e.Duplicate) > 0 {
		parts = append(parts, "repeated column(s) "+strings.Join(e.Duplicate, ", "))
	}
	if len(e.Missing) > 0 {
		parts = append(parts, "missing column(s) "+strings.Join(e.Missing, ", "))
	}
	return "activitycsv: line 1 (header): " + strings.Join(parts, "; ") + " (want " + strings.Join(Columns, ",") + ")"
}

// RowError reports a row that was not read. Fields lists every problem
// found, with Field naming the column.
type RowError struct {
	Line   int
	Fields []model.FieldError
}

// Problems returns one "line N: column: reason" text per problem.
func (e *RowError) Problems() []string {
	out := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = fmt.Sprintf("line %d: %s: %s", e.Line, f.Field, Describe(f))
	}
	return out
}

// Error joins the row's problems.
func (e *RowError) Error() string { return strings.Join(e.Problems(), "; ") }

// Describe says in words what is wrong with one cell, without naming the
// column.
func Describe(f model.FieldError) string {
	switch f.Reason {
	case model.ReasonRequired:
		return "is required"
	case model.ReasonTooLong:
		return fmt.Sprintf("is longer than %d characters", f.Limit)
	case model.ReasonBadDate:
		return fmt.Sprintf("%q is not a date (want YYYY-MM-DD)", f.Value)
	case model.ReasonEndBeforeStart:
		return "is before start_date"
	case model.ReasonNegative:
		return "is negative"
	case model.ReasonTooLarge:
		return fmt.Sprintf("is larger than %d", f.Limit)
	case model.ReasonUnknownCode:
		return fmt.Sprintf("%q is not a known code", f.Value)
	case model.ReasonOutOfRange:
		return fmt.Sprintf("%q is out of range", f.Value)
	case model.ReasonPairRequired:
		return "lat and lon must be given together"
	case ReasonNotNumber:
		return fmt.Sprintf("%q is not a number", f.Value)
	case ReasonNotInteger:
		return fmt.Sprintf("%q is not a whole number", f.Value)
	case ReasonBadID:
		return fmt.Sprintf("%q is not a UUID", f.Value)
	case ReasonDuplicateID:
		return fmt.Sprintf("repeats the id of line %d", f.Limit)
	case ReasonFieldCount:
		return fmt.Sprintf("has %s cells, want %d", f.Value, f.Limit)
	case ReasonSyntax:
		return f.Value
	}
	return f.Reason
}

// Row is one activity read from the file, with the line its row starts on.
type Row struct {
	Line     int
	Activity model.Activity
	// Files are the names the files column lists, which reading does not
	// attach: Activity.Files is nil (see [FilesColumn]).
	Files []string
}

// Reader reads activities from CSV. It is not safe for concurrent use.
type Reader struct {
	r       *csv.Reader
	index   []int // index[i] is the cell of Columns[i], -1 for an optional column the file leaves out
	seenIDs map[string]int
}

// NewReader reads the header row from r, skipping a leading byte-order
// mark. It returns a [*HeaderError] when the header does not name every
// column of [Columns] exactly once.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(BOM)); err == nil && string(b) == BOM {
		br.Discard(len(BOM))
	}
	cr := csv.NewReader(br)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &HeaderError{Empty: true}
	}
	if err != nil {
		return nil, fmt.Errorf("activitycsv: read header: %w", err)
	}
	pos := map[string]int{}
	herr := &HeaderError{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		switch {
		case !slices.Contains(Columns, name):
			herr.Unknown = append(herr.Unknown, strconv.Quote(name))
		case pos[name] > 0:
			herr.Duplicate = append(herr.Duplicate, name)
		default:
			pos[name] = i + 1
		}
	}
	index := make([]int, len(Columns))
	for i, c := range Columns {
		if pos[c] == 0 && !optional(c) {
			herr.Missing = append(herr.Missing, c)
		}
		index[i] = pos[c] - 1
	}
	if len(herr.Missing)+len(herr.Unknown)+len(herr.Duplicate) > 0 {
		return nil, herr
	}
	cr.FieldsPerRecord = len(header)
	return &Reader{r: cr, index: index, seenIDs: map[string]int{}}, nil
}

// Read returns the next row. At the end of the file it returns io.EOF. A
// row that cannot be read, or whose activity fails [model.Activity.Validate],
// is returned as a [*RowError]; the caller may keep reading after it. Any
// other error (from the underlying reader) ends reading.
func (r *Reader) Read() (Row, error) {
	rec, err := r.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				return Row{}, &RowError{Line: pe.StartLine, Fields: []model.FieldError{{
					Field: "row", Reason: ReasonFieldCount, Value: strconv.Itoa(len(rec)), Limit: len(r.index)}}}
			}
			return Row{}, &RowError{Line: pe.StartLine, Fields: []model.FieldError{{
				Field: "row", Reason: ReasonSyntax, Value: pe.Err.Error()}}}
		}
		if errors.Is(err, io.EOF) {
			return Row{}, io.EOF
		}
		return Row{}, fmt.Errorf("activitycsv: read: %w", err)
	}
	line, _ := r.r.FieldPos(0)
	a, errs := r.parse(rec)
	if len(errs) == 0 && a.ID != "" {
		if first, ok := r.seenIDs[a.ID]; ok {
			errs = append(errs, model.FieldError{Field: "id", Reason: ReasonDuplicateID, Limit: first})
		} else {
			r.seenIDs[a.ID] = line
		}
	}
	if len(errs) > 0 {
		return Row{}, &RowError{Line: line, Fields: errs}
	}
	return Row{Line: line, Activity: a, Files: export.SplitFileNames(r.cell(rec, slices.Index(Columns, FilesColumn)))}, nil
}

// cell returns the cell of column Columns[col], "" for a column the file
// leaves out.
func (r *Reader) cell(rec []string, col int) string {
	if r.index[col] < 0 {
		return ""
	}
	return rec[r.index[col]]
}

// parse turns one record into an activity, collecting every problem:
// unreadable cells first, then the model's validation of the rest.
func (r *Reader) parse(rec []string) (model.Activity, []model.FieldError) {
	var errs []model.FieldError
	get := func(name string) string { return r.cell(rec, slices.Index(Columns, name)) }
	a := model.Activity{
		Kind: get("kind"), Title: get("title"), StartDate: get("start_date"), EndDate: get("end_date"),
		Country: codes.NormalizeCountry(get("country")), Place: get("place"),
		Partners: get("partners"), Summary: get("summary"), FollowUp: get("follow_up"),
		FollowUpDate: get("follow_up_date"), Status: get("status"),
	}
	a.Visibility = get("visibility")
	if a.Visibility == "" {
		a.Visibility = model.VisibilityOrg
	}
	if id := get("id"); id != "" {
		u, err := uuid.Parse(id)
		if err != nil {
			errs = append(errs, model.FieldError{Field: "id", Reason: ReasonBadID, Value: id})
		} else {
			a.ID = u.String()
		}
	}
	a.OrgID = get("org_id")
	if len(a.OrgID) > MaxOrgID {
		errs = append(errs, model.FieldError{Field: "org_id", Reason: model.ReasonTooLong, Limit: MaxOrgID})
	}
	for _, c := range []struct {
		name string
		dst  **float64
	}{{"lat", &a.Lat}, {"lon", &a.Lon}} {
		v := strings.TrimSpace(get(c.name))
		if v == "" {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, model.FieldError{Field: c.name, Reason: ReasonNotNumber, Value: v})
			continue
		}
		*c.dst = &f
	}
	a.Themes = []string{}
	for t := range strings.SplitSeq(get("themes"), ThemeSeparator) {
		if t = strings.TrimSpace(t); t != "" {
			a.Themes = append(a.Themes, t)
		}
	}
	counts := map[string]int{}
	for _, name := range append(cellFields(), "adults") {
		v := strings.TrimSpace(get(name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, model.FieldError{Field: name, Reason: ReasonNotInteger, Value: v})
			continue
		}
		counts[name] = n
	}
	a.Reach = reachFrom(counts)
	if err := a.Validate(); err != nil {
		var ve *model.ValidationError
		if !errors.As(err, &ve) {
			return a, append(errs, model.FieldError{Field: "row", Reason: ReasonSyntax, Value: err.Error()})
		}
		for _, f := range ve.Fields {
			errs = append(errs, cellError(f, a))
		}
	}
	return a, errs
}

// cellError names a CSV column for a store validation error.
func cellError(f model.FieldError, a model.Activity) model.FieldError {
	switch f.Field {
	case "location":
		f.Field = "lat"
		if a.Lat != nil {
			f.Field = "lon"
		}
	case "lat":
		f.Value = formatFloat(a.Lat)
	case "lon":
		f.Value = formatFloat(a.Lon)
	}
	return f
}

func cellFields() []string {
	var names []string
	for _, c := range (model.Reach{}).Cells() {
		names = append(names, c.Field)
	}
	return names
}

// reachFrom builds a Reach from counts by field name; absent ones are 0.
func reachFrom(counts map[string]int) model.Reach {
	var r model.Reach
	rows := []*[3]int{&r.Girls, &r.Boys, &r.Unrecorded}
	for si, sex := range codes.Sexes.Codes {
		for bi, band := range codes.AgeBands.Codes {
			rows[si][bi] = counts[sex+"_"+band]
		}
	}
	r.Adults = counts["adults"]
	return r
}
