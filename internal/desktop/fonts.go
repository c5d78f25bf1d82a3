package desktop

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/fontscan"

	"github.com/a20-network/fieldbook/locales/fontcover"
)

// ScanFonts returns the characters the computer's fonts and Fyne's bundled
// ones (text, bold, symbols) draw, for the window's font check and
// `fieldbook locales check`.
func ScanFonts() (*fontcover.Set, error) {
	s, err := fontcover.System("")
	if err != nil {
		return nil, fmt.Errorf("scan system fonts: %w", err)
	}
	for _, r := range []fyne.Resource{theme.DefaultTextFont(), theme.DefaultTextBoldFont(), theme.DefaultSymbolFont()} {
		if err := s.AddFont("bundled "+r.Name(), r.Content()); err != nil {
			return nil, fmt.Errorf("read bundled font %s: %w", r.Name(), err)
		}
	}
	return s, nil
}

// systemFonts is the computer's fonts plus Fyne's bundled ones, scanned
// once, on first use (off the UI goroutine).
type systemFonts struct {
	once sync.Once
	set  *fontcover.Set

	mu    sync.Mutex                          // guards faces
	faces map[fontscan.Location]fyne.Resource // loaded script fonts by face
}

func (f *systemFonts) load() *fontcover.Set {
	f.once.Do(func() {
		s, err := ScanFonts()
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
// nils when none is needed or found. A face of a collection (Noto Sans
// CJK's) is read out into a font of its own ([fontcover.Face]): Fyne reads
// a theme's font as one face.
func (f *systemFonts) ScriptFonts(texts []string) (regular, bold fyne.Resource) {
	set := f.load()
	if set == nil {
		return nil, nil
	}
	regularFace, boldFace := set.ScriptFonts(texts)
	return f.resource(regularFace), f.resource(boldFace)
}

// resource reads a font face once; nil for no file or an unreadable one.
func (f *systemFonts) resource(at fontscan.Location) fyne.Resource {
	if at.File == "" {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.faces[at]; ok {
		return r
	}
	r, err := loadFace(at)
	if err != nil {
		slog.Warn("scriptFont", "file", at.File, "face", at.Index, "err", err)
	}
	if f.faces == nil {
		f.faces = map[fontscan.Location]fyne.Resource{}
	}
	f.faces[at] = r
	return r
}

// loadFace reads the face at from its file.
func loadFace(at fontscan.Location) (fyne.Resource, error) {
	data, err := os.ReadFile(at.File)
	if err != nil {
		return nil, fmt.Errorf("read font: %w", err)
	}
	face, err := fontcover.Face(data, int(at.Index))
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", at.File, err)
	}
	name := filepath.Base(at.File)
	if at.Index != 0 {
		name = fmt.Sprintf("%s#%d", name, at.Index)
	}
	return fyne.NewStaticResource(name, face), nil
}
