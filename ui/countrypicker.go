package ui

import (
	"context"
	"log/slog"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// countryPickerRows is how many rows the list under a country picker
// shows before it scrolls.
const countryPickerRows = 10

// countryItem is one row of a country picker's list: a country, the "all
// countries" row of a filter (code ""), or the line between the network's
// countries and the rest (sep).
type countryItem struct {
	code, name string
	keys       []string // folded words and names it is found by
	sep        bool
}

// countryPicker is an entry for a country with type-to-find: typing
// narrows a list under it to the countries whose name, in the interface's
// language or in English, or whose ISO code, starts with what was typed
// (forgiving case and accents, at the start of any word). The list
// starts with the countries the network works in (those of this device's
// activities and of the organizations, most used first), then a line,
// then every other country in alphabetical order of the language. Down
// and Up move in the list, Enter picks, Escape puts the choice back.
type countryPicker struct {
	widget.Entry
	u     *UI
	items []countryItem // every row, network first
	shown []countryItem // the rows the list shows now
	code  string        // the chosen country, "" for none (or all)
	all   string        // the "all countries" label of a filter, "" in a form
	list  *widget.List
	popup *widget.PopUp
	// cursor is the row Enter picks; setting is true while the picker
	// writes its own text, so that it does not count as typing.
	cursor  int
	setting bool
	// onChanged is called with the code after each choice that changes it.
	onChanged func(code string)
	// choices are the countries in alphabetical order (after "all" in a
	// filter). Options and Selected mirror widget.Select's: every option,
	// and the option chosen ("" for none).
	choices  choices
	Options  []string
	Selected string
}

// newCountryPicker returns a picker in u's language showing placeholder
// when empty; with all != "", its first row, labelled all, means any
// country (code "").
func newCountryPicker(u *UI, placeholder, all string, onChanged func(code string)) *countryPicker {
	p := &countryPicker{u: u, all: all, onChanged: onChanged}
	p.PlaceHolder = shown(u.l, placeholder)
	p.items = countryItems(u, all)
	p.choices = countryChoices(u.l)
	if all != "" {
		p.choices = p.choices.withAll(u.l, all)
	}
	p.Options = p.choices.options
	p.Entry.OnChanged = p.onTyped
	p.ExtendBaseWidget(p)
	return p
}

// countryItems orders every country for the picker: the network's first,
// a separator, the rest as [countryChoices] sorts them.
func countryItems(u *UI, all string) []countryItem {
	cs := countryChoices(u.l)
	item := func(code, name string) countryItem {
		return countryItem{code: code, name: name, keys: countryKeys(code, name, englishCountryName(code))}
	}
	var items []countryItem
	if all != "" {
		items = append(items, countryItem{name: all})
	}
	used, err := u.deps.Store.CountryUse(context.Background())
	if err != nil {
		slog.Warn("countryUse", "err", err) // the picker still works, alphabetically
	}
	first := map[string]bool{}
	for _, c := range used {
		if name := cs.label(c.Country); name != c.Country { // a code this version knows
			items = append(items, item(c.Country, name))
			first[c.Country] = true
		}
	}
	if len(first) > 0 {
		items = append(items, countryItem{sep: true})
	}
	for i, code := range cs.codes {
		if !first[code] {
			items = append(items, item(code, cs.labels[i]))
		}
	}
	return items
}

// englishCountryName names a country in English, for finding it by its
// English name whatever the interface's language; "" if unknown.
func englishCountryName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return ""
	}
	return display.Regions(language.English).Name(r)
}

// fold lowercases s and strips its accents, so that "Côte" finds "cote".
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return cases.Fold().String(out)
}

// countryKeys are what a country is found by: its code, and each of its
// names whole and from each word on.
func countryKeys(code string, names ...string) []string {
	keys := []string{fold(code)}
	for _, n := range names {
		f := fold(n)
		keys = append(keys, f)
		for i, r := range f {
			if i > 0 && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				if rest := strings.TrimLeftFunc(f[i:], func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }); rest != "" {
					keys = append(keys, rest)
				}
			}
		}
	}
	return keys
}

// matches returns the rows for typed: all of them (with the separator)
// for nothing typed, else the countries found by it, network first.
func (p *countryPicker) matches(typed string) []countryItem {
	q := fold(strings.TrimSpace(typed))
	if q == "" {
		return p.items
	}
	var out []countryItem
	for _, it := range p.items {
		if it.sep || it.code == "" {
			continue
		}
		for _, k := range it.keys {
			if strings.HasPrefix(k, q) {
				out = append(out, it)
				break
			}
		}
	}
	return out
}

// Code returns the chosen country's ISO code, "" for none.
func (p *countryPicker) Code() string { return p.code }

// SetCode chooses code ("" for none) without calling onChanged.
func (p *countryPicker) SetCode(code string) {
	p.code = code
	p.showChoice()
}

// SetSelected chooses the country of option (one of Options), calling
// onChanged if that changes the choice, as widget.Select does.
func (p *countryPicker) SetSelected(option string) {
	code := p.choices.code(option)
	if code == p.code {
		return
	}
	p.SetCode(code)
	if p.onChanged != nil {
		p.onChanged(code)
	}
}

// showChoice writes the chosen country's name into the entry.
func (p *countryPicker) showChoice() {
	p.Selected = ""
	if p.code != "" {
		p.Selected = p.choices.option(p.code)
	}
	p.setting = true
	p.SetText(p.Selected)
	p.setting = false
}

// onTyped narrows the list to what was typed and shows it.
func (p *countryPicker) onTyped(text string) {
	if p.setting {
		return
	}
	p.shown = p.matches(text)
	p.cursor = p.firstChoosable(0, 1)
	p.open()
}

// open shows the list under the entry.
func (p *countryPicker) open() {
	c := fyne.CurrentApp().Driver().CanvasForObject(p)
	if c == nil {
		return
	}
	if p.shown == nil {
		p.shown = p.items
	}
	if p.list == nil {
		p.list = &widget.List{
			Length:     func() int { return len(p.shown) },
			CreateItem: func() fyne.CanvasObject { return container.NewStack(&widget.Label{}, widget.NewSeparator()) },
			UpdateItem: p.updateRow,
			OnSelected: p.onRowSelected,
		}
		p.popup = widget.NewPopUp(p.list, c)
	}
	p.list.UnselectAll()
	p.list.Refresh()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(p)
	rows := min(max(len(p.shown), 1), countryPickerRows)
	h := float32(rows) * (p.list.MinSize().Height + 4)
	p.popup.ShowAtPosition(pos.AddXY(0, p.Size().Height))
	p.popup.Resize(fyne.NewSize(p.Size().Width, h))
	if p.cursor >= 0 && p.cursor < len(p.shown) {
		p.list.ScrollTo(p.cursor)
	}
}

func (p *countryPicker) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(p.shown) {
		return
	}
	it := p.shown[id]
	stack := o.(*fyne.Container)
	lbl, sep := stack.Objects[0].(*widget.Label), stack.Objects[1]
	if it.sep {
		lbl.SetText("")
		sep.Show()
		return
	}
	sep.Hide()
	lbl.Alignment = align(p.u.l)
	lbl.TextStyle.Bold = id == p.cursor
	lbl.SetText(shown(p.u.l, it.name))
}

func (p *countryPicker) onRowSelected(id widget.ListItemID) {
	p.list.UnselectAll()
	p.pick(id)
}

// pick chooses row id of the list (a separator is not chosen).
func (p *countryPicker) pick(id int) {
	if id < 0 || id >= len(p.shown) || p.shown[id].sep {
		return
	}
	p.choose(p.shown[id])
	p.shown = nil
}

// choose makes it the choice, closes the list and tells onChanged if the
// choice changed.
func (p *countryPicker) choose(it countryItem) {
	p.close()
	changed := it.code != p.code
	p.code = it.code
	p.showChoice()
	if changed && p.onChanged != nil {
		p.onChanged(p.code)
	}
}

// close hides the list.
func (p *countryPicker) close() {
	if p.popup != nil {
		p.popup.Hide()
	}
}

// isOpen reports whether the list is showing.
func (p *countryPicker) isOpen() bool { return p.popup != nil && p.popup.Visible() }

// firstChoosable returns the first row from i in direction dir that is a
// country (or "all"), or -1.
func (p *countryPicker) firstChoosable(i, dir int) int {
	for ; i >= 0 && i < len(p.shown); i += dir {
		if !p.shown[i].sep {
			return i
		}
	}
	return -1
}

// TypedKey moves in the list with Down and Up, picks with Enter and puts
// the choice back with Escape; other keys edit the text.
func (p *countryPicker) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyDown, fyne.KeyUp:
		dir := 1
		if k.Name == fyne.KeyUp {
			dir = -1
		}
		if !p.isOpen() {
			p.shown, p.cursor, dir = p.items, -1, 1
		}
		if next := p.firstChoosable(p.cursor+dir, dir); next >= 0 {
			p.cursor = next
		}
		p.open()
	case fyne.KeyReturn, fyne.KeyEnter:
		if p.isOpen() {
			p.pick(p.cursor)
		}
	case fyne.KeyEscape:
		p.close()
		p.showChoice()
	default:
		p.Entry.TypedKey(k)
	}
}

// FocusLost settles what was typed: nothing typed means no country; a
// text that finds exactly one country chooses it; anything else puts the
// choice back. A tap in the list (which takes the focus) then picks its
// row: the rows stay as they were until it does.
func (p *countryPicker) FocusLost() {
	p.Entry.FocusLost()
	text := strings.TrimSpace(p.Text)
	switch m := p.matches(text); {
	case text == "":
		p.choose(countryItem{})
	case len(m) == 1:
		p.choose(m[0])
	default:
		p.showChoice()
		p.close()
	}
}
