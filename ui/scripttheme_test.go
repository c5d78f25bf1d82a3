package ui

import (
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// A language whose script needs its own font gets it in front of Fyne's
// for plain and bold text (monospace stays Fyne's); switching to a
// language that needs none restores the default theme.
func TestScriptFontFollowsLanguage(t *testing.T) {
	h := newHarness(t)
	khmerRegular := fyne.NewStaticResource("khmer-regular.ttf", theme.DefaultTextFont().Content())
	khmerBold := fyne.NewStaticResource("khmer-bold.ttf", theme.DefaultTextBoldFont().Content())
	var mu sync.Mutex
	var asked []string
	h.extra.ScriptFonts = func(texts []string) (fyne.Resource, fyne.Resource) {
		all := strings.Join(texts, " ")
		mu.Lock()
		asked = append(asked, all)
		mu.Unlock()
		if strings.ContainsRune(all, 'ក') {
			return khmerRegular, khmerBold
		}
		return nil, nil
	}
	u := h.start("en")
	if _, ok := h.app.Settings().Theme().(*scriptTheme); ok {
		t.Fatal("English got a script font")
	}

	u.SetLanguage("km")
	h.settle()
	th := h.app.Settings().Theme()
	if got := th.Font(fyne.TextStyle{}); got != khmerRegular {
		t.Errorf("Khmer regular text font = %v, want the Khmer font", got.Name())
	}
	if got := th.Font(fyne.TextStyle{Bold: true}); got != khmerBold {
		t.Errorf("Khmer bold text font = %v, want the Khmer bold font", got.Name())
	}
	if got := th.Font(fyne.TextStyle{Monospace: true}); got == khmerRegular || got == khmerBold {
		t.Error("monospace text took the Khmer font")
	}
	mu.Lock()
	last := asked[len(asked)-1]
	mu.Unlock()
	if !strings.Contains(last, "ការកំណត់") { // the Settings tab, in Khmer
		t.Errorf("the fonts were chosen from texts that are not the Khmer messages: %.80q", last)
	}

	u.SetLanguage("en")
	h.settle()
	if _, ok := h.app.Settings().Theme().(*scriptTheme); ok {
		t.Error("English kept the Khmer font in front")
	}
}
