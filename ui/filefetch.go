package ui

import (
	"context"
	"errors"
	"log/slog"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// fetch is a download a person started from a file's row ([UI.startFetch]),
// kept in [UI.fetches] by the file's hash so that it outlives a reload of
// the rows and a language switch. It is used on Fyne's goroutine only.
type fetch struct {
	// cancel stops the download; nil once it has ended.
	cancel context.CancelFunc
	// cancelled says Cancel was pressed and the download is stopping.
	cancelled bool
	// done and total are the bytes held and the file's size.
	done, total int64
	// err is why the last download ended without the file, nil if it did
	// not; hub is the hub's address then, to name it.
	err error
	hub string
}

// running reports whether the download is under way; a nil fetch is not.
func (f *fetch) running() bool { return f != nil && f.cancel != nil }

// startFetch downloads the file ref from the hub now, off Fyne's
// goroutine, with its row saying how far it has come ("Downloading 40 %
// (1.1 MB of 2.8 MB)") and offering Cancel. The file is marked as asked
// for, so a download that fails (no network, say) is made by the next
// sync; one that is cancelled is not, and the next Download resumes from
// the bytes already here. On failure the row says why, in the person's
// language; a device with no hub says so.
func (u *UI) startFetch(ref protocol.FileRef) {
	hash := ref.Hash
	if u.fetches[hash].running() {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &fetch{cancel: cancel, total: ref.Size}
	if u.fetches == nil {
		u.fetches = map[string]*fetch{}
	}
	u.fetches[hash] = f
	u.showFetch(hash)
	syncer, st := u.deps.Syncer, u.deps.Store
	u.run.async(func() func() {
		defer cancel()
		hub, err := fetchFile(ctx, syncer, st, hash, func(done, total int64) {
			u.run.post(func() {
				if u.fetches[hash] == f && f.running() {
					f.done, f.total = done, total
					u.showFetch(hash)
				}
			})
		})
		stopped := err != nil && ctx.Err() != nil
		if stopped {
			// A person stopped it: the next sync leaves it alone; what is
			// here stays for the next Download.
			if werr := st.WantFile(context.Background(), hash, false); werr != nil {
				slog.Warn("fileUnwant", "hash", hash, "err", werr)
			}
		} else if err != nil {
			slog.Warn("fileDownloadFailed", "hash", hash, "err", err)
		}
		return func() {
			if u.fetches[hash] != f {
				return
			}
			f.cancel = nil
			switch {
			case err == nil:
				delete(u.fetches, hash)
				u.notice.show(u, u.l.T("notice.file_downloaded", "Name", ref.Name), "", nil)
			case stopped:
				delete(u.fetches, hash)
			default:
				f.err, f.hub = err, hub
			}
			u.reloadFiles()
		}
	})
}

// fetchFile downloads the file with hash through syncer, reporting its
// progress, and returns the hub's address for naming it in a problem. A
// device with no hub gets [client.ErrNotEnrolled], its file marked as
// asked for so that it comes with the first sync. It runs off Fyne's
// goroutine.
func fetchFile(ctx context.Context, syncer client.Syncer, st Store, hash string, progress func(done, total int64)) (string, error) {
	if syncer == nil {
		return "", errors.Join(client.ErrNotEnrolled, st.WantFile(ctx, hash, true))
	}
	status, err := syncer.Status(ctx)
	if err != nil {
		return "", err
	}
	if !status.Enrolled {
		return "", errors.Join(client.ErrNotEnrolled, st.WantFile(ctx, hash, true))
	}
	return status.HubURL, syncer.Fetch(ctx, hash, progress)
}

// cancelFetch stops the download of the file with hash that a person
// started, if one runs; its row says so once it has stopped.
func (u *UI) cancelFetch(hash string) {
	f := u.fetches[hash]
	if !f.running() || f.cancelled {
		return
	}
	f.cancelled = true
	f.cancel()
	u.showFetch(hash)
}

// showFetch shows how far the download of the file with hash has come in
// its row, in the forms on screen.
func (u *UI) showFetch(hash string) {
	for _, fr := range u.shownForms() {
		for _, row := range fr.files.rows {
			if row.ref.Hash == hash {
				fr.files.showRow(row)
			}
		}
	}
}

// reloadFiles reads again where the files of the forms on screen are.
func (u *UI) reloadFiles() {
	for _, fr := range u.shownForms() {
		fr.files.reload()
	}
}

// fetchingText says how far a download under way has come: "Downloading
// 40 % (1.1 MB of 2.8 MB)".
func fetchingText(l *locales.Localizer, f *fetch) string {
	pct := 0
	if f.total > 0 {
		pct = int(f.done * 100 / f.total)
	}
	return l.T("files.state.fetching", "Percent", formatNumber(l, pct), "Done", formatSize(l, f.done), "Total", formatSize(l, f.total))
}

// fetchProblem says in l's language why a download from the hub at hub
// ended without the file, and what happens next. The program's own words
// go to the log.
func fetchProblem(l *locales.Localizer, err error, hub string) string {
	var problem string
	switch kind := protocol.KindOf(err); {
	case errors.Is(err, client.ErrNotEnrolled):
		return l.T("files.fetch_not_enrolled")
	case store.IsDiskFull(err):
		problem = l.T("files.fetch_disk_full")
	case errors.Is(err, store.ErrFileHash):
		problem = l.T("files.fetch_damaged")
	case errors.As(err, new(*protocol.Error)) && kind == protocol.KindForbidden:
		problem = l.T("files.fetch_forbidden")
	case errors.As(err, new(*protocol.Error)) && kind == protocol.KindNotFound:
		problem = l.T("files.fetch_not_on_hub")
	default:
		switch p := client.ProblemOf(err); p {
		case client.ProblemOther, client.ProblemRefused, client.ProblemAddress:
			problem = l.T("files.fetch_other")
		default:
			problem = problemText(l, p, hub, actionSync)
		}
	}
	return l.T("files.fetch_failed", "Problem", problem)
}
