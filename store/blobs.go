package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// FilesDir is the folder of attached files inside the data folder: a
// complete file is FilesDir/ab/abcdef… (its SHA-256, under its first two
// digits), a download in progress FilesDir/partial/abcdef….
const FilesDir = "files"

// blobPath is where the complete file with hash lives.
func (s *Store) blobPath(hash string) string {
	return filepath.Join(s.files, hash[:2], hash)
}

// partialPath is where the download in progress of hash grows.
func (s *Store) partialPath(hash string) string {
	return filepath.Join(s.files, "partial", hash)
}

// relBlobPath is blobPath relative to the data folder, as blobs keeps it.
func relBlobPath(hash string) string {
	return filepath.ToSlash(filepath.Join(FilesDir, hash[:2], hash))
}

// hashHex is the lowercase hex SHA-256 of b.
func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// writeBlob stores data as the complete file with hash, through a
// temporary file in the same folder that is synced and renamed into
// place, so the file is either whole or absent. A file already there with
// the right size is kept as it is.
func (s *Store) writeBlob(hash string, data []byte) error {
	dst := s.blobPath(hash)
	if fi, err := os.Stat(dst); err == nil && fi.Size() == int64(len(data)) {
		return nil
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("store: create file folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("store: store file %s: %w", hash, err)
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	if err := errors.Join(werr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("store: store file %s: %w", hash, err)
	}
	return s.moveIntoPlace(tmp.Name(), dst)
}

// moveIntoPlace renames a synced file to dst and syncs dst's folder so the
// rename survives a power cut. On error src is removed.
func (s *Store) moveIntoPlace(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		os.Remove(src)
		return fmt.Errorf("store: create file folder: %w", err)
	}
	if err := os.Rename(src, dst); err != nil {
		os.Remove(src)
		return fmt.Errorf("store: move file into place: %w", err)
	}
	return syncDir(filepath.Dir(dst))
}

// syncDir flushes a folder's entries to disk. Systems that cannot sync a
// folder (Windows) make their renames durable themselves.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: sync folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: sync folder: %w", err)
	}
	return nil
}

// appendPartial writes data at offset have of the download of hash,
// cutting off anything a crash left beyond have first, and syncs it.
func (s *Store) appendPartial(hash string, have int64, data []byte) error {
	p := s.partialPath(hash)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("store: create download folder: %w", err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: open download of %s: %w", hash, err)
	}
	err = f.Truncate(have)
	if err == nil {
		_, err = f.WriteAt(data, have)
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		// Give back what this chunk took: the held bytes stay as they were.
		_ = f.Truncate(have)
	}
	if err := errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("store: write download of %s: %w", hash, err)
	}
	return nil
}

// partialSize is the size of the download in progress of hash, 0 if none.
func (s *Store) partialSize(hash string) int64 {
	fi, err := os.Stat(s.partialPath(hash))
	if err != nil {
		return 0
	}
	return fi.Size()
}

// fileHash returns the lowercase hex SHA-256 of the file at path and its size.
func fileHash(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
