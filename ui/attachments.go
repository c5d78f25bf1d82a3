package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"  // attached images: GIF,
	_ "image/jpeg" // JPEG
	_ "image/png"  // and PNG
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/internal/filelabel"
	"github.com/a20-network/fieldbook/internal/filetype"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// thumbSide is the side of the square a file's thumbnail (or type icon)
// is drawn in, in the list of a record's files.
const thumbSide = 56

// attachmentsPanel is the Files section of a record's form, which every
// list-and-form screen whose records carry files gets from [formFrame]:
// the record's files, each with its name, size, type and where it is
// (on this device, being sent, on the hub, downloaded or not), a thumbnail
// for an image, and what can be done with it (open, save as, download,
// remove with undo); then "Attach files…" and "Send photos as taken".
// Files dropped on the window while the form is open are attached too.
// Attaching reads, checks and (for a photo) reduces the file off Fyne's
// goroutine; each file is attached to the stored record at once, not
// with Save. A new record takes files once saved. Like every widget, it
// is used on Fyne's goroutine only.
type attachmentsPanel struct {
	u      *UI
	entity string // the kind of record shown; "" when it carries no files
	id     string // the record shown; "" for a new one
	gen    int    // bumps on every load, so a late reading is dropped

	box      *fyne.Container // the whole section
	list     *fyne.Container // a row per file
	hint     *paraLabel      // no files, save first, preparing a photo
	problem  *paraLabel      // a refused file, and why
	attach   *widget.Button
	original *widget.Check
	// rows are the rows shown, in the record's order.
	rows []*fileRow
	busy int // attachments being prepared
	// preparing is the message id said while they are.
	preparing string
}

// fileRow is one file of a record, as the panel shows it.
type fileRow struct {
	ref   protocol.FileRef
	state store.FileState
	// name and detail wrap rather than cut: on a narrow window the buttons
	// leave little room, and a name or a state read in part says little.
	name *paraLabel
	// detail is "size · type · where it is".
	detail *paraLabel
	// problem says why a download ended without the file.
	problem *paraLabel
	// thumb is the image's thumbnail, or nil for a file without one.
	thumb                                  *tapImage
	open, saveAs, download, cancel, remove *widget.Button
	obj                                    fyne.CanvasObject
}

// newAttachmentsPanel returns the panel of a form of u, not built yet.
func newAttachmentsPanel(u *UI) *attachmentsPanel { return &attachmentsPanel{u: u} }

// build makes the section, hidden until a record that carries files is
// loaded.
func (p *attachmentsPanel) build() fyne.CanvasObject {
	l := p.u.l
	p.list = container.NewVBox()
	p.hint = wrapped(l, "")
	p.hint.Importance = widget.LowImportance
	p.problem = newErrorText(l)
	p.attach = &widget.Button{Text: l.T("files.attach"), Icon: theme.ContentAddIcon(), OnTapped: p.onAttach}
	var originalObj fyne.CanvasObject
	p.original, originalObj = newCheck(l, l.T("files.original"), nil)
	p.box = container.NewVBox(
		widget.NewSeparator(),
		heading(l.T("files.title")),
		p.list,
		p.hint,
		p.problem,
		// The check box takes the rest of the row: in a right-to-left
		// language its text truncates to what it is given.
		borderOf(isRTL(l), nil, nil, p.attach, nil, originalObj),
	)
	p.box.Hide()
	return p.box
}

// load shows the files of record id of entity ("" for a new record), or
// hides the section when entity is "" (a kind that carries no files).
func (p *attachmentsPanel) load(entity, id string) {
	if p.entity != entity || p.id != id {
		setError(p.problem, "")
	}
	p.entity, p.id = entity, id
	if entity == "" {
		p.box.Hide()
		return
	}
	p.box.Show()
	p.reload()
}

// reload reads the record's files and where each is, in the background,
// and shows them.
func (p *attachmentsPanel) reload() {
	p.gen++
	gen, entity, id := p.gen, p.entity, p.id
	if id == "" {
		p.show(nil, nil)
		return
	}
	st := p.u.deps.Store
	p.u.run.async(func() func() {
		refs, states, err := readFiles(st, entity, id)
		return func() {
			if gen != p.gen {
				return
			}
			if err != nil {
				p.u.showError(err)
				return
			}
			p.show(refs, states)
		}
	})
}

// readFiles returns the files of a record and where each is; a file the
// device has not heard of is taken as on the hub, not downloaded. It runs
// off Fyne's goroutine.
func readFiles(st Store, entity, id string) ([]protocol.FileRef, []store.FileState, error) {
	ctx := context.Background()
	refs, err := st.FileRefs(ctx, entity, id)
	if err != nil {
		return nil, nil, err
	}
	states := make([]store.FileState, len(refs))
	for i, r := range refs {
		s, err := st.FileState(ctx, r.Hash)
		switch {
		case errors.Is(err, store.ErrNotFound):
			s = store.FileState{Hash: r.Hash, Size: r.Size, Type: r.Type, Where: store.FileNotDownloaded}
		case err != nil:
			return nil, nil, err
		}
		states[i] = s
	}
	return refs, states, nil
}

// show lists refs, with where each is.
func (p *attachmentsPanel) show(refs []protocol.FileRef, states []store.FileState) {
	l := p.u.l
	p.list.RemoveAll()
	p.rows = nil
	for i, r := range refs {
		row := p.newRow(r, states[i])
		p.rows = append(p.rows, row)
		p.list.Add(row.obj)
	}
	p.list.Refresh()
	p.showHint()
	if p.id == "" {
		p.attach.Disable()
	} else {
		p.attach.Enable()
	}
	mirrorLabels(l, p.list)
}

// showHint says what the section is waiting for: a saved record, a photo
// being prepared, or files.
func (p *attachmentsPanel) showHint() {
	l := p.u.l
	switch {
	case p.busy > 0:
		p.hint.SetText(l.T(p.preparing))
	case p.id == "":
		p.hint.SetText(l.T("files.save_first"))
	case len(p.rows) == 0:
		p.hint.SetText(l.T("files.none"))
	default:
		p.hint.SetText(l.T("files.drop_hint"))
	}
}

// newRow returns the row of one file.
func (p *attachmentsPanel) newRow(ref protocol.FileRef, st store.FileState) *fileRow {
	u, l := p.u, p.u.l
	rtl := isRTL(l)
	row := &fileRow{ref: ref, state: st}
	row.name = newParaLabel(l, ref.Name)
	row.name.TextStyle = fyne.TextStyle{Bold: true}
	row.detail = newParaLabel(l, "")
	var icon fyne.CanvasObject
	if len(ref.Thumb) > 0 {
		row.thumb = newTapImage(fyne.NewStaticResource(ref.Name, ref.Thumb), func() { u.showImage(ref) })
		icon = row.thumb
	} else {
		r := canvas.NewRectangle(color.Transparent)
		r.SetMinSize(fyne.NewSquareSize(thumbSide))
		icon = container.NewStack(r, container.NewCenter(widget.NewIcon(fileIcon(ref.Type))))
	}
	low := widget.LowImportance
	row.open = &widget.Button{Text: l.T("files.open"), Importance: low, OnTapped: func() { u.openAttachment(ref) }}
	row.saveAs = &widget.Button{Text: l.T("files.save_as"), Importance: low, OnTapped: func() { u.saveAttachmentAs(ref) }}
	row.download = &widget.Button{Text: l.T("files.download"), Icon: theme.DownloadIcon(), Importance: low, OnTapped: func() { u.startFetch(ref) }}
	row.cancel = &widget.Button{Text: l.T("button.cancel"), Icon: theme.CancelIcon(), Importance: low, OnTapped: func() { u.cancelFetch(ref.Hash) }}
	row.remove = &widget.Button{Text: l.T("files.remove"), Icon: theme.DeleteIcon(), Importance: low, OnTapped: func() { p.onRemove(ref) }}
	row.problem = newErrorText(l)
	// Each label has padding of its own: the lines of one file keep
	// together, apart from the next file's.
	text := container.New(layout.NewCustomPaddedVBoxLayout(0), row.name, row.detail, row.problem)
	buttons := rowOf(rtl, row.open, row.saveAs, row.download, row.cancel, row.remove)
	// The picture and the buttons stay level with the name however many
	// lines the texts take.
	row.obj = borderOf(rtl, nil, nil, container.NewVBox(icon), container.NewVBox(buttons), text)
	p.showRow(row)
	return row
}

// showRow shows where row's file is, how far a download a person started
// has come, and the buttons that fit: Open once the file is here (or its
// thumbnail for an image), Save as once it is here, Download while it is
// not, Cancel while it downloads.
func (p *attachmentsPanel) showRow(row *fileRow) {
	l := p.u.l
	st := row.state
	f := p.u.fetches[row.ref.Hash]
	local := st.Where != store.FileNotDownloaded && st.Where != store.FileDownloading
	where := fileWhere(l, st)
	if f.running() {
		where = fetchingText(l, f)
	}
	row.detail.SetText(fileDetail(l, row.ref, where))
	showIf(row.saveAs, local)
	showIf(row.download, !local && !f.running())
	showIf(row.cancel, f.running())
	if f.running() && f.cancelled {
		row.cancel.Disable()
	} else {
		row.cancel.Enable()
	}
	if local || len(row.ref.Thumb) > 0 {
		row.open.Enable()
	} else {
		row.open.Disable()
	}
	problem := ""
	if f != nil && !f.running() && f.err != nil {
		problem = fetchProblem(l, f.err, f.hub)
	}
	setError(row.problem, problem)
}

// showIf shows obj when show is true, else hides it.
func showIf(obj fyne.CanvasObject, show bool) {
	if show {
		obj.Show()
	} else {
		obj.Hide()
	}
}

// fileDetail is the second line of a file's row: its size, its type and
// where, where it is ("1.2 MB · PDF · Waiting to send").
func fileDetail(l *locales.Localizer, ref protocol.FileRef, where string) string {
	return l.T("files.detail", "Size", formatSize(l, ref.Size), "Type", l.T("files.type."+fileCategory(ref.Type)), "State", where)
}

// fileWhere says where a file is and how far its transfer has come.
func fileWhere(l *locales.Localizer, st store.FileState) string {
	pct := formatNumber(l, st.Percent())
	switch st.Where {
	case store.FileOnDevice:
		return l.T("files.state.on_device")
	case store.FileWaiting, store.FileSending:
		switch st.Held {
		case store.HeldHubFull:
			return l.T("files.state.hub_full")
		case store.HeldDamaged:
			return l.T("files.state.damaged")
		}
		if st.Where == store.FileSending {
			return l.T("files.state.sending", "Percent", pct)
		}
		return l.T("files.state.waiting")
	case store.FileOnHub:
		return l.T("files.state.synced")
	case store.FileDownloading:
		return l.T("files.state.partial", "Percent", pct)
	case store.FileRefused:
		return l.T("files.state.refused", "Reason", st.Refused)
	}
	if st.Wanted {
		return l.T("files.state.asked")
	}
	return l.T("files.state.not_downloaded")
}

// formatSize writes a size in bytes the language's way (see
// [filelabel.Size]).
func formatSize(l *locales.Localizer, n int64) string { return filelabel.Size(l, n) }

// fileCategory is the short word a file's media type is shown as (see
// [filelabel.Category]).
func fileCategory(mime string) string { return filelabel.Category(mime) }

// fileIcon is the icon drawn for a file without a thumbnail.
func fileIcon(mime string) fyne.Resource {
	switch fileCategory(mime) {
	case "image":
		return theme.FileImageIcon()
	case "audio":
		return theme.FileAudioIcon()
	case "text":
		return theme.FileTextIcon()
	case "pdf", "document", "spreadsheet", "presentation":
		return theme.DocumentIcon()
	}
	return theme.FileIcon()
}

// onAttach asks for a file with Fyne's file dialog and attaches it.
func (p *attachmentsPanel) onAttach() {
	p.u.chooseFile(func(path string) { p.attachPaths([]string{path}) })
}

// attachPaths attaches the files at paths to the record shown: each is
// checked, and a photo reduced unless "Send photos as taken" is ticked,
// off Fyne's goroutine; a refused file is named with the reason, and
// nothing of it is attached.
func (p *attachmentsPanel) attachPaths(paths []string) {
	l := p.u.l
	if p.entity == "" || len(paths) == 0 {
		return
	}
	if p.id == "" {
		setError(p.problem, l.T("files.save_first"))
		return
	}
	entity, id := p.entity, p.id
	st := p.u.deps.Store
	p.busy++
	p.preparing = "files.preparing"
	if slices.ContainsFunc(paths, looksLikePhoto) {
		p.preparing = "files.preparing_photo"
	}
	p.attach.Disable()
	setError(p.problem, "")
	p.showHint()
	p.u.attachFiles(paths, store.AttachOptions{Original: p.original.Checked}, func(ctx context.Context, refs []protocol.FileRef) error {
		return st.AddFileRefs(ctx, entity, id, refs...)
	}, func(refs []protocol.FileRef, problems []string) {
		p.busy--
		p.attach.Enable()
		if p.entity != entity || p.id != id {
			return
		}
		setError(p.problem, strings.Join(problems, "\n"))
		p.showHint()
		if len(refs) > 0 {
			names := make([]string, len(refs))
			for i, r := range refs {
				names[i] = r.Name
			}
			p.u.notice.show(p.u, l.T("notice.files_attached", "Names", joinList(l, names)), "", nil)
		}
		p.reload()
	})
}

// looksLikePhoto reports whether the file at path is named like a photo,
// which takes a moment to reduce; its content decides what it is.
func looksLikePhoto(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jpg", ".jpeg", ".jpe", ".png", ".webp", ".heic":
		return true
	}
	return false
}

// onRemove detaches a file from the record, with an undo in the notice
// bar; its bytes stay on this device.
func (p *attachmentsPanel) onRemove(ref protocol.FileRef) {
	st, entity, id := p.u.deps.Store, p.entity, p.id
	p.u.cancelFetch(ref.Hash)
	if err := st.RemoveFileRef(context.Background(), entity, id, ref.Hash); err != nil {
		p.u.showError(err)
		return
	}
	p.reload()
	l := p.u.l
	p.u.notice.show(p.u, l.T("notice.file_removed", "Name", ref.Name), l.T("button.undo"), func() {
		if err := st.AddFileRefs(context.Background(), entity, id, ref); err != nil {
			p.u.showError(err)
			return
		}
		if p.entity == entity && p.id == id {
			p.reload()
		}
	})
}

// attachFiles attaches the files at paths off Fyne's goroutine: each is
// read, checked and prepared by the store, then the ones taken are given
// to keep (which puts them in a record). done then runs on Fyne's
// goroutine with the files attached and, for each one refused or failed,
// a sentence naming it and saying why.
func (u *UI) attachFiles(paths []string, opts store.AttachOptions, keep func(context.Context, []protocol.FileRef) error, done func([]protocol.FileRef, []string)) {
	st, l := u.deps.Store, u.l
	u.run.async(func() func() {
		ctx := context.Background()
		var refs []protocol.FileRef
		var problems []string
		for _, path := range paths {
			ref, err := st.AttachFile(ctx, path, opts)
			if err != nil {
				problems = append(problems, attachProblem(l, filepath.Base(path), err))
				continue
			}
			refs = append(refs, ref)
		}
		if len(refs) > 0 && keep != nil {
			if err := keep(ctx, refs); err != nil {
				for _, r := range refs {
					problems = append(problems, attachProblem(l, r.Name, err))
				}
				refs = nil
			}
		}
		return func() { done(refs, problems) }
	})
}

// attachProblem says in l's language that the file name was not attached
// and why: the reason it was refused, too large, a full disk, or the
// error itself.
func attachProblem(l *locales.Localizer, name string, err error) string {
	reason := err.Error()
	var ve *model.ValidationError
	switch r, refused := filetype.IsRefused(err); {
	case refused:
		reason = l.T("file.refused."+string(r.Reason), "Found", r.Found)
	case errors.As(err, &ve) && len(ve.Fields) > 0 && ve.Fields[0].Reason == model.ReasonTooLarge:
		reason = l.T("files.too_large", "Limit", formatSize(l, model.MaxFileSize))
	case errors.As(err, &ve) && len(ve.Fields) > 0:
		reason = validationText(l, ve.Fields[0])
	case store.IsDiskFull(err):
		reason = l.T("files.disk_full")
	}
	return l.T("files.not_attached", "Name", name, "Reason", reason)
}

// chooseFile asks for one file with Fyne's open dialog and gives its path
// to picked.
func (u *UI) chooseFile(picked func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		picked(path)
	}, u.win)
	d.Show()
}

// openAttachment opens a file: an image large in the app, any other file
// with the computer's own program for it, once it is on this device.
func (u *UI) openAttachment(ref protocol.FileRef) {
	if fileCategory(ref.Type) == "image" {
		u.showImage(ref)
		return
	}
	path, err := u.deps.Store.FilePath(context.Background(), ref.Hash)
	if err != nil {
		u.showError(err)
		return
	}
	l := u.l
	u.run.async(func() func() {
		if err := openWithSystem(path); err != nil {
			return func() { u.showError(errors.New(l.T("files.open_failed", "Name", ref.Name, "Detail", err.Error()))) }
		}
		return nil
	})
}

// openWithSystem opens the file at path with the program the computer
// uses for it, without waiting for that program. Tests replace it.
var openWithSystem = func(path string) error {
	cmd := systemOpenCommand(path)
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() //nolint:errcheck // the program's exit says nothing about the file
	return nil
}

// showImage shows an attached image large in a dialog: the file itself
// when it is on this device, else its thumbnail.
func (u *UI) showImage(ref protocol.FileRef) {
	var res fyne.Resource
	if path, err := u.deps.Store.FilePath(context.Background(), ref.Hash); err == nil {
		if b, err := os.ReadFile(path); err == nil {
			res = fyne.NewStaticResource(ref.Name, b)
		}
	}
	if res == nil && len(ref.Thumb) > 0 {
		res = fyne.NewStaticResource(ref.Name, ref.Thumb)
	}
	if res == nil {
		u.showError(fmt.Errorf("%s: %w", ref.Name, store.ErrNotFound))
		return
	}
	img := imageOf(res)
	img.FillMode = canvas.ImageFillContain
	ws := u.win.Canvas().Size()
	img.SetMinSize(fyne.NewSize(max(ws.Width*0.7, 320), max(ws.Height*0.65, 240)))
	d := dialog.NewCustom(shown(u.l, ref.Name), shown(u.l, u.l.T("button.close")), img, u.win)
	d.Show()
}

// saveAttachmentAs copies a file on this device where the person chooses,
// with Fyne's save dialog.
func (u *UI) saveAttachmentAs(ref protocol.FileRef) {
	path, err := u.deps.Store.FilePath(context.Background(), ref.Hash)
	if err != nil {
		u.showError(err)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if w == nil {
			return
		}
		u.run.async(func() func() {
			err := copyFileTo(w, path)
			return func() {
				if err != nil {
					u.showError(err)
					return
				}
				u.notice.show(u, u.l.T("notice.file_saved", "Name", w.URI().Name()), "", nil)
			}
		})
	}, u.win)
	d.SetFileName(ref.Name)
	d.Show()
}

// copyFileTo copies the file at path into w and closes w.
func copyFileTo(w io.WriteCloser, path string) error {
	f, err := os.Open(path)
	if err != nil {
		w.Close()
		return err
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// onDropped attaches files dropped on the window to the record open in
// the form of the tab in view; with no saved record open it says where
// to drop them.
func (u *UI) onDropped(_ fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, uri := range uris {
		if uri.Scheme() == "file" {
			paths = append(paths, uri.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	for _, fr := range u.shownForms() {
		if fr.files.entity != "" && fr.id != "" {
			fr.files.attachPaths(paths)
			return
		}
	}
	u.notice.show(u, u.l.T("files.drop_where"), "", nil)
}

// tapImage is an image that does something when tapped: a thumbnail that
// opens its image large.
type tapImage struct {
	widget.BaseWidget
	img   *canvas.Image
	data  []byte // the image's bytes
	onTap func()
}

// imageOf returns res drawn as an image, decoded here: Fyne 2.7's GL
// driver drew a blank window when a rebuilt screen (a language switched)
// showed a canvas image made from a JPEG resource.
func imageOf(res fyne.Resource) *canvas.Image {
	im, _, err := image.Decode(bytes.NewReader(res.Content()))
	if err != nil {
		return canvas.NewImageFromResource(res)
	}
	return canvas.NewImageFromImage(im)
}

// newTapImage returns a thumbnail of res that calls onTap when tapped.
func newTapImage(res fyne.Resource, onTap func()) *tapImage {
	t := &tapImage{img: imageOf(res), data: res.Content(), onTap: onTap}
	t.img.FillMode = canvas.ImageFillContain
	t.img.SetMinSize(fyne.NewSquareSize(thumbSide))
	t.ExtendBaseWidget(t)
	return t
}

// CreateRenderer draws the image.
func (t *tapImage) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(layout.NewStackLayout(), t.img))
}

// Tapped calls onTap.
func (t *tapImage) Tapped(*fyne.PointEvent) { t.onTap() }
