package fynechart_test

import (
	"fmt"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/a20-network/fieldbook/internal/chart"
	"github.com/a20-network/fieldbook/internal/chart/fynechart"
)

func TestBarsDrawnWithCanvasObjects(t *testing.T) {
	test.NewTempApp(t)
	c := chart.Chart{Kind: chart.Bars, Title: "ទីតាំង", Categories: []string{"Malawi", "Kenya"},
		Series: []chart.Series{{Name: "n", Values: []float64{10, 5}}}}
	obj := fynechart.New(c, 300, 0)
	w := test.NewWindow(obj)
	defer w.Close()
	w.Resize(fyne.NewSize(500, 200))
	var bars []*canvas.Rectangle
	texts := map[string]bool{}
	for _, o := range test.LaidOutObjects(obj) {
		switch v := o.(type) {
		case *canvas.Rectangle:
			bars = append(bars, v)
		case *canvas.Text:
			texts[v.Text] = true
			if v.Size().Width <= 0 {
				t.Errorf("text %q has no width", v.Text)
			}
		}
	}
	if len(bars) != 2 || bars[0].Size().Width <= bars[1].Size().Width || bars[1].Size().Width <= 0 {
		t.Fatalf("bars not drawn to scale: %v", bars)
	}
	if r := bars[0].Size().Width / bars[1].Size().Width; r < 1.95 || r > 2.05 {
		t.Errorf("bar ratio %v, want 2", r)
	}
	for _, s := range []string{"ទីតាំង", "Malawi", "Kenya", "10", "5"} {
		if !texts[s] {
			t.Errorf("text %q not drawn", s)
		}
	}
	// Wider container, longer bars.
	before := bars[0].Size().Width
	w.Resize(fyne.NewSize(800, 200))
	if after := widestRect(obj); after <= before {
		t.Errorf("bar did not grow with the window: %v -> %v", before, after)
	}
}

func TestLineDrawnWithLines(t *testing.T) {
	test.NewTempApp(t)
	c := chart.Chart{Kind: chart.Line, Categories: []string{"2026-01", "2026-02", "2026-03"},
		Series: []chart.Series{{Name: "a", Values: []float64{1, 4, 2}}, {Name: "b", Values: []float64{3, 3, 3}}}}
	obj := fynechart.New(c, 300, 120)
	w := test.NewWindow(obj)
	defer w.Close()
	w.Resize(fyne.NewSize(400, 260))
	var lines int
	for _, o := range test.LaidOutObjects(obj) {
		if l, ok := o.(*canvas.Line); ok && l.StrokeWidth == 2 {
			lines++
			if l.Position1.X >= l.Position2.X {
				t.Errorf("segment runs backwards: %v -> %v", l.Position1, l.Position2)
			}
		}
	}
	if lines != 4 {
		t.Errorf("got %d segments, want 4", lines)
	}
	if min := obj.MinSize(); min.Height < 120 {
		t.Errorf("MinSize %v shorter than the plot", min)
	}
}

// drawnTexts returns the texts obj draws now, with their anchor points, as
// chart.Text values: the objects the renderer holds, not the geometry.
func drawnTexts(obj fyne.CanvasObject) []chart.Text {
	var out []chart.Text
	for _, o := range test.LaidOutObjects(obj) {
		if txt, ok := o.(*canvas.Text); ok && txt.Visible() && txt.Text != "" {
			p := txt.Position()
			out = append(out, chart.Text{X: p.X, Y: p.Y + txt.Size().Height/2, S: txt.Text})
		}
	}
	return out
}

// A line chart made at one width and laid out at another, with another
// number of month labels, draws exactly the texts of the layout at the
// new width, each where that layout puts it: a month's value above the
// month's point, never another month's.
func TestLineTextsFollowTheWidth(t *testing.T) {
	test.NewTempApp(t)
	var cats []string
	var vals []float64
	for m := 1; m <= 12; m++ {
		cats = append(cats, fmt.Sprintf("2026-%02d", m))
		vals = append(vals, float64(m*100+m))
	}
	c := chart.Chart{Kind: chart.Line, Categories: cats, Series: []chart.Series{{Name: "a", Values: vals}}}
	obj := fynechart.New(c, 360, 160)
	w := test.NewWindow(obj)
	defer w.Close()
	for _, width := range []float32{360, 900, 500, 1200, 360} {
		w.Resize(fyne.NewSize(width+2*theme.Padding(), 400))
		want := chart.Layout(c, obj.Size().Width, 160)
		got := drawnTexts(obj)
		if len(got) != len(want.Texts) {
			t.Fatalf("width %v: %d texts drawn, the layout has %d", width, len(got), len(want.Texts))
		}
		for i, wt := range want.Texts {
			g := got[i]
			if g.S != wt.S {
				t.Errorf("width %v: text %d is %q, want %q", width, i, g.S, wt.S)
			}
			if math.Abs(float64(g.Y-wt.Y)) > 1 {
				t.Errorf("width %v: %q at y %v, want %v", width, g.S, g.Y, wt.Y)
			}
		}
	}
}

// widestRect returns the width of obj's widest rectangle as drawn now.
func widestRect(obj fyne.CanvasObject) float32 {
	var w float32
	for _, o := range test.LaidOutObjects(obj) {
		if r, ok := o.(*canvas.Rectangle); ok {
			w = max(w, r.Size().Width)
		}
	}
	return w
}
