package model

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// FieldType says how a field's value is held: in Go (in [Fields]), as
// JSON on the wire, and in a table's column.
type FieldType int

// Field types.
const (
	// TypeText is a string; a text column.
	TypeText FieldType = iota
	// TypeInt is an int64; an integer column.
	TypeInt
	// TypeFloatOrNull is a *float64, nil for none; a real column or NULL.
	TypeFloatOrNull
	// TypeList is a []string (never nil); a JSON array in a text column.
	TypeList
	// TypeFiles is a []protocol.FileRef (never nil); a JSON array in a
	// text column.
	TypeFiles
	// TypeFile is one *protocol.FileRef, nil for none; JSON (null for
	// none) in a text column.
	TypeFile
)

// Field is one syncable field of an entity: its name, which is also its
// column's, and its type.
type Field struct {
	Name string
	Type FieldType
}

// Spec describes an entity: the table a database keeps its records in and
// its syncable fields, the meta fields first. Every field is merged field
// by field. A Spec is shared: do not change it.
type Spec struct {
	Entity string
	Table  string
	Fields []Field
}

var metaFields = []Field{{"visibility", TypeText}, {"created_by", TypeText}, {"created_at", TypeText}, {"deleted", TypeInt}}

func spec(entity, table string, content ...Field) *Spec {
	return &Spec{Entity: entity, Table: table, Fields: append(append([]Field(nil), metaFields...), content...)}
}

var activitySpec = spec(EntityActivity, "activities",
	Field{"kind", TypeText}, Field{"title", TypeText}, Field{"start_date", TypeText}, Field{"end_date", TypeText},
	Field{"country", TypeText}, Field{"place", TypeText}, Field{"lat", TypeFloatOrNull}, Field{"lon", TypeFloatOrNull},
	Field{"themes", TypeList},
	Field{"girls_0_5", TypeInt}, Field{"girls_6_11", TypeInt}, Field{"girls_12_17", TypeInt},
	Field{"boys_0_5", TypeInt}, Field{"boys_6_11", TypeInt}, Field{"boys_12_17", TypeInt},
	Field{"unrecorded_0_5", TypeInt}, Field{"unrecorded_6_11", TypeInt}, Field{"unrecorded_12_17", TypeInt},
	Field{"adults", TypeInt},
	Field{"partners", TypeText}, Field{"summary", TypeText}, Field{"follow_up", TypeText},
	Field{"follow_up_date", TypeText}, Field{"status", TypeText},
	Field{"files", TypeFiles},
)

var resourceSpec = spec(EntityResource, "resources",
	Field{"kind", TypeText}, Field{"title", TypeText}, Field{"body", TypeText}, Field{"language", TypeText},
	Field{"countries", TypeList}, Field{"themes", TypeList}, Field{"link", TypeText},
	Field{"files", TypeFiles},
)

var commentSpec = spec(EntityComment, "comments",
	Field{"parent_entity", TypeText}, Field{"parent_id", TypeText}, Field{"author", TypeText}, Field{"body", TypeText},
	Field{"file", TypeFile},
)

var organizationSpec = spec(EntityOrganization, "organizations",
	Field{"name", TypeText}, Field{"country", TypeText}, Field{"description", TypeText}, Field{"contact", TypeText},
)

var specs = map[string]*Spec{
	EntityActivity: activitySpec, EntityResource: resourceSpec,
	EntityComment: commentSpec, EntityOrganization: organizationSpec,
}

// SpecOf returns the spec of entity, or ok=false for an unknown entity.
func SpecOf(entity string) (sp *Spec, ok bool) {
	sp, ok = specs[entity]
	return sp, ok
}

// Entities returns the entity names of the model, in a fixed order.
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
	names := make([]string, len(sp.Fields))
	for i, f := range sp.Fields {
		names[i] = f.Name
	}
	return names
}

// Fields is the generic view of a record's syncable fields: field name to
// value, each of its field's [FieldType].
type Fields map[string]any

// BoolInt is the value of a yes-or-no field such as "deleted": 1 or 0.
func BoolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// SetMeta sets the meta fields f holds (visibility, created_by,
// created_at, deleted) from m.
func (f Fields) SetMeta(m Meta) {
	f["visibility"] = m.Visibility
	f["created_by"] = m.CreatedBy
	f["created_at"] = m.CreatedAt.UTC().Format(time.RFC3339Nano)
	f["deleted"] = BoolInt(m.Deleted)
}

// MetaTo sets the parts of m that f holds (visibility, creator, creation
// time, tombstone); the rest of m is the database's to say.
func (f Fields) MetaTo(m *Meta) {
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

// Fields returns a's syncable fields, its meta included.
func (a *Activity) Fields() Fields {
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
	f.SetMeta(a.Meta)
	return f
}

// AppendColumns appends the activity's column values with the meta of m,
// in the order of the activity spec's fields, as [Field.Column] makes them
// from [Activity.Fields]: a batch insert's path, without building the map.
func (a *Activity) AppendColumns(dst []any, m Meta) []any {
	dst = append(dst, m.Visibility, m.CreatedBy, m.CreatedAt.UTC().Format(time.RFC3339Nano), BoolInt(m.Deleted),
		a.Kind, a.Title, a.StartDate, a.EndDate, a.Country, a.Place, floatOrNil(a.Lat), floatOrNil(a.Lon),
		string(EncodeValue(listOrEmpty(a.Themes))))
	for _, row := range [...]*[3]int{&a.Reach.Girls, &a.Reach.Boys, &a.Reach.Unrecorded} {
		for _, v := range row {
			dst = append(dst, int64(v))
		}
	}
	return append(dst, int64(a.Reach.Adults), a.Partners, a.Summary, a.FollowUp, a.FollowUpDate, a.Status,
		string(EncodeValue(refsOrEmpty(a.Files))))
}

// floatOrNil is the column value of an optional number.
func floatOrNil(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// SetFields sets a from f, which holds every field of an activity with
// values of its field's type (as [Field.Decode] or [Activity.Fields] make
// them); it panics otherwise. The meta f does not hold is left alone.
func (a *Activity) SetFields(f Fields) {
	f.MetaTo(&a.Meta)
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

// Fields returns r's syncable fields, its meta included.
func (r *Resource) Fields() Fields {
	f := Fields{
		"kind": r.Kind, "title": r.Title, "body": r.Body, "language": r.Language,
		"countries": listOrEmpty(r.Countries), "themes": listOrEmpty(r.Themes), "link": r.Link,
		"files": refsOrEmpty(r.Files),
	}
	f.SetMeta(r.Meta)
	return f
}

// SetFields sets r from f, as [Activity.SetFields] does an activity.
func (r *Resource) SetFields(f Fields) {
	f.MetaTo(&r.Meta)
	r.Kind, r.Title, r.Body, r.Language = f["kind"].(string), f["title"].(string), f["body"].(string), f["language"].(string)
	r.Countries, r.Themes, r.Link = f["countries"].([]string), f["themes"].([]string), f["link"].(string)
	r.Files = refsOrNil(f["files"].([]protocol.FileRef))
}

// Fields returns c's syncable fields, its meta included.
func (c *Comment) Fields() Fields {
	f := Fields{"parent_entity": c.ParentEntity, "parent_id": c.ParentID, "author": c.Author, "body": c.Body, "file": c.File}
	f.SetMeta(c.Meta)
	return f
}

// SetFields sets c from f, as [Activity.SetFields] does an activity.
func (c *Comment) SetFields(f Fields) {
	f.MetaTo(&c.Meta)
	c.ParentEntity, c.ParentID = f["parent_entity"].(string), f["parent_id"].(string)
	c.Author, c.Body = f["author"].(string), f["body"].(string)
	c.File = f["file"].(*protocol.FileRef)
}

// Fields returns o's syncable fields, its meta included.
func (o *Organization) Fields() Fields {
	f := Fields{"name": o.Name, "country": o.Country, "description": o.Description, "contact": o.Contact}
	f.SetMeta(o.Meta)
	return f
}

// SetFields sets o from f, as [Activity.SetFields] does an activity.
func (o *Organization) SetFields(f Fields) {
	f.MetaTo(&o.Meta)
	o.Name, o.Country, o.Description, o.Contact = f["name"].(string), f["country"].(string), f["description"].(string), f["contact"].(string)
}

// EncodeValue writes a field value as JSON for the outbox and the wire. v
// must be a value of a [FieldType]; it panics otherwise.
func EncodeValue(v any) json.RawMessage {
	if p, ok := v.(*float64); ok && p == nil {
		return json.RawMessage("null")
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("model: encode field value %T: %v", v, err)) // only values of a field type reach here
	}
	return b
}

// EqualValues reports whether two field values are the same.
func EqualValues(a, b any) bool {
	return string(EncodeValue(a)) == string(EncodeValue(b))
}

// Decode reads a JSON field value into the type the field holds.
func (fs Field) Decode(raw json.RawMessage) (any, error) {
	switch fs.Type {
	case TypeText:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("field %s: want text: %w", fs.Name, err)
		}
		return s, nil
	case TypeInt:
		var n int64
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil, fmt.Errorf("field %s: want integer: %w", fs.Name, err)
		}
		return n, nil
	case TypeFloatOrNull:
		var p *float64
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("field %s: want number or null: %w", fs.Name, err)
		}
		return p, nil
	case TypeList:
		var l []string
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("field %s: want list of text: %w", fs.Name, err)
		}
		return listOrEmpty(l), nil
	case TypeFiles:
		var l []protocol.FileRef
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("field %s: want list of file references: %w", fs.Name, err)
		}
		return refsOrEmpty(l), nil
	case TypeFile:
		var p *protocol.FileRef
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("field %s: want a file reference or null: %w", fs.Name, err)
		}
		return p, nil
	}
	return nil, fmt.Errorf("field %s: unknown type", fs.Name)
}

// Column converts a value of the field to what database/sql stores.
func (fs Field) Column(v any) any {
	switch fs.Type {
	case TypeList, TypeFiles, TypeFile:
		return string(EncodeValue(v))
	case TypeFloatOrNull:
		if p := v.(*float64); p != nil {
			return *p
		}
		return nil
	}
	return v
}

// ScanTarget returns a pointer database/sql can scan the field's column
// into; [Field.FromScanned] reads the value from it.
func (fs Field) ScanTarget() any {
	switch fs.Type {
	case TypeInt:
		return new(int64)
	case TypeFloatOrNull:
		return new(*float64)
	}
	return new(string)
}

// FromScanned converts a column scanned into p, a [Field.ScanTarget], to
// a field value.
func (fs Field) FromScanned(p any) (any, error) {
	switch fs.Type {
	case TypeInt:
		return *p.(*int64), nil
	case TypeFloatOrNull:
		return *p.(**float64), nil
	case TypeList:
		var l []string
		if err := json.Unmarshal([]byte(*p.(*string)), &l); err != nil {
			return nil, fmt.Errorf("column %s: %w", fs.Name, err)
		}
		return listOrEmpty(l), nil
	case TypeFiles, TypeFile:
		return fs.Decode(json.RawMessage(*p.(*string)))
	}
	return *p.(*string), nil
}

// Zero returns the zero value of the field's type: "", 0, nil or an empty
// list.
func (fs Field) Zero() any {
	switch fs.Type {
	case TypeInt:
		return int64(0)
	case TypeFloatOrNull:
		return (*float64)(nil)
	case TypeList:
		return []string{}
	case TypeFiles:
		return []protocol.FileRef{}
	case TypeFile:
		return (*protocol.FileRef)(nil)
	}
	return ""
}

// ZeroFields returns every syncable field of entity with its type's zero
// value as JSON ("", 0, null or []), or nil for an unknown entity. A record
// sent without some fields has these values in them.
func ZeroFields(entity string) map[string]json.RawMessage {
	sp, ok := specs[entity]
	if !ok {
		return nil
	}
	out := make(map[string]json.RawMessage, len(sp.Fields))
	for _, fs := range sp.Fields {
		out[fs.Name] = EncodeValue(fs.Zero())
	}
	return out
}
