package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/a20-network/fieldbook/internal/filetype"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Limits of the hub's files unless [Options] set others.
const (
	// DefaultMaxFileSize is the largest file the hub takes: 50 MB.
	DefaultMaxFileSize = 50 << 20
	// DefaultOrgQuota is how many bytes of files one organization's
	// records may refer to on the hub: 2 GB.
	DefaultOrgQuota = 2 << 30
)

// fileFields are the record fields that hold [protocol.FileRef] values:
// a list on activities and resources, one on comments.
var fileFields = []string{"files", "file"}

// fileRefsOf returns the valid file references in a record's body: the
// "files" and "file" fields, each a JSON list of references or one
// reference (or a JSON string holding either). References with a bad hash
// or a negative size are left out: they name no file anyone could upload.
func fileRefsOf(body map[string]json.RawMessage) []protocol.FileRef {
	var out []protocol.FileRef
	for _, f := range fileFields {
		raw := bytes.TrimSpace(body[f])
		var s string
		if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
			raw = bytes.TrimSpace([]byte(s))
		}
		var refs []protocol.FileRef
		switch {
		case len(raw) == 0:
		case raw[0] == '[':
			_ = json.Unmarshal(raw, &refs)
		case raw[0] == '{':
			var one protocol.FileRef
			if json.Unmarshal(raw, &one) == nil {
				refs = append(refs, one)
			}
		}
		for _, r := range refs {
			if protocol.ValidHash(r.Hash) && r.Size >= 0 {
				out = append(out, r)
			}
		}
	}
	return out
}

const (
	sqlDropFileRefs   = "DELETE FROM file_refs WHERE record_id = ?"
	sqlInsertFileRef  = "INSERT INTO file_refs (record_id, hash, entity, org_id, visibility, size, name) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_id, hash) DO NOTHING"
	metaFileRefsIndex = "file_refs_indexed"
	// sqlInsertHolder records that an organization holds a file.
	sqlInsertHolder = "INSERT INTO file_holders (hash, org_id, since) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
)

// indexFiles keeps file_refs in step with record r just written: a
// deleted record refers to nothing.
func indexFiles(ctx context.Context, tx writeTx, r *record, exists bool) error {
	if r.entity == model.EntityOrganization {
		return nil
	}
	if exists {
		if _, err := tx.ExecContext(ctx, sqlDropFileRefs, r.id); err != nil {
			return fmt.Errorf("hub: index files of %s: %w", r.id, err)
		}
	}
	if r.deleted() {
		return nil
	}
	vis := r.text("visibility")
	for _, f := range fileRefsOf(r.body) {
		if _, err := tx.ExecContext(ctx, sqlInsertFileRef, r.id, f.Hash, r.entity, r.org, vis, f.Size, f.Name); err != nil {
			return fmt.Errorf("hub: index file %s of %s: %w", f.Hash, r.id, err)
		}
	}
	return nil
}

// backfillFileRefs indexes the files of the records written before the
// hub kept file_refs, once.
func (h *Hub) backfillFileRefs(ctx context.Context) error {
	return h.inTx(ctx, func(tx writeTx) error {
		if err := tx.alone(ctx); err != nil {
			return err
		}
		if done, err := metaTx(ctx, tx, metaFileRefsIndex); err != nil || done != "" {
			return err
		}
		ids, err := queryStrings(ctx, tx, `SELECT id FROM records WHERE deleted = 0 AND entity != ? AND body LIKE '%"file%'`, model.EntityOrganization)
		if err != nil {
			return fmt.Errorf("hub: index files: %w", err)
		}
		for _, id := range ids {
			r, err := loadRecord(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := indexFiles(ctx, tx, r, true); err != nil {
				return err
			}
		}
		if len(ids) > 0 {
			h.log.Info("indexed files of earlier records", "records", len(ids))
		}
		return setMetaTx(ctx, tx, metaFileRefsIndex, "1")
	})
}

// queryStrings returns the one text column of query's rows.
func queryStrings(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DetectType finds a file's media type from its content with Fieldbook's
// own detector ([filetype.Detect]), against the allow-list the devices
// check before sending (PDF, images, office documents, plain text, audio):
// the name never decides. It is the hub's check when [Options.DetectType]
// is nil, and returns the detector's refusal, which names the type found,
// for anything else.
func DetectType(content []byte, name string) (string, error) {
	k, err := filetype.Detect(content, name)
	if err != nil {
		return "", err
	}
	return k.MIME, nil
}

// UploadTTL is how long the hub keeps an upload nobody adds to: a
// device that comes back later starts the file again.
const UploadTTL = 14 * 24 * time.Hour

// SweepUploads drops the uploads no chunk has reached for [UploadTTL]
// (a device reset, a record deleted before its file was sent) and logs
// what it freed.
func (h *Hub) SweepUploads(ctx context.Context) error {
	dropped, err := h.blobs.Sweep(ctx, h.now().Add(-UploadTTL))
	if err != nil {
		return err
	}
	if dropped.Partial > 0 {
		h.log.Info("dropped forgotten uploads", "bytes", dropped.Partial, "older than", UploadTTL)
	}
	return nil
}

// SweepUploadsEvery runs [Hub.SweepUploads] now and then every interval
// until ctx ends; a failed sweep is logged and tried again next time.
func (h *Hub) SweepUploadsEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := h.SweepUploads(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("sweeping forgotten uploads failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Errors of the file endpoints.
var (
	errDiskFull = &protocol.Error{Kind: protocol.KindTransient, Status: http.StatusInsufficientStorage, RetryAfter: 3600,
		Message: "the hub's disk is full; it kept everything it had. Try again once its administrator has made room"}
)

// forbiddenFile is the one answer to every file request a device may not
// make, whether or not the hub holds the file.
func forbiddenFile(hash string) error {
	return protocol.Errorf(protocol.KindForbidden, "this device may not use file %s: no record it may see refers to it", hash)
}

// FileStatus is how much of a file the hub holds.
type FileStatus struct {
	// Received is how many bytes the hub holds.
	Received int64
	// Complete is true once the file is whole; Size is then its size.
	Complete bool
	Size     int64
}

// readAccess is what a reader may know of a file.
type readAccess int

const (
	// noAccess: no record the reader may see refers to the file. The
	// answer is forbidden, the same whether or not the hub holds it.
	noAccess readAccess = iota
	// waitAccess: records the reader may see refer to the file, but none
	// of an organization that has sent it (a holder). The answer is "not
	// on the hub yet", the same whether or not another organization has
	// sent it.
	waitAccess
	// fullAccess: a record the reader may see, of a holder, refers to the
	// file.
	fullAccess
)

// access returns what a reader of organization org (a device's, or ""
// for one who sees only what is shared with the network) may do with
// file hash: a record the reader may see must refer to it, and that
// record's organization must hold it (file_holders).
func (h *Hub) access(ctx context.Context, org, hash string) (readAccess, error) {
	var a sql.NullInt64
	err := h.reader.QueryRowContext(ctx, `SELECT MAX(CASE WHEN fh.org_id IS NULL THEN 1 ELSE 2 END)
		FROM file_refs r LEFT JOIN file_holders fh ON fh.hash = r.hash AND fh.org_id = r.org_id
		WHERE r.hash = ? AND (r.org_id = ? OR r.visibility = ?)`,
		hash, org, model.VisibilityNetwork).Scan(&a)
	if err != nil {
		return noAccess, fmt.Errorf("hub: file %s: %w", hash, err)
	}
	return readAccess(a.Int64), nil
}

// notYet is the answer for a file a reader may wait for.
func notYet(hash string) error {
	return protocol.Errorf(protocol.KindNotFound, "file %s is not on the hub yet: the device that attached it has not sent it", hash)
}

// openFor opens file hash for a reader of organization org, by the rule
// of [Hub.access].
func (h *Hub) openFor(ctx context.Context, org, hash string) (Blob, error) {
	if err := protocol.CheckHash(hash); err != nil {
		return nil, protocol.Errorf(protocol.KindInvalid, "%v", err)
	}
	switch a, err := h.access(ctx, org, hash); {
	case err != nil:
		return nil, err
	case a == noAccess:
		return nil, forbiddenFile(hash)
	case a == waitAccess:
		return nil, notYet(hash)
	}
	b, err := h.blobs.Open(ctx, hash)
	if errors.Is(err, ErrNoBlob) {
		return nil, notYet(hash)
	}
	return b, err
}

// uploadName returns the name a record of dev's organization gives file
// hash of size bytes, and false if none refers to it.
func (h *Hub) uploadName(ctx context.Context, dev Device, hash string, size int64) (string, bool, error) {
	var name string
	err := h.reader.QueryRowContext(ctx, "SELECT name FROM file_refs WHERE hash = ? AND org_id = ? AND size = ? LIMIT 1",
		hash, dev.Org, size).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("hub: file %s: %w", hash, err)
	}
	return name, true, nil
}

// holds reports whether organization org has sent file hash, and its
// size.
func (h *Hub) holds(ctx context.Context, org, hash string) (int64, bool, error) {
	var size int64
	err := h.reader.QueryRowContext(ctx, `SELECT f.size FROM file_holders fh JOIN files f ON f.hash = fh.hash
		WHERE fh.hash = ? AND fh.org_id = ?`, hash, org).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("hub: file %s: %w", hash, err)
	}
	return size, true, nil
}

// Stat returns how much of file hash dev's organization has sent: the
// upload status a device asks for before sending (HEAD). A record of
// dev's organization must refer to the file, else the error is the same
// kind forbidden whether or not the hub holds it. Another organization's
// upload, or a copy the hub holds already, never shows: an organization
// shows it has a file only by sending it.
func (h *Hub) Stat(ctx context.Context, dev Device, hash string) (FileStatus, error) {
	if err := protocol.CheckHash(hash); err != nil {
		return FileStatus{}, protocol.Errorf(protocol.KindInvalid, "%v", err)
	}
	var one int
	err := h.reader.QueryRowContext(ctx, "SELECT 1 FROM file_refs WHERE hash = ? AND org_id = ? LIMIT 1", hash, dev.Org).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return FileStatus{}, forbiddenFile(hash)
	}
	if err != nil {
		return FileStatus{}, fmt.Errorf("hub: file %s: %w", hash, err)
	}
	if size, ok, err := h.holds(ctx, dev.Org, hash); err != nil || ok {
		return FileStatus{Received: size, Complete: ok, Size: size}, err
	}
	n, err := h.blobs.Received(ctx, Upload{Hash: hash, By: UploaderOf(dev.Org)})
	return FileStatus{Received: n}, err
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// Chunk is one chunk of an upload.
type Chunk struct {
	// Offset is where the chunk starts in the file.
	Offset int64
	// Size is the whole file's size.
	Size int64
	// SHA256 is the lowercase hex SHA-256 of Data.
	SHA256 string
	// Data is the chunk's bytes, at most [protocol.MaxChunk].
	Data []byte
}

// orgUsage returns the bytes of the distinct files org has sent.
func (h *Hub) orgUsage(ctx context.Context, org string) (int64, error) {
	var n int64
	err := h.reader.QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM files
		WHERE hash IN (SELECT hash FROM file_holders WHERE org_id = ?)`, org).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("hub: file usage of %s: %w", org, err)
	}
	return n, nil
}

// PutChunk keeps one chunk of file hash uploaded by dev and returns where
// its organization's upload stands. A record of dev's organization must
// refer to the file with that size (else kind forbidden, the same whether
// or not the hub holds it). Each organization sends the whole file, even
// one the hub holds already: that is how it shows it has the file, and
// only then do its records give access to it (see [Hub.access]); a file
// is still stored once. A chunk that does not start where the upload
// stands fails with an [*OffsetError]; a chunk whose hash does not match,
// a file over the size limit or the organization's quota, and a complete
// file whose hash or type is wrong fail with a [*protocol.Error] and keep
// nothing of the chunk (nor of the upload, for the last three). A full
// disk fails with status 507 and keeps what the hub had. A chunk of a
// file the organization has sent already changes nothing.
func (h *Hub) PutChunk(ctx context.Context, dev Device, hash string, c Chunk) (FileStatus, error) {
	if err := checkChunk(hash, c); err != nil {
		return FileStatus{}, err
	}
	name, ok, err := h.uploadName(ctx, dev, hash, c.Size)
	if err != nil || !ok {
		return FileStatus{}, cmpErr(err, forbiddenFile(hash))
	}
	if c.Size > h.maxFile {
		return FileStatus{}, protocol.Errorf(protocol.KindTooLarge, "file %s of %d bytes is larger than this hub takes (%d bytes)", name, c.Size, h.maxFile)
	}
	if size, ok, err := h.holds(ctx, dev.Org, hash); err != nil || ok {
		return FileStatus{Received: size, Complete: ok, Size: size}, err
	}
	up := Upload{Hash: hash, By: UploaderOf(dev.Org)}
	held, err := h.blobs.Received(ctx, up)
	if err != nil {
		return FileStatus{}, err
	}
	if c.Offset != held {
		return FileStatus{}, &OffsetError{Received: held, Offset: c.Offset}
	}
	used, err := h.orgUsage(ctx, dev.Org)
	if err != nil {
		return FileStatus{}, err
	}
	if used+c.Size > h.quota {
		return FileStatus{}, protocol.Errorf(protocol.KindTooLarge,
			"file %s of %d bytes would take your organization's files on the hub to %d bytes, over its quota of %d bytes", name, c.Size, used+c.Size, h.quota)
	}
	if err := h.blobs.Append(ctx, up, c.Offset, c.Data); err != nil {
		return FileStatus{}, storeError(err)
	}
	end := c.Offset + int64(len(c.Data))
	if end < c.Size {
		return FileStatus{Received: end}, nil
	}
	var kind string
	err = h.blobs.Commit(ctx, up, c.Size, func(content io.ReaderAt, size int64) error {
		b := make([]byte, size)
		if _, err := content.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("hub: read file %s: %w", hash, err)
		}
		var err error
		if kind, err = h.detect(b, name); err != nil {
			return &protocol.Error{Kind: protocol.KindInvalid, Status: http.StatusUnsupportedMediaType, Message: err.Error()}
		}
		return nil
	})
	if errors.Is(err, ErrHashMismatch) {
		return FileStatus{}, protocol.Errorf(protocol.KindInvalid, "the bytes of %s do not make the file its hash %s names; send it again from the start", name, hash)
	}
	if err != nil {
		return FileStatus{}, storeError(err)
	}
	h.log.Info("file received", "hash", hash, "size", c.Size, "type", kind, "device", dev.ID, "org", dev.Org, "stored", kind != "")
	return FileStatus{Received: c.Size, Complete: true, Size: c.Size}, h.noteFile(ctx, dev.Org, hash, c.Size, kind)
}

// checkChunk checks a chunk on its own.
func checkChunk(hash string, c Chunk) error {
	switch {
	case !protocol.ValidHash(hash):
		return protocol.Errorf(protocol.KindInvalid, "%v", protocol.CheckHash(hash))
	case c.Offset < 0:
		return protocol.Errorf(protocol.KindInvalid, "offset %d: want a byte offset from 0", c.Offset)
	case c.Size < 0:
		return protocol.Errorf(protocol.KindInvalid, "%s %d: want the file's size in bytes", protocol.HeaderSize, c.Size)
	case c.Offset > c.Size:
		return protocol.Errorf(protocol.KindInvalid, "offset %d is past the file's size %d", c.Offset, c.Size)
	case len(c.Data) > protocol.MaxChunk:
		return protocol.Errorf(protocol.KindTooLarge, "chunk of %d bytes: at most %d", len(c.Data), protocol.MaxChunk)
	case c.Offset+int64(len(c.Data)) > c.Size:
		return protocol.Errorf(protocol.KindInvalid, "chunk of %d bytes at offset %d goes past the file's size %d", len(c.Data), c.Offset, c.Size)
	case len(c.Data) == 0 && c.Offset != c.Size:
		return protocol.Errorf(protocol.KindInvalid, "empty chunk at offset %d of a %d-byte file", c.Offset, c.Size)
	}
	sum := sha256.Sum256(c.Data)
	if got := hex.EncodeToString(sum[:]); got != c.SHA256 {
		return protocol.Errorf(protocol.KindInvalid, "chunk at offset %d: its bytes hash to %s, not %.64q (%s); nothing was kept, send it again",
			c.Offset, got, c.SHA256, protocol.HeaderChunkSHA256)
	}
	return nil
}

// storeError turns a full disk into status 507.
func storeError(err error) error {
	if errors.Is(err, ErrStorageFull) {
		return fmt.Errorf("%w (%w)", errDiskFull, err)
	}
	return err
}

// noteFile records that the hub holds file hash whole (its type kind, ""
// when the hub held it already) and that org has sent it.
func (h *Hub) noteFile(ctx context.Context, org, hash string, size int64, kind string) error {
	now := h.now().UTC().Format(timeLayout)
	return h.inTx(ctx, func(tx writeTx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO files (hash, size, type, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
			hash, size, kind, now); err != nil {
			return fmt.Errorf("hub: note file %s: %w", hash, err)
		}
		_, err := tx.ExecContext(ctx, sqlInsertHolder, hash, org, now)
		if err != nil {
			return fmt.Errorf("hub: note file %s of %s: %w", hash, org, err)
		}
		return nil
	})
}

// forgetFile drops what the database says of file hash: nobody holds it.
func (h *Hub) forgetFile(ctx context.Context, hash string) error {
	return h.inTx(ctx, func(tx writeTx) error {
		for _, q := range []string{"DELETE FROM files WHERE hash = ?", "DELETE FROM file_holders WHERE hash = ?"} {
			if _, err := tx.ExecContext(ctx, q, hash); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadChunk returns the bytes [start, end] of file hash for device dev
// (end inclusive, at most [protocol.MaxChunk] bytes, cut at the file's
// end) and the file's size, by the rule of [Hub.access], checked on every
// chunk: no record dev may see refers to the file is kind forbidden,
// whether or not the hub holds it; a file dev may wait for that no holder
// has shared with it, or that the hub does not hold whole, is kind not
// found; a start past the end is a [*RangeError].
func (h *Hub) ReadChunk(ctx context.Context, dev Device, hash string, start, end int64) ([]byte, int64, error) {
	b, err := h.openFor(ctx, dev.Org, hash)
	if err != nil {
		return nil, 0, err
	}
	defer b.Close()
	size := b.Size()
	if start < 0 || start >= size || end < start {
		return nil, size, &RangeError{Size: size}
	}
	end = min(end, size-1, start+protocol.MaxChunk-1)
	buf := make([]byte, end-start+1)
	if _, err := b.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
		return nil, size, fmt.Errorf("hub: read file %s: %w", hash, err)
	}
	if end == size-1 {
		// A device that may read the file to its end has it, as surely as
		// if it had sent it: its organization holds it from now on, so
		// that attaching it to a record of its own gives access too.
		if err := h.noteHolder(ctx, dev.Org, hash); err != nil {
			return nil, size, err
		}
	}
	return buf, size, nil
}

// noteHolder records that org holds file hash. Every device of an
// organization that downloads a file ends here: one that already holds
// it is read (any connection), not written (the one writer).
func (h *Hub) noteHolder(ctx context.Context, org, hash string) error {
	if _, held, err := h.holds(ctx, org, hash); err != nil || held {
		return err
	}
	_, err := h.writer.ExecContext(ctx, sqlInsertHolder, hash, org, h.now().UTC().Format(timeLayout))
	if err != nil {
		return fmt.Errorf("hub: note file %s of %s: %w", hash, org, err)
	}
	return nil
}

// RangeError is a byte range outside a file.
type RangeError struct{ Size int64 }

// Error says the file's size.
func (e *RangeError) Error() string {
	return fmt.Sprintf("hub: range outside the file's %d bytes", e.Size)
}

// BackupFiles returns the folder a backup at path keeps its files in.
func BackupFiles(path string) string { return path + ".files" }

// backupFiles copies the files the hub holds into folder dir (which must
// not exist), laid out as a [DirStore].
func (h *Hub) backupFiles(ctx context.Context, dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("hub: backup: %s already exists", dir)
	}
	hashes, err := queryStrings(ctx, h.reader, "SELECT hash FROM files ORDER BY hash")
	if err != nil {
		return fmt.Errorf("hub: backup files: %w", err)
	}
	dst, err := NewDirStore(dir)
	if err != nil {
		return err
	}
	for _, hash := range hashes {
		b, err := h.blobs.Open(ctx, hash)
		if errors.Is(err, ErrNoBlob) {
			continue
		}
		if err != nil {
			return fmt.Errorf("hub: backup: %w", err)
		}
		err = putBlob(ctx, dst, hash, io.NewSectionReader(b, 0, b.Size()), b.Size())
		b.Close()
		if err != nil {
			return fmt.Errorf("hub: backup file %s: %w", hash, err)
		}
	}
	return nil
}

// restoreFiles puts the files of the backup folder dir back into the
// restored hub's store; a file the database lists but neither holds is
// forgotten, so that the devices that attached it send it again.
func (h *Hub) restoreFiles(ctx context.Context, dir string) error {
	src := &DirStore{dir: dir}
	hashes, err := queryStrings(ctx, h.reader, "SELECT hash FROM files ORDER BY hash")
	if err != nil {
		return fmt.Errorf("hub: restore files: %w", err)
	}
	for _, hash := range hashes {
		if _, whole, err := h.blobs.Held(ctx, hash); err != nil || whole {
			if err != nil {
				return err
			}
			continue
		}
		b, err := src.Open(ctx, hash)
		if errors.Is(err, ErrNoBlob) || errors.Is(err, fs.ErrNotExist) {
			h.log.Warn("file missing from backup; devices will send it again", "hash", hash)
			if err := h.forgetFile(ctx, hash); err != nil {
				return fmt.Errorf("hub: restore files: %w", err)
			}
			continue
		}
		if err != nil {
			return err
		}
		err = putBlob(ctx, h.blobs, hash, io.NewSectionReader(b, 0, b.Size()), b.Size())
		b.Close()
		if err != nil {
			return fmt.Errorf("hub: restore file %s: %w", hash, err)
		}
	}
	return nil
}

// Files handlers.

func (a *api) fileHead(w http.ResponseWriter, r *http.Request) {
	dev, err := a.hub.Authenticate(r.Context(), bearer(r))
	if err != nil {
		a.writeError(w, err)
		return
	}
	st, err := a.hub.Stat(r.Context(), dev, r.PathValue("hash"))
	if err != nil {
		a.writeError(w, err)
		return
	}
	writeStatus(w, st)
	w.WriteHeader(http.StatusOK)
}

func writeStatus(w http.ResponseWriter, st FileStatus) {
	w.Header().Set(protocol.HeaderReceived, strconv.FormatInt(st.Received, 10))
	if st.Complete {
		w.Header().Set(protocol.HeaderSize, strconv.FormatInt(st.Size, 10))
	}
	w.Header().Set("Cache-Control", "no-store")
}

func (a *api) filePut(w http.ResponseWriter, r *http.Request) {
	dev, err := a.hub.Authenticate(r.Context(), bearer(r))
	if err != nil {
		a.writeError(w, err)
		return
	}
	c, err := readChunk(w, r)
	if err != nil {
		a.writeError(w, err)
		return
	}
	hash := r.PathValue("hash")
	st, err := a.hub.PutChunk(r.Context(), dev, hash, c)
	var oe *OffsetError
	if errors.As(err, &oe) {
		w.Header().Set(protocol.HeaderReceived, strconv.FormatInt(oe.Received, 10))
		err = &protocol.Error{Kind: protocol.KindConflict, Message: fmt.Sprintf("the hub holds %d bytes of this file; send from there, not from %d", oe.Received, oe.Offset)}
	}
	if err != nil {
		a.log.Info("file chunk refused", "device", dev.ID, "org", dev.Org, "hash", hash, "offset", c.Offset, "err", err)
		a.writeError(w, err)
		return
	}
	writeStatus(w, st)
	w.WriteHeader(http.StatusNoContent)
}

// readChunk reads a PUT's offset, headers and body.
func readChunk(w http.ResponseWriter, r *http.Request) (Chunk, error) {
	var c Chunk
	var err error
	if c.Offset, err = strconv.ParseInt(r.URL.Query().Get("offset"), 10, 64); err != nil {
		return c, protocol.Errorf(protocol.KindInvalid, "offset %.30q: want the byte offset the chunk starts at", r.URL.Query().Get("offset"))
	}
	if c.Size, err = strconv.ParseInt(r.Header.Get(protocol.HeaderSize), 10, 64); err != nil {
		return c, protocol.Errorf(protocol.KindInvalid, "%s %.30q: want the whole file's size in bytes", protocol.HeaderSize, r.Header.Get(protocol.HeaderSize))
	}
	c.SHA256 = r.Header.Get(protocol.HeaderChunkSHA256)
	if r.ContentLength > protocol.MaxChunk {
		return c, protocol.Errorf(protocol.KindTooLarge, "chunk of %d bytes: at most %d", r.ContentLength, protocol.MaxChunk)
	}
	if enc := r.Header.Get("Content-Encoding"); enc != "" && enc != "identity" {
		return c, protocol.Errorf(protocol.KindInvalid, "content encoding %q: send a chunk's bytes as they are", enc)
	}
	c.Data, err = io.ReadAll(http.MaxBytesReader(w, r.Body, protocol.MaxChunk))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return c, protocol.Errorf(protocol.KindTooLarge, "chunk over %d bytes", protocol.MaxChunk)
	}
	if err != nil {
		return c, protocol.Errorf(protocol.KindInvalid, "chunk could not be read: %v", err)
	}
	return c, nil
}

func (a *api) fileGet(w http.ResponseWriter, r *http.Request) {
	dev, err := a.hub.Authenticate(r.Context(), bearer(r))
	if err != nil {
		a.writeError(w, err)
		return
	}
	start, end, err := parseRange(r.Header.Get("Range"))
	if err != nil {
		a.writeError(w, err)
		return
	}
	b, size, err := a.hub.ReadChunk(r.Context(), dev, r.PathValue("hash"), start, end)
	var re *RangeError
	if errors.As(err, &re) {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", re.Size))
		err = &protocol.Error{Kind: protocol.KindInvalid, Status: http.StatusRequestedRangeNotSatisfiable,
			Message: fmt.Sprintf("range %q is outside the file's %d bytes", r.Header.Get("Range"), re.Size)}
	}
	if err != nil {
		a.writeError(w, err)
		return
	}
	sum := sha256.Sum256(b)
	hd := w.Header()
	hd.Set("Content-Type", "application/octet-stream")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	hd.Set(protocol.HeaderChunkSHA256, hex.EncodeToString(sum[:]))
	hd.Set(protocol.HeaderSize, strconv.FormatInt(size, 10))
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	hd.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+int64(len(b))-1, size))
	w.WriteHeader(http.StatusPartialContent)
	if _, err := w.Write(b); err != nil {
		a.log.Debug("file chunk not delivered", "err", err)
	}
}

// parseRange reads a Range header of one range, "bytes=N-M" or
// "bytes=N-"; no header means the first chunk.
func parseRange(s string) (start, end int64, err error) {
	if s == "" {
		return 0, protocol.MaxChunk - 1, nil
	}
	bad := protocol.Errorf(protocol.KindInvalid, "range %.40q: want bytes=N-M or bytes=N-", s)
	spec, ok := strings.CutPrefix(s, "bytes=")
	if !ok {
		return 0, 0, bad
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok || strings.ContainsAny(spec, ", +") {
		return 0, 0, bad
	}
	if start, err = strconv.ParseInt(a, 10, 64); err != nil || start < 0 {
		return 0, 0, bad
	}
	if b == "" {
		return start, start + protocol.MaxChunk - 1, nil
	}
	if end, err = strconv.ParseInt(b, 10, 64); err != nil || end < start {
		return 0, 0, bad
	}
	return start, end, nil
}

// filesDir returns the default file storage folder of data folder dir.
func filesDir(dir string) string { return filepath.Join(dir, FilesDir) }

// OpenFile opens file hash for a reader who is not a device: a person
// of organization org signed in to the dashboard, or of no organization
// (org "") who sees only what is shared with the network. The rule of a
// device's download decides ([Hub.ReadChunk]): kind forbidden when no
// record the reader may see refers to the file, whether or not the hub
// holds it; kind not found when the file is not there for the reader yet.
// Close the blob when done.
func (h *Hub) OpenFile(ctx context.Context, org, hash string) (Blob, error) {
	return h.openFor(ctx, org, hash)
}
