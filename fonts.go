package main

import (
	"log/slog"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/a20-network/fieldbook/locales/fontcover"
)

// scanFonts returns the characters the computer's fonts and Fyne's bundled
// ones (text, bold, symbols) draw, for the window's font check and
// `fieldbook locales check`.
func scanFonts() (*fontcover.Set, error) {
	s, err := fontcover.System("")
	if err != nil {
		return nil, err
	}
	for _, r := range []fyne.Resource{theme.DefaultTextFont(), theme.DefaultTextBoldFont(), theme.DefaultSymbolFont()} {
		if err := s.AddFont("bundled "+r.Name(), r.Content()); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// systemFonts is the computer's fonts plus Fyne's bundled ones, scanned
// once, on first use (off the UI goroutine).
type systemFonts struct {
	once sync.Once
	set  *fontcover.Set

	mu    sync.Mutex
	files map[string]fyne.Resource // loaded script fonts by file
}

func (f *systemFonts) load() *fontcover.Set {
	f.once.Do(func() {
		s, err := scanFonts()
		if err != nil {
			slog.Warn("fontScan", "err", err)
			return
		}
		f.set = s
	})
	return f.set
}

// Covers reports whether the system's fonts or Fyne's bundled ones draw a
// letter. If the scan failed it reports every letter as drawable rather
// than warning wrongly.
func (f *systemFonts) Covers(r rune) bool {
	set := f.load()
	return set == nil || set.Covers(r)
}

// ScriptFonts loads the installed font (regular and bold) that draws the
// letters and marks of texts' script in one face ([fontcover.Set.ScriptFonts]);
// nils when none is needed or found.
func (f *systemFonts) ScriptFonts(texts []string) (regular, bold fyne.Resource) {
	set := f.load()
	if set == nil {
		return nil, nil
	}
	regularFile, boldFile := set.ScriptFonts(texts)
	return f.resource(regularFile), f.resource(boldFile)
}

// resource reads a font file once; nil for "" or an unreadable file.
func (f *systemFonts) resource(file string) fyne.Resource {
	if file == "" {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.files[file]; ok {
		return r
	}
	r, err := fyne.LoadResourceFromPath(file)
	if err != nil {
		slog.Warn("scriptFont", "file", file, "err", err)
	}
	if f.files == nil {
		f.files = map[string]fyne.Resource{}
	}
	f.files[file] = r
	return r
}
