package ui

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// draftsOffer is the start-up dialog listing unfinished forms.
type draftsOffer struct {
	dlg   *dialog.CustomDialog
	open  map[string]*widget.Button // by draft key
	drop  map[string]*widget.Button
	names map[string]string
}

// offerDrafts shows, at start-up, the forms left unsaved last time (after
// a crash or a closed window) and offers to open or discard each.
func (u *UI) offerDrafts() {
	ds, err := u.deps.Store.Drafts(context.Background())
	if err != nil {
		u.showError(err)
		return
	}
	var activityDrafts []store.Draft
	for _, d := range ds {
		if strings.HasPrefix(d.Key, "activity:") {
			activityDrafts = append(activityDrafts, d)
		}
	}
	if len(activityDrafts) == 0 {
		return
	}
	l := u.l
	offer := &draftsOffer{open: map[string]*widget.Button{}, drop: map[string]*widget.Button{}, names: map[string]string{}}
	rows := container.NewVBox(widget.NewLabel(l.N("drafts.found", len(activityDrafts))))
	for _, d := range activityDrafts {
		var st activityDraft
		if err := json.Unmarshal([]byte(d.Body), &st); err != nil {
			continue
		}
		name := u.draftName(st, d)
		offer.names[d.Key] = name
		open := &widget.Button{Text: l.T("drafts.open"), Importance: widget.HighImportance}
		drop := &widget.Button{Text: l.T("drafts.discard")}
		draft, key := d, d.Key
		open.OnTapped = func() {
			u.restoreActivityDraft(draft, st)
			open.Disable()
			drop.Disable()
		}
		drop.OnTapped = func() {
			if err := u.deps.Store.DeleteDraft(context.Background(), key); err != nil {
				u.showError(err)
			}
			open.Disable()
			drop.Disable()
		}
		offer.open[key], offer.drop[key] = open, drop
		// The name takes the width the buttons leave: in a plain row a
		// truncating label gets none and shows only "…".
		what := &widget.Label{Text: name + " · " + u.formatTime(d.SavedAt), Truncation: fyne.TextTruncateEllipsis}
		rows.Add(borderOf(isRTL(l), nil, nil, nil, rowOf(isRTL(l), open, drop), what))
	}
	mirrorLabels(l, rows)
	offer.dlg = dialog.NewCustom(shown(l, l.T("drafts.title")), shown(l, l.T("button.close")), rows, u.win)
	offer.dlg.Resize(fyne.NewSize(min(640, u.win.Canvas().Size().Width-40), rows.MinSize().Height+120))
	u.draftsOffer = offer
	offer.dlg.Show()
}

// restoreActivityDraft opens the activity a draft belongs to (or a new
// form) and fills it with the draft.
func (u *UI) restoreActivityDraft(d store.Draft, st activityDraft) {
	u.SelectTab(TabActivities)
	s := u.activities
	if st.ID != "" {
		a, err := u.deps.Store.Activity(context.Background(), st.ID)
		if err != nil {
			u.showError(err)
			return
		}
		s.form.edit(a)
	} else {
		s.list.UnselectAll()
		s.form.edit(model.Activity{})
	}
	s.showForm()
	s.form.restoreDraft(d)
	if u.draftsOffer != nil && u.draftsOffer.dlg != nil {
		u.draftsOffer.dlg.Hide()
	}
}

// draftName names an unsaved form for a person: its title, or for an
// untitled new activity when it was started (else last kept).
func (u *UI) draftName(st activityDraft, d store.Draft) string {
	if name := strings.TrimSpace(st.Title); name != "" {
		return name
	}
	when := d.SavedAt
	if t, err := time.Parse(time.RFC3339, st.Started); err == nil {
		when = t
	}
	if st.ID != "" {
		return u.l.T("drafts.untitled")
	}
	return u.l.T("drafts.new_started", "When", u.formatTime(when))
}
