package desktop

import (
	"bytes"
	"testing"
	"unicode"

	"github.com/go-text/typesetting/font"
	"golang.org/x/text/language"

	"github.com/a20-network/fieldbook/locales"
)

// Korean and Chinese get a bold face of their own: the window's bold font
// is another face than its regular one, a bold Noto Sans CJK of the
// language's region, and draws the language's letters (Fyne's own fallback
// asks the system for a font per letter without the weight, so bold
// Hangul and Han came out regular).
func TestCJKBoldFace(t *testing.T) {
	bundle, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cases := []struct {
		lang, family string
		script       *unicode.RangeTable
	}{
		{"ko", "Noto Sans CJK KR", unicode.Hangul},
		{"zh-Hans", "Noto Sans CJK SC", unicode.Han},
	}
	fonts := &systemFonts{}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			var texts []string
			for _, m := range bundle.Messages(language.MustParse(c.lang)) {
				texts = append(texts, m.Other)
			}
			regular, bold := fonts.ScriptFonts(texts)
			if regular == nil || bold == nil {
				t.Fatalf("no script font: regular %v, bold %v", regular, bold)
			}
			if bytes.Equal(regular.Content(), bold.Content()) {
				t.Fatalf("bold font %s is the regular one %s", bold.Name(), regular.Name())
			}
			for _, f := range []struct {
				name   string
				data   []byte
				isBold bool
			}{{regular.Name(), regular.Content(), false}, {bold.Name(), bold.Content(), true}} {
				// Fyne reads a theme's font as one face (font.ParseTTF).
				face, err := font.ParseTTF(bytes.NewReader(f.data))
				if err != nil {
					t.Fatalf("%s: %v", f.name, err)
				}
				d := face.Describe()
				if d.Family != c.family {
					t.Errorf("%s: family %q, want %q", f.name, d.Family, c.family)
				}
				if got := d.Aspect.Weight >= font.WeightBold; got != f.isBold {
					t.Errorf("%s: weight %v, bold wanted: %v", f.name, d.Aspect.Weight, f.isBold)
				}
				drawn := 0
				for _, text := range texts {
					for _, r := range text {
						if !unicode.Is(c.script, r) {
							continue
						}
						if _, ok := face.NominalGlyph(r); !ok {
							t.Fatalf("%s: no glyph for %c %U", f.name, r, r)
						}
						drawn++
					}
				}
				if drawn == 0 {
					t.Fatalf("%s: no letters of the script in the messages", f.name)
				}
			}
		})
	}
}
