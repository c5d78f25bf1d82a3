package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// stdPreparer does with the standard library what the app's file-type
// package does: the type from the content against an allow-list, photos
// scaled down to maxSide and re-encoded (which drops EXIF), thumbnails.
type stdPreparer struct{ maxSide int }

var allowed = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true, "text/plain; charset=utf-8": true}

func (p stdPreparer) Prepare(content []byte, name string, original bool) (Prepared, error) {
	typ := http.DetectContentType(content)
	if !allowed[typ] {
		return Prepared{}, fmt.Errorf("%s: type %s is not allowed", name, typ)
	}
	out := Prepared{Type: strings.TrimSuffix(typ, "; charset=utf-8")}
	if !strings.HasPrefix(typ, "image/") {
		return out, nil
	}
	img, _, err := image.Decode(bytes.NewReader(content))
	if err != nil {
		return Prepared{}, fmt.Errorf("%s: %w", name, err)
	}
	out.Thumb = scaledJPEG(img, 32, 60)
	if !original && typ == "image/jpeg" {
		out.Send = scaledJPEG(img, p.maxSide, 80)
	}
	return out, nil
}

// scaledJPEG draws img with its long side at most side pixels (nearest
// neighbour) as a JPEG.
func scaledJPEG(img image.Image, side, quality int) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if m := max(w, h); m > side {
		w, h = max(1, w*side/m), max(1, h*side/m)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dst.Set(x, y, img.At(b.Min.X+x*b.Dx()/w, b.Min.Y+y*b.Dy()/h))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// photo writes a noisy w×h JPEG with an EXIF-like APP1 segment to dir.
func photo(t testing.TB, dir, name string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 13), uint8((x ^ y) * 5), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	exif := append([]byte{0xff, 0xe1, 0, 0}, []byte("Exif\x00\x00GPS -13.98 33.78 camera")...)
	exif[2], exif[3] = byte((len(exif)-2)>>8), byte(len(exif)-2)
	b := append(append([]byte{0xff, 0xd8}, exif...), buf.Bytes()[2:]...)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// openFiles opens a fresh store with the standard-library preparer.
func openFiles(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), DBFile), Options{Preparer: stdPreparer{maxSide: 64}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func TestAttachStoresOnceAndRecordSyncsRefs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openFiles(t)
	dir := t.TempDir()
	ref, err := s.AttachFile(ctx, writeFile(t, dir, "guide.pdf", pdf), AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.AttachFile(ctx, writeFile(t, dir, "copy of guide.pdf", pdf), AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ref.Hash != again.Hash || ref.Type != "application/pdf" || ref.Size != int64(len(pdf)) || again.Name != "copy of guide.pdf" {
		t.Fatalf("refs %+v and %+v", ref, again)
	}
	var blobs int
	s.reader.QueryRow("SELECT count(*) FROM blobs").Scan(&blobs)
	files, _ := filepath.Glob(filepath.Join(s.files, "*", "*"))
	if blobs != 1 || len(files) != 1 {
		t.Fatalf("the same content attached twice: %d rows, files %v", blobs, files)
	}
	if got, _ := os.ReadFile(files[0]); !bytes.Equal(got, pdf) || files[0] != s.blobPath(ref.Hash) {
		t.Fatalf("stored at %s", files[0])
	}
	r, err := s.CreateResource(ctx, model.Resource{Kind: "guide", Title: "Guide"})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := s.FileState(ctx, ref.Hash); st.Where != FileOnDevice {
		t.Fatalf("attached, not enrolled: %+v", st)
	}
	if err := s.AddFileRefs(ctx, model.EntityResource, r.ID, ref, again); err != nil {
		t.Fatal(err)
	}
	refs, _ := s.FileRefs(ctx, model.EntityResource, r.ID)
	if len(refs) != 1 || refs[0].Hash != ref.Hash {
		t.Fatalf("refs after adding the same file twice: %+v", refs)
	}
	out, _ := s.Outbox(ctx, 0, 10)
	last := out[len(out)-1]
	if _, ok := last.Changes["files"]; !ok {
		t.Fatalf("the files edit is not queued: %+v", last)
	}
	// After enrollment the file waits to be sent; the engine marks it.
	if err := s.AdoptOrg(ctx, "org-1"); err != nil {
		t.Fatal(err)
	}
	up, _ := s.PendingUploads(ctx)
	if len(up) != 1 || up[0].Hash != ref.Hash || up[0].Sent != 0 {
		t.Fatalf("pending uploads %+v", up)
	}
	for _, c := range []struct {
		sent int64
		want string
	}{{0, FileWaiting}, {10, FileSending}, {ref.Size, FileOnHub}} {
		if err := s.MarkSent(ctx, ref.Hash, c.sent); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.FileState(ctx, ref.Hash); st.Where != c.want || (c.want == FileSending && st.Percent() != int(10*100/ref.Size)) {
			t.Fatalf("sent %d: %+v", c.sent, st)
		}
	}
	if up, _ := s.PendingUploads(ctx); len(up) != 0 {
		t.Fatalf("all sent, still pending: %+v", up)
	}
	if err := s.MarkSent(ctx, ref.Hash, ref.Size+1); err == nil {
		t.Fatal("sent past the end accepted")
	}
	rd, n, err := s.OpenForUpload(ctx, ref.Hash)
	if err != nil || n != ref.Size {
		t.Fatal(err, n)
	}
	buf := make([]byte, n)
	rd.ReadAt(buf, 0)
	rd.Close()
	if !bytes.Equal(buf, pdf) {
		t.Fatal("upload reads other bytes")
	}
	if err := s.RemoveFileRef(ctx, model.EntityResource, r.ID, ref.Hash); err != nil {
		t.Fatal(err)
	}
	if refs, _ := s.FileRefs(ctx, model.EntityResource, r.ID); len(refs) != 0 {
		t.Fatalf("removed, still %+v", refs)
	}
	if _, err := s.FilePath(ctx, ref.Hash); err != nil {
		t.Fatalf("detaching dropped the bytes: %v", err)
	}
	if err := s.AddFileRefs(ctx, model.EntityComment, r.ID, ref); err == nil {
		t.Fatal("a files list on a comment accepted")
	}
}

func TestAttachPhotoKeepsOriginalSendsReduced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openFiles(t)
	src := photo(t, t.TempDir(), "meeting.jpg", 400, 300)
	orig, _ := os.ReadFile(src)
	ref, err := s.AttachFile(ctx, src, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sent, err := os.ReadFile(s.blobPath(ref.Hash))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(sent))
	if err != nil || max(cfg.Width, cfg.Height) != 64 || ref.Size >= int64(len(orig)) || ref.Type != "image/jpeg" {
		t.Fatalf("sent copy %dx%d, %d bytes of %d, %v", cfg.Width, cfg.Height, ref.Size, len(orig), err)
	}
	if bytes.Contains(sent, []byte("GPS")) || len(ref.Thumb) == 0 || len(ref.Thumb) > model.MaxThumb {
		t.Fatalf("sent copy keeps EXIF or thumbnail of %d bytes", len(ref.Thumb))
	}
	var origPath string
	s.reader.QueryRow("SELECT original_path FROM blobs WHERE hash = ?", ref.Hash).Scan(&origPath)
	kept, err := os.ReadFile(filepath.Join(filepath.Dir(s.path), filepath.FromSlash(origPath)))
	if err != nil || !bytes.Equal(kept, orig) {
		t.Fatalf("original not kept at %q: %v", origPath, err)
	}
	whole, err := s.AttachFile(ctx, src, AttachOptions{Original: true})
	if err != nil || whole.Hash != hashHex(orig) || whole.Size != int64(len(orig)) {
		t.Fatalf("--original: %+v %v", whole, err)
	}
}

func TestAttachRefusesAndStoresNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openFiles(t)
	dir := t.TempDir()
	for _, c := range []struct{ name, path, want string }{
		{"wrong type", writeFile(t, dir, "tool.pdf", []byte("MZ\x90\x00\x03 not a pdf but a program\x00\x00\xff")), "not allowed"},
		{"empty", writeFile(t, dir, "empty.txt", nil), "empty"},
		{"folder", dir, "folder"},
		{"missing", filepath.Join(dir, "nope.pdf"), "no such file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.AttachFile(ctx, c.path, AttachOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	var n int
	s.reader.QueryRow("SELECT count(*) FROM blobs").Scan(&n)
	if n != 0 {
		t.Fatalf("%d blobs after refusals", n)
	}
	// A store opened without a preparer checks with Fieldbook's own
	// detector: a program named .pdf is refused, a real PDF is taken.
	plain := openTest(t)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 200)...)
	if _, err := plain.AttachFile(ctx, writeFile(t, dir, "tool.pdf", exe), AttachOptions{}); err == nil {
		t.Fatal("the default checks attached a program named .pdf")
	}
	if ref, err := plain.AttachFile(ctx, writeFile(t, dir, "g.pdf", pdf), AttachOptions{}); err != nil || ref.Type != "application/pdf" {
		t.Fatalf("the default checks on a PDF: %+v, %v", ref, err)
	}
}

func goodRef(name string) protocol.FileRef {
	return protocol.FileRef{Hash: hashHex([]byte(name)), Name: name, Size: 10, Type: "application/pdf"}
}

func TestValidateFileRefs(t *testing.T) {
	t.Parallel()
	mod := func(f func(*protocol.FileRef)) []protocol.FileRef {
		r := goodRef("a.pdf")
		f(&r)
		return []protocol.FileRef{r}
	}
	many := make([]protocol.FileRef, model.MaxFiles+1)
	for i := range many {
		many[i] = goodRef(fmt.Sprint(i, ".pdf"))
	}
	for _, c := range []struct {
		name   string
		refs   []protocol.FileRef
		reason string
		limit  int
	}{
		{"bad hash", mod(func(r *protocol.FileRef) { r.Hash = strings.ToUpper(r.Hash) }), model.ReasonBadHash, 0},
		{"short hash", mod(func(r *protocol.FileRef) { r.Hash = "abc" }), model.ReasonBadHash, 0},
		{"no name", mod(func(r *protocol.FileRef) { r.Name = "" }), model.ReasonBadFileName, model.MaxFileName},
		{"folder in name", mod(func(r *protocol.FileRef) { r.Name = "../etc/passwd" }), model.ReasonBadFileName, model.MaxFileName},
		{"windows folder", mod(func(r *protocol.FileRef) { r.Name = `C:\x.pdf` }), model.ReasonBadFileName, model.MaxFileName},
		{"long name", mod(func(r *protocol.FileRef) { r.Name = strings.Repeat("é", model.MaxFileName+1) }), model.ReasonBadFileName, model.MaxFileName},
		{"empty", mod(func(r *protocol.FileRef) { r.Size = 0 }), model.ReasonEmptyFile, 0},
		{"negative", mod(func(r *protocol.FileRef) { r.Size = -1 }), model.ReasonEmptyFile, 0},
		{"too large", mod(func(r *protocol.FileRef) { r.Size = model.MaxFileSize + 1 }), model.ReasonTooLarge, model.MaxFileSize},
		{"no type", mod(func(r *protocol.FileRef) { r.Type = " " }), model.ReasonNoFileType, 0},
		{"big thumb", mod(func(r *protocol.FileRef) { r.Thumb = make([]byte, model.MaxThumb+1) }), model.ReasonTooLarge, model.MaxThumb},
		{"twice", []protocol.FileRef{goodRef("a.pdf"), goodRef("a.pdf")}, model.ReasonDuplicateFile, 0},
		{"too many", many, model.ReasonTooManyFiles, model.MaxFiles},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := sampleActivity()
			a.Visibility = model.VisibilityOrg
			a.Files = c.refs
			r := model.Resource{Meta: model.Meta{Visibility: model.VisibilityNetwork}, Kind: "guide", Title: "G", Files: c.refs}
			cm := model.Comment{Meta: model.Meta{Visibility: model.VisibilityOrg}, ParentEntity: model.EntityActivity, ParentID: "x", Body: "b", File: &c.refs[0]}
			for _, v := range []struct {
				field string
				err   error
			}{{"files", a.Validate()}, {"files", r.Validate()}, {"file", cm.Validate()}} {
				if v.field == "file" && len(c.refs) > 1 {
					continue
				}
				var ve *model.ValidationError
				if !errors.As(v.err, &ve) {
					t.Fatalf("%s: got %v", v.field, v.err)
				}
				fe, ok := ve.Field(v.field)
				if !ok || fe.Reason != c.reason || fe.Limit != c.limit || len(ve.Fields) != 1 {
					t.Fatalf("%s: got %+v, want %s limit %d", v.field, ve.Fields, c.reason, c.limit)
				}
				if strings.Contains(fe.Error(), ": "+fe.Reason) {
					t.Fatalf("no English text for %s: %s", fe.Reason, fe.Error())
				}
			}
		})
	}
	a := sampleActivity()
	a.Visibility = model.VisibilityOrg
	a.Files = many[:model.MaxFiles]
	if err := a.Validate(); err != nil {
		t.Fatalf("%d good files refused: %v", model.MaxFiles, err)
	}
}

// TestFilesRoundTripThroughOutboxAndPull sends a record's files the way
// sync does (the outbox's change, the hub's full record back to another
// device) and finds them equal, known there as not downloaded; a local
// files edit not yet acknowledged keeps its value over a pulled one.
func TestFilesRoundTripThroughOutboxAndPull(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := openFiles(t), openFiles(t)
	ref, err := a.AttachFile(ctx, photo(t, t.TempDir(), "p.jpg", 100, 80), AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	act := sampleActivity()
	act.Files = []protocol.FileRef{ref}
	act, err = a.CreateActivity(ctx, act)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := a.CreateComment(ctx, model.Comment{ParentEntity: model.EntityActivity, ParentID: act.ID, Body: "see photo", File: &ref})
	if err != nil {
		t.Fatal(err)
	}
	pullInto(t, a, b, "org-1")
	got, err := b.Activity(ctx, act.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Files) != 1 || got.Files[0].Hash != ref.Hash || !bytes.Equal(got.Files[0].Thumb, ref.Thumb) || got.Files[0].Name != "p.jpg" {
		t.Fatalf("pulled files %+v", got.Files)
	}
	cms, _ := b.Comments(ctx, act.ID)
	if len(cms) != 1 || cms[0].ID != cm.ID || cms[0].File == nil || cms[0].File.Hash != ref.Hash {
		t.Fatalf("pulled comments %+v", cms)
	}
	st, err := b.FileState(ctx, ref.Hash)
	if err != nil || st.Where != FileNotDownloaded {
		t.Fatalf("pulled file state %+v %v", st, err)
	}
	if d, _ := b.WantedDownloads(ctx, 10); len(d) != 0 {
		t.Fatalf("a file over the automatic size offered: %+v", d)
	}
	if err := b.WantFile(ctx, ref.Hash, true); err != nil {
		t.Fatal(err)
	}
	if d, _ := b.WantedDownloads(ctx, 10); len(d) != 1 || !d[0].Wanted || d[0].Have != 0 {
		t.Fatalf("asked-for file: %+v", d)
	}
	if up, _ := b.PendingUploads(ctx); len(up) != 0 {
		t.Fatalf("a pulled file queued to send: %+v", up)
	}
	// A local edit of files waits for the hub: a pull does not undo it.
	got.Files = nil
	if _, err := b.UpdateActivity(ctx, got); err != nil {
		t.Fatal(err)
	}
	rr, _ := a.RecordFields(ctx, model.EntityActivity, act.ID)
	rr.OrgID, rr.Version = "org-1", 2
	if err := b.ApplyRemote(ctx, []RemoteRecord{rr}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if kept, _ := b.Activity(ctx, act.ID); len(kept.Files) != 0 {
		t.Fatalf("pending local files edit overwritten: %+v", kept.Files)
	}
	// A pulled record whose files field is not a list is set aside.
	bad := rr
	bad.ID, bad.Fields = model.NewID(), map[string]json.RawMessage{"files": json.RawMessage(`"guide.pdf"`)}
	if err := b.ApplyRemote(ctx, []RemoteRecord{bad}, nil, nil); err != nil {
		t.Fatal(err)
	}
	var q int
	b.reader.QueryRow("SELECT count(*) FROM quarantine WHERE record_id = ?", bad.ID).Scan(&q)
	if q != 1 {
		t.Fatal("an unreadable files field was not set aside")
	}
}

// download makes the file content known to s as absent and returns its hash.
func download(t testing.TB, s *Store, content []byte) string {
	t.Helper()
	ref := protocol.FileRef{Hash: hashHex(content), Name: "toolkit.pdf", Size: int64(len(content)), Type: "application/pdf"}
	r := model.Resource{Kind: "toolkit", Title: "Toolkit", Files: []protocol.FileRef{ref}}
	rec := RemoteRecord{Entity: model.EntityResource, ID: model.NewID(), OrgID: "other", Version: 1, UpdatedAt: s.clock.Now().String(), Fields: map[string]json.RawMessage{}}
	r.Visibility = model.VisibilityNetwork
	for k, v := range r.Fields() {
		rec.Fields[k] = model.EncodeValue(v)
	}
	if err := s.ApplyRemote(context.Background(), []RemoteRecord{rec}, nil, nil); err != nil {
		t.Fatal(err)
	}
	return ref.Hash
}

func TestAppendChunk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, DBFile), Options{})
	if err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("chunked guide "), 1000)
	hash := download(t, s, content)
	a, b, c := content[:5000], content[5000:10000], content[10000:]
	have := func(s *Store) int64 {
		d, err := s.WantedDownloads(ctx, 1<<30)
		if err != nil || len(d) != 1 {
			t.Fatalf("downloads %+v %v", d, err)
		}
		return d[0].Have
	}
	if err := s.AppendChunk(ctx, hash, 0, a, hashHex(a)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name   string
		offset int64
		data   []byte
		sha    string
		want   error
	}{
		{"bad chunk hash", 5000, b, hashHex(a), ErrChunkHash},
		{"not hex", 5000, b, "zz", ErrChunkHash},
		{"wrong offset", 4000, b, hashHex(b), ErrChunkOffset},
		{"ahead", 10000, c, hashHex(c), ErrChunkOffset},
		{"past the end", 5000, append(slicesClone(b), content...), hashHex(append(slicesClone(b), content...)), nil},
	} {
		err := s.AppendChunk(ctx, hash, bad.offset, bad.data, bad.sha)
		if err == nil || (bad.want != nil && !errors.Is(err, bad.want)) {
			t.Fatalf("%s: got %v, want %v", bad.name, err, bad.want)
		}
		if have(s) != 5000 || s.partialSize(hash) != 5000 {
			t.Fatalf("%s changed the download: have %d, file %d", bad.name, have(s), s.partialSize(hash))
		}
	}
	if st, _ := s.FileState(ctx, hash); st.Where != FileDownloading || st.Percent() != 5000*100/len(content) {
		t.Fatalf("state %+v", st)
	}
	// Restart in the middle: the held bytes and their count survive.
	s.Close()
	if s, err = Open(ctx, filepath.Join(dir, DBFile), Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if have(s) != 5000 {
		t.Fatalf("after reopening, have %d", have(s))
	}
	if err := s.AppendChunk(ctx, hash, 5000, b, hashHex(b)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FilePath(ctx, hash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("partial file has a path: %v", err)
	}
	if err := s.AppendChunk(ctx, hash, 10000, c, hashHex(c)); err != nil {
		t.Fatal(err)
	}
	p, err := s.FilePath(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, content) {
		t.Fatal("downloaded bytes differ")
	}
	if st, _ := s.FileState(ctx, hash); st.Where != FileOnHub {
		t.Fatalf("downloaded: %+v", st)
	}
	if _, err := os.Stat(s.partialPath(hash)); !os.IsNotExist(err) {
		t.Fatal("partial file left behind")
	}
	if d, _ := s.WantedDownloads(ctx, 1<<30); len(d) != 0 {
		t.Fatalf("complete, still wanted: %+v", d)
	}
	if err := s.AppendChunk(ctx, hash, 0, a, hashHex(a)); err != nil {
		t.Fatalf("a chunk of a complete file: %v", err)
	}

	// Chunks that each match their own hash but make another file.
	other := bytes.Repeat([]byte("another file "), 300)
	oh := download(t, s, other)
	wrong := bytes.Repeat([]byte("X"), len(other))
	if err := s.AppendChunk(ctx, oh, 0, wrong, hashHex(wrong)); !errors.Is(err, ErrFileHash) {
		t.Fatalf("wrong whole file: %v", err)
	}
	if have(s) != 0 || s.partialSize(oh) != 0 {
		t.Fatalf("after a wrong whole file: have %d", have(s))
	}
	if _, err := s.FilePath(ctx, oh); !errors.Is(err, ErrNotFound) {
		t.Fatal("a wrong file was kept")
	}
	if err := s.AppendChunk(ctx, oh, 0, other, hashHex(other)); err != nil {
		t.Fatalf("fetched again: %v", err)
	}
	if err := s.AppendChunk(ctx, hashHex([]byte("unknown")), 0, a, hashHex(a)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown file: %v", err)
	}
}

func slicesClone(b []byte) []byte { return append([]byte(nil), b...) }

// FuzzAppendChunk feeds AppendChunk arbitrary chunks: whatever comes, the
// download holds a prefix of the file, and only the right bytes complete it.
func FuzzAppendChunk(f *testing.F) {
	content := bytes.Repeat([]byte("0123456789"), 50)
	f.Add(int64(0), content[:100], true)
	f.Add(int64(100), content[100:], true)
	f.Add(int64(0), []byte("wrong"), false)
	f.Add(int64(-1), content[:10], true)
	f.Add(int64(0), content, true)
	s := openTest(f)
	hash := download(f, s, content)
	f.Fuzz(func(t *testing.T, offset int64, data []byte, honest bool) {
		ctx := context.Background()
		sha := hashHex(data)
		if !honest {
			sha = hashHex(append(data, 0))
		}
		_ = s.AppendChunk(ctx, hash, offset, data, sha)
		st, err := s.FileState(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		switch st.Where {
		case FileOnHub:
			p, _ := s.FilePath(ctx, hash)
			if got, _ := os.ReadFile(p); !bytes.Equal(got, content) {
				t.Fatal("completed with other bytes")
			}
		case FileDownloading:
			got, _ := os.ReadFile(s.partialPath(hash))
			if int64(len(got)) < st.Done || !bytes.Equal(got[:st.Done], content[:st.Done]) {
				t.Fatalf("holds %d bytes that are not the file's start", st.Done)
			}
		}
	})
}

func TestUpsertKeepsStoredFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openFiles(t)
	a := sampleActivity()
	a.Files = []protocol.FileRef{goodRef("evidence.pdf")}
	a, err := s.CreateActivity(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	again := a
	again.Files, again.Title = nil, "Imported again"
	if _, err := s.UpsertActivities(ctx, []model.Activity{again}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Activity(ctx, a.ID)
	if got.Title != "Imported again" || len(got.Files) != 1 {
		t.Fatalf("re-import: %q, files %+v", got.Title, got.Files)
	}
}

func TestRefusedUploadWaitsUntilAttachedAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openFiles(t)
	dir := t.TempDir()
	ref, err := s.AttachFile(ctx, writeFile(t, dir, "guide.pdf", pdf), AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.CreateResource(ctx, model.Resource{Kind: "guide", Title: "Guide", Files: []protocol.FileRef{ref}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AdoptOrg(ctx, "org-1"); err != nil {
		t.Fatal(err)
	}
	const why = "too_large: file guide.pdf is larger than this hub takes"
	if err := s.RefuseUpload(ctx, ref.Hash, why); err != nil {
		t.Fatal(err)
	}
	if up, _ := s.PendingUploads(ctx); len(up) != 0 {
		t.Fatalf("refused, still pending: %+v", up)
	}
	if st, _ := s.FileState(ctx, ref.Hash); st.Where != FileRefused || st.Refused != why {
		t.Fatalf("refused: %+v", st)
	}
	if got, _ := s.AttachedFiles(ctx, r.ID); len(got) != 1 || got[0].State.Refused != why {
		t.Fatalf("attached files: %+v", got)
	}
	if got, _ := s.RefusedUploads(ctx); len(got) != 1 || got[0].Hash != ref.Hash || got[0].Refused != why {
		t.Fatalf("refused uploads: %+v", got)
	}
	if err := s.RefuseUpload(ctx, strings.Repeat("a", 64), why); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown file: %v", err)
	}
	// Attached again (after the hub made room, say): it goes again.
	if _, err := s.AttachFile(ctx, writeFile(t, dir, "guide again.pdf", pdf), AttachOptions{}); err != nil {
		t.Fatal(err)
	}
	if up, _ := s.PendingUploads(ctx); len(up) != 1 {
		t.Fatalf("attached again, pending %+v", up)
	}
	if got, _ := s.RefusedUploads(ctx); len(got) != 0 {
		t.Fatalf("attached again, still refused: %+v", got)
	}
}

// A file this device first knew only from a record (another
// organization's, or one naming a hash it learned) and then attaches
// itself is this device's to send: the hub holding it for others says
// nothing of this organization, which shows it has the file by sending
// it.
func TestAttachingAFileKnownFromARecordSendsIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := openFiles(t), openFiles(t)
	ref, err := a.AttachFile(ctx, writeFile(t, t.TempDir(), "guide.pdf", pdf), AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateResource(ctx, model.Resource{Kind: "guide", Title: "Another organization's guide", Files: []protocol.FileRef{ref}}); err != nil {
		t.Fatal(err)
	}
	pullInto(t, a, b, "another-org")
	if st, err := b.FileState(ctx, ref.Hash); err != nil || st.Where != FileNotDownloaded {
		t.Fatalf("known from the pulled record: %+v %v", st, err)
	}
	// The same guide, from a USB stick, attached to a record of b's own.
	mine, err := b.AttachFile(ctx, writeFile(t, t.TempDir(), "guide from a stick.pdf", pdf), AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.CreateResource(ctx, model.Resource{Kind: "guide", Title: "Our copy", Files: []protocol.FileRef{mine}}); err != nil {
		t.Fatal(err)
	}
	if st, err := b.FileState(ctx, ref.Hash); err != nil || st.Where != FileOnDevice {
		t.Fatalf("after attaching: %+v %v, want on this device (b is not enrolled), not on the hub", st, err)
	}
	ups, err := b.PendingUploads(ctx)
	if err != nil || len(ups) != 1 || ups[0].Hash != ref.Hash || ups[0].Sent != 0 {
		t.Fatalf("uploads %+v %v", ups, err)
	}
}

// pullInto applies the records a has queued to b, as a pull of records of
// organization org would.
func pullInto(t testing.TB, a, b *Store, org string) {
	t.Helper()
	ctx := context.Background()
	out, err := a.Outbox(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var recs []RemoteRecord
	for _, ch := range out {
		fields := map[string]json.RawMessage{}
		for k, v := range ch.Changes {
			fields[k] = v.New
		}
		recs = append(recs, RemoteRecord{Entity: ch.Entity, ID: ch.RecordID, OrgID: org, Version: 1, UpdatedAt: ch.HLC, Fields: fields})
	}
	if err := b.ApplyRemote(ctx, recs, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestHeldUploadSaysWhyAndStaysPending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openFiles(t)
	ref, err := s.AttachFile(ctx, writeFile(t, t.TempDir(), "guide.pdf", pdf), AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateResource(ctx, model.Resource{Kind: "guide", Title: "Guide", Files: []protocol.FileRef{ref}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AdoptOrg(ctx, "org-1"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		why, where string
		sent       int64
	}{
		{HeldHubFull, FileWaiting, 0},
		{HeldDamaged, FileSending, 10},
		{"", FileSending, 10},
	} {
		if err := s.MarkSent(ctx, ref.Hash, c.sent); err != nil {
			t.Fatal(err)
		}
		if err := s.HoldUpload(ctx, ref.Hash, c.why); err != nil {
			t.Fatalf("hold %q: %v", c.why, err)
		}
		st, err := s.FileState(ctx, ref.Hash)
		if err != nil || st.Where != c.where || st.Held != c.why {
			t.Fatalf("held %q: %+v %v", c.why, st, err)
		}
		if up, _ := s.PendingUploads(ctx); len(up) != 1 {
			t.Fatalf("held %q: pending %+v", c.why, up)
		}
	}
	if err := s.HoldUpload(ctx, ref.Hash, "tired"); err == nil || !strings.Contains(err.Error(), `"tired"`) {
		t.Fatalf("unknown reason: %v", err)
	}
	if err := s.HoldUpload(ctx, strings.Repeat("b", 64), HeldHubFull); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown file: %v", err)
	}
	// Sent whole, it no longer waits, whatever was noted.
	if err := s.HoldUpload(ctx, ref.Hash, HeldHubFull); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, ref.Hash, ref.Size); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.FileState(ctx, ref.Hash); st.Where != FileOnHub || st.Held != "" {
		t.Fatalf("sent: %+v", st)
	}
	// Attached again, the note goes.
	if err := s.MarkSent(ctx, ref.Hash, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachFile(ctx, writeFile(t, t.TempDir(), "guide.pdf", pdf), AttachOptions{}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.FileState(ctx, ref.Hash); st.Held != "" {
		t.Fatalf("attached again: %+v", st)
	}
}

// MayHaveFilesToMove is false only when there is nothing to send or
// download.
func TestMayHaveFilesToMove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openFiles(t)
	if may, err := s.MayHaveFilesToMove(ctx, 256<<10); may || err != nil {
		t.Fatalf("empty store: %v %v", may, err)
	}
	ref, err := s.AttachFile(ctx, writeFile(t, t.TempDir(), "guide.pdf", pdf), AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateResource(ctx, model.Resource{Kind: "guide", Title: "Guide", Files: []protocol.FileRef{ref}}); err != nil {
		t.Fatal(err)
	}
	if may, _ := s.MayHaveFilesToMove(ctx, 256<<10); !may {
		t.Fatal("a file waits to be sent, but none may move")
	}
	if err := s.MarkSent(ctx, ref.Hash, ref.Size); err != nil {
		t.Fatal(err)
	}
	if may, _ := s.MayHaveFilesToMove(ctx, 256<<10); may {
		t.Fatal("the file is sent, yet one may move")
	}
}
