// Package client is the device side of sync: it drains the store's outbox to
// the hub and applies what the hub sends back, one bounded page per round
// trip. The UI and the headless `fieldbook sync` command drive it through
// the types in this file.
package client

import (
	"context"
	"time"
)

// Status is what the Sync screen shows when no sync is running.
type Status struct {
	// Enrolled says whether this device has a hub and a device token.
	Enrolled bool
	// HubURL is the hub's address, "" before enrollment.
	HubURL string
	// OrgID is the organization the device enrolled into.
	OrgID string
	// Reachable says whether the hub answered the last health check.
	Reachable bool
	// Pending is the number of local changes waiting to go.
	Pending int
	// Rejected is the number of changes the hub refused, kept on the device.
	Rejected int
	// OpenConflicts is the number of unresolved conflicts.
	OpenConflicts int
	// LastSync is when the last sync finished without error; zero if never.
	LastSync time.Time
	// LastError is the last sync's failure in the program's words, "" if
	// it worked; LastProblem classifies it ([ProblemOf]) for the screens.
	LastError   string
	LastProblem Problem
	// Quarantined is the number of pulled records set aside as unreadable.
	Quarantined int
	// Event is the last identity event ([EventCopied], [EventRestored],
	// [EventHubRestored]), "" if none; EventFrom the device id this
	// database synced as before it.
	Event, EventFrom string
}

// Progress reports a running sync after each round trip.
type Progress struct {
	// Pushed and Pulled count records so far.
	Pushed, Pulled int
	// PendingPush is the number of local changes still to send.
	PendingPush int
	// Requests is the number of round trips so far.
	Requests int
	// BytesUp and BytesDown count bytes on the wire, compressed.
	BytesUp, BytesDown int64
}

// Result is the outcome of one full sync.
type Result struct {
	Progress
	// Conflicts is the number of new conflicts the sync brought.
	Conflicts int
	// Rejected is the number of local changes the hub refused in this sync.
	Rejected int
	// Duration is how long the sync took.
	Duration time.Duration
}

// Syncer is what the app's screens and the headless commands need from the
// sync engine; [*Engine] implements it.
type Syncer interface {
	// Enroll registers the device with the hub at hubURL using a one-time
	// code.
	Enroll(ctx context.Context, hubURL, code string) error
	// Sync runs one full sync, reporting progress after each round trip.
	Sync(ctx context.Context, progress func(Progress)) (Result, error)
	// Status reports the state the Sync screen shows, without the network.
	Status(ctx context.Context) (Status, error)
	// Run syncs in the background until ctx is done.
	Run(ctx context.Context) error
}

var _ Syncer = (*Engine)(nil)
