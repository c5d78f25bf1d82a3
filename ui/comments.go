package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// commentsPanel is the discussion under one activity or resource: the
// comments, oldest first, each with its file if it has one, and a box to
// add one, which may carry one file.
type commentsPanel struct {
	u        *UI
	entity   string
	parentID string

	list   *fyne.Container
	author *entry
	body   *entry
	err    *paraLabel
	add    *widget.Button
	// attach picks the new comment's file; file is it, once prepared,
	// named by fileName, and unfile drops it.
	attach   *widget.Button
	file     *protocol.FileRef
	fileName *widget.Label
	unfile   *widget.Button
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
	c.attach = &widget.Button{Text: l.T("comments.attach"), Icon: theme.ContentAddIcon(), Importance: widget.LowImportance, OnTapped: c.onAttach}
	c.fileName = &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	c.unfile = &widget.Button{Icon: theme.CancelIcon(), Importance: widget.LowImportance, OnTapped: func() { c.setFile(nil) }}
	c.setFile(nil)
	c.reload()
	rtl := isRTL(c.u.l)
	return container.NewVBox(
		heading(l.T("comments.title")),
		c.list,
		c.author,
		c.body,
		c.err,
		borderOf(rtl, nil, nil, rowOf(rtl, c.add, c.attach, c.unfile), nil, c.fileName),
	)
}

// setFile makes ref the new comment's file (nil: none).
func (c *commentsPanel) setFile(ref *protocol.FileRef) {
	c.file = ref
	if ref == nil {
		c.fileName.SetText("")
		c.unfile.Hide()
		c.attach.Show()
		return
	}
	setText(c.u.l, c.fileName, c.u.l.T("comments.file", "Name", ref.Name, "Size", formatSize(c.u.l, ref.Size)))
	c.unfile.Show()
	c.attach.Hide()
}

// onAttach picks the new comment's file and prepares it off Fyne's
// goroutine; a refused file is named with its reason.
func (c *commentsPanel) onAttach() {
	c.u.chooseFile(func(path string) { c.attachPath(path) })
}

// attachPath prepares the file at path as the new comment's file.
func (c *commentsPanel) attachPath(path string) {
	parent := c.parentID
	c.attach.Disable()
	setText(c.u.l, c.fileName, c.u.l.T("files.preparing"))
	c.u.attachFiles([]string{path}, store.AttachOptions{}, nil, func(refs []protocol.FileRef, problems []string) {
		c.attach.Enable()
		if c.parentID != parent {
			return
		}
		setError(c.err, strings.Join(problems, "\n"))
		if len(refs) == 1 {
			c.setFile(&refs[0])
		} else {
			c.setFile(nil)
		}
	})
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
		if cm.File != nil {
			ref := *cm.File
			name := &widget.Label{Text: l.T("comments.file", "Name", ref.Name, "Size", formatSize(l, ref.Size)), Truncation: fyne.TextTruncateEllipsis}
			open := &widget.Button{Text: l.T("files.open"), Importance: widget.LowImportance, OnTapped: func() { c.u.openAttachment(ref) }}
			c.list.Add(borderOf(isRTL(l), nil, nil, nil, open, name))
		}
	}
	mirrorLabels(l, c.list)
}

func (c *commentsPanel) onAdd() {
	ctx := context.Background()
	_, err := c.u.deps.Store.CreateComment(ctx, model.Comment{ParentEntity: c.entity, ParentID: c.parentID, Author: c.author.Text, Body: c.body.Text, File: c.file})
	var ve *model.ValidationError
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
	c.setFile(nil)
	c.reload()
}
