// Package chart lays out bar and line charts as plain geometry — rectangles,
// lines and text at pixel positions — and renders that geometry as a
// self-contained SVG string (no scripts, no external fonts). The app draws
// the same geometry with Fyne canvas objects (package fynechart), so the
// desktop, the hub dashboard and PDF exports show the same picture.
//
// Every label is a plain string passed in already localized; the package
// holds no text of its own.
package chart

import (
	"image/color"
	"math"
	"strconv"
	"unicode"
)

// Kind is how a chart draws its values.
type Kind int

const (
	// Bars draws one horizontal bar per category and series, grouped by
	// category, with the value written beside each bar.
	Bars Kind = iota
	// Line draws each series as a line across the categories (such as
	// months), with a value axis.
	Line
)

// Series is one set of values, one per category.
type Series struct {
	Name   string
	Values []float64
}

// Chart is what to draw. The zero Format writes whole numbers.
type Chart struct {
	Kind  Kind
	Title string
	// Categories label the bars' groups or the line's x positions.
	Categories []string
	Series     []Series
	// Empty is shown instead of a chart when there is nothing to draw.
	Empty string
	// Format writes a value; nil writes it rounded to a whole number.
	Format func(float64) string
	// Partial marks the categories whose figures are not final yet, such
	// as the month still running: a line chart draws their points and the
	// segments to them thin and muted, so a month half over does not read
	// as a fall. Nil marks none.
	Partial []bool
	// RightToLeft mirrors the layout for a right-to-left language: the
	// title, legend and labels start on the right, bars grow leftwards and
	// a line's categories run from the right.
	RightToLeft bool
}

// Anchor says which point of a text its position names.
type Anchor int

// Text anchors.
const (
	Start Anchor = iota
	Middle
	End
)

// Rect is a filled rectangle; X, Y is its top-left corner.
type Rect struct {
	X, Y, W, H float32
	Fill       color.NRGBA
}

// Segment is a straight line.
type Segment struct {
	X1, Y1, X2, Y2 float32
	Stroke         color.NRGBA
	Width          float32
}

// Text is a label; Y is its baseline's middle: the text is centred on it
// vertically.
type Text struct {
	X, Y   float32
	S      string
	Size   float32
	Anchor Anchor
	Fill   color.NRGBA
	Bold   bool
}

// Geometry is a laid-out chart.
type Geometry struct {
	W, H     float32
	Rects    []Rect
	Segments []Segment
	Texts    []Text
}

// Palette colours the series in order; it stays readable for the common
// forms of colour blindness (Okabe–Ito).
var Palette = []color.NRGBA{
	{0x00, 0x72, 0xB2, 0xff}, {0xE6, 0x9F, 0x00, 0xff}, {0x00, 0x9E, 0x73, 0xff},
	{0xCC, 0x79, 0xA7, 0xff}, {0x56, 0xB4, 0xE9, 0xff}, {0xD5, 0x5E, 0x00, 0xff},
}

// Ink, Muted and Grid colour text, secondary text and grid lines on a light
// background (the SVG and PDF charts); a themed renderer such as
// fynechart maps them to its theme's colours.
var (
	Ink   = color.NRGBA{0x22, 0x22, 0x22, 0xff}
	Muted = color.NRGBA{0x66, 0x66, 0x66, 0xff}
	Grid  = color.NRGBA{0xdd, 0xdd, 0xdd, 0xff}
)

// Sizes used by the layout, in pixels.
const (
	FontSize  float32 = 12
	TitleSize float32 = 14
	barH      float32 = 14
	groupGap  float32 = 8
	rowH      float32 = 20
	// inset keeps texts that start at the chart's edge off it: a glyph may
	// reach past its advance (the first letter of an Arabic heading did),
	// and a scroll bar may lie over the edge.
	inset float32 = 6
)

// TextWidth estimates how wide s is at size: wide (East Asian) characters
// take a full em, others about 0.6 em. Layout uses it to reserve room for
// labels; it errs on the wide side so labels do not overlap bars.
func TextWidth(s string, size float32) float32 {
	var w float32
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			w += size
		case unicode.Is(unicode.Mn, r):
			// combining marks take no room of their own
		default:
			w += size * 0.62
		}
	}
	return w
}

func (c Chart) format(v float64) string {
	if c.Format != nil {
		return c.Format(v)
	}
	return strconv.FormatInt(int64(math.Round(v)), 10)
}

func (c Chart) max() float64 {
	m := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v > m && !math.IsInf(v, 1) {
				m = v
			}
		}
	}
	return m
}

func (c Chart) value(s, i int) float64 {
	if i < len(c.Series[s].Values) {
		v := c.Series[s].Values[i]
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return 0
		}
		return v
	}
	return 0
}

// partial reports whether category i's figures are not final yet.
func (c Chart) partial(i int) bool { return i < len(c.Partial) && c.Partial[i] }

// ink returns the colour and line width of series s at category i: muted
// and thin where the figures are not final.
func (c Chart) ink(s, i int) (color.NRGBA, float32) {
	if c.partial(i) {
		return Muted, 1
	}
	return Palette[s%len(Palette)], 2
}

// empty reports whether there is nothing to draw.
func (c Chart) empty() bool {
	return len(c.Categories) == 0 || len(c.Series) == 0
}

// Layout lays c out in width w. The height follows from the content and is
// returned in Geometry.H; for line charts, h is the plot's height (0 means
// 200).
func Layout(c Chart, w, h float32) Geometry {
	if w < 120 {
		w = 120
	}
	g := Geometry{W: w}
	y := float32(0)
	if c.Title != "" {
		g.Texts = append(g.Texts, Text{X: inset, Y: TitleSize/2 + 2, S: c.Title, Size: TitleSize, Fill: Ink, Bold: true})
		y += TitleSize + 10
	}
	if c.empty() {
		g.Texts = append(g.Texts, Text{X: inset, Y: y + rowH/2, S: c.Empty, Size: FontSize, Fill: Muted})
		g.H = y + rowH
		if c.RightToLeft {
			g.mirror()
		}
		return g
	}
	if len(c.Series) > 1 {
		y = g.legend(c, y)
	}
	if c.Kind == Line {
		g.line(c, y, h)
	} else {
		g.bars(c, y)
	}
	if c.RightToLeft {
		g.mirror()
	}
	return g
}

// mirror flips g left to right: every mark moves to the other side and
// texts are anchored at their other end.
func (g *Geometry) mirror() {
	for i := range g.Rects {
		r := &g.Rects[i]
		r.X = g.W - r.X - r.W
	}
	for i := range g.Segments {
		s := &g.Segments[i]
		s.X1, s.X2 = g.W-s.X1, g.W-s.X2
	}
	for i := range g.Texts {
		t := &g.Texts[i]
		t.X = g.W - t.X
		switch t.Anchor {
		case Start:
			t.Anchor = End
		case End:
			t.Anchor = Start
		}
	}
}

func (g *Geometry) legend(c Chart, y float32) float32 {
	x := inset
	for i, s := range c.Series {
		tw := TextWidth(s.Name, FontSize)
		if x > inset && x+14+tw > g.W {
			x, y = inset, y+rowH
		}
		g.Rects = append(g.Rects, Rect{X: x, Y: y + rowH/2 - 5, W: 10, H: 10, Fill: Palette[i%len(Palette)]})
		g.Texts = append(g.Texts, Text{X: x + 14, Y: y + rowH/2, S: s.Name, Size: FontSize, Fill: Ink})
		x += 14 + tw + 16
	}
	return y + rowH + 4
}

func (g *Geometry) bars(c Chart, y float32) {
	labelW := float32(0)
	for _, l := range c.Categories {
		labelW = max(labelW, TextWidth(l, FontSize))
	}
	labelW = min(labelW+8+inset, g.W*0.4)
	valueW := float32(0)
	for s := range c.Series {
		for i := range c.Categories {
			valueW = max(valueW, TextWidth(c.format(c.value(s, i)), FontSize))
		}
	}
	valueW += 8
	span := max(g.W-labelW-valueW, 10)
	top := c.max()
	groupH := float32(len(c.Series))*barH + groupGap
	for i, cat := range c.Categories {
		gy := y + float32(i)*groupH
		g.Texts = append(g.Texts, Text{X: labelW - 8, Y: gy + float32(len(c.Series))*barH/2, S: cat, Size: FontSize, Anchor: End, Fill: Ink})
		for s := range c.Series {
			v := c.value(s, i)
			bw := float32(0)
			if top > 0 {
				bw = float32(v/top) * span
			}
			by := gy + float32(s)*barH
			g.Rects = append(g.Rects, Rect{X: labelW, Y: by + 1, W: bw, H: barH - 2, Fill: Palette[s%len(Palette)]})
			g.Texts = append(g.Texts, Text{X: labelW + bw + 4, Y: by + barH/2, S: c.format(v), Size: FontSize - 1, Fill: Muted})
		}
	}
	g.Segments = append(g.Segments, Segment{X1: labelW, Y1: y, X2: labelW, Y2: y + float32(len(c.Categories))*groupH - groupGap, Stroke: Muted, Width: 1})
	g.H = y + float32(len(c.Categories))*groupH
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func (g *Geometry) line(c Chart, y, h float32) {
	if h <= 0 {
		h = 200
	}
	const ticks = 4
	// Round the step, not the top, so that every tick is a round number.
	top := niceCeil(c.max()/ticks) * ticks
	axisW := float32(0)
	for t := 0; t <= ticks; t++ {
		axisW = max(axisW, TextWidth(c.format(top*float64(t)/ticks), FontSize-1))
	}
	labelW := float32(0)
	for _, l := range c.Categories {
		labelW = max(labelW, TextWidth(l, FontSize-1))
	}
	// Room for half the widest category label at either end, so that a
	// label centred under the first or last point stays on the chart.
	left := inset + max(axisW+8, labelW/2)
	plotTop := y + 12
	plotH := h
	right := g.W - inset - labelW/2
	plotW := right - left
	bottom := plotTop + plotH
	for t := 0; t <= ticks; t++ {
		ty := bottom - plotH*float32(t)/ticks
		g.Segments = append(g.Segments, Segment{X1: left, Y1: ty, X2: right, Y2: ty, Stroke: Grid, Width: 1})
		g.Texts = append(g.Texts, Text{X: left - 4, Y: ty, S: c.format(top * float64(t) / ticks), Size: FontSize - 1, Anchor: End, Fill: Muted})
	}
	n := len(c.Categories)
	// Each category has an equal slot with its point in the middle, so the
	// first and last labels and values stay clear of the axis and the edge.
	xAt := func(i int) float32 { return left + plotW*(float32(i)+0.5)/float32(n) }
	yAt := func(v float64) float32 { return bottom - plotH*float32(v/top) }
	// Show every step-th category label so that labels never overlap.
	step := 1
	for float32(step)*plotW/float32(n) < labelW+6 && step < n {
		step++
	}
	for i, l := range c.Categories {
		if i%step == 0 {
			// Clear of the lowest tick label beside the first category.
			g.Texts = append(g.Texts, Text{X: xAt(i), Y: bottom + 14, S: l, Size: FontSize - 1, Anchor: Middle, Fill: Muted})
		}
	}
	// A value is written over its point when the slots are wide enough for
	// the widest value; in a narrow chart every valueStep-th, so that no
	// two values run into one another (the table beside holds them all).
	valueW := float32(0)
	for s := range c.Series {
		for i := range n {
			valueW = max(valueW, TextWidth(c.format(c.value(s, i)), FontSize-2))
		}
	}
	valueStep := 1
	for float32(valueStep)*plotW/float32(n) < valueW+4 && valueStep < n {
		valueStep++
	}
	showValues := n <= 13
	for s := range c.Series {
		for i := range n {
			col, width := c.ink(s, i)
			x, vy := xAt(i), yAt(c.value(s, i))
			if i > 0 {
				sc, sw := c.ink(s, i-1)
				if c.partial(i) {
					sc, sw = col, width
				}
				g.Segments = append(g.Segments, Segment{X1: xAt(i - 1), Y1: yAt(c.value(s, i-1)), X2: x, Y2: vy, Stroke: sc, Width: sw})
			}
			g.Rects = append(g.Rects, Rect{X: x - 3, Y: vy - 3, W: 6, H: 6, Fill: col})
			if showValues && i%valueStep == 0 {
				g.Texts = append(g.Texts, Text{X: x, Y: vy - 10, S: c.format(c.value(s, i)), Size: FontSize - 2, Anchor: Middle, Fill: col})
			}
		}
	}
	g.H = bottom + 26
}
