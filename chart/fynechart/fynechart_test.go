package fynechart_test

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/a20-network/fieldbook/chart"
	"github.com/a20-network/fieldbook/chart/fynechart"
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
	for _, o := range obj.Objects {
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
	if bars[0].Size().Width <= before {
		t.Errorf("bar did not grow with the window: %v -> %v", before, bars[0].Size().Width)
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
	for _, o := range obj.Objects {
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
