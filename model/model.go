// Package model is Fieldbook's record model, one for both databases: the
// entities (activity, resource, comment, organization) and their record
// types, each entity's syncable fields with how a value is held in Go, as
// JSON on the wire and in a table's column, the zero fields a record sent
// without some fields has, and validation with its reasons and limits.
//
// The device's store, the hub and the activity CSV format import it; it
// imports no database. A record's id is made here ([NewID]) so that a
// device and the hub make them alike.
package model

import (
	"time"

	"github.com/google/uuid"

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

// Visibility values: who may see a record.
const (
	// VisibilityOrg: only the owning organization.
	VisibilityOrg = "org"
	// VisibilityNetwork: every organization on the hub.
	VisibilityNetwork = "network"
)

// NewID returns a new record id, a UUIDv7: random, and sortable by
// creation time.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// CreatedOnce are the fields set when a record is made and never changed
// after: who made it, when, and (for a comment) where it belongs. The hub
// ignores them on a create of a record it has; a device never gives them
// back to a restored hub.
var CreatedOnce = []string{"created_by", "created_at", "parent_entity", "parent_id"}

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
