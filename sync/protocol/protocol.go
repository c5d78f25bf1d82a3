// Package protocol defines the messages the device and the hub exchange:
// enrollment, and the sync round trip that pushes a page of local changes
// and pulls a page of hub changes at once. Every message carries the
// protocol version; both sides ignore fields they do not know, so a field
// may be added without a new version.
//
// Keys are short because every change crosses slow, metered links; the
// bodies are sent gzip-compressed.
package protocol

import (
	"encoding/json"
)

// Protocol versions. The hub serves [Version] and [MinVersion]; a client
// older than MinVersion is told to upgrade (HTTP 426, kind [KindTooOld]).
//
// Version 2 lets the hub leave out of a reply the records whose only new
// state is what this device itself just pushed (the device already holds
// it); version 1 replies echo every change. Version 3 adds database
// identity ([Identity], [Diverged], [EpochChange], the fork endpoint) and
// reoffers to a restored hub.
const (
	Version    = 3
	MinVersion = 2
)

// Limits on request bodies; larger requests are refused with HTTP 413.
const (
	// MaxBody is the largest request body on the wire (compressed).
	MaxBody = 1 << 20
	// MaxDecoded is the largest request body after decompression; it
	// guards against compression bombs.
	MaxDecoded = 8 << 20
	// MaxPullBytes is the most the hub puts in one reply's records,
	// before compression; a client may ask for less.
	MaxPullBytes = 512 << 10
)

// Paths of the hub's endpoints.
const (
	PathSync    = "/v1/sync"
	PathEnroll  = "/v1/enroll"
	PathFork    = "/v1/fork"
	PathHealthz = "/healthz"
)

// Ops of a [Change]: the first letter of the store's op names.
const (
	OpCreate = "c"
	OpUpdate = "u"
	OpDelete = "d"
)

// EntityConflict is the entity of a change that resolves a conflict; its
// record id is the conflict's id.
const EntityConflict = "conflict"

// Cursor says how far a device has pulled: hub sequence Seq within hub
// epoch Epoch. A hub restored from a backup starts a new epoch, and a cursor
// of another epoch means "pull everything again".
type Cursor struct {
	Epoch string `json:"e"`
	Seq   int64  `json:"s"`
}

// Change is one local change a device pushes: the new values of the fields
// it changed, made from hub version Base.
type Change struct {
	// Seq is the device's sequence number of the change; never reused.
	Seq    int64  `json:"q,omitempty"`
	Entity string `json:"e"`
	ID     string `json:"i"`
	Org    string `json:"o"`
	Op     string `json:"p"`
	// Base is the hub version of the record the edit was made from.
	Base int64 `json:"b,omitempty"`
	// HLC is the hybrid logical clock time of the change.
	HLC string `json:"h,omitempty"`
	// Fields maps each changed field to its new value. A create leaves out
	// fields holding their type's zero value.
	Fields map[string]json.RawMessage `json:"f"`
	// Origin is the device that first queued the change under this
	// sequence number, when it is not the sender: a database that became a
	// device of its own (a copy) resends what it queued under the id it was
	// copied from, and the hub recognises what it already applied.
	Origin string `json:"og,omitempty"`
	// Reoffer marks a change that gives back to a hub restored from a
	// backup what the device holds beyond that backup (its own work and
	// what it received), with the clock of the state it holds, made from
	// the version the device last saw. It merges like any edit; it may
	// carry another device's record or comment of the same organization.
	Reoffer bool `json:"ro,omitempty"`
}

// Mark names one change of a device: its sequence number and clock.
type Mark struct {
	Seq int64  `json:"s"`
	HLC string `json:"h,omitempty"`
}

// Identity is what a database knows of its own history as a device.
type Identity struct {
	// Known is the last change of this device the hub acknowledged, as
	// this database recorded it; zero before the first acknowledgement.
	Known Mark `json:"kn"`
	// Top is the highest sequence number this database has given a change
	// (acknowledged or not) and its clock. With Known it lets the hub tell
	// a database restored from an older copy, or a copy used beside the
	// original, from the one it has been syncing with.
	Top Mark `json:"top"`
	// Moved says the database found itself in another folder or on another
	// computer than where it last synced: a copied data folder. The hub
	// answers [Diverged] so that it becomes a device of its own before it
	// pushes anything under the original's id.
	Moved bool `json:"mv,omitempty"`
}

// EpochMark says that a hub's data holds every version up to Seq of hub
// epoch Epoch: a restored hub's data came from a backup taken then.
type EpochMark struct {
	Epoch string `json:"e"`
	Seq   int64  `json:"s"`
}

// SyncRequest is one round trip's request: a page of changes and the cursor.
type SyncRequest struct {
	V int `json:"v"`
	// Org is the organization the device believes it belongs to; a hub
	// that enrolled the device elsewhere refuses the request.
	Org    string   `json:"org,omitempty"`
	Cursor Cursor   `json:"cur"`
	Push   []Change `json:"ch,omitempty"`
	// PullBytes asks for at most this many bytes of records (before
	// compression); 0 means the hub's default.
	PullBytes int `json:"pb,omitempty"`
	// Ident says which history of the device this database holds; a
	// device sends it on every request (version 3 and later), and the hub
	// checks it before it applies anything.
	Ident *Identity `json:"id,omitempty"`
	// Echo asks for this device's own changes too: a device that lost what
	// it pushed (a copy, a recovery) needs them back.
	Echo bool `json:"echo,omitempty"`
	// Refetch lists records the device set aside as unreadable; the hub
	// sends their current state again if the device may see them.
	Refetch []string `json:"rf,omitempty"`
}

// Rejection is the hub's refusal of one pushed change.
type Rejection struct {
	Seq    int64  `json:"q,omitempty"`
	Kind   Kind   `json:"k"`
	Reason string `json:"r"`
}

// Record is a record's full state as the hub holds it.
type Record struct {
	Entity  string `json:"e"`
	ID      string `json:"i"`
	Org     string `json:"o"`
	Version int64  `json:"n"`
	HLC     string `json:"h"`
	// Fields holds every field of the record; unknown ones are ignored.
	Fields map[string]json.RawMessage `json:"f"`
}

// Conflict is a field that two devices changed to different values: the
// record holds Winner, Loser waits for someone to choose.
type Conflict struct {
	ID        string          `json:"i"`
	Entity    string          `json:"e"`
	RecordID  string          `json:"r"`
	Field     string          `json:"f"`
	Winner    json.RawMessage `json:"w"`
	Loser     json.RawMessage `json:"l"`
	WinnerHLC string          `json:"wh"`
	LoserHLC  string          `json:"lh"`
	LoserBy   string          `json:"lb"`
	CreatedAt string          `json:"at"`
	Resolved  bool            `json:"x,omitempty"`
	Version   int64           `json:"n"`
}

// SyncResponse answers a [SyncRequest].
type SyncResponse struct {
	V int `json:"v"`
	// Acked is the highest change sequence of this device the hub has
	// applied; every change up to it is done, rejected ones included.
	Acked int64 `json:"ack"`
	// AckedHLC is the clock of change Acked, so that a device restored
	// from an old copy of its database notices that the hub's change Acked
	// is not its own change of that number.
	AckedHLC string      `json:"ah,omitempty"`
	Rejected []Rejection `json:"rej,omitempty"`
	// Cursor is where the next pull starts.
	Cursor    Cursor     `json:"cur"`
	Records   []Record   `json:"rec,omitempty"`
	Conflicts []Conflict `json:"cf,omitempty"`
	// More says the hub has more changes for this device.
	More bool `json:"more,omitempty"`
	// Gone lists records the request asked for again (Refetch) that the
	// hub will not send: unknown to it, or not the device's to see.
	Gone []string `json:"gone,omitempty"`
	// Version is the hub's latest version after this request's changes:
	// the device's acknowledged changes are in the hub's data as of it.
	Version int64 `json:"hv,omitempty"`
	// Diverged is set when the hub found that this database is not the one
	// it has been syncing as this device: restored from an older copy, or a
	// copy used beside the original. Nothing was applied and nothing
	// pulled; the device becomes a device of its own ([ForkRequest]).
	Diverged *Diverged `json:"div,omitempty"`
	// Epoch is set when the request's cursor is of another hub epoch: the
	// hub was restored from a backup. Nothing was applied and nothing
	// pulled; the device rebases its pending changes onto Lineage and
	// pulls everything again, giving back what the hub lacks.
	Epoch *EpochChange `json:"ep,omitempty"`
}

// Diverged says why the hub will not take a request as the device's.
type Diverged struct {
	// Reason is a sentence for logs.
	Reason string `json:"r"`
	// Last is the hub's last applied change of this device.
	Last Mark `json:"l"`
}

// EpochChange describes the hub's current epoch and what it descends from.
type EpochChange struct {
	Epoch string `json:"e"`
	// Lineage lists, oldest first, the earlier epochs whose versions the
	// hub's data holds, each up to the version its backup was taken at.
	Lineage []EpochMark `json:"l,omitempty"`
}

// ForkRequest asks the hub to make the requesting database, which the hub
// found diverged from its device, a device of its own in the same
// organization. It is authenticated with the device's current token.
type ForkRequest struct {
	V    int    `json:"v"`
	Name string `json:"name,omitempty"`
}

// ForkResponse carries the new device's id and token.
type ForkResponse struct {
	V      int    `json:"v"`
	Device string `json:"device"`
	Token  string `json:"token"`
	// CopyOf is the device the new one was copied from.
	CopyOf string `json:"copyOf"`
}

// EnrollRequest trades a one-time enrollment code for a device token.
type EnrollRequest struct {
	V    int    `json:"v"`
	Code string `json:"code"`
	// Device is the device's id (its store's device id).
	Device string `json:"device"`
	// Name is a label for the device list, such as the host name.
	Name string `json:"name,omitempty"`
}

// EnrollResponse carries the device token. The hub keeps only its hash.
type EnrollResponse struct {
	V       int    `json:"v"`
	Token   string `json:"token"`
	Org     string `json:"org"`
	OrgName string `json:"orgName"`
	Role    string `json:"role"`
	// Device is the id the hub enrolled the device under: the requested
	// id, or a fresh one when that id is already taken. The device adopts
	// it. Empty from a hub older than this field.
	Device string `json:"device"`
}
