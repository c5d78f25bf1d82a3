package protocol

import (
	"encoding/hex"
	"fmt"
)

// Files: a record refers to its attachments by [FileRef] in a field of its
// own ("files" on activities and resources, "file" on comments), which
// syncs like any other field. The bytes travel separately, after the
// records, in chunks over the file endpoints below; a file is named by the
// SHA-256 of its content, so the same guide attached by ten organizations
// is stored once on the hub and sent once by each organization (sending it
// is how an organization shows it has it; see below).
//
// The file endpoints (the device's token authenticates them like sync):
//
//	HEAD /v1/files/{hash}              how much of the file the device's
//	                                   organization has sent: header
//	                                   [HeaderReceived] (bytes, from 0) and
//	                                   [HeaderSize] once complete; another
//	                                   organization's upload never shows
//	PUT  /v1/files/{hash}?offset=N     one chunk of an upload, the bytes from
//	                                   N on; headers [HeaderChunkSHA256] (the
//	                                   chunk's hash) and [HeaderSize] (the
//	                                   whole file's size). N must equal what
//	                                   the hub holds (else 409 with
//	                                   [HeaderReceived]); a chunk whose hash
//	                                   does not match is refused (400) and
//	                                   nothing is kept of it. The chunk that
//	                                   completes the file is checked whole
//	                                   (hash, size, type from the content,
//	                                   limits) before the file is kept.
//	GET  /v1/files/{hash}              one chunk of a download, asked with a
//	                                   standard Range header ("bytes=N-M");
//	                                   206 with [HeaderChunkSHA256]
//
// Visibility follows the record: a device may upload a file only when a
// record of its organization refers to it, and download it only when a
// record it may see refers to it and that record's organization holds
// the file: one of its devices has sent it whole, or read it to its end
// when it could (a hash alone, learned from anywhere, gives nothing). A
// request for a file no record the device may see refers to gets, whether
// or not the hub holds the file, the same 403 with kind [KindForbidden];
// a file the device may wait for gets the same 404 whether or not another
// organization has sent it. A device cannot learn what another
// organization attached.

// PathFiles is the prefix of the file endpoints: PathFiles + hash.
const PathFiles = "/v1/files/"

// Headers of the file endpoints.
const (
	// HeaderChunkSHA256 is the lowercase hex SHA-256 of a chunk's bytes.
	HeaderChunkSHA256 = "X-Chunk-Sha256"
	// HeaderReceived is how many bytes of a file the hub holds.
	HeaderReceived = "X-Received"
	// HeaderSize is a whole file's size in bytes.
	HeaderSize = "X-File-Size"
)

// MaxChunk is the largest chunk the hub takes or sends in one request.
const MaxChunk = 1 << 20

// FileRef is a record's reference to one attached file.
type FileRef struct {
	// Hash is the lowercase hex SHA-256 of the file's bytes: what is sent,
	// so for a photo reduced before sending, the reduced copy's.
	Hash string `json:"hash"`
	// Name is the file's name as the person attached it, without folders.
	Name string `json:"name"`
	// Size is the file's size in bytes.
	Size int64 `json:"size"`
	// Type is the file's media type, found from its content
	// ("application/pdf", "image/jpeg").
	Type string `json:"type"`
	// Thumb is a small JPEG of an image (a few KB), carried in the
	// record so every device shows it without downloading the file.
	Thumb []byte `json:"thumb,omitempty"`
}

// ValidHash reports whether h is a file hash as the wire writes it: 64
// lowercase hexadecimal digits.
func ValidHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// CheckHash returns an error naming what is wrong with h, or nil for a
// valid file hash.
func CheckHash(h string) error {
	if !ValidHash(h) {
		return fmt.Errorf("file hash %q: want 64 lowercase hexadecimal digits (SHA-256)", h)
	}
	return nil
}
