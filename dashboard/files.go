package dashboard

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/a20-network/fieldbook/internal/filelabel"
	"github.com/a20-network/fieldbook/internal/filetype"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// File is one attached file's bytes, as a [FileSource] opens them.
type File interface {
	io.ReaderAt
	io.Closer
	// Size is the file's size in bytes.
	Size() int64
}

// FileSource opens the attached files the dashboard lets people download:
// the hub's own store of files. It is safe for concurrent use.
type FileSource interface {
	// OpenFile opens file hash (64 lowercase hexadecimal digits) for a
	// person of organization org, or of none (org "") who reads only what
	// is shared with the network. A record the reader may read must refer
	// to the file, else it fails with a [*protocol.Error] of kind
	// forbidden, the same whether or not the file exists; a file the
	// reader may read that is not held whole fails with kind not found; a
	// bad hash with kind invalid. The caller closes the file.
	OpenFile(ctx context.Context, org, hash string) (File, error)
}

// Limits of the files a page shows.
const (
	// listFiles is how many of a resource's files a list shows; its own
	// page shows them all.
	listFiles = 5
	// fileNameRunes is how much of a file's name a page shows.
	fileNameRunes = 80
	// maxDownloadName bounds the name a download is saved under, in
	// characters, its ending kept.
	maxDownloadName = 120
)

// fileRow is one attached file as a page shows it.
type fileRow struct {
	// Name is the file's name, cut for the page.
	Name string
	// Size and Type are written in the page's language.
	Size, Type string
	// Href downloads the file; "" when the hub does not hold it yet
	// (Missing) or the dashboard serves no files.
	Href    string
	Missing bool
}

// refsSQL is the SQL of column col's file references as a JSON list,
// without the thumbnails (a page shows none, and twenty of them weigh
// 300 KB); anything but a list of objects reads as none.
func refsSQL(col string) string {
	return `CASE WHEN json_valid(` + col + `) AND json_type(` + col + `) = 'array' THEN
		(SELECT json_group_array(json_remove(value, '$.thumb') ORDER BY id) FROM json_each(` + col + `) WHERE type = 'object')
		ELSE '[]' END`
}

// parseRefs reads the list [refsSQL] makes, keeping the references that
// name a file by a valid hash; a malformed list reads as none, so that one
// bad record does not fail a page.
func parseRefs(list string) []protocol.FileRef {
	var raw []json.RawMessage
	if json.Unmarshal([]byte(list), &raw) != nil {
		return nil
	}
	var out []protocol.FileRef
	for _, r := range raw {
		var f protocol.FileRef
		if json.Unmarshal(r, &f) == nil && protocol.ValidHash(f.Hash) && f.Size >= 0 {
			out = append(out, f)
		}
	}
	return out
}

// heldFiles is which organizations hold which files on the hub, from
// [Handler.heldFiles]: a record's file can be read (and is linked) when
// the record's organization holds it (see the hub's file rules).
type heldFiles map[string]map[string]bool

// by reports whether organization org holds file hash.
func (hf heldFiles) by(hash, org string) bool { return hf[hash][org] }

// heldFiles returns, for each of hashes the hub holds whole, the
// organizations that hold it; without a [FileSource] nobody holds any.
func (h *Handler) heldFiles(ctx context.Context, hashes []string) (heldFiles, error) {
	held := heldFiles{}
	if h.files == nil || len(hashes) == 0 {
		return held, nil
	}
	args := make([]any, len(hashes))
	for i, s := range hashes {
		args[i] = s
	}
	q := "SELECT fh.hash, fh.org_id FROM file_holders fh JOIN files f ON f.hash = fh.hash WHERE fh.hash IN (?" + strings.Repeat(", ?", len(hashes)-1) + ")"
	rows, err := h.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard: look up files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hash, org string
		if err := rows.Scan(&hash, &org); err != nil {
			return nil, fmt.Errorf("dashboard: look up files: %w", err)
		}
		if held[hash] == nil {
			held[hash] = map[string]bool{}
		}
		held[hash][org] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard: look up files: %w", err)
	}
	return held, nil
}

// fileRows shows refs, the files of record id of organization org, each
// linked for download when org holds it (held, from [Handler.heldFiles]):
// a file the record names but its organization never sent is "not on the
// hub yet", whether or not another organization sent it.
func (h *Handler) fileRows(l *locales.Localizer, id, org string, refs []protocol.FileRef, held heldFiles) []fileRow {
	out := make([]fileRow, len(refs))
	for i, f := range refs {
		name, _ := cut(f.Name, fileNameRunes)
		out[i] = fileRow{Name: name, Size: filelabel.Size(l, f.Size), Type: filelabel.Type(l, f.Type)}
		switch {
		case h.files == nil:
		case held.by(f.Hash, org):
			out[i].Href = h.prefix + "/file/" + f.Hash + "?" + url.Values{"record": {id}, "lang": {langTag(l)}}.Encode()
		default:
			out[i].Missing = true
		}
	}
	return out
}

// hashesOf returns the hashes of refs.
func hashesOf(refs []protocol.FileRef) []string {
	out := make([]string, len(refs))
	for i, f := range refs {
		out[i] = f.Hash
	}
	return out
}

// ownOrg is the organization whose private records u may read: an
// orgadmin's own, and none ("") for anyone else, who reads only what is
// shared with the network.
func ownOrg(u User) string {
	if u.Role == RoleOrgAdmin {
		return u.OrgID
	}
	return ""
}

// mayRead reports whether u may read the text and files of a record of
// organization org with visibility vis: the rule every list, page and
// download of the dashboard follows.
func mayRead(u User, org, vis string) bool {
	return vis == "network" || (org != "" && org == ownOrg(u))
}

// fileDownload streams one attached file, asked for by its hash: as an
// attachment named as the record (query "record") names it, with the type
// the hub found from its content, and with byte ranges for resuming. The
// hub decides who may read it by the rule of a device's download (see
// [FileSource]): a file of another organization's private record is
// refused exactly as one nobody attached.
func (h *Handler) fileDownload(w http.ResponseWriter, r *http.Request) {
	l := h.localizer(r)
	hash := r.PathValue("hash")
	if !protocol.ValidHash(hash) {
		http.Error(w, l.T("dashboard.bad_file"), http.StatusBadRequest)
		return
	}
	if h.files == nil {
		http.Error(w, l.T("dashboard.file_not_on_hub"), http.StatusNotFound)
		return
	}
	u := userOf(r)
	f, err := h.files.OpenFile(r.Context(), ownOrg(u), hash)
	if err != nil {
		switch protocol.KindOf(err) {
		case protocol.KindForbidden:
			http.Error(w, l.T("dashboard.file_forbidden"), http.StatusForbidden)
		case protocol.KindNotFound:
			http.Error(w, l.T("dashboard.file_not_on_hub"), http.StatusNotFound)
		case protocol.KindInvalid:
			http.Error(w, l.T("dashboard.bad_file"), http.StatusBadRequest)
		default:
			h.fail(w, r, err)
		}
		return
	}
	defer f.Close()
	name, kind, err := h.downloadName(r.Context(), u, hash, r.URL.Query().Get("record"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	attachment(w, name, kind)
	// The hash names the content: a strong validator, so that a broken
	// download resumes with If-Range.
	w.Header().Set("ETag", `"`+hash+`"`)
	http.ServeContent(downloadWriter{w}, r, "", time.Time{}, io.NewSectionReader(f, 0, f.Size()))
}

// downloadWriter keeps an error answer of a download (a range outside the
// file) from being saved as the file.
type downloadWriter struct{ http.ResponseWriter }

// WriteHeader drops the attachment header from an error status.
func (w downloadWriter) WriteHeader(status int) {
	if status >= http.StatusBadRequest {
		w.Header().Del("Content-Disposition")
	}
	w.ResponseWriter.WriteHeader(status)
}

// downloadName returns the name file hash is saved under and its media
// type: the name record gives it, else the name of another record u may
// read, made safe ([safeFileName]); the type the hub found from the
// content ("application/octet-stream" when it found none).
func (h *Handler) downloadName(ctx context.Context, u User, hash, record string) (string, string, error) {
	var name, kind string
	err := h.db.QueryRowContext(ctx, `SELECT name FROM file_refs WHERE hash = ? AND (visibility = 'network' OR org_id = ?)
		ORDER BY record_id = ? DESC, record_id LIMIT 1`, hash, ownOrg(u), record).Scan(&name)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("dashboard: name of file %s: %w", hash, err)
	}
	err = h.db.QueryRowContext(ctx, "SELECT type FROM files WHERE hash = ?", hash).Scan(&kind)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("dashboard: type of file %s: %w", hash, err)
	}
	if name == "" {
		name = "fieldbook-" + hash[:12]
	}
	if kind == "" {
		kind = "application/octet-stream"
	}
	return safeFileName(name, kind), kind, nil
}

// bidiControls are the invisible marks that reorder text: in a file name
// they can show "invoice‮fdp.exe" as "invoiceexe.pdf".
const bidiControls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

// safeFileName makes name fit to save a download under: no folders, no
// control or reordering characters, no leading dots or spaces, at most
// maxDownloadName characters with its ending kept, "file" if nothing is
// left; and an ending that fits media type kind when the allow-list knows
// it ([filetype.Kind.FitName]: a text named page.html is saved as
// page.html.txt), so the computer opens it as what it is.
func safeFileName(name, kind string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "_")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(bidiControls, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimRight(strings.TrimLeft(name, ". "), " ")
	if name == "" {
		name = "file"
	}
	if k, ok := filetype.ByMIME(kind); ok {
		name = k.FitName(name)
	}
	if n := utf8.RuneCountInString(name); n > maxDownloadName {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 16 {
			ext = ""
		}
		stem := []rune(strings.TrimSuffix(name, ext))
		name = string(stem[:maxDownloadName-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

// contentDisposition is the Content-Disposition of a download named name
// (RFC 6266): the name itself in quotes when it is plain printable ASCII,
// else an ASCII stand-in ("_" for each other character) for old clients
// and the UTF-8 name as RFC 5987 encodes it.
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	v := `attachment; filename="` + ascii + `"`
	if ascii != name {
		v += "; filename*=UTF-8''" + rfc5987(name)
	}
	return v
}

// rfc5987 percent-encodes s's UTF-8 bytes but for RFC 5987's attr-char.
func rfc5987(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChar, c) >= 0) {
			sb.WriteByte(c)
			continue
		}
		fmt.Fprintf(&sb, "%%%02X", c)
	}
	return sb.String()
}
