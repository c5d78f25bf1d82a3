package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Chunk sizes of file transfers: a chunk starts small, doubles after each
// one that went quickly up to [protocol.MaxChunk], and halves after a
// timeout or a cut link, so a dropped link loses at most one chunk. On a
// slow link a chunk is also kept to what the link moves in [ChunkTime],
// so a cut loses little.
const (
	MinChunk   = 8 << 10
	StartChunk = 32 << 10
	// ChunkTime bounds a chunk's expected transfer time at the link's
	// measured throughput.
	ChunkTime = 8 * time.Second
	// chunkGrowBelow is how quick a chunk must be for the next to double.
	chunkGrowBelow = 10 * time.Second
	// badChunks is how many corrupt chunks in a row a file may meet before
	// it waits for the next sync.
	badChunks = 3
)

// SettingAutoDownloadMax is the device setting ([store.Store.Setting]) of
// the largest file, in bytes, that a sync downloads without being asked;
// [DefaultAutoDownloadMax] when unset.
const SettingAutoDownloadMax = "files.auto_download_max"

// DefaultAutoDownloadMax is the default of [SettingAutoDownloadMax]: 256 KB.
const DefaultAutoDownloadMax = 256 << 10

// stateChunk keeps the adapted chunk size in the sync state between runs.
const stateChunk = "chunk_size"

// waitError is a file that cannot move now and waits for a later sync
// (the hub does not let this device have it yet, does not hold it yet,
// refused it, or sent corrupt chunks too often); the other files go on.
// all says the hub can take no file now (its disk is full); held is why
// an upload waits, as the person is told ([store.Store.HoldUpload]), ""
// for nothing to tell.
type waitError struct {
	err  error
	all  bool
	held string
}

func (w *waitError) Error() string { return "client: file waits: " + w.err.Error() }
func (w *waitError) Unwrap() error { return w.err }

// fileTurn is one run of file transfers against the hub: a sync's, or a
// person's [Engine.Fetch].
type fileTurn struct {
	fh    FileHub
	token string
	// traffic counts chunk bytes; report is told how far a file has come.
	traffic *Progress
	report  func(FileProgress)
	// impatient makes a hub that cannot be reached end a file's transfer
	// at once, as long as no byte of it has moved: a person waits for the
	// answer (see [Engine.Fetch]). Once bytes move, a cut is retried as in
	// a sync.
	impatient bool
	// waiting collects the files left for a later sync, for [Engine.Run].
	waiting map[string]bool
}

// fileHub returns the engine's hub, as a [FileHub], and the device token;
// a nil hub when it does not move files.
func (e *Engine) fileHub(ctx context.Context) (FileHub, string, error) {
	hubURL, err := e.st.SyncState(ctx, stateHubURL)
	if err != nil {
		return nil, "", err
	}
	token, err := e.st.SyncState(ctx, stateToken)
	if err != nil {
		return nil, "", err
	}
	if token == "" || hubURL == "" {
		return nil, "", ErrNotEnrolled
	}
	fh, _ := e.opts.NewHub(hubURL).(FileHub)
	return fh, token, e.loadChunk(ctx)
}

// loadChunk reads the chunk size kept from earlier runs, once.
func (e *Engine) loadChunk(ctx context.Context) error {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	if e.chunk != 0 {
		return nil
	}
	v, err := e.st.SyncState(ctx, stateChunk)
	n, _ := strconv.Atoi(v)
	e.chunk = StartChunk
	if n >= MinChunk && n <= protocol.MaxChunk {
		e.chunk = n
	}
	return err
}

// AutoDownloadMax returns the largest file a sync downloads without being
// asked, from the device setting [SettingAutoDownloadMax].
func (e *Engine) AutoDownloadMax(ctx context.Context) (int64, error) {
	v, ok, err := e.st.Setting(ctx, SettingAutoDownloadMax)
	if err != nil || !ok {
		return DefaultAutoDownloadMax, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		e.opts.Logger.Warn("ignoring a setting that is not a byte count", "setting", SettingAutoDownloadMax, "value", v)
		return DefaultAutoDownloadMax, nil
	}
	return n, nil
}

// syncFiles moves files' bytes once the records are done: it sends what
// the hub has not acknowledged, then downloads the files records here
// refer to that are small enough or that a person asked for. A file that
// cannot move now waits for the next sync; a broken link after the
// retries fails the sync, and every acknowledged chunk stays counted.
func (e *Engine) syncFiles(ctx context.Context, hub Hub, token string, progress func(Progress), res *Result) error {
	fh, ok := hub.(FileHub)
	if !ok {
		return nil
	}
	if err := e.loadChunk(ctx); err != nil {
		return err
	}
	t := &fileTurn{fh: fh, token: token, traffic: &res.Progress, waiting: map[string]bool{}, report: func(p FileProgress) {
		e.setTransfer(&p)
		res.File = &p
		if progress != nil {
			progress(res.Progress)
		}
	}}
	defer func() {
		e.setTransfer(nil)
		res.File = nil
		e.setWaiting(t.waiting)
	}()
	ups, err := e.st.PendingUploads(ctx)
	if err != nil {
		return err
	}
	hashes := make([]string, 0, len(ups))
	for _, u := range ups {
		hashes = append(hashes, u.Hash)
	}
	if err := e.moveAll(ctx, t, hashes, e.upload, &res.FilesSent); err != nil {
		return err
	}
	downs, err := e.wantedDownloads(ctx)
	if err != nil {
		return err
	}
	hashes = hashes[:0]
	for _, d := range downs {
		hashes = append(hashes, d.Hash)
	}
	return e.moveAll(ctx, t, hashes, e.download, &res.FilesFetched)
}

// moveAll moves the files with hashes one by one with move, counting in
// done those that went through. A file that cannot move now is logged and
// waits; one that says no file can move now ends the list without error,
// every file left waiting for the same reason.
func (e *Engine) moveAll(ctx context.Context, t *fileTurn, hashes []string, move func(context.Context, *fileTurn, string) error, done *int) error {
	for i, h := range hashes {
		err := move(ctx, t, h)
		if w := (*waitError)(nil); errors.As(err, &w) {
			e.opts.Logger.Info("file waits for a later sync", "hash", h, "err", w.err)
			t.waiting[h] = true
			if w.all {
				for _, rest := range hashes[i+1:] {
					t.waiting[rest] = true
					if err := e.hold(ctx, rest, w.held); err != nil {
						return err
					}
				}
				return nil
			}
			continue
		}
		if err != nil {
			return err
		}
		*done++
	}
	return nil
}

// hold records why the upload of hash waits, when there is something to
// tell the person; a file that is not (or no longer) an upload here is
// left as it is.
func (e *Engine) hold(ctx context.Context, hash, why string) error {
	if why == "" {
		return nil
	}
	if err := e.st.HoldUpload(ctx, hash, why); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// setWaiting notes the files a sync left for a later one, so that
// [Engine.Run] does not sync again and again for them.
func (e *Engine) setWaiting(w map[string]bool) {
	e.stmu.Lock()
	e.waiting = w
	e.stmu.Unlock()
}

// filesToMove reports whether some file waits to be sent or downloaded
// that the last sync did not leave for later: one attached or asked for
// since, or one a failed sync did not finish.
func (e *Engine) filesToMove(ctx context.Context) (bool, error) {
	autoMax, err := e.AutoDownloadMax(ctx)
	if err != nil {
		return false, err
	}
	if may, err := e.st.MayHaveFilesToMove(ctx, autoMax); err != nil || !may {
		return false, err
	}
	ups, err := e.st.PendingUploads(ctx)
	if err != nil {
		return false, err
	}
	downs, err := e.wantedDownloads(ctx)
	if err != nil {
		return false, err
	}
	e.stmu.Lock()
	defer e.stmu.Unlock()
	for _, u := range ups {
		if !e.waiting[u.Hash] {
			return true, nil
		}
	}
	for _, d := range downs {
		if !e.waiting[d.Hash] {
			return true, nil
		}
	}
	return false, nil
}

// Fetch downloads the file with hash, which a record on this device
// refers to, now, reporting its progress (progress may be nil). The file
// is marked as asked for, so a cancelled or failed Fetch is resumed where
// it stood by the next Fetch or sync. A person waits for the answer: when
// the hub cannot be reached at all, Fetch says so at once ([ProblemOf]
// classifies the error) instead of retrying; once bytes move, a cut link
// is retried as in a sync. A device that is not enrolled fails with
// [ErrNotEnrolled]; a file the hub does not let this device have fails
// with kind [protocol.KindForbidden] ([protocol.KindOf]).
func (e *Engine) Fetch(ctx context.Context, hash string, progress func(done, total int64)) error {
	if err := e.st.WantFile(ctx, hash, true); err != nil {
		return fmt.Errorf("client: fetch: %w", err)
	}
	fh, token, err := e.fileHub(ctx)
	if err != nil {
		return fmt.Errorf("client: fetch: %w", err)
	}
	if fh == nil {
		return errors.New("client: fetch: this hub connection does not move files")
	}
	var traffic Progress
	t := &fileTurn{fh: fh, token: token, traffic: &traffic, impatient: true, report: func(p FileProgress) {
		e.setTransfer(&p)
		if progress != nil {
			progress(p.Done, p.Size)
		}
	}}
	defer e.setTransfer(nil)
	if err := e.download(ctx, t, hash); err != nil {
		if w := (*waitError)(nil); errors.As(err, &w) {
			err = w.err
		}
		return fmt.Errorf("client: fetch %s: %w", hash, err)
	}
	return nil
}

// upload sends the file with hash from where the hub stands. A chunk the
// hub refuses as damaged (400) goes again from where the hub says it
// stands; refused again and again, the file waits for a later sync and
// says why, as it does when the hub's disk is full (507).
func (e *Engine) upload(ctx context.Context, t *fileTurn, hash string) error {
	unlock, err := e.lockFile(ctx, hash)
	if err != nil {
		return err
	}
	defer unlock()
	f, size, err := e.st.OpenForUpload(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return &waitError{err: err}
	}
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, min(size, protocol.MaxChunk))
	retry := e.newRetry(t)
	offset, known, conflicts, cleared := int64(0), false, 0, false
	for {
		put := known
		if !known {
			// Ask the hub where it stands, whatever this device thinks:
			// after a cut it may hold more, after a restore less.
			var hf HubFile
			err = e.fileCall(ctx, func(rctx context.Context) (err error) {
				hf, err = t.fh.FileStatus(rctx, t.token, hash)
				return err
			})
			if err == nil {
				known, offset = true, hf.Received
				if hf.Complete {
					offset = size
				}
			}
		} else {
			chunk := buf[:min(int64(e.chunkSize()), size-offset)]
			if _, err := f.ReadAt(chunk, offset); err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("client: read file %s: %w", hash, err)
			}
			t0 := time.Now()
			var got int64
			err = e.fileCall(ctx, func(rctx context.Context) (err error) {
				got, err = t.fh.PutChunk(rctx, t.token, hash, offset, size, chunk)
				return err
			})
			t.traffic.FileBytesUp += int64(len(chunk))
			if err == nil {
				e.adaptChunk(true, len(chunk), time.Since(t0))
				offset = got
			}
		}
		if oe := (*OffsetError)(nil); errors.As(err, &oe) && conflicts < e.opts.Retries {
			conflicts++
			offset, err = oe.Received, nil
		}
		if err == nil {
			if put {
				retry.went(offset)
				if !cleared {
					// It goes: whatever it waited for is over.
					if err := e.st.HoldUpload(ctx, hash, ""); err != nil {
						return err
					}
					cleared = true
				}
			}
			if err := e.st.MarkSent(ctx, hash, min(offset, size)); err != nil {
				return err
			}
			t.report(FileProgress{Hash: hash, Up: true, Done: offset, Size: size})
			if offset >= size {
				return nil
			}
			continue
		}
		if pe := (*protocol.Error)(nil); errors.As(err, &pe) && (pe.Kind == protocol.KindTooLarge || pe.Status == http.StatusUnsupportedMediaType) {
			// The hub will not take this file: the person sees why.
			if rerr := e.st.RefuseUpload(ctx, hash, pe.Message); rerr != nil {
				return rerr
			}
			e.opts.Logger.Warn("the hub refused a file", "hash", hash, "reason", pe.Message)
			return &waitError{err: err}
		}
		if err := retry.failed(ctx, err, offset); err != nil {
			if w := (*waitError)(nil); errors.As(err, &w) && w.held != "" {
				if w.held == store.HeldDamaged {
					e.opts.Logger.Warn("the hub kept receiving a file's chunks damaged; it waits for the next sync", "hash", hash, "offset", offset, "err", w.err)
				}
				if herr := e.hold(ctx, hash, w.held); herr != nil {
					return herr
				}
			}
			return err
		}
		known = false
	}
}

// download fetches the file with hash from where this device stands,
// checking each chunk against the hash it came with.
func (e *Engine) download(ctx context.Context, t *fileTurn, hash string) error {
	unlock, err := e.lockFile(ctx, hash)
	if err != nil {
		return err
	}
	defer unlock()
	retry := e.newRetry(t)
	for {
		st, err := e.st.FileState(ctx, hash)
		if err != nil {
			return err
		}
		if st.Where != store.FileNotDownloaded && st.Where != store.FileDownloading {
			return nil // whole here
		}
		have, size := st.Done, st.Size
		n := min(int64(e.chunkSize()), size-have)
		t0 := time.Now()
		var c Chunk
		err = e.fileCall(ctx, func(rctx context.Context) (err error) {
			c, err = t.fh.GetChunk(rctx, t.token, hash, have, have+n-1)
			return err
		})
		t.traffic.FileBytesDown += int64(len(c.Data))
		if err == nil && c.Size != size {
			return &waitError{err: fmt.Errorf("client: the hub's file %s has %d bytes, the record says %d", hash, c.Size, size)}
		}
		if err == nil {
			err = e.st.AppendChunk(ctx, hash, have, c.Data, c.SHA256)
			switch {
			case err == nil:
				e.adaptChunk(true, len(c.Data), time.Since(t0))
				retry.went(have + int64(len(c.Data)))
				t.report(FileProgress{Hash: hash, Done: have + int64(len(c.Data)), Size: size})
				continue
			case errors.Is(err, store.ErrChunkHash):
				// Corrupt on the way: the store kept nothing; ask again.
				e.opts.Logger.Info("a file chunk arrived corrupt; asking again", "hash", hash, "offset", have)
				err = protocol.Errorf(protocol.KindInvalid, "%v", err)
			case errors.Is(err, store.ErrChunkOffset):
				continue // another download moved it on: read where it stands
			case errors.Is(err, store.ErrFileHash):
				return &waitError{err: err}
			default:
				return err
			}
		}
		if err := retry.failed(ctx, err, have); err != nil {
			return err
		}
	}
}

// fileCall runs one request of a file transfer within the request
// timeout, noting whether the hub answered.
func (e *Engine) fileCall(ctx context.Context, call func(context.Context) error) error {
	rctx, cancel := context.WithTimeout(ctx, e.opts.RequestTimeout)
	defer cancel()
	err := call(rctx)
	e.setReachable(err == nil || protocol.KindOf(err) != protocol.KindTransient)
	return err
}

// fileRetry decides what a failed request of one file transfer does next.
type fileRetry struct {
	e         *Engine
	impatient bool // see [fileTurn]
	attempt   int
	delay     time.Duration
	// moved says some bytes of the file moved in this transfer.
	moved bool
	// bad counts chunks refused or corrupt since the transfer last got
	// past badAt, the furthest offset at which one was.
	bad   int
	badAt int64
}

func (e *Engine) newRetry(t *fileTurn) *fileRetry {
	return &fileRetry{e: e, impatient: t.impatient, delay: e.opts.Backoff}
}

// went notes that a chunk went through and the transfer stands at
// offset: the retries start again, and so does the count of damaged
// chunks once the transfer is past the furthest one. Only a chunk counts:
// a hub that answers where it stands (HEAD) but fails every chunk, or
// refuses the same chunk again and again, or a whole file whose last
// chunk brings it back to the start, uses up the retries.
func (r *fileRetry) went(offset int64) {
	r.attempt, r.delay = 0, r.e.opts.Backoff
	r.moved = true
	if offset > r.badAt {
		r.bad = 0
	}
}

// failed returns nil when the request is to be tried again (after a
// pause for a broken link), a [*waitError] when the file is to wait for a
// later sync, or the error that ends the transfers; at is where the
// transfer stood.
func (r *fileRetry) failed(ctx context.Context, err error, at int64) error {
	var pe *protocol.Error
	errors.As(err, &pe)
	switch kind := protocol.KindOf(err); {
	case ctx.Err() != nil:
		return fmt.Errorf("client: files: %w", ctx.Err())
	case kind == protocol.KindForbidden, kind == protocol.KindNotFound:
		// Not visible to this device, or not referred to or held yet.
		return &waitError{err: err}
	case pe != nil && pe.Status == http.StatusInsufficientStorage:
		return &waitError{err: err, all: true, held: store.HeldHubFull}
	case kind == protocol.KindInvalid:
		// A chunk damaged on the way: again, a few times.
		r.badAt = max(r.badAt, at)
		if r.bad++; r.bad > badChunks {
			return &waitError{err: fmt.Errorf("client: %d chunks refused or corrupt in a row: %w", r.bad, err), held: store.HeldDamaged}
		}
		return nil
	case !kind.Retryable():
		return fmt.Errorf("client: files: %w", err)
	case r.impatient && !r.moved:
		// A person waits, and the hub cannot be reached: say so now.
		return fmt.Errorf("client: files: %w", err)
	}
	r.e.adaptChunk(false, 0, 0)
	wait, perr := r.e.pause(ctx, r.attempt, r.delay, err)
	if perr != nil {
		return fmt.Errorf("client: files: %w", perr)
	}
	r.e.opts.Logger.Info("file transfer failed; retrying", "attempt", r.attempt+1, "wait", wait, "err", err)
	r.attempt++
	r.delay = min(r.delay*2, r.e.opts.MaxBackoff)
	return nil
}

// pause waits before retry attempt+1 of a request that failed with err:
// a random time up to delay, or the hub's Retry-After. It returns err when
// the retries are used up or ctx ends first, and how long it waited.
func (e *Engine) pause(ctx context.Context, attempt int, delay time.Duration, err error) (time.Duration, error) {
	if attempt >= e.opts.Retries {
		return 0, err
	}
	wait := time.Duration(rand.Int64N(int64(delay) + 1))
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.RetryAfter > 0 {
		wait = min(time.Duration(pe.RetryAfter)*time.Second, 10*time.Minute)
	}
	select {
	case <-ctx.Done():
		return wait, ctx.Err()
	case <-time.After(wait):
		return wait, nil
	}
}

// chunkSize is the size of the next chunk.
func (e *Engine) chunkSize() int {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	if e.chunk == 0 {
		e.chunk = StartChunk
	}
	return e.chunk
}

// adaptChunk doubles the chunk size after a chunk of n bytes that went
// quickly (in took) and halves it after a failure, as the record pages
// adapt; and keeps it to what the link moves in [ChunkTime] at the
// throughput measured so far, so that a cut on a slow link costs little.
func (e *Engine) adaptChunk(ok bool, n int, took time.Duration) {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	if !ok {
		e.chunk = max(e.chunk/2, MinChunk)
		return
	}
	if took > 0 && n >= max(MinChunk, e.chunk/2) {
		// A file's small last chunk is mostly the link's latency: it
		// would make the link look slower than it is.
		rate := float64(n) / took.Seconds()
		if e.rate > 0 {
			rate = (e.rate + rate) / 2
		}
		e.rate = rate
	}
	next := e.chunk
	if took < min(chunkGrowBelow, e.opts.RequestTimeout/3) {
		next = min(next*2, protocol.MaxChunk)
	}
	if e.rate > 0 {
		next = min(next, int(e.rate*ChunkTime.Seconds()))
	}
	e.chunk = max(next, MinChunk)
}

// lockFile makes the engine's transfers of one file take turns (a sync's
// and a person's Fetch); the returned func lets the next one go.
func (e *Engine) lockFile(ctx context.Context, hash string) (func(), error) {
	for {
		e.fmu.Lock()
		busy, ok := e.busy[hash]
		if !ok {
			if e.busy == nil {
				e.busy = map[string]chan struct{}{}
			}
			done := make(chan struct{})
			e.busy[hash] = done
			e.fmu.Unlock()
			return func() {
				e.fmu.Lock()
				delete(e.busy, hash)
				e.fmu.Unlock()
				close(done)
			}, nil
		}
		e.fmu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, fmt.Errorf("client: file %s: %w", hash, ctx.Err())
		}
	}
}

// setTransfer notes the file moving now for [Engine.Status].
func (e *Engine) setTransfer(p *FileProgress) {
	e.stmu.Lock()
	e.transfer = p
	e.stmu.Unlock()
}

// fileStatus fills the files' part of s.
func (e *Engine) fileStatus(ctx context.Context, s *Status) error {
	e.stmu.Lock()
	if e.transfer != nil {
		p := *e.transfer
		s.Transfer = &p
	}
	e.stmu.Unlock()
	if !s.Enrolled {
		return nil
	}
	ups, err := e.st.PendingUploads(ctx)
	if err != nil {
		return err
	}
	downs, err := e.wantedDownloads(ctx)
	if err != nil {
		return err
	}
	s.FilesToSend, s.FilesToFetch = len(ups), len(downs)
	s.FilesRefused, err = e.st.RefusedUploads(ctx)
	return err
}

// wantedDownloads lists the files a sync downloads: those up to the
// device's automatic size, and those a person asked for.
func (e *Engine) wantedDownloads(ctx context.Context) ([]store.Download, error) {
	autoMax, err := e.AutoDownloadMax(ctx)
	if err != nil {
		return nil, err
	}
	return e.st.WantedDownloads(ctx, autoMax)
}
