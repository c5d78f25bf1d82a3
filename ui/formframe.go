package ui

import (
	"context"
	"errors"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// formFrame is what every record form has around its own fields: a
// heading, a grid of labelled fields each with its error line, a line for
// errors that belong to no field, and Save (with the form's other
// buttons) in a bar below the scrolled form. A refused save puts each
// field error on its field's line, says beside Save how many fields need
// attention and which, and moves the view and the cursor to the first;
// from then on the errors follow every edit until the form is loaded
// again. A form embeds it and adds its own fields with [formFrame.field].
// Like every widget, it is used on Fyne's goroutine only.
type formFrame struct {
	u *UI
	// detail is the pane the form is shown in, scrolled to reveal an error.
	detail *detailPane
	id     string // the record in the form; "" for a new one

	obj     fyne.CanvasObject // the form's content, once built
	heading *widget.Label
	grid    *fyne.Container // label/field pairs
	errs    map[string]*paraLabel
	save    *widget.Button
	bar     fyne.CanvasObject // Save and the rest, below the scrolled form
	// attention says, beside Save, how many fields a refused save found
	// wrong, and which.
	attention *paraLabel
	// order lists the fields that can have an error, in the form's order;
	// names and targets give each one's label and the widget to focus.
	order   []string
	names   map[string]string
	targets map[string]fyne.Focusable
	// shownAs maps a record field whose errors show on another field's
	// line (a reach cell under "reach") to that field; such errors are
	// prefixed with their own field's name.
	shownAs map[string]string
	// firstRaw is, for each field showing an error, the first field of the
	// record it came from (a reach cell for "reach").
	firstRaw map[string]string
	// checked is set once a save was refused: from then on the errors
	// follow every change, until the form is saved or loaded again.
	checked bool
	// files is the form's Files section, shown for a kind of record that
	// carries files.
	files *attachmentsPanel
}

// frame returns the form's frame, for the list screen that shows it.
func (fr *formFrame) frame() *formFrame { return fr }

// visible reports whether the form is on screen.
func (fr *formFrame) visible() bool {
	return fr.obj != nil && fr.detail.showsForm()
}

// begin makes the frame's widgets, before the form adds its fields;
// onSave runs when Save is tapped. It returns a change handler for the
// form's widgets that calls onChanged.
func (fr *formFrame) begin(onSave, onChanged func()) (changed func(string)) {
	l := fr.u.l
	fr.errs, fr.names, fr.order, fr.shownAs = map[string]*paraLabel{}, map[string]string{}, nil, map[string]string{}
	fr.heading = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText}
	fr.save = &widget.Button{Text: l.T("button.save"), Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: onSave}
	fr.grid = newForm(isRTL(l))
	fr.attention = newErrorText(l)
	fr.files = newAttachmentsPanel(fr.u)
	return func(string) { onChanged() }
}

// errLine returns a new, hidden error line for field, which becomes the
// next field in the form's order.
func (fr *formFrame) errLine(field string) *paraLabel {
	e := newErrorText(fr.u.l)
	fr.errs[field] = e
	fr.order = append(fr.order, field)
	return e
}

// field adds a row to the grid: the label labelID beside w and, when
// errField is not "", errField's error line under w.
func (fr *formFrame) field(labelID string, w fyne.CanvasObject, errField string) {
	l := fr.u.l
	fr.grid.Add(&widget.Label{Text: l.T(labelID), Alignment: fyne.TextAlignTrailing})
	if errField == "" {
		fr.grid.Add(w)
		return
	}
	fr.names[errField] = l.T(labelID)
	fr.grid.Add(container.NewVBox(w, fr.errLine(errField)))
}

// finish lays the form out: the heading, intro (a warning, say), the grid,
// the form's own error line and the Files section; and the bar: the attention line over
// buttons (Save first). It returns the form's content.
func (fr *formFrame) finish(intro []fyne.CanvasObject, buttons ...fyne.CanvasObject) fyne.CanvasObject {
	l := fr.u.l
	objs := append([]fyne.CanvasObject{fr.heading}, intro...)
	fr.obj = container.NewVBox(append(objs, fr.grid, fr.errLine("form"), fr.files.build())...)
	fr.bar = container.NewVBox(fr.attention, rowOf(isRTL(l), buttons...))
	mirrorLabels(l, fr.obj)
	mirrorLabels(l, fr.bar)
	return fr.obj
}

// clearErrors hides every error line.
func (fr *formFrame) clearErrors() {
	for _, e := range fr.errs {
		setError(e, "")
	}
	setError(fr.attention, "")
}

// showErrors puts each field error next to its field, and an error of a
// field the form does not show on the form's own line.
func (fr *formFrame) showErrors(errs []model.FieldError) {
	fr.clearErrors()
	l := fr.u.l
	fr.firstRaw = map[string]string{}
	for _, fe := range errs {
		field, named := fe.Field, false
		if to, ok := fr.shownAs[field]; ok {
			field, named = to, true
		}
		e, ok := fr.errs[field]
		if !ok {
			field, e = "form", fr.errs["form"]
		}
		if _, seen := fr.firstRaw[field]; !seen {
			fr.firstRaw[field] = fe.Field
		}
		msg := validationText(l, fe)
		if named {
			msg = l.T("form.field_error", "Field", fieldLabel(l, fe.Field), "Message", msg)
		}
		if e.Text != "" {
			msg = e.Text + "\n" + msg
		}
		setError(e, msg)
	}
	fr.sayAttention()
}

// sayAttention tells, beside Save, how many fields show an error and
// which, in the form's order; it says nothing when none does.
func (fr *formFrame) sayAttention() {
	l := fr.u.l
	var names []string
	for _, field := range fr.order {
		name, named := fr.names[field]
		if _, wrong := fr.firstRaw[field]; wrong && named && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	switch {
	case len(names) > 0:
		setError(fr.attention, l.N("form.needs_attention", len(names), "Fields", joinList(l, names)))
	case len(fr.firstRaw) > 0:
		setError(fr.attention, fr.errs["form"].text)
	default:
		setError(fr.attention, "")
	}
}

// firstError returns the first field, in the form's order, that shows an
// error, or "" when none does.
func (fr *formFrame) firstError() string {
	for _, field := range fr.order {
		if _, wrong := fr.firstRaw[field]; wrong {
			return field
		}
	}
	return ""
}

// revealFirstError scrolls the form to the first field in error and puts
// the cursor in it.
func (fr *formFrame) revealFirstError() {
	field := fr.firstError()
	if field == "" {
		return
	}
	target, ok := fr.targets[fr.firstRaw[field]]
	if !ok {
		target, ok = fr.targets[field]
	}
	if !ok {
		fr.detail.reveal(fr.errs[field])
		return
	}
	if obj, isObj := target.(fyne.CanvasObject); isObj {
		fr.detail.reveal(obj)
	}
	if c := fr.u.win.Canvas(); c != nil {
		c.Focus(target)
	}
}

// refuse shows errs beside their fields and beside Save, moves the view
// and the cursor to the first, and keeps the errors following the edits.
func (fr *formFrame) refuse(errs []model.FieldError) {
	fr.checked = true
	fr.showErrors(errs)
	fr.revealFirstError()
}

// reset forgets a refused save: the form was loaded again.
func (fr *formFrame) reset() {
	fr.checked = false
	fr.clearErrors()
}

// submit stores a form's record: errs (what the form itself found wrong)
// or a validation error from write refuse the save beside the fields, and
// any other error from write is shown in a dialog. It returns the stored
// record and whether it was stored.
func submit[T any](fr *formFrame, errs []model.FieldError, write func(context.Context) (T, error)) (T, bool) {
	var zero T
	if len(errs) > 0 {
		fr.refuse(errs)
		return zero, false
	}
	saved, err := write(context.Background())
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		fr.refuse(ve.Fields)
		return zero, false
	}
	if err != nil {
		fr.u.showError(err)
		return zero, false
	}
	return saved, true
}

// themeChecks returns a check box for each theme of c, calling onChanged
// when one is ticked or cleared, and the box that lays them out two to a
// row (one on a narrow window), in reading order.
func themeChecks(l *locales.Localizer, c choices, onChanged func()) ([]*widget.Check, fyne.CanvasObject) {
	var checks []*widget.Check
	var objs []fyne.CanvasObject
	for _, label := range c.labels {
		check, obj := newCheck(l, label, func(bool) { onChanged() })
		checks = append(checks, check)
		objs = append(objs, obj)
	}
	return checks, flowOf(isRTL(l), 2, objs...)
}

// joinList writes names as a list the language's way ("Title, Kind";
// "العنوان، النوع"; "标题、类型").
func joinList(l *locales.Localizer, names []string) string {
	if len(names) == 0 {
		return ""
	}
	out := names[0]
	for _, n := range names[1:] {
		out = l.T("form.list_join", "A", out, "B", n)
	}
	return out
}

// recordStore is how a list screen and its form read and write one kind
// of record. Its functions are the [Store]'s, safe for concurrent use.
type recordStore[T any] struct {
	get    func(ctx context.Context, id string) (T, error)
	create func(ctx context.Context, rec T) (T, error)
	update func(ctx context.Context, rec T) (T, error)
	// meta returns the record's meta (id, owner, version, visibility).
	meta func(rec *T) *model.Meta
	// files returns the record's attached files, which the form's
	// attachments section edits in the store directly; nil for a kind
	// that carries none.
	files func(rec *T) *[]protocol.FileRef
}

// put creates rec when id is "", and otherwise writes rec's fields over
// the stored record id, keeping its id, owner, version and files but
// taking rec's visibility. A record that is gone gives an error wrapping
// [store.ErrNotFound]; an invalid one a [*model.ValidationError].
func (r recordStore[T]) put(ctx context.Context, id string, rec T) (T, error) {
	if id == "" {
		return r.create(ctx, rec)
	}
	old, err := r.get(ctx, id)
	if err != nil {
		return old, err
	}
	vis := r.meta(&rec).Visibility
	*r.meta(&rec) = *r.meta(&old)
	r.meta(&rec).Visibility = vis
	if r.files != nil {
		// The files are attached and removed as they are chosen, not
		// with Save: keep the stored list.
		*r.files(&rec) = *r.files(&old)
	}
	return r.update(ctx, rec)
}
