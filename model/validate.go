package model

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Text limits, in characters. They keep one record well inside a sync page.
const (
	MaxTitle    = 200
	MaxPlace    = 200
	MaxPartners = 1000
	MaxSummary  = 10000
	MaxBody     = 20000
	MaxComment  = 5000
	MaxLink     = 2000
	// MaxCount is the largest number accepted in one reach cell: more
	// children than any single activity reaches is a typing mistake.
	MaxCount = 1_000_000
)

// Limits of attached files.
const (
	// MaxFiles is how many files one activity or resource may carry.
	MaxFiles = 20
	// MaxFileSize is the largest file a device attaches, in bytes; the hub
	// enforces a limit of its own, which may be smaller.
	MaxFileSize = 50 << 20
	// MaxFileName is the longest file name, in characters.
	MaxFileName = 255
	// MaxThumb is the largest thumbnail a reference carries, in bytes.
	MaxThumb = 16 << 10
)

// DateLayout is how dates are written in records, CSV and on the wire.
const DateLayout = "2006-01-02"

// Validation reasons carried by [FieldError.Reason]. The UI shows them
// through the localizer as "validation.<reason>".
const (
	ReasonRequired       = "required"
	ReasonTooLong        = "too_long"
	ReasonBadDate        = "bad_date"
	ReasonEndBeforeStart = "end_before_start"
	ReasonNegative       = "negative"
	ReasonTooLarge       = "too_large"
	ReasonUnknownCode    = "unknown_code"
	ReasonOutOfRange     = "out_of_range"
	ReasonBadLink        = "bad_link"
	ReasonPairRequired   = "pair_required"
	// Attached files (see [checker.files]); Value names the file.
	ReasonBadHash       = "bad_hash"
	ReasonBadFileName   = "bad_file_name"
	ReasonEmptyFile     = "empty_file"
	ReasonNoFileType    = "no_file_type"
	ReasonDuplicateFile = "duplicate_file"
	ReasonTooManyFiles  = "too_many_files"
)

// FieldError says which field of a record is wrong and why.
type FieldError struct {
	Field  string
	Reason string
	// Limit is the bound that was crossed, for too_long and too_large.
	Limit int
	// Value is the offending value, for unknown_code.
	Value string
}

// Error says in English which field is wrong and why.
func (e FieldError) Error() string {
	switch e.Reason {
	case ReasonRequired:
		return e.Field + " is required"
	case ReasonTooLong:
		return fmt.Sprintf("%s is longer than %d characters", e.Field, e.Limit)
	case ReasonBadDate:
		return fmt.Sprintf("%s %q is not a date (want YYYY-MM-DD)", e.Field, e.Value)
	case ReasonEndBeforeStart:
		return e.Field + " is before the start date"
	case ReasonNegative:
		return e.Field + " is negative"
	case ReasonTooLarge:
		return fmt.Sprintf("%s is larger than %d", e.Field, e.Limit)
	case ReasonUnknownCode:
		return fmt.Sprintf("%s %q is not a known code", e.Field, e.Value)
	case ReasonOutOfRange:
		return e.Field + " is out of range"
	case ReasonBadLink:
		return fmt.Sprintf("%s %q is not an http or https link", e.Field, e.Value)
	case ReasonPairRequired:
		return e.Field + " needs both latitude and longitude"
	case ReasonBadHash:
		return fmt.Sprintf("%s: file %q has no valid SHA-256 hash (64 lowercase hexadecimal digits)", e.Field, e.Value)
	case ReasonBadFileName:
		return fmt.Sprintf("%s: file name %q must be 1 to %d characters without folders", e.Field, e.Value, e.Limit)
	case ReasonEmptyFile:
		return fmt.Sprintf("%s: file %q is empty", e.Field, e.Value)
	case ReasonNoFileType:
		return fmt.Sprintf("%s: file %q has no type", e.Field, e.Value)
	case ReasonDuplicateFile:
		return fmt.Sprintf("%s: file %q is attached twice", e.Field, e.Value)
	case ReasonTooManyFiles:
		return fmt.Sprintf("%s: more than %d files", e.Field, e.Limit)
	}
	return e.Field + ": " + e.Reason
}

// ValidationError lists every problem found in one record. A write that
// returns it changed nothing.
type ValidationError struct {
	Entity string
	Fields []FieldError
}

// Error lists every problem of the record in English.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return fmt.Sprintf("model: invalid %s: %s", e.Entity, strings.Join(parts, "; "))
}

// Field returns the first error for field, if any.
func (e *ValidationError) Field(field string) (FieldError, bool) {
	for _, f := range e.Fields {
		if f.Field == field {
			return f, true
		}
	}
	return FieldError{}, false
}

type checker struct{ errs []FieldError }

func (c *checker) add(e FieldError) { c.errs = append(c.errs, e) }

func (c *checker) text(field, v string, required bool, limit int) {
	if required && strings.TrimSpace(v) == "" {
		c.add(FieldError{Field: field, Reason: ReasonRequired})
		return
	}
	if utf8.RuneCountInString(v) > limit {
		c.add(FieldError{Field: field, Reason: ReasonTooLong, Limit: limit})
	}
}

func (c *checker) code(field string, l codes.List, v string, required bool) {
	if v == "" {
		if required {
			c.add(FieldError{Field: field, Reason: ReasonRequired})
		}
		return
	}
	if !l.Has(v) {
		c.add(FieldError{Field: field, Reason: ReasonUnknownCode, Value: v})
	}
}

func (c *checker) codes(field string, l codes.List, vs []string) {
	for _, v := range vs {
		if !l.Has(v) {
			c.add(FieldError{Field: field, Reason: ReasonUnknownCode, Value: v})
			return
		}
	}
}

func (c *checker) date(field, v string, required bool) (time.Time, bool) {
	if v == "" {
		if required {
			c.add(FieldError{Field: field, Reason: ReasonRequired})
		}
		return time.Time{}, false
	}
	t, err := time.Parse(DateLayout, v)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		c.add(FieldError{Field: field, Reason: ReasonBadDate, Value: v})
		return time.Time{}, false
	}
	return t, true
}

func (c *checker) count(field string, n int) {
	switch {
	case n < 0:
		c.add(FieldError{Field: field, Reason: ReasonNegative})
	case n > MaxCount:
		c.add(FieldError{Field: field, Reason: ReasonTooLarge, Limit: MaxCount})
	}
}

// files checks a record's attached files: at most limit of them, each
// valid, none twice.
func (c *checker) files(field string, refs []protocol.FileRef, limit int) {
	if len(refs) > limit {
		c.add(FieldError{Field: field, Reason: ReasonTooManyFiles, Limit: limit})
		return
	}
	seen := make(map[string]bool, len(refs))
	for _, r := range refs {
		if e, bad := CheckFileRef(field, r); bad {
			c.add(e)
			return
		}
		if seen[r.Hash] {
			c.add(FieldError{Field: field, Reason: ReasonDuplicateFile, Value: r.Name})
			return
		}
		seen[r.Hash] = true
	}
}

// CheckFileRef checks one file reference of field and returns the first
// problem found, with bad true, or bad false for a valid reference.
func CheckFileRef(field string, r protocol.FileRef) (e FieldError, bad bool) {
	switch {
	case protocol.CheckHash(r.Hash) != nil:
		return FieldError{Field: field, Reason: ReasonBadHash, Value: r.Name}, true
	case r.Name == "" || strings.TrimSpace(r.Name) != r.Name || strings.ContainsAny(r.Name, "/\\\x00") ||
		r.Name == "." || r.Name == ".." || !utf8.ValidString(r.Name) || utf8.RuneCountInString(r.Name) > MaxFileName:
		return FieldError{Field: field, Reason: ReasonBadFileName, Value: r.Name, Limit: MaxFileName}, true
	case r.Size <= 0:
		return FieldError{Field: field, Reason: ReasonEmptyFile, Value: r.Name}, true
	case r.Size > MaxFileSize:
		return FieldError{Field: field, Reason: ReasonTooLarge, Value: r.Name, Limit: MaxFileSize}, true
	case strings.TrimSpace(r.Type) == "" || len(r.Type) > 255:
		return FieldError{Field: field, Reason: ReasonNoFileType, Value: r.Name}, true
	case len(r.Thumb) > MaxThumb:
		return FieldError{Field: field, Reason: ReasonTooLarge, Value: r.Name, Limit: MaxThumb}, true
	}
	return FieldError{}, false
}

func (c *checker) result(entity string) error {
	if len(c.errs) == 0 {
		return nil
	}
	return &ValidationError{Entity: entity, Fields: c.errs}
}

func (c *checker) meta(m Meta) {
	c.code("visibility", codes.Visibilities, m.Visibility, true)
}

// Validate checks every field of a and returns a [*ValidationError] listing
// all problems, or nil.
func (a *Activity) Validate() error {
	var c checker
	c.meta(a.Meta)
	c.code("kind", codes.ActivityKinds, a.Kind, true)
	c.text("title", a.Title, true, MaxTitle)
	start, okStart := c.date("start_date", a.StartDate, true)
	end, okEnd := c.date("end_date", a.EndDate, false)
	if okStart && okEnd && end.Before(start) {
		c.add(FieldError{Field: "end_date", Reason: ReasonEndBeforeStart})
	}
	c.code("country", codes.Countries, a.Country, true)
	c.text("place", a.Place, false, MaxPlace)
	if (a.Lat == nil) != (a.Lon == nil) {
		c.add(FieldError{Field: "location", Reason: ReasonPairRequired})
	}
	if a.Lat != nil && (math.IsNaN(*a.Lat) || *a.Lat < -90 || *a.Lat > 90) {
		c.add(FieldError{Field: "lat", Reason: ReasonOutOfRange})
	}
	if a.Lon != nil && (math.IsNaN(*a.Lon) || *a.Lon < -180 || *a.Lon > 180) {
		c.add(FieldError{Field: "lon", Reason: ReasonOutOfRange})
	}
	c.codes("themes", codes.Themes, a.Themes)
	for _, cell := range a.Reach.Cells() {
		c.count(cell.Field, cell.Value)
	}
	c.count("adults", a.Reach.Adults)
	c.text("partners", a.Partners, false, MaxPartners)
	c.text("summary", a.Summary, false, MaxSummary)
	c.text("follow_up", a.FollowUp, false, MaxSummary)
	c.date("follow_up_date", a.FollowUpDate, false)
	c.code("status", codes.Statuses, a.Status, true)
	c.files("files", a.Files, MaxFiles)
	return c.result("activity")
}

// Validate checks every field of r.
func (r *Resource) Validate() error {
	var c checker
	c.meta(r.Meta)
	c.code("kind", codes.ResourceKinds, r.Kind, true)
	c.text("title", r.Title, true, MaxTitle)
	c.text("body", r.Body, false, MaxBody)
	c.text("language", r.Language, false, 35)
	c.codes("countries", codes.Countries, r.Countries)
	c.codes("themes", codes.Themes, r.Themes)
	c.text("link", r.Link, false, MaxLink)
	if r.Link != "" {
		u, err := url.Parse(r.Link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			c.add(FieldError{Field: "link", Reason: ReasonBadLink, Value: r.Link})
		}
	}
	c.files("files", r.Files, MaxFiles)
	return c.result("resource")
}

// Validate checks every field of cm.
func (cm *Comment) Validate() error {
	var c checker
	c.meta(cm.Meta)
	if cm.ParentEntity != EntityActivity && cm.ParentEntity != EntityResource {
		c.add(FieldError{Field: "parent_entity", Reason: ReasonUnknownCode, Value: cm.ParentEntity})
	}
	c.text("parent_id", cm.ParentID, true, 64)
	c.text("author", cm.Author, false, MaxTitle)
	c.text("body", cm.Body, true, MaxComment)
	if cm.File != nil {
		c.files("file", []protocol.FileRef{*cm.File}, 1)
	}
	return c.result("comment")
}

// Validate checks every field of o.
func (o *Organization) Validate() error {
	var c checker
	c.meta(o.Meta)
	c.text("name", o.Name, true, MaxTitle)
	c.code("country", codes.Countries, o.Country, true)
	c.text("description", o.Description, false, MaxSummary)
	c.text("contact", o.Contact, false, MaxPlace)
	return c.result("organization")
}

// ValidateFields checks a record given as JSON field values, the way the
// hub holds it: every field must decode to its type, and the record must
// pass its entity's Validate. Missing fields take their type's zero value;
// unknown fields are ignored. It returns a [*ValidationError] for invalid
// content, another error for an unknown entity or a value of the wrong type.
func ValidateFields(entity string, raw map[string]json.RawMessage) error {
	sp, ok := specs[entity]
	if !ok {
		return fmt.Errorf("model: unknown entity %q", entity)
	}
	f := make(Fields, len(sp.Fields))
	for _, fs := range sp.Fields {
		v, ok := raw[fs.Name]
		if !ok {
			f[fs.Name] = fs.Zero()
			continue
		}
		dv, err := fs.Decode(v)
		if err != nil {
			return &ValidationError{Entity: entity, Fields: []FieldError{{Field: fs.Name, Reason: "bad_type", Value: err.Error()}}}
		}
		f[fs.Name] = dv
	}
	switch entity {
	case EntityActivity:
		var a Activity
		a.SetFields(f)
		return a.Validate()
	case EntityResource:
		var r Resource
		r.SetFields(f)
		return r.Validate()
	case EntityComment:
		var c Comment
		c.SetFields(f)
		return c.Validate()
	case EntityOrganization:
		var o Organization
		o.SetFields(f)
		return o.Validate()
	}
	return fmt.Errorf("model: unknown entity %q", entity)
}
