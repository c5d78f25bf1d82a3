package chart

import (
	"fmt"
	"html"
	"image/color"
	"strings"

	"github.com/a20-network/fieldbook/internal/bidi"
)

// SVG renders c in width w (h as for [Layout]) as a standalone SVG element:
// no scripts, no external fonts or images, every label escaped. The chart's
// title becomes its accessible name.
//
// Each text is its own bidi paragraph, set in the direction of its first
// strong character (left to right when it has none, as a date or a
// number), so a date range or a number reads the same in a right-to-left
// page; its text-anchor is chosen for that direction so that the text
// lands where [Layout] placed it, mirrored or not, whatever the direction
// of the page around the SVG.
func SVG(c Chart, w, h float32) string {
	g := Layout(c, w, h)
	var b strings.Builder
	dir := "ltr"
	if c.RightToLeft {
		dir = "rtl"
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%s" height="%s" viewBox="0 0 %s %s" role="img" direction="%s"`,
		num(g.W), num(g.H), num(g.W), num(g.H), dir)
	if c.Title != "" {
		fmt.Fprintf(&b, ` aria-label="%s"`, html.EscapeString(c.Title))
	}
	b.WriteString(` font-family="sans-serif">`)
	for _, r := range g.Rects {
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(r.X), num(r.Y), num(r.W), num(r.H), hex(r.Fill))
	}
	for _, s := range g.Segments {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"/>`,
			num(s.X1), num(s.Y1), num(s.X2), num(s.Y2), hex(s.Stroke), num(s.Width))
	}
	drawn := map[Text]bool{}
	for _, t := range g.Texts {
		// Series with the same value at the same point label it once.
		if key := (Text{X: t.X, Y: t.Y, S: t.S}); !drawn[key] {
			drawn[key] = true
			writeText(&b, t)
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// writeText writes t as an SVG text element in its own direction.
func writeText(b *strings.Builder, t Text) {
	rtl, _ := bidi.FirstStrong(t.S)
	dir, anchor := "ltr", [...]string{"start", "middle", "end"}[t.Anchor]
	if rtl {
		// In a right-to-left text, "start" is its right end.
		dir, anchor = "rtl", [...]string{"end", "middle", "start"}[t.Anchor]
	}
	weight := ""
	if t.Bold {
		weight = ` font-weight="bold"`
	}
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%s" fill="%s" direction="%s" unicode-bidi="isolate" text-anchor="%s" dominant-baseline="central"%s>%s</text>`,
		num(t.X), num(t.Y), num(t.Size), hex(t.Fill), dir, anchor, weight, html.EscapeString(t.S))
}

// num writes a coordinate with at most one decimal, keeping pages small.
func num(v float32) string {
	s := fmt.Sprintf("%.1f", v)
	return strings.TrimSuffix(s, ".0")
}

func hex(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
