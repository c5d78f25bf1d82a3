// Package client is the device side of sync: it drains the store's outbox to
// the hub and applies what the hub sends back, one bounded page per round
// trip. The UI and the headless `fieldbook sync` command drive it through
// the types in this file.
package client

import (
	"context"
	"time"

	"github.com/a20-network/fieldbook/store"
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
	// FilesToSend is the number of files waiting to go to the hub, whole
	// or in part; FilesToFetch those to download (the small ones a sync
	// fetches by itself and those a person asked for).
	FilesToSend, FilesToFetch int
	// FilesRefused are the files the hub refused to take, each with the
	// hub's reason ([store.FileState.Refused]).
	FilesRefused []store.FileState
	// Transfer is the file moving now, nil if none.
	Transfer *FileProgress
}

// FileProgress is how far the transfer of one file has come: the screens
// show "sending 40 %" from it.
type FileProgress struct {
	Hash string
	// Up is true for a file being sent, false for one being downloaded.
	Up bool
	// Done is the bytes the hub acknowledged (Up) or this device holds;
	// Size the file's size.
	Done, Size int64
}

// Percent is how much of the file has moved, 0 to 100.
func (p FileProgress) Percent() int {
	if p.Size <= 0 {
		return 0
	}
	return int(p.Done * 100 / p.Size)
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
	// FilesSent and FilesFetched count files that became whole on the hub
	// and here in this sync; FileBytesUp and FileBytesDown the chunk bytes
	// sent and received, those of cut requests included.
	FilesSent, FilesFetched    int
	FileBytesUp, FileBytesDown int64
	// File is the file moving now, nil between files.
	File *FileProgress
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
	// Fetcher downloads a file a person asked for, now.
	Fetcher
}

// Fetcher downloads a file a person asked for; [*Engine] implements it.
type Fetcher interface {
	// Fetch downloads the file with hash, reporting its progress; a
	// cancelled ctx stops it, and the next Fetch or sync resumes it where
	// it stood.
	Fetch(ctx context.Context, hash string, progress func(done, total int64)) error
}

var (
	_ Syncer  = (*Engine)(nil)
	_ Fetcher = (*Engine)(nil)
)
