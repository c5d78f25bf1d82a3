package chart

import (
	"fmt"
	"html"
	"image/color"
	"strings"
)

// SVG renders c in width w (h as for [Layout]) as a standalone SVG element:
// no scripts, no external fonts or images, every label escaped. The chart's
// title becomes its accessible name.
func SVG(c Chart, w, h float32) string {
	g := Layout(c, w, h)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%s" height="%s" viewBox="0 0 %s %s" role="img"`,
		num(g.W), num(g.H), num(g.W), num(g.H))
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
	for _, t := range g.Texts {
		anchor := [...]string{"start", "middle", "end"}[t.Anchor]
		weight := ""
		if t.Bold {
			weight = ` font-weight="bold"`
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s" fill="%s" text-anchor="%s" dominant-baseline="central"%s>%s</text>`,
			num(t.X), num(t.Y), num(t.Size), hex(t.Fill), anchor, weight, html.EscapeString(t.S))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// num writes a coordinate with at most one decimal, keeping pages small.
func num(v float32) string {
	s := fmt.Sprintf("%.1f", v)
	return strings.TrimSuffix(s, ".0")
}

func hex(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
