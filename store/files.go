package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Preparer looks at a file's content before it is attached. The app wires
// it to the file-type checks; see [Options.Preparer].
type Preparer interface {
	// Prepare finds content's media type from its bytes (not from name)
	// and refuses a type outside the allow-list with an error saying why.
	// For a photo it returns the reduced copy to send (downscaled, without
	// EXIF), unless original is true, and a thumbnail of any image.
	Prepare(content []byte, name string, original bool) (Prepared, error)
}

// Prepared is what a [Preparer] makes of a file.
type Prepared struct {
	// Type is the media type found from the content ("application/pdf").
	Type string
	// Send is the copy to send instead of the content (a reduced photo),
	// or nil to send the content as it is.
	Send []byte
	// Thumb is a small JPEG of an image (at most [model.MaxThumb] bytes), or nil.
	Thumb []byte
}

// AttachOptions adjust [Store.AttachFile].
type AttachOptions struct {
	// Original sends a photo as it was taken instead of a reduced copy.
	Original bool
}

// Blob states, as the blobs table keeps them.
const (
	blobLocal   = "local"   // complete on this device
	blobPartial = "partial" // partly downloaded
	blobAbsent  = "absent"  // known from a record, not here
)

// AttachFile reads the file at src, checks its type from its content with
// the store's [Preparer], stores its bytes in the data folder (for a photo
// the reduced copy, keeping the original on this device, unless
// opts.Original) and returns the reference to put in a record. The same
// content attached twice is stored once. A file that is empty, too large
// or of a refused type returns an error and stores nothing; a full disk
// returns an error for which [IsDiskFull] is true, and nothing is lost.
func (s *Store) AttachFile(ctx context.Context, src string, opts AttachOptions) (protocol.FileRef, error) {
	name := filepath.Base(src)
	if s.preparer == nil {
		return protocol.FileRef{}, fmt.Errorf("store: attach %s: no file-type checker configured", name)
	}
	fi, err := os.Stat(src)
	if err != nil {
		return protocol.FileRef{}, fmt.Errorf("store: attach %s: %w", name, err)
	}
	if fi.IsDir() {
		return protocol.FileRef{}, fmt.Errorf("store: attach %s: is a folder, not a file", name)
	}
	if fi.Size() > model.MaxFileSize {
		return protocol.FileRef{}, &model.ValidationError{Entity: "file", Fields: []model.FieldError{{Field: "files", Reason: model.ReasonTooLarge, Value: name, Limit: model.MaxFileSize}}}
	}
	content, err := os.ReadFile(src)
	if err != nil {
		return protocol.FileRef{}, fmt.Errorf("store: attach %s: %w", name, err)
	}
	prep, err := s.preparer.Prepare(content, name, opts.Original)
	if err != nil {
		return protocol.FileRef{}, fmt.Errorf("store: attach %s: %w", name, err)
	}
	send := content
	if prep.Send != nil && !opts.Original {
		send = prep.Send
	}
	ref := protocol.FileRef{Hash: hashHex(send), Name: name, Size: int64(len(send)), Type: prep.Type, Thumb: prep.Thumb}
	if e, bad := model.CheckFileRef("files", ref); bad {
		return protocol.FileRef{}, &model.ValidationError{Entity: "file", Fields: []model.FieldError{e}}
	}
	if err := ctx.Err(); err != nil {
		return protocol.FileRef{}, err
	}
	original := ""
	if !bytes.Equal(send, content) {
		orig := hashHex(content)
		if err := s.writeBlob(orig, content); err != nil {
			return protocol.FileRef{}, fmt.Errorf("store: attach %s: keep the original: %w", name, err)
		}
		original = relBlobPath(orig)
	}
	if err := s.writeBlob(ref.Hash, send); err != nil {
		return protocol.FileRef{}, fmt.Errorf("store: attach %s: %w", name, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blobs (hash, size, type, state, have, original_path, created_at) VALUES (?, ?, ?, 'local', ?, ?, ?)
			ON CONFLICT (hash) DO UPDATE SET state = 'local', have = excluded.size, refused = '', held = '',
				-- A file known here only from a record (absent, partly
				-- downloaded) is on the hub for its attacher, not for this
				-- device's organization, which shows it has the file by
				-- sending it; one already here keeps its count.
				sent = CASE WHEN blobs.state = 'local' THEN blobs.sent ELSE 0 END,
				original_path = CASE WHEN excluded.original_path != '' THEN excluded.original_path ELSE blobs.original_path END`,
			ref.Hash, ref.Size, ref.Type, ref.Size, original, s.now().UTC().Format(timeLayout))
		return err
	})
	if err != nil {
		return protocol.FileRef{}, fmt.Errorf("store: attach %s: %w", name, err)
	}
	return ref, nil
}

// FileRefs returns the files attached to the activity or resource id, or
// an error wrapping [ErrNotFound].
func (s *Store) FileRefs(ctx context.Context, entity, id string) ([]protocol.FileRef, error) {
	sp, err := filesSpec(entity)
	if err != nil {
		return nil, err
	}
	r, err := sp.load(ctx, s.reader, id)
	if err != nil {
		return nil, err
	}
	return r.fields["files"].([]protocol.FileRef), nil
}

// AddFileRefs attaches refs (from [Store.AttachFile]) to the activity or
// resource id and saves it as a local edit that syncs; a file already
// attached (same hash) is not added twice. A [*model.ValidationError] (too many
// files, a bad reference) saves nothing.
func (s *Store) AddFileRefs(ctx context.Context, entity, id string, refs ...protocol.FileRef) error {
	return s.editFileRefs(ctx, entity, id, func(have []protocol.FileRef) []protocol.FileRef {
		for _, r := range refs {
			if !slices.ContainsFunc(have, func(h protocol.FileRef) bool { return h.Hash == r.Hash }) {
				have = append(have, r)
			}
		}
		return have
	})
}

// RemoveFileRef detaches the file with hash from the activity or resource
// id and saves it as a local edit that syncs. The bytes stay on this
// device. Removing a file that is not attached changes nothing.
func (s *Store) RemoveFileRef(ctx context.Context, entity, id, hash string) error {
	return s.editFileRefs(ctx, entity, id, func(have []protocol.FileRef) []protocol.FileRef {
		return slices.DeleteFunc(have, func(h protocol.FileRef) bool { return h.Hash == hash })
	})
}

// editFileRefs saves the record with its files changed by edit, through
// the entity's Update so it is validated and queued like any edit.
func (s *Store) editFileRefs(ctx context.Context, entity, id string, edit func([]protocol.FileRef) []protocol.FileRef) error {
	switch entity {
	case model.EntityActivity:
		a, err := s.Activity(ctx, id)
		if err != nil {
			return err
		}
		a.Files = edit(slices.Clone(a.Files))
		_, err = s.UpdateActivity(ctx, a)
		return err
	case model.EntityResource:
		r, err := s.Resource(ctx, id)
		if err != nil {
			return err
		}
		r.Files = edit(slices.Clone(r.Files))
		_, err = s.UpdateResource(ctx, r)
		return err
	}
	_, err := filesSpec(entity)
	return err
}

// filesSpec returns the spec of an entity that carries a files list.
func filesSpec(entity string) (*entitySpec, error) {
	switch entity {
	case model.EntityActivity:
		return activitySpec, nil
	case model.EntityResource:
		return resourceSpec, nil
	}
	return nil, fmt.Errorf("store: %q records carry no files list (want activity or resource)", entity)
}

// noteFileRefsTx makes the files a written record refers to known to this
// device: a file not held here becomes 'absent', to be downloaded.
// References that are not valid are left out.
func noteFileRefsTx(ctx context.Context, tx *sql.Tx, sp *entitySpec, f model.Fields, now string) error {
	var refs []protocol.FileRef
	switch sp {
	case activitySpec, resourceSpec:
		refs, _ = f["files"].([]protocol.FileRef)
	case commentSpec:
		if p, _ := f["file"].(*protocol.FileRef); p != nil {
			refs = []protocol.FileRef{*p}
		}
	}
	for _, r := range refs {
		if !protocol.ValidHash(r.Hash) || r.Size <= 0 || r.Size > model.MaxFileSize {
			continue
		}
		// The hub holds a file a pulled record refers to, or will from
		// the device that attached it: nothing of it is this device's to send.
		_, err := tx.ExecContext(ctx, `INSERT INTO blobs (hash, size, type, state, sent, created_at) VALUES (?, ?, ?, 'absent', ?, ?)
			ON CONFLICT (hash) DO NOTHING`, r.Hash, r.Size, r.Type, r.Size, now)
		if err != nil {
			return fmt.Errorf("store: note file %s: %w", r.Hash, err)
		}
	}
	return nil
}

// Where a file is, as [FileState] says it.
const (
	// FileOnDevice: complete here; no record of this device's organization
	// that syncs refers to it yet (or the device is not enrolled).
	FileOnDevice = "on_device"
	// FileWaiting: complete here, waiting to be sent.
	FileWaiting = "waiting"
	// FileSending: complete here, partly acknowledged by the hub.
	FileSending = "sending"
	// FileOnHub: complete here and on the hub.
	FileOnHub = "on_hub"
	// FileNotDownloaded: on the hub, not downloaded.
	FileNotDownloaded = "not_downloaded"
	// FileDownloading: on the hub, partly downloaded.
	FileDownloading = "downloading"
	// FileRefused: complete here; the hub refused to take it
	// ([FileState.Refused] says why). Attaching it again sends it again.
	FileRefused = "refused"
)

// Why an upload waits for a later sync, as [FileState.Held] says it.
const (
	// HeldHubFull: the hub's disk is full; the file goes once it has room.
	HeldHubFull = "hub_full"
	// HeldDamaged: the hub received the file's chunks damaged again and
	// again (a faulty link or proxy); the next sync tries again.
	HeldDamaged = "damaged"
)

// FileState is where one file is and how far its transfer has come.
type FileState struct {
	Hash string
	Size int64
	Type string
	// Where is one of FileOnDevice, FileWaiting, FileSending, FileOnHub,
	// FileNotDownloaded, FileDownloading, FileRefused.
	Where string
	// Refused is the hub's reason for refusing the file (FileRefused).
	Refused string
	// Held says why a file waiting to be sent (FileWaiting, FileSending)
	// waits for a later sync: [HeldHubFull], [HeldDamaged], or "" when it
	// simply waits its turn.
	Held string
	// Done is the bytes sent (FileSending) or held (FileDownloading).
	Done int64
	// Wanted says a person asked to download it.
	Wanted bool
}

// Percent is how much of the transfer is done, 0 to 100.
func (f FileState) Percent() int {
	if f.Size <= 0 {
		return 0
	}
	return int(f.Done * 100 / f.Size)
}

// blobRow is one row of the blobs table.
type blobRow struct {
	hash, typ, state, refused, held string
	size, have, sent                int64
	wanted                          bool
	created                         string
}

const blobCols = "hash, size, type, state, have, sent, wanted, created_at, refused, held"

func scanBlob(sc scanner) (blobRow, error) {
	var b blobRow
	var wanted int64
	err := sc.Scan(&b.hash, &b.size, &b.typ, &b.state, &b.have, &b.sent, &wanted, &b.created, &b.refused, &b.held)
	b.wanted = wanted != 0
	return b, err
}

func (s *Store) blob(ctx context.Context, q queryer, hash string) (blobRow, error) {
	b, err := scanBlob(q.QueryRowContext(ctx, "SELECT "+blobCols+" FROM blobs WHERE hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return blobRow{}, fmt.Errorf("store: file %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return blobRow{}, fmt.Errorf("store: read file %s: %w", hash, err)
	}
	return b, nil
}

// ownRefs selects the hashes that live records of organization ?1 refer
// to (bound once per use with the organization).
const ownRefs = `SELECT json_extract(j.value, '$.hash') FROM activities, json_each(activities.files) j WHERE activities.org_id = ?1 AND activities.deleted = 0
	UNION SELECT json_extract(j.value, '$.hash') FROM resources, json_each(resources.files) j WHERE resources.org_id = ?1 AND resources.deleted = 0
	UNION SELECT json_extract(comments.file, '$.hash') FROM comments WHERE comments.org_id = ?1 AND comments.deleted = 0 AND comments.file != 'null'`

// anyRefs selects the hashes that any live record here refers to.
const anyRefs = `SELECT json_extract(j.value, '$.hash') FROM activities, json_each(activities.files) j WHERE activities.deleted = 0
	UNION SELECT json_extract(j.value, '$.hash') FROM resources, json_each(resources.files) j WHERE resources.deleted = 0
	UNION SELECT json_extract(comments.file, '$.hash') FROM comments WHERE comments.deleted = 0 AND comments.file != 'null'`

// FileState says where the file with hash is: on this device only,
// waiting to be sent, being sent, on the hub, not downloaded, being
// downloaded. A file this device has never heard of returns an error
// wrapping [ErrNotFound].
func (s *Store) FileState(ctx context.Context, hash string) (FileState, error) {
	b, err := s.blob(ctx, s.reader, hash)
	if err != nil {
		return FileState{}, err
	}
	st := FileState{Hash: b.hash, Size: b.size, Type: b.typ, Wanted: b.wanted}
	switch {
	case b.state == blobAbsent:
		st.Where = FileNotDownloaded
	case b.state == blobPartial:
		st.Where, st.Done = FileDownloading, b.have
	case b.sent >= b.size:
		st.Where = FileOnHub
	case b.refused != "":
		st.Where, st.Refused = FileRefused, b.refused
	default:
		org, err := s.OrgID(ctx)
		if err != nil {
			return FileState{}, err
		}
		var queued int
		if org != UnassignedOrg {
			if err := s.reader.QueryRowContext(ctx, "SELECT count(*) FROM blobs WHERE hash = ?2 AND hash IN ("+ownRefs+")", org, hash).Scan(&queued); err != nil {
				return FileState{}, fmt.Errorf("store: file %s: %w", hash, err)
			}
		}
		switch {
		case queued == 0:
			st.Where = FileOnDevice
		case b.sent > 0:
			st.Where, st.Done, st.Held = FileSending, b.sent, b.held
		default:
			st.Where, st.Held = FileWaiting, b.held
		}
	}
	return st, nil
}

// FilePath returns the path of the complete file with hash on this device,
// or an error wrapping [ErrNotFound] when it is not (or not wholly) here.
func (s *Store) FilePath(ctx context.Context, hash string) (string, error) {
	b, err := s.blob(ctx, s.reader, hash)
	if err != nil {
		return "", err
	}
	if b.state != blobLocal {
		return "", fmt.Errorf("store: file %s is not downloaded: %w", hash, ErrNotFound)
	}
	return s.blobPath(hash), nil
}

// Upload is a file whose bytes the hub has not all acknowledged.
type Upload struct {
	Hash string
	Size int64
	Type string
	// Sent is how many bytes the hub has acknowledged.
	Sent int64
}

// PendingUploads returns the files held here that live records of this
// device's organization refer to and whose bytes the hub has not all
// acknowledged, oldest first; files the hub refused ([Store.RefuseUpload])
// are left out.
func (s *Store) PendingUploads(ctx context.Context) ([]Upload, error) {
	org, err := s.OrgID(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.reader.QueryContext(ctx, "SELECT hash, size, type, sent FROM blobs WHERE state = 'local' AND sent < size AND refused = '' AND hash IN ("+ownRefs+") ORDER BY created_at, hash", org)
	if err != nil {
		return nil, fmt.Errorf("store: list files to send: %w", err)
	}
	defer rows.Close()
	out := []Upload{}
	for rows.Next() {
		var u Upload
		if err := rows.Scan(&u.Hash, &u.Size, &u.Type, &u.Sent); err != nil {
			return nil, fmt.Errorf("store: list files to send: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// MarkSent records that the hub holds the first offset bytes of the file
// with hash (from 0 to its size; a hub restored from a backup may hold
// fewer than before). An unknown file returns an error wrapping
// [ErrNotFound].
func (s *Store) MarkSent(ctx context.Context, hash string, offset int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		b, err := s.blob(ctx, tx, hash)
		if err != nil {
			return err
		}
		if offset < 0 || offset > b.size {
			return fmt.Errorf("store: file %s: sent offset %d is outside 0 to %d", hash, offset, b.size)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE blobs SET sent = ? WHERE hash = ?", offset, hash); err != nil {
			return fmt.Errorf("store: file %s: mark sent: %w", hash, err)
		}
		return nil
	})
}

// RefuseUpload records that the hub refused to take the file with hash,
// with its reason in the hub's words: the file stays here, shows as
// [FileRefused] and is not sent again until it is attached again. An
// unknown file returns an error wrapping [ErrNotFound].
func (s *Store) RefuseUpload(ctx context.Context, hash, reason string) error {
	if reason == "" {
		reason = "refused"
	}
	return s.setBlob(ctx, hash, "refused", reason, "note refusal")
}

// setBlob sets column (a constant name) of the file with hash to value,
// doing what; an unknown file returns an error wrapping [ErrNotFound].
func (s *Store) setBlob(ctx context.Context, hash, column string, value any, what string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE blobs SET "+column+" = ? WHERE hash = ?", value, hash)
		if err != nil {
			return fmt.Errorf("store: file %s: %s: %w", hash, what, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: file %s: %w", hash, ErrNotFound)
		}
		return nil
	})
}

// HoldUpload records why the upload of the file with hash waits for a
// later sync (one of [HeldHubFull], [HeldDamaged]), or with why "" that it
// no longer does. The file stays in [Store.PendingUploads]: the next sync
// tries it again. An unknown file returns an error wrapping [ErrNotFound].
func (s *Store) HoldUpload(ctx context.Context, hash, why string) error {
	switch why {
	case "", HeldHubFull, HeldDamaged:
	default:
		return fmt.Errorf("store: file %s: hold %q: want %q, %q or \"\"", hash, why, HeldHubFull, HeldDamaged)
	}
	return s.setBlob(ctx, hash, "held", why, "note why it waits")
}

// RefusedUploads returns the files the hub refused to take, each with
// the hub's reason, by hash.
func (s *Store) RefusedUploads(ctx context.Context) ([]FileState, error) {
	rows, err := s.reader.QueryContext(ctx, "SELECT hash, size, type, refused FROM blobs WHERE refused != '' ORDER BY hash")
	if err != nil {
		return nil, fmt.Errorf("store: list refused files: %w", err)
	}
	defer rows.Close()
	out := []FileState{}
	for rows.Next() {
		f := FileState{Where: FileRefused}
		if err := rows.Scan(&f.Hash, &f.Size, &f.Type, &f.Refused); err != nil {
			return nil, fmt.Errorf("store: list refused files: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Download is a file to fetch from the hub.
type Download struct {
	Hash string
	Size int64
	Type string
	// Have is how many bytes are already here: fetch from there.
	Have int64
	// Wanted says a person asked for it.
	Wanted bool
}

// WantedDownloads returns the files that live records here refer to and
// that are not (or not wholly) here, of at most autoMax bytes each, and
// any a person asked for whatever their size: those asked for first, then
// the smallest first.
func (s *Store) WantedDownloads(ctx context.Context, autoMax int64) ([]Download, error) {
	rows, err := s.reader.QueryContext(ctx, "SELECT hash, size, type, have, wanted FROM blobs WHERE state != 'local' AND (wanted = 1 OR size <= ?) AND hash IN ("+anyRefs+") ORDER BY wanted DESC, size, hash", autoMax)
	if err != nil {
		return nil, fmt.Errorf("store: list files to download: %w", err)
	}
	defer rows.Close()
	out := []Download{}
	for rows.Next() {
		var d Download
		var wanted int64
		if err := rows.Scan(&d.Hash, &d.Size, &d.Type, &d.Have, &wanted); err != nil {
			return nil, fmt.Errorf("store: list files to download: %w", err)
		}
		d.Wanted = wanted != 0
		out = append(out, d)
	}
	return out, rows.Err()
}

// MayHaveFilesToMove reports whether any file could wait to be sent or
// downloaded (autoMax as for [Store.WantedDownloads]), from the blobs
// table alone: false means [Store.PendingUploads] and
// [Store.WantedDownloads] are both empty, without their walk through
// every record's files, which a sync loop asking often can spare.
func (s *Store) MayHaveFilesToMove(ctx context.Context, autoMax int64) (bool, error) {
	var any bool
	err := s.reader.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM blobs WHERE
		(state = 'local' AND sent < size AND refused = '') OR (state != 'local' AND (wanted = 1 OR size <= ?)))`, autoMax).Scan(&any)
	if err != nil {
		return false, fmt.Errorf("store: look for files to move: %w", err)
	}
	return any, nil
}

// WantFile records that a person asked to download the file with hash
// (want) or cancelled (not want); what is downloaded stays. An unknown
// file returns an error wrapping [ErrNotFound].
func (s *Store) WantFile(ctx context.Context, hash string, want bool) error {
	return s.setBlob(ctx, hash, "wanted", model.BoolInt(want), "mark wanted")
}

// Errors of [Store.AppendChunk]; each leaves what is held unchanged,
// except [ErrFileHash], after which the download starts over.
var (
	// ErrChunkHash: the chunk's bytes do not match the hash it came with.
	ErrChunkHash = errors.New("store: chunk does not match its hash")
	// ErrChunkOffset: the chunk does not start where the held bytes end.
	ErrChunkOffset = errors.New("store: chunk does not start where the download stands")
	// ErrFileHash: the whole file does not match its hash; what was held
	// is dropped and the download starts over from 0.
	ErrFileHash = errors.New("store: downloaded file does not match its hash")
)

// AppendChunk adds data, the bytes of the file with hash from offset on,
// to its download. chunkSHA is the lowercase hex SHA-256 of data; offset
// must equal the bytes already held (see [Download.Have]). The bytes are
// synced to disk before the database counts them, so a crash or a closed
// app keeps every appended chunk. The chunk that completes the file has
// the whole file checked against hash, then moved into place. A chunk that
// does not match its hash ([ErrChunkHash]), starts elsewhere
// ([ErrChunkOffset]), runs past the file's size or meets a full disk is
// refused and changes nothing. A file already complete ignores the chunk.
func (s *Store) AppendChunk(ctx context.Context, hash string, offset int64, data []byte, chunkSHA string) error {
	if err := protocol.CheckHash(hash); err != nil {
		return fmt.Errorf("store: append chunk: %w", err)
	}
	if len(data) == 0 || len(data) > protocol.MaxChunk {
		return fmt.Errorf("store: file %s: chunk of %d bytes (want 1 to %d)", hash, len(data), protocol.MaxChunk)
	}
	if want, err := hex.DecodeString(chunkSHA); err != nil || len(want) != 32 || hashHex(data) != chunkSHA {
		return fmt.Errorf("store: file %s at %d: %w", hash, offset, ErrChunkHash)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		b, err := s.blob(ctx, tx, hash)
		if err != nil {
			return err
		}
		if b.state == blobLocal {
			return nil
		}
		if b.state == blobPartial && s.partialSize(hash) < b.have {
			// The held bytes went missing: a crash after the last chunk was
			// moved into place but before it was recorded, or a cleaned
			// folder. A whole file in place is kept; else start over.
			if got, n, err := fileHash(s.blobPath(hash)); err == nil && got == hash && n == b.size {
				return s.markLocalTx(ctx, tx, hash)
			}
			b.have = 0
		}
		if offset != b.have {
			return fmt.Errorf("store: file %s: chunk at %d, held %d: %w", hash, offset, b.have, ErrChunkOffset)
		}
		end := offset + int64(len(data))
		if end > b.size {
			return fmt.Errorf("store: file %s: chunk ends at %d, past the file's size %d", hash, end, b.size)
		}
		if err := s.appendPartial(hash, b.have, data); err != nil {
			return err
		}
		if end < b.size {
			_, err := tx.ExecContext(ctx, "UPDATE blobs SET state = 'partial', have = ? WHERE hash = ?", end, hash)
			if err != nil {
				_ = os.Truncate(s.partialPath(hash), b.have)
				return fmt.Errorf("store: file %s: record download: %w", hash, err)
			}
			return nil
		}
		return s.completeTx(ctx, tx, b)
	})
	if errors.Is(err, ErrFileHash) {
		// The bad bytes are gone; the download starts over from 0.
		if rerr := s.inTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE blobs SET state = 'absent', have = 0 WHERE hash = ?", hash)
			return err
		}); rerr != nil {
			return errors.Join(err, fmt.Errorf("store: file %s: restart download: %w", hash, rerr))
		}
	}
	return err
}

// markLocalTx records that the file with hash is complete here, and so on
// the hub it came from.
func (s *Store) markLocalTx(ctx context.Context, tx *sql.Tx, hash string) error {
	if _, err := tx.ExecContext(ctx, "UPDATE blobs SET state = 'local', have = size, sent = size WHERE hash = ?", hash); err != nil {
		return fmt.Errorf("store: file %s: record download: %w", hash, err)
	}
	return nil
}

// completeTx checks a download that holds all its bytes against its hash
// and moves it into place, or drops it when it does not match.
func (s *Store) completeTx(ctx context.Context, tx *sql.Tx, b blobRow) error {
	p := s.partialPath(b.hash)
	got, n, err := fileHash(p)
	if err != nil {
		return fmt.Errorf("store: file %s: check download: %w", b.hash, err)
	}
	if got != b.hash || n != b.size {
		// Some chunk was wrong though it matched its own hash: which one
		// cannot be known, so the bytes go ([Store.AppendChunk] resets the row).
		os.Remove(p)
		return fmt.Errorf("store: file %s: got %s: %w", b.hash, got, ErrFileHash)
	}
	if err := s.markLocalTx(ctx, tx, b.hash); err != nil {
		return err
	}
	return s.moveIntoPlace(p, s.blobPath(b.hash))
}

// FileReader reads a complete file's bytes; close it when done.
type FileReader interface {
	io.ReaderAt
	io.Closer
}

// OpenForUpload opens the complete file with hash for sending, with its
// size. A file not wholly here returns an error wrapping [ErrNotFound].
func (s *Store) OpenForUpload(ctx context.Context, hash string) (FileReader, int64, error) {
	p, err := s.FilePath(ctx, hash)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, fmt.Errorf("store: open file %s: %w", hash, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("store: open file %s: %w", hash, err)
	}
	return f, fi.Size(), nil
}

// AttachedFile is one file a record refers to, with where it is.
type AttachedFile struct {
	Entity   string
	RecordID string
	Ref      protocol.FileRef
	State    FileState
}

// AttachedFiles returns the files live records refer to (only record
// recordID's when it is not ""), by record then in the record's order.
// A file whose reference is not valid is left out.
func (s *Store) AttachedFiles(ctx context.Context, recordID string) ([]AttachedFile, error) {
	q := `SELECT 'activity', a.id, j.key, j.value FROM activities a, json_each(a.files) j WHERE a.deleted = 0 AND (?1 = '' OR a.id = ?1)
		UNION ALL SELECT 'resource', r.id, j.key, j.value FROM resources r, json_each(r.files) j WHERE r.deleted = 0 AND (?1 = '' OR r.id = ?1)
		UNION ALL SELECT 'comment', id, 0, file FROM comments WHERE deleted = 0 AND file != 'null' AND (?1 = '' OR id = ?1)
		ORDER BY 1, 2, 3`
	rows, err := s.reader.QueryContext(ctx, q, recordID)
	if err != nil {
		return nil, fmt.Errorf("store: list attached files: %w", err)
	}
	var out []AttachedFile
	for rows.Next() {
		var f AttachedFile
		var idx int64
		var raw string
		if err := rows.Scan(&f.Entity, &f.RecordID, &idx, &raw); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: list attached files: %w", err)
		}
		if json.Unmarshal([]byte(raw), &f.Ref) != nil || !protocol.ValidHash(f.Ref.Hash) {
			continue
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list attached files: %w", err)
	}
	for i := range out {
		st, err := s.FileState(ctx, out[i].Ref.Hash)
		if errors.Is(err, ErrNotFound) {
			st = FileState{Hash: out[i].Ref.Hash, Size: out[i].Ref.Size, Type: out[i].Ref.Type, Where: FileNotDownloaded}
		} else if err != nil {
			return nil, err
		}
		out[i].State = st
	}
	if out == nil {
		out = []AttachedFile{}
	}
	return out, nil
}
