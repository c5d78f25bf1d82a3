package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// noticeBar is the strip at the bottom of the window that confirms what
// just happened ("Activity saved") and offers an undo where one exists.
type noticeBar struct {
	box    *fyne.Container
	label  *widget.Label
	action *widget.Button
	onAct  func()
	gen    int // bumps on every show, so an old timer hides nothing new
}

func newNoticeBar() *noticeBar {
	n := &noticeBar{label: &widget.Label{Truncation: fyne.TextTruncateEllipsis}}
	n.action = &widget.Button{Importance: widget.HighImportance, OnTapped: n.onAction}
	return n
}

// build lays the bar out, its action button on the trailing side: on the
// left in a right-to-left language.
func (n *noticeBar) build(rtl bool) fyne.CanvasObject {
	n.box = borderOf(rtl, nil, nil, nil, n.action, n.label)
	n.box.Hide()
	return n.box
}

// show displays msg, with a button labelled action calling onAct if
// action is not empty, for a few seconds.
func (n *noticeBar) show(u *UI, msg, action string, onAct func()) {
	n.gen++
	gen := n.gen
	setText(u.l, n.label, msg)
	n.onAct = onAct
	if action == "" {
		n.action.Hide()
	} else {
		n.action.SetText(shown(u.l, action))
		n.action.Show()
	}
	n.box.Show()
	time.AfterFunc(8*time.Second, func() {
		u.run.post(func() {
			if n.gen == gen {
				n.box.Hide()
			}
		})
	})
}

func (n *noticeBar) onAction() {
	n.box.Hide()
	if n.onAct != nil {
		f := n.onAct
		n.onAct = nil
		f()
	}
}

// visible reports whether a notice is showing.
func (n *noticeBar) visible() bool { return n.box.Visible() }
