package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/store"
)

// commentsPanel is the discussion under one activity or resource: the
// comments, oldest first, and a box to add one.
type commentsPanel struct {
	u        *UI
	entity   string
	parentID string

	list   *fyne.Container
	author *entry
	body   *entry
	err    *paraLabel
	add    *widget.Button
}

func newCommentsPanel(u *UI, entity string) *commentsPanel {
	return &commentsPanel{u: u, entity: entity}
}

// build returns the panel for the record parentID.
func (c *commentsPanel) build(parentID string) fyne.CanvasObject {
	l := c.u.l
	c.parentID = parentID
	c.list = container.NewVBox()
	// Entries that pass the window's shortcuts on (Ctrl+S, Ctrl+F).
	c.author = newEntry(l.T("comments.author"), nil)
	if name, ok, _ := c.u.deps.Store.Setting(context.Background(), "author"); ok {
		c.author.SetText(name)
	}
	c.body = newMultiLineEntry(2, nil)
	c.body.PlaceHolder = l.T("comments.placeholder")
	c.err = newErrorText(c.u.l)
	c.add = &widget.Button{Text: l.T("comments.add"), OnTapped: c.onAdd}
	c.reload()
	return container.NewVBox(
		heading(l.T("comments.title")),
		c.list,
		c.author,
		c.body,
		c.err,
		rowOf(isRTL(c.u.l), c.add),
	)
}

// reload reads the comments again.
func (c *commentsPanel) reload() {
	l := c.u.l
	cs, err := c.u.deps.Store.Comments(context.Background(), c.parentID)
	if err != nil {
		c.u.showError(err)
		return
	}
	c.list.RemoveAll()
	if len(cs) == 0 {
		c.list.Add(&widget.Label{Text: l.T("comments.none"), Importance: widget.LowImportance})
	}
	for _, cm := range cs {
		who := cm.Author
		if who == "" {
			who = l.T("comments.anonymous")
		}
		c.list.Add(&widget.Label{Text: who + " · " + c.u.formatTime(cm.CreatedAt), TextStyle: fyne.TextStyle{Italic: true}, Importance: widget.LowImportance})
		c.list.Add(wrapped(l, cm.Body))
	}
	mirrorLabels(l, c.list)
}

func (c *commentsPanel) onAdd() {
	ctx := context.Background()
	_, err := c.u.deps.Store.CreateComment(ctx, store.Comment{ParentEntity: c.entity, ParentID: c.parentID, Author: c.author.Text, Body: c.body.Text})
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		msg := ""
		for _, fe := range ve.Fields {
			if msg != "" {
				msg += "\n"
			}
			msg += c.u.l.T("form.field_error", "Field", fieldLabel(c.u.l, "comment_"+fe.Field), "Message", validationText(c.u.l, fe))
		}
		setError(c.err, msg)
		return
	}
	if err != nil {
		c.u.showError(err)
		return
	}
	if c.author.Text != "" {
		if err := c.u.deps.Store.SetSetting(ctx, "author", c.author.Text); err != nil {
			c.u.showError(err)
		}
	}
	setError(c.err, "")
	c.body.SetText("")
	c.reload()
}
