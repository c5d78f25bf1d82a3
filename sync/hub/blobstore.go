package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// BlobStore keeps the bytes of the hub's files, each named by the SHA-256
// of its content, and the uploads that become them. The hub's database
// says which records refer to a file and which organizations have sent
// it; the store knows nothing of records, organizations or limits, so
// that a hub of several processes can keep files where all of them reach
// them (an object store, a shared folder) behind these few methods.
//
// Each sender's upload of a file is kept apart ([Upload.By]): one
// sender's wrong bytes never spoil another's upload, and a sender shows it
// holds a file only by sending all of it, even when the store has it
// whole already (it is then checked and dropped, not stored twice).
//
// Implementations are safe for concurrent use: calls for the same upload
// are serialised, and a commit, removal or sweep of a file with every
// other change to it ([DirStore] serialises all calls for a hash; [PGStore]
// lets different senders' appends of a file run side by side). Every hash
// passed is a valid one ([protocol.ValidHash]).
type BlobStore interface {
	// Received returns how many bytes of upload up the store holds; an
	// upload not begun (or finished) holds 0. err is for a store that
	// cannot be read.
	Received(ctx context.Context, up Upload) (int64, error)
	// Append keeps chunk as the upload's bytes from offset on. Offset must
	// equal Received, else it fails with an [*OffsetError] and keeps
	// nothing. The chunk is on stable storage when Append returns nil; on
	// any error (a full disk is [ErrStorageFull]) the upload holds what it
	// held before.
	Append(ctx context.Context, up Upload, offset int64, chunk []byte) error
	// Commit ends upload up of size bytes: it checks that the upload holds
	// exactly size bytes whose SHA-256 is the hash ([ErrHashMismatch]
	// otherwise, and the upload is dropped). If the store holds the file
	// whole already, the upload is dropped and Commit returns nil: its
	// sender has shown it has the file. Otherwise it runs check (if not
	// nil) on the content, an error from check drops the upload and is
	// returned as is, and only then does the file become readable.
	Commit(ctx context.Context, up Upload, size int64, check func(content io.ReaderAt, size int64) error) error
	// Held returns the size of a file the store holds whole, and ok false
	// if it does not.
	Held(ctx context.Context, hash string) (size int64, ok bool, err error)
	// Open returns a complete file for reading; [ErrNoBlob] if the store
	// does not hold it whole. Close the blob when done.
	Open(ctx context.Context, hash string) (Blob, error)
	// Remove drops the file and every upload of it; removing what is not
	// there does nothing.
	Remove(ctx context.Context, hash string) error
	// Usage returns what the store holds.
	Usage(ctx context.Context) (Usage, error)
	// Sweep drops the uploads last written before before, and returns
	// what it dropped (in Partial): a device that comes back to one
	// starts it again.
	Sweep(ctx context.Context, before time.Time) (Usage, error)
}

// Upload names one sender's upload of a file.
type Upload struct {
	// Hash names the file.
	Hash string
	// By names the sender: 1 to 64 of [0-9a-z_], so that a store may use
	// it in a file or object name. See [UploaderOf].
	By string
}

// UploaderOf returns the [Upload.By] of organization org: a short digest,
// so that names chosen by administrators never reach a file name.
func UploaderOf(org string) string {
	s := sha256.Sum256([]byte("fieldbook upload\x00" + org))
	return hex.EncodeToString(s[:12])
}

func (up Upload) check() error {
	if err := checkHashArg(up.Hash); err != nil {
		return err
	}
	if len(up.By) == 0 || len(up.By) > 64 || strings.Trim(up.By, "0123456789abcdefghijklmnopqrstuvwxyz_") != "" {
		return fmt.Errorf("hub: upload of %s: sender %.70q: want 1 to 64 of [0-9a-z_]", up.Hash, up.By)
	}
	return nil
}

// Blob is a complete file opened for reading.
type Blob interface {
	io.ReaderAt
	io.Closer
	// Size is the file's size in bytes.
	Size() int64
}

// Usage is what a [BlobStore] holds.
type Usage struct {
	// Files and Bytes count complete files.
	Files int
	Bytes int64
	// Partial counts the bytes of unfinished uploads.
	Partial int64
}

// ErrNoBlob is returned by [BlobStore.Open] for a file the store does not
// hold whole.
var ErrNoBlob = errors.New("hub: file not held")

// ErrHashMismatch is returned by [BlobStore.Commit] when the bytes
// received are not the file the hash names.
var ErrHashMismatch = errors.New("hub: file content does not match its hash")

// ErrStorageFull is returned when the store has no room left; it keeps
// what it had.
var ErrStorageFull = errors.New("hub: file storage is full")

// OffsetError is returned by [BlobStore.Append] for a chunk that does not
// start where the upload stands.
type OffsetError struct {
	// Received is how many bytes the store holds.
	Received int64
	// Offset is where the refused chunk started.
	Offset int64
}

// Error says where the upload stands.
func (e *OffsetError) Error() string {
	return fmt.Sprintf("hub: chunk at offset %d, but %d bytes are held", e.Offset, e.Received)
}

// FilesDir is the folder of the hub's files inside its data folder.
const FilesDir = "files"

// DirStore is the default [BlobStore]: files in a folder next to the hub's
// database, complete ones at ab/<hash> (ab the hash's first two digits),
// uploads in progress in partial/<hash>.<by> with the count of bytes
// received in partial/<hash>.<by>.n. Every write is made durable (fsync)
// before it is counted, the count is replaced atomically (temp file,
// fsync, rename), and a file becomes complete by a rename made durable
// with an fsync of its folder, so a crash or a full disk never corrupts a
// file nor counts bytes that are not on disk.
type DirStore struct {
	dir   string
	locks [64]sync.Mutex // by the hash's first byte: guard the files of those hashes
}

var _ BlobStore = (*DirStore)(nil)

// NewDirStore returns the store in folder dir, creating it if needed.
func NewDirStore(dir string) (*DirStore, error) {
	if err := os.MkdirAll(filepath.Join(dir, "partial"), 0o700); err != nil {
		return nil, fmt.Errorf("hub: file storage %s: %w", dir, err)
	}
	return &DirStore{dir: dir}, nil
}

// Dir returns the store's folder.
func (s *DirStore) Dir() string { return s.dir }

func (s *DirStore) lock(hash string) func() {
	b, _ := hex.DecodeString(hash[:2])
	m := &s.locks[int(b[0])%len(s.locks)]
	m.Lock()
	return m.Unlock
}

func (s *DirStore) final(hash string) string { return filepath.Join(s.dir, hash[:2], hash) }
func (s *DirStore) partial(up Upload) string {
	return filepath.Join(s.dir, "partial", up.Hash+"."+up.By)
}
func (s *DirStore) counter(up Upload) string { return s.partial(up) + ".n" }

// storageErr wraps err with what was done, as [ErrStorageFull] too when
// the disk is full.
func storageErr(what string, err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %s: %w", ErrStorageFull, what, err)
	}
	return fmt.Errorf("hub: %s: %w", what, err)
}

func checkHashArg(hash string) error {
	if err := protocol.CheckHash(hash); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	return nil
}

// Received implements [BlobStore].
func (s *DirStore) Received(ctx context.Context, up Upload) (int64, error) {
	if err := up.check(); err != nil {
		return 0, err
	}
	defer s.lock(up.Hash)()
	return s.received(up)
}

func (s *DirStore) received(up Upload) (int64, error) {
	b, err := os.ReadFile(s.counter(up))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("hub: upload %s: %w", up.Hash, err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("hub: upload %s: damaged byte count %q", up.Hash, b)
	}
	return n, nil
}

// Append implements [BlobStore].
func (s *DirStore) Append(ctx context.Context, up Upload, offset int64, chunk []byte) error {
	if err := up.check(); err != nil {
		return err
	}
	defer s.lock(up.Hash)()
	held, err := s.received(up)
	if err != nil {
		return err
	}
	if offset != held {
		return &OffsetError{Received: held, Offset: offset}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.OpenFile(s.partial(up), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return storageErr("open upload "+up.Hash, err)
	}
	defer f.Close()
	// Bytes past the count are from a write that was never acknowledged.
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > offset {
		if err := f.Truncate(offset); err != nil {
			return storageErr("trim upload "+up.Hash, err)
		}
	}
	if _, err := f.WriteAt(chunk, offset); err != nil {
		return storageErr("write upload "+up.Hash, err)
	}
	if err := f.Sync(); err != nil {
		return storageErr("write upload "+up.Hash, err)
	}
	if err := writeFileAtomic(s.counter(up), []byte(strconv.FormatInt(offset+int64(len(chunk)), 10))); err != nil {
		return storageErr("count upload "+up.Hash, err)
	}
	return nil
}

// Commit implements [BlobStore].
func (s *DirStore) Commit(ctx context.Context, up Upload, size int64, check func(io.ReaderAt, int64) error) error {
	if err := up.check(); err != nil {
		return err
	}
	hash := up.Hash
	defer s.lock(hash)()
	held, err := s.received(up)
	if err != nil {
		return err
	}
	if held != size {
		return &OffsetError{Received: held, Offset: size}
	}
	f, err := os.OpenFile(s.partial(up), os.O_RDWR, 0)
	if size == 0 && errors.Is(err, fs.ErrNotExist) {
		// An empty file has no bytes to append.
		f, err = os.OpenFile(s.partial(up), os.O_RDWR|os.O_CREATE, 0o600)
	}
	if err != nil {
		return storageErr("open upload "+hash, err)
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, io.NewSectionReader(f, 0, size)); err != nil {
		return fmt.Errorf("hub: read upload %s: %w", hash, err)
	}
	if hex.EncodeToString(sum.Sum(nil)) != hash {
		return errors.Join(ErrHashMismatch, s.remove(up))
	}
	if _, whole, err := s.held(hash); err != nil || whole {
		// The sender has shown it has the file; it is kept once.
		return errors.Join(err, s.remove(up))
	}
	if check != nil {
		if err := check(f, size); err != nil {
			return errors.Join(err, s.remove(up))
		}
	}
	// Bytes past the count are from a write that was never acknowledged.
	if st, err := f.Stat(); err == nil && st.Size() > size {
		if err := f.Truncate(size); err != nil {
			return storageErr("trim upload "+hash, err)
		}
	}
	if err := f.Sync(); err != nil {
		return storageErr("store file "+hash, err)
	}
	dst := s.final(hash)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return storageErr("store file "+hash, err)
	}
	if err := os.Rename(s.partial(up), dst); err != nil {
		return storageErr("store file "+hash, err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return storageErr("store file "+hash, err)
	}
	if err := os.Remove(s.counter(up)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("hub: finish upload %s: %w", hash, err)
	}
	return nil
}

// Held implements [BlobStore].
func (s *DirStore) Held(ctx context.Context, hash string) (int64, bool, error) {
	if err := checkHashArg(hash); err != nil {
		return 0, false, err
	}
	return s.held(hash)
}

func (s *DirStore) held(hash string) (int64, bool, error) {
	st, err := os.Stat(s.final(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("hub: file %s: %w", hash, err)
	}
	return st.Size(), true, nil
}

// dirBlob is a complete file of a [DirStore].
type dirBlob struct {
	*os.File
	size int64
}

// Size implements [Blob].
func (b dirBlob) Size() int64 { return b.size }

// Open implements [BlobStore].
func (s *DirStore) Open(ctx context.Context, hash string) (Blob, error) {
	if err := checkHashArg(hash); err != nil {
		return nil, err
	}
	f, err := os.Open(s.final(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoBlob, hash)
	}
	if err != nil {
		return nil, fmt.Errorf("hub: open file %s: %w", hash, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("hub: open file %s: %w", hash, err)
	}
	return dirBlob{File: f, size: st.Size()}, nil
}

// Remove implements [BlobStore].
func (s *DirStore) Remove(ctx context.Context, hash string) error {
	if err := checkHashArg(hash); err != nil {
		return err
	}
	defer s.lock(hash)()
	var errs []error
	if err := os.Remove(s.final(hash)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, err)
	}
	// Every sender's upload, and one kept by a hub from before uploads
	// were kept apart (partial/<hash>, partial/<hash>.n).
	parts, err := filepath.Glob(filepath.Join(s.dir, "partial", hash+"*"))
	if err != nil {
		errs = append(errs, err)
	}
	for _, p := range parts {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("hub: drop upload %s: %w", hash, err))
		}
	}
	return errors.Join(errs...)
}

// remove drops upload up; the caller holds the hash's lock.
func (s *DirStore) remove(up Upload) error {
	var errs []error
	for _, p := range []string{s.counter(up), s.partial(up)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("hub: drop upload %s: %w", up.Hash, err))
		}
	}
	return errors.Join(errs...)
}

// Usage implements [BlobStore].
func (s *DirStore) Usage(ctx context.Context) (Usage, error) {
	var u Usage
	err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		name, partial := d.Name(), filepath.Base(filepath.Dir(path)) == "partial"
		if partial {
			// An upload's bytes: <hash>.<by>, or <hash> from before uploads
			// were kept apart; not its count (.n) nor a count being written.
			name, _, _ = strings.Cut(name, ".")
			if strings.Contains(d.Name(), ".n") {
				return nil
			}
		}
		if !protocol.ValidHash(name) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if partial {
			u.Partial += info.Size()
		} else {
			u.Files++
			u.Bytes += info.Size()
		}
		return nil
	})
	if err != nil {
		return u, fmt.Errorf("hub: file storage usage: %w", err)
	}
	return u, nil
}

// Sweep implements [BlobStore].
func (s *DirStore) Sweep(ctx context.Context, before time.Time) (Usage, error) {
	var dropped Usage
	dir := filepath.Join(s.dir, "partial")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return dropped, fmt.Errorf("hub: sweep uploads: %w", err)
	}
	// An upload's bytes and its count: drop both when the newer of them
	// is old, under the hash's lock so that no chunk lands meanwhile.
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return dropped, err
		}
		name := e.Name()
		hash, _, _ := strings.Cut(name, ".")
		if e.IsDir() || strings.HasSuffix(name, ".n") || strings.Contains(name, ".tmp") || !protocol.ValidHash(hash) {
			continue
		}
		n, err := s.sweepOne(filepath.Join(dir, name), hash, before)
		if err != nil {
			return dropped, err
		}
		dropped.Partial += n
	}
	return dropped, nil
}

// sweepOne drops the upload whose bytes are at path if neither they nor
// their count were written since before, and returns the bytes dropped.
func (s *DirStore) sweepOne(path, hash string, before time.Time) (int64, error) {
	defer s.lock(hash)()
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("hub: sweep uploads: %w", err)
	}
	last := st.ModTime()
	if c, err := os.Stat(path + ".n"); err == nil && c.ModTime().After(last) {
		last = c.ModTime()
	}
	if !last.Before(before) {
		return 0, nil
	}
	for _, p := range []string{path + ".n", path} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("hub: sweep uploads: %w", err)
		}
	}
	return st.Size(), nil
}

// writeFileAtomic replaces path with data: a temporary file, fsync,
// rename. The folder is not synced: after a crash the rename may be lost
// and the count read lower than what was written, which is safe (the
// bytes past it are trimmed and sent again) and saves an fsync a chunk.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// syncDir makes a folder's entries (a rename) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// restorer is the [Upload.By] of the files a restore puts back.
const restorer = "restore"

// putBlob stores the whole of r (size bytes, named hash) in s through
// its upload methods, in chunks of at most [protocol.MaxChunk]: how a
// backup's files go back into a store.
func putBlob(ctx context.Context, s BlobStore, hash string, r io.Reader, size int64) error {
	if _, whole, err := s.Held(ctx, hash); err != nil || whole {
		return err
	}
	up := Upload{Hash: hash, By: restorer}
	if held, err := s.Received(ctx, up); err != nil {
		return err
	} else if held > 0 {
		if err := s.Remove(ctx, hash); err != nil {
			return err
		}
	}
	buf := make([]byte, protocol.MaxChunk)
	for off := int64(0); off < size; {
		n, err := io.ReadFull(r, buf[:min(int64(len(buf)), size-off)])
		if err != nil {
			return fmt.Errorf("hub: read file %s: %w", hash, err)
		}
		if err := s.Append(ctx, up, off, buf[:n]); err != nil {
			return err
		}
		off += int64(n)
	}
	return s.Commit(ctx, up, size, nil)
}
