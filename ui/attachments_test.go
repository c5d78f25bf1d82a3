package ui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// testPDF is a small, valid PDF.
const testPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
	"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n" +
	"trailer<</Root 1 0 R>>\n%%EOF\n"

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// testJPEG returns a JPEG photo of w×h pixels, made with image/jpeg.
func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openResource starts the app in lang over h's store with one saved
// resource open in its form, and returns the form's files section.
func openResource(t *testing.T, h *harness, lang string) (*UI, *attachmentsPanel, string) {
	t.Helper()
	r, err := h.st.CreateResource(context.Background(), model.Resource{
		Kind: "toolkit", Title: "Safe school walks toolkit", Body: "How communities organised walking groups.",
		Language: "en", Meta: model.Meta{Visibility: model.VisibilityNetwork},
	})
	if err != nil {
		t.Fatal(err)
	}
	u := h.start(lang)
	u.SelectTab(TabResources)
	h.settle()
	u.resources.open(r.ID)
	h.settle()
	return u, u.resources.form.files, r.ID
}

// rowTexts returns what a file's row says.
func rowTexts(r *fileRow) string { return r.name.Text + " | " + r.detail.Text }

// TestAttachFilesShowsTheirRows attaches a PDF and a JPEG through the code
// the file dialog calls: each row names the file, its size, type and
// where it is; the photo has its thumbnail; the state follows the store
// as the file is sent; Remove has an undo.
func TestAttachFilesShowsTheirRows(t *testing.T) {
	h := newHarness(t)
	u, p, id := openResource(t, h, "en")
	if !p.box.Visible() || p.attach.Disabled() || p.hint.text != "No files yet. Attach guides, photos or reports, or drop them on the window." {
		t.Fatalf("empty section: visible %v, attach disabled %v, hint %q", p.box.Visible(), p.attach.Disabled(), p.hint.text)
	}
	dir := t.TempDir()
	pdf := writeFile(t, dir, "walks-guide.pdf", []byte(testPDF))
	jpg := writeFile(t, dir, "walk.jpg", testJPEG(t, 2400, 1600))
	p.attachPaths([]string{pdf, jpg})
	if p.hint.text != "Preparing photo…" || !p.attach.Disabled() {
		t.Fatalf("while preparing: hint %q, attach disabled %v", p.hint.text, p.attach.Disabled())
	}
	h.settle()
	if len(p.rows) != 2 {
		t.Fatalf("%d rows, want 2 (problem %q)", len(p.rows), p.problem.text)
	}
	refs, err := h.st.FileRefs(context.Background(), model.EntityResource, id)
	if err != nil || len(refs) != 2 {
		t.Fatalf("stored refs %v %v", refs, err)
	}
	if got, want := rowTexts(p.rows[0]), "walks-guide.pdf | "+formatSize(u.l, int64(len(testPDF)))+" · PDF · On this device"; got != want {
		t.Fatalf("PDF row %q, want %q", got, want)
	}
	if p.rows[0].thumb != nil {
		t.Fatal("the PDF has a thumbnail")
	}
	photo := p.rows[1]
	if !strings.HasPrefix(rowTexts(photo), "walk.jpg | ") || !strings.HasSuffix(photo.detail.Text, " KB · Image · On this device") {
		t.Fatalf("photo row %q", rowTexts(photo))
	}
	if photo.ref.Size >= int64(len(testJPEG(t, 2400, 1600))) {
		t.Fatalf("the photo was not reduced: %d bytes", photo.ref.Size)
	}
	if photo.thumb == nil || len(refs[1].Thumb) == 0 || !bytes.Equal(photo.thumb.data, refs[1].Thumb) || photo.thumb.img.Image == nil {
		t.Fatal("the photo's thumbnail is not an image of the record's thumbnail bytes")
	}
	if !strings.Contains(u.notice.label.Text, "walks-guide.pdf") {
		t.Fatalf("notice %q", u.notice.label.Text)
	}

	// Saving the form keeps the files attached outside it.
	test.Type(u.resources.form.title, " (2026)")
	u.resources.form.onSave()
	h.settle()
	if refs, _ := h.st.FileRefs(context.Background(), model.EntityResource, id); len(refs) != 2 {
		t.Fatalf("after Save, %d files", len(refs))
	}

	// Enrolled, the files wait to be sent; the sync engine's progress shows.
	ctx := context.Background()
	if err := h.st.AdoptOrg(ctx, "org-1"); err != nil {
		t.Fatal(err)
	}
	u.RefreshSync()
	h.settle()
	if !strings.HasSuffix(p.rows[0].detail.Text, "· Waiting to send") {
		t.Fatalf("enrolled: %q", p.rows[0].detail.Text)
	}
	size := p.rows[0].ref.Size
	if err := h.st.MarkSent(ctx, p.rows[0].ref.Hash, size*40/100+1); err != nil {
		t.Fatal(err)
	}
	u.RefreshSync()
	h.settle()
	if !strings.HasSuffix(p.rows[0].detail.Text, "· Sending 40 %") {
		t.Fatalf("partly sent: %q", p.rows[0].detail.Text)
	}
	if err := h.st.MarkSent(ctx, p.rows[0].ref.Hash, size); err != nil {
		t.Fatal(err)
	}
	u.RefreshSync()
	h.settle()
	if !strings.HasSuffix(p.rows[0].detail.Text, "· On this device and the hub") {
		t.Fatalf("sent: %q", p.rows[0].detail.Text)
	}

	// Remove, then Undo.
	test.Tap(p.rows[0].remove)
	h.settle()
	if len(p.rows) != 1 || p.rows[0].ref.Name != "walk.jpg" {
		t.Fatalf("after Remove: %d rows", len(p.rows))
	}
	if refs, _ := h.st.FileRefs(ctx, model.EntityResource, id); len(refs) != 1 {
		t.Fatalf("after Remove, %d stored", len(refs))
	}
	if u.notice.label.Text != "Removed “walks-guide.pdf”." || !u.notice.action.Visible() {
		t.Fatalf("notice %q", u.notice.label.Text)
	}
	test.Tap(u.notice.action)
	h.settle()
	if len(p.rows) != 2 || p.rows[1].ref.Name != "walks-guide.pdf" {
		t.Fatalf("after Undo: %d rows", len(p.rows))
	}
}

// TestRefusedFileAttachesNothing attaches a program named .pdf: the
// section names the file and says why, and nothing is attached.
func TestRefusedFileAttachesNothing(t *testing.T) {
	h := newHarness(t)
	_, p, id := openResource(t, h, "en")
	exe := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 64)...)
	path := writeFile(t, t.TempDir(), "report.pdf", exe)
	p.attachPaths([]string{path})
	h.settle()
	want := "“report.pdf” was not attached: it is a program, which could harm a computer."
	if !p.problem.Visible() || !strings.HasPrefix(p.problem.text, want) {
		t.Fatalf("problem %q (visible %v), want %q…", p.problem.text, p.problem.Visible(), want)
	}
	if refs, _ := h.st.FileRefs(context.Background(), model.EntityResource, id); len(refs) != 0 || len(p.rows) != 0 {
		t.Fatalf("attached %d, rows %d", len(refs), len(p.rows))
	}
}

// TestDropAttachesToTheOpenForm drops files on the window: they are
// attached to the record in the form; with no record open, nothing is,
// and the notice says where to drop them.
func TestDropAttachesToTheOpenForm(t *testing.T) {
	h := newHarness(t)
	a := h.seed(sampleActivity("Zomba school visit", "MW", "2026-03-02"))[0]
	u := h.start("en")
	pdf := writeFile(t, t.TempDir(), "minutes.pdf", []byte(testPDF))
	u.onDropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(pdf)})
	h.settle()
	if !strings.HasPrefix(u.notice.label.Text, "To attach files, open") {
		t.Fatalf("dropped with no form open: notice %q", u.notice.label.Text)
	}
	u.activities.open(a.ID)
	h.settle()
	u.onDropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(pdf)})
	h.settle()
	refs, err := h.st.FileRefs(context.Background(), model.EntityActivity, a.ID)
	if err != nil || len(refs) != 1 || refs[0].Name != "minutes.pdf" {
		t.Fatalf("activity files %+v %v", refs, err)
	}
	p := u.activities.form.files
	if len(p.rows) != 1 || rowTexts(p.rows[0]) != "minutes.pdf | "+formatSize(u.l, int64(len(testPDF)))+" · PDF · On this device" {
		t.Fatalf("rows %d", len(p.rows))
	}
	// A new activity takes files once saved.
	u.activities.onNew()
	h.settle()
	if !p.attach.Disabled() || p.hint.text != "Save first, then attach files." || len(p.rows) != 0 {
		t.Fatalf("new form: attach disabled %v, hint %q, rows %d", p.attach.Disabled(), p.hint.text, len(p.rows))
	}
}

// TestFilesSectionArabic checks the section in Arabic: the thumbnail on
// the right, buttons on the left, texts in the language's digits and in
// visual order.
func TestFilesSectionArabic(t *testing.T) {
	h := newHarness(t)
	u, p, _ := openResource(t, h, "ar")
	h.win.Resize(fyne.NewSize(1280, 900))
	jpg := writeFile(t, t.TempDir(), "walk.jpg", testJPEG(t, 800, 600))
	p.attachPaths([]string{jpg})
	h.settle()
	if len(p.rows) != 1 {
		t.Fatalf("%d rows (%q)", len(p.rows), p.problem.text)
	}
	row := p.rows[0]
	if strings.ContainsAny(row.detail.Text, "0123456789") {
		t.Fatalf("Latin digits in %q", row.detail.Text)
	}
	checkDrawn(t, "file detail", row.detail.Text, fileDetail(u.l, row.ref, fileWhere(u.l, row.state)))
	rowObj := row.obj.(*fyne.Container)
	rowObj.Resize(fyne.NewSize(700, rowObj.MinSize().Height))
	if tx := absX(rowObj, row.thumb); tx < 500 {
		t.Fatalf("thumbnail at x=%v of 700: not on the right", tx)
	}
	if bx := absX(rowObj, row.remove); bx > 300 {
		t.Fatalf("Remove at x=%v of 700: not on the left", bx)
	}
	if got := p.attach.Text; got != shown(u.l, u.l.T("files.attach")) {
		t.Fatalf("attach button %q", got)
	}
}

// absX returns the x of obj inside root.
func absX(root fyne.CanvasObject, obj fyne.CanvasObject) float32 {
	pos, _ := offsetIn(root, obj)
	return pos.X
}

// TestCommentCarriesAFile attaches a file to a new comment: it is named
// in the comment box, stored with the comment and listed under it.
func TestCommentCarriesAFile(t *testing.T) {
	h := newHarness(t)
	u, _, id := openResource(t, h, "en")
	c := u.resources.comments
	pdf := writeFile(t, t.TempDir(), "notes.pdf", []byte(testPDF))
	c.attachPath(pdf)
	h.settle()
	want := "notes.pdf (" + formatSize(u.l, int64(len(testPDF))) + ")"
	if c.file == nil || c.fileName.Text != want || !c.unfile.Visible() {
		t.Fatalf("comment box file %q", c.fileName.Text)
	}
	test.Type(c.body, "The minutes of the meeting.")
	test.Tap(c.add)
	h.settle()
	cs, err := h.st.Comments(context.Background(), id)
	if err != nil || len(cs) != 1 || cs[0].File == nil || cs[0].File.Name != "notes.pdf" {
		t.Fatalf("comments %+v %v", cs, err)
	}
	if c.file != nil || c.fileName.Text != "" {
		t.Fatal("the comment box still holds the file")
	}
	found := false
	for _, o := range c.list.Objects {
		if box, ok := o.(*fyne.Container); ok {
			for _, in := range box.Objects {
				if lbl, ok := in.(*widget.Label); ok && lbl.Text == want {
					found = true
				}
			}
		}
	}
	if !found {
		t.Fatal("the comment's file is not listed under it")
	}
}

// TestFileRowSaysWhereTheFileIs: each state of a file reads as the row
// says it, the refused one with the hub's reason, the held ones with why
// they wait; in Arabic with the language's digits.
func TestFileRowSaysWhereTheFileIs(t *testing.T) {
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	en := b.Localizer("en")
	for _, c := range []struct {
		st   store.FileState
		want string
	}{
		{store.FileState{Where: store.FileRefused, Refused: "larger than this hub takes"}, "Refused by the hub: larger than this hub takes"},
		{store.FileState{Where: store.FileWaiting, Held: store.HeldHubFull}, "Waiting: the hub’s disk is full"},
		{store.FileState{Where: store.FileSending, Size: 100, Done: 40, Held: store.HeldDamaged}, "Waiting: it reached the hub damaged; the next sync tries again"},
		{store.FileState{Where: store.FileSending, Size: 100, Done: 40}, "Sending 40 %"},
		{store.FileState{Where: store.FileOnHub}, "On this device and the hub"},
		{store.FileState{Where: store.FileDownloading, Size: 100, Done: 25}, "25 % downloaded"},
		{store.FileState{Where: store.FileNotDownloaded, Wanted: true}, "Downloads at the next sync"},
	} {
		if got := fileWhere(en, c.st); got != c.want {
			t.Errorf("%+v reads %q, want %q", c.st, got, c.want)
		}
	}
	f := &fetch{cancel: func() {}, done: 1 << 20, total: 3 << 20}
	if got := fetchingText(en, f); got != "Downloading 33 % (1.0 MB of 3.0 MB)" {
		t.Errorf("fetching reads %q", got)
	}
	if got := fetchingText(b.Localizer("ar"), f); strings.ContainsAny(got, "0123456789") || !strings.Contains(got, "٣٣") {
		t.Errorf("fetching in Arabic reads %q", got)
	}
}
