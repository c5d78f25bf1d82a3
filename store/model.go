package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Entity names, as stored in the outbox and sent on the wire.
const (
	EntityActivity     = "activity"
	EntityResource     = "resource"
	EntityComment      = "comment"
	EntityOrganization = "organization"
)

// Visibility values; see ../shared/DESIGN.md.
const (
	VisibilityOrg     = "org"
	VisibilityNetwork = "network"
)

// Meta is what every record carries besides its content.
type Meta struct {
	// ID is a UUIDv7 made on the device that created the record.
	ID string
	// OrgID is the owning organization.
	OrgID string
	// Visibility is "org" (owning organization only) or "network".
	Visibility string
	// CreatedBy is the device that created the record.
	CreatedBy string
	// CreatedAt is when it was created, in UTC.
	CreatedAt time.Time
	// UpdatedAt is the hybrid-logical-clock time of the last change.
	UpdatedAt hlc.Timestamp
	// Deleted marks a tombstone: the record is hidden but kept for sync.
	Deleted bool
	// Version is the hub sequence the record was last seen at; 0 if never.
	Version int64
}

// Reach is the number of people an activity reached: children by sex and age
// band, and adults. Index the arrays by age band: 0–5, 6–11, 12–17.
type Reach struct {
	Girls      [3]int
	Boys       [3]int
	Unrecorded [3]int
	Adults     int
}

// ReachCell is one cell of the reach matrix with its field name.
type ReachCell struct {
	Field string // "girls_0_5" …
	Sex   string // a [codes.Sexes] code
	Band  string // a [codes.AgeBands] code
	Value int
}

// cellFields holds the child cells' field names, by sex then age band,
// made once rather than for every record written or checked.
var cellFields = func() (f [3][3]string) {
	for si, sex := range codes.Sexes.Codes {
		for bi, band := range codes.AgeBands.Codes {
			f[si][bi] = sex + "_" + band
		}
	}
	return f
}()

// Cells returns the nine child cells in field order.
func (r Reach) Cells() []ReachCell {
	cells := make([]ReachCell, 0, 9)
	for si, row := range [][3]int{r.Girls, r.Boys, r.Unrecorded} {
		for bi, v := range row {
			cells = append(cells, ReachCell{Field: cellFields[si][bi], Sex: codes.Sexes.Codes[si], Band: codes.AgeBands.Codes[bi], Value: v})
		}
	}
	return cells
}

// Children returns the total number of children reached.
func (r Reach) Children() int {
	n := 0
	for _, c := range r.Cells() {
		n += c.Value
	}
	return n
}

// cell returns a pointer to the count named field, or nil.
func (r *Reach) cell(field string) *int {
	if field == "adults" {
		return &r.Adults
	}
	for si, row := range []*[3]int{&r.Girls, &r.Boys, &r.Unrecorded} {
		for bi := range row {
			if codes.Sexes.Codes[si]+"_"+codes.AgeBands.Codes[bi] == field {
				return &row[bi]
			}
		}
	}
	return nil
}

// Activity is an advocacy activity logged by field staff. It holds no child's
// name or other identifying detail.
type Activity struct {
	Meta
	Kind         string
	Title        string
	StartDate    string // YYYY-MM-DD
	EndDate      string // YYYY-MM-DD or ""
	Country      string // ISO 3166-1 alpha-2
	Place        string
	Lat, Lon     *float64
	Themes       []string
	Reach        Reach
	Partners     string
	Summary      string
	FollowUp     string
	FollowUpDate string
	Status       string
	// Files are the attached files (at most [MaxFiles]), by reference.
	Files []protocol.FileRef
}

// Resource is knowledge shared across the network: a guide, toolkit, policy
// brief, experience or question.
type Resource struct {
	Meta
	Kind      string
	Title     string
	Body      string
	Language  string
	Countries []string
	Themes    []string
	Link      string
	// Files are the attached files (at most [MaxFiles]), by reference.
	Files []protocol.FileRef
}

// Comment is one message in the discussion under an activity or resource.
// Comments are append-only and never conflict.
type Comment struct {
	Meta
	ParentEntity string
	ParentID     string
	Author       string
	Body         string
	// File is the one attached file, or nil.
	File *protocol.FileRef
}

// Organization is an entry in the network directory.
type Organization struct {
	Meta
	Name        string
	Country     string
	Description string
	Contact     string
}

// Field types of the generic record view used by the outbox and sync.
type fieldType int

const (
	fText fieldType = iota
	fInt
	fFloatNull
	fList
	// fFiles is a list of [protocol.FileRef] ([]protocol.FileRef).
	fFiles
	// fFile is one [protocol.FileRef] or none (*protocol.FileRef, nil).
	fFile
)

type fieldSpec struct {
	name string
	typ  fieldType
}

// entitySpec describes an entity's table and its syncable fields. The
// fields are column names; every one of them is merged field by field.
type entitySpec struct {
	entity string
	table  string
	fields []fieldSpec
	// fts names the full-text table indexing ftsCols, or "" for none. New
	// rows are indexed by [indexNewRows]; triggers handle updates and deletes.
	fts     string
	ftsCols string
}

var metaFields = []fieldSpec{{"visibility", fText}, {"created_by", fText}, {"created_at", fText}, {"deleted", fInt}}

func spec(entity, table string, content ...fieldSpec) *entitySpec {
	return &entitySpec{entity: entity, table: table, fields: append(append([]fieldSpec(nil), metaFields...), content...)}
}

var activitySpec = spec(EntityActivity, "activities",
	fieldSpec{"kind", fText}, fieldSpec{"title", fText}, fieldSpec{"start_date", fText}, fieldSpec{"end_date", fText},
	fieldSpec{"country", fText}, fieldSpec{"place", fText}, fieldSpec{"lat", fFloatNull}, fieldSpec{"lon", fFloatNull},
	fieldSpec{"themes", fList},
	fieldSpec{"girls_0_5", fInt}, fieldSpec{"girls_6_11", fInt}, fieldSpec{"girls_12_17", fInt},
	fieldSpec{"boys_0_5", fInt}, fieldSpec{"boys_6_11", fInt}, fieldSpec{"boys_12_17", fInt},
	fieldSpec{"unrecorded_0_5", fInt}, fieldSpec{"unrecorded_6_11", fInt}, fieldSpec{"unrecorded_12_17", fInt},
	fieldSpec{"adults", fInt},
	fieldSpec{"partners", fText}, fieldSpec{"summary", fText}, fieldSpec{"follow_up", fText},
	fieldSpec{"follow_up_date", fText}, fieldSpec{"status", fText},
	fieldSpec{"files", fFiles},
)

func init() {
	activitySpec.fts, activitySpec.ftsCols = "activities_fts", "title, summary, place, partners"
	resourceSpec.fts, resourceSpec.ftsCols = "resources_fts", "title, body"
}

var resourceSpec = spec(EntityResource, "resources",
	fieldSpec{"kind", fText}, fieldSpec{"title", fText}, fieldSpec{"body", fText}, fieldSpec{"language", fText},
	fieldSpec{"countries", fList}, fieldSpec{"themes", fList}, fieldSpec{"link", fText},
	fieldSpec{"files", fFiles},
)

var commentSpec = spec(EntityComment, "comments",
	fieldSpec{"parent_entity", fText}, fieldSpec{"parent_id", fText}, fieldSpec{"author", fText}, fieldSpec{"body", fText},
	fieldSpec{"file", fFile},
)

var organizationSpec = spec(EntityOrganization, "organizations",
	fieldSpec{"name", fText}, fieldSpec{"country", fText}, fieldSpec{"description", fText}, fieldSpec{"contact", fText},
)

var specs = map[string]*entitySpec{
	EntityActivity: activitySpec, EntityResource: resourceSpec,
	EntityComment: commentSpec, EntityOrganization: organizationSpec,
}

// Entities returns the entity names the store knows, in a fixed order.
func Entities() []string {
	return []string{EntityOrganization, EntityActivity, EntityResource, EntityComment}
}

// FieldNames returns the syncable field names of entity, or nil if the
// entity is unknown.
func FieldNames(entity string) []string {
	sp, ok := specs[entity]
	if !ok {
		return nil
	}
	names := make([]string, len(sp.fields))
	for i, f := range sp.fields {
		names[i] = f.name
	}
	return names
}

// Fields is the generic view of a record's syncable fields: column name to
// value. Values are string, int64, *float64 (nil for empty) or []string.
type Fields map[string]any

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func metaToFields(m Meta, f Fields) {
	f["visibility"] = m.Visibility
	f["created_by"] = m.CreatedBy
	f["created_at"] = m.CreatedAt.UTC().Format(time.RFC3339Nano)
	f["deleted"] = boolInt(m.Deleted)
}

func metaFromFields(m *Meta, f Fields) {
	m.Visibility = f["visibility"].(string)
	m.CreatedBy = f["created_by"].(string)
	m.CreatedAt, _ = time.Parse(time.RFC3339Nano, f["created_at"].(string))
	m.Deleted = f["deleted"].(int64) != 0
}

func listOrEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// refsOrNil is a record's files as its struct holds them: nil for none.
func refsOrNil(l []protocol.FileRef) []protocol.FileRef {
	if len(l) == 0 {
		return nil
	}
	return l
}

func refsOrEmpty(l []protocol.FileRef) []protocol.FileRef {
	if l == nil {
		return []protocol.FileRef{}
	}
	return l
}

func (a *Activity) fields() Fields {
	f := Fields{
		"kind": a.Kind, "title": a.Title, "start_date": a.StartDate, "end_date": a.EndDate,
		"country": a.Country, "place": a.Place, "lat": a.Lat, "lon": a.Lon, "themes": listOrEmpty(a.Themes),
		"adults": int64(a.Reach.Adults), "partners": a.Partners, "summary": a.Summary,
		"follow_up": a.FollowUp, "follow_up_date": a.FollowUpDate, "status": a.Status,
		"files": refsOrEmpty(a.Files),
	}
	for _, c := range a.Reach.Cells() {
		f[c.Field] = int64(c.Value)
	}
	metaToFields(a.Meta, f)
	return f
}

// appendColumns appends the activity's column values with the meta of m,
// in the order of [activitySpec]'s fields, as columnValue makes them from
// [Activity.fields]: the batch insert's path, without building the map.
func (a *Activity) appendColumns(dst []any, m Meta) []any {
	dst = append(dst, m.Visibility, m.CreatedBy, m.CreatedAt.UTC().Format(time.RFC3339Nano), boolInt(m.Deleted),
		a.Kind, a.Title, a.StartDate, a.EndDate, a.Country, a.Place, floatOrNil(a.Lat), floatOrNil(a.Lon),
		string(encodeValue(listOrEmpty(a.Themes))))
	for _, row := range [...]*[3]int{&a.Reach.Girls, &a.Reach.Boys, &a.Reach.Unrecorded} {
		for _, v := range row {
			dst = append(dst, int64(v))
		}
	}
	return append(dst, int64(a.Reach.Adults), a.Partners, a.Summary, a.FollowUp, a.FollowUpDate, a.Status,
		string(encodeValue(refsOrEmpty(a.Files))))
}

// floatOrNil is the column value of an optional number.
func floatOrNil(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func (a *Activity) setFields(f Fields) {
	metaFromFields(&a.Meta, f)
	a.Kind, a.Title = f["kind"].(string), f["title"].(string)
	a.StartDate, a.EndDate = f["start_date"].(string), f["end_date"].(string)
	a.Country, a.Place = f["country"].(string), f["place"].(string)
	a.Lat, a.Lon = f["lat"].(*float64), f["lon"].(*float64)
	a.Themes = f["themes"].([]string)
	for _, c := range a.Reach.Cells() {
		*a.Reach.cell(c.Field) = int(f[c.Field].(int64))
	}
	a.Reach.Adults = int(f["adults"].(int64))
	a.Partners, a.Summary = f["partners"].(string), f["summary"].(string)
	a.FollowUp, a.FollowUpDate, a.Status = f["follow_up"].(string), f["follow_up_date"].(string), f["status"].(string)
	a.Files = refsOrNil(f["files"].([]protocol.FileRef))
}

func (r *Resource) fields() Fields {
	f := Fields{
		"kind": r.Kind, "title": r.Title, "body": r.Body, "language": r.Language,
		"countries": listOrEmpty(r.Countries), "themes": listOrEmpty(r.Themes), "link": r.Link,
		"files": refsOrEmpty(r.Files),
	}
	metaToFields(r.Meta, f)
	return f
}

func (r *Resource) setFields(f Fields) {
	metaFromFields(&r.Meta, f)
	r.Kind, r.Title, r.Body, r.Language = f["kind"].(string), f["title"].(string), f["body"].(string), f["language"].(string)
	r.Countries, r.Themes, r.Link = f["countries"].([]string), f["themes"].([]string), f["link"].(string)
	r.Files = refsOrNil(f["files"].([]protocol.FileRef))
}

func (c *Comment) fields() Fields {
	f := Fields{"parent_entity": c.ParentEntity, "parent_id": c.ParentID, "author": c.Author, "body": c.Body, "file": c.File}
	metaToFields(c.Meta, f)
	return f
}

func (c *Comment) setFields(f Fields) {
	metaFromFields(&c.Meta, f)
	c.ParentEntity, c.ParentID = f["parent_entity"].(string), f["parent_id"].(string)
	c.Author, c.Body = f["author"].(string), f["body"].(string)
	c.File = f["file"].(*protocol.FileRef)
}

func (o *Organization) fields() Fields {
	f := Fields{"name": o.Name, "country": o.Country, "description": o.Description, "contact": o.Contact}
	metaToFields(o.Meta, f)
	return f
}

func (o *Organization) setFields(f Fields) {
	metaFromFields(&o.Meta, f)
	o.Name, o.Country, o.Description, o.Contact = f["name"].(string), f["country"].(string), f["description"].(string), f["contact"].(string)
}

// encodeValue writes a field value as JSON for the outbox and the wire.
func encodeValue(v any) json.RawMessage {
	if p, ok := v.(*float64); ok && p == nil {
		return json.RawMessage("null")
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: encode field value %T: %v", v, err)) // only store-made values reach here
	}
	return b
}

// decodeValue reads a JSON field value into the type the field holds.
func (fs fieldSpec) decodeValue(raw json.RawMessage) (any, error) {
	switch fs.typ {
	case fText:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("field %s: want text: %w", fs.name, err)
		}
		return s, nil
	case fInt:
		var n int64
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil, fmt.Errorf("field %s: want integer: %w", fs.name, err)
		}
		return n, nil
	case fFloatNull:
		var p *float64
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("field %s: want number or null: %w", fs.name, err)
		}
		return p, nil
	case fList:
		var l []string
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("field %s: want list of text: %w", fs.name, err)
		}
		return listOrEmpty(l), nil
	case fFiles:
		var l []protocol.FileRef
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("field %s: want list of file references: %w", fs.name, err)
		}
		return refsOrEmpty(l), nil
	case fFile:
		var p *protocol.FileRef
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("field %s: want a file reference or null: %w", fs.name, err)
		}
		return p, nil
	}
	return nil, fmt.Errorf("field %s: unknown type", fs.name)
}

// columnValue converts a field value to what database/sql stores.
func (fs fieldSpec) columnValue(v any) any {
	switch fs.typ {
	case fList, fFiles, fFile:
		return string(encodeValue(v))
	case fFloatNull:
		if p := v.(*float64); p != nil {
			return *p
		}
		return nil
	}
	return v
}

// scanTarget returns a pointer database/sql can scan the column into.
func (fs fieldSpec) scanTarget() any {
	switch fs.typ {
	case fInt:
		return new(int64)
	case fFloatNull:
		return new(*float64)
	}
	return new(string)
}

// fromScanned converts a scanned column to a field value.
func (fs fieldSpec) fromScanned(p any) (any, error) {
	switch fs.typ {
	case fInt:
		return *p.(*int64), nil
	case fFloatNull:
		return *p.(**float64), nil
	case fList:
		var l []string
		if err := json.Unmarshal([]byte(*p.(*string)), &l); err != nil {
			return nil, fmt.Errorf("column %s: %w", fs.name, err)
		}
		return listOrEmpty(l), nil
	case fFiles, fFile:
		return fs.decodeValue(json.RawMessage(*p.(*string)))
	}
	return *p.(*string), nil
}

// equalValues reports whether two field values are the same.
func equalValues(a, b any) bool {
	return string(encodeValue(a)) == string(encodeValue(b))
}

// ZeroFields returns every syncable field of entity with its type's zero
// value as JSON ("", 0, null or []), or nil for an unknown entity. A record
// sent without some fields has these values in them.
func ZeroFields(entity string) map[string]json.RawMessage {
	sp, ok := specs[entity]
	if !ok {
		return nil
	}
	out := make(map[string]json.RawMessage, len(sp.fields))
	for _, fs := range sp.fields {
		out[fs.name] = encodeValue(zeroValue(fs))
	}
	return out
}
