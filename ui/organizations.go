package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/model"
)

// organizationsScreen is the network directory: who is in the network,
// where, and how to reach them. Entries come from the hub.
type organizationsScreen struct {
	u      *UI
	filter *entry
	count  *widget.Label
	list   *widget.List
	all    []model.Organization
	shown  []model.Organization

	country                    *widget.Label
	name, contact, description *paraLabel
	detail                     *fyne.Container
}

func newOrganizationsScreen(u *UI) *organizationsScreen { return &organizationsScreen{u: u} }

func (s *organizationsScreen) build() fyne.CanvasObject {
	l := s.u.l
	s.filter = newEntry(l.T("organizations.search"), func(string) { s.applyFilter() })
	s.count = &widget.Label{}
	s.list = &widget.List{
		Length: func() int { return len(s.shown) },
		CreateItem: func() fyne.CanvasObject {
			return borderOf(isRTL(s.u.l), nil, nil, nil, &widget.Label{Importance: widget.LowImportance}, &widget.Label{Truncation: fyne.TextTruncateEllipsis})
		},
		UpdateItem: func(id widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			setText(s.u.l, c.Objects[0].(*widget.Label), s.shown[id].Name)
			setText(s.u.l, c.Objects[1].(*widget.Label), countryName(s.u.l, s.shown[id].Country))
		},
		OnSelected: func(id widget.ListItemID) { s.show(s.shown[id]) },
	}
	s.list.ExtendBaseWidget(s.list)
	s.name = newParaLabel(l, "")
	s.name.TextStyle, s.name.SizeName = fyne.TextStyle{Bold: true}, "subHeadingText"
	s.country = &widget.Label{}
	s.contact = newParaLabel(l, "")
	s.description = wrapped(l, "")
	s.detail = container.NewVBox(s.name, s.country, s.description, s.contact)
	s.name.SetText(l.T("organizations.none_selected"))
	left := container.NewBorder(container.NewVBox(s.filter, s.count), nil, nil, nil, s.list)
	split := splitOf(isRTL(s.u.l), left, container.NewVScroll(s.detail), 0.4)
	s.refresh()
	return split
}

// refresh reloads the directory.
func (s *organizationsScreen) refresh() {
	if s.list == nil {
		return
	}
	st := s.u.deps.Store
	s.u.run.async(func() func() {
		orgs, err := st.Organizations(context.Background())
		return func() {
			if err != nil {
				s.u.showError(err)
				return
			}
			s.all = orgs
			s.applyFilter()
		}
	})
}

func (s *organizationsScreen) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(s.filter.Text))
	s.shown = s.shown[:0:0]
	for _, o := range s.all {
		if q == "" || strings.Contains(strings.ToLower(o.Name+" "+o.Description+" "+countryName(s.u.l, o.Country)), q) {
			s.shown = append(s.shown, o)
		}
	}
	if len(s.all) == 0 {
		setText(s.u.l, s.count, s.u.l.T("organizations.empty"))
	} else {
		setText(s.u.l, s.count, s.u.l.N("organizations.count", len(s.shown)))
	}
	s.list.UnselectAll()
	s.list.Refresh()
}

func (s *organizationsScreen) show(o model.Organization) {
	l := s.u.l
	s.name.SetText(o.Name)
	setText(l, s.country, countryName(l, o.Country))
	s.description.SetText(o.Description)
	if o.Contact != "" {
		s.contact.SetText(l.T("organizations.contact", "Contact", o.Contact))
	} else {
		s.contact.SetText("")
	}
}
