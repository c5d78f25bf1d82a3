// Package fynechart draws a [chart.Chart] with Fyne canvas objects —
// rectangles, lines and text — laid out by a custom layout that recomputes
// the chart's geometry whenever the container is resized. Text is drawn by
// Fyne, which shapes complex scripts and falls back to system fonts, so a
// chart is readable in every language the app ships.
package fynechart

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/a20-network/fieldbook/chart"
)

// New returns a canvas object drawing c. Its minimum width is minW and its
// height follows the content (for a line chart, plotH is the plot height;
// 0 means 200). Touch it only from the UI goroutine (or via fyne.Do).
func New(c chart.Chart, minW, plotH float32) *fyne.Container {
	// The number of marks depends on the data, not the size, so the objects
	// are made once here and only moved by the layout.
	g := chart.Layout(c, minW, plotH)
	l := &layout{c: c, minW: minW, plotH: plotH, minH: g.H}
	objs := make([]fyne.CanvasObject, 0, len(g.Rects)+len(g.Segments)+len(g.Texts))
	for _, r := range g.Rects {
		objs = append(objs, canvas.NewRectangle(themed(r.Fill)))
	}
	for _, s := range g.Segments {
		ln := canvas.NewLine(themed(s.Stroke))
		ln.StrokeWidth = s.Width
		objs = append(objs, ln)
	}
	for _, t := range g.Texts {
		txt := canvas.NewText(t.S, themed(t.Fill))
		txt.TextSize = t.Size
		txt.TextStyle = fyne.TextStyle{Bold: t.Bold}
		objs = append(objs, txt)
	}
	return container.New(l, objs...)
}

// themed maps the chart's neutral colours, chosen for a light page, to the
// current Fyne theme so that text and grid lines stay readable on a dark
// background too; series colours are kept.
func themed(c color.NRGBA) color.Color {
	switch c {
	case chart.Ink:
		return theme.Color(theme.ColorNameForeground)
	case chart.Muted:
		return theme.Color(theme.ColorNamePlaceHolder)
	case chart.Grid:
		return theme.Color(theme.ColorNameSeparator)
	}
	return c
}

type layout struct {
	c           chart.Chart
	minW, plotH float32
	minH        float32
}

// MinSize is the chart at its minimum width.
func (l *layout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(l.minW, l.minH) }

// Layout places every mark for the container's current width.
func (l *layout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	g := chart.Layout(l.c, max(size.Width, l.minW), l.plotH)
	i := 0
	for _, r := range g.Rects {
		if i >= len(objs) {
			return
		}
		objs[i].Move(fyne.NewPos(r.X, r.Y))
		objs[i].Resize(fyne.NewSize(r.W, r.H))
		i++
	}
	for _, s := range g.Segments {
		if i >= len(objs) {
			return
		}
		if ln, ok := objs[i].(*canvas.Line); ok {
			ln.Position1 = fyne.NewPos(s.X1, s.Y1)
			ln.Position2 = fyne.NewPos(s.X2, s.Y2)
			ln.Refresh()
		}
		i++
	}
	for _, t := range g.Texts {
		if i >= len(objs) {
			return
		}
		txt, ok := objs[i].(*canvas.Text)
		i++
		if !ok {
			continue
		}
		ts := fyne.MeasureText(t.S, t.Size, txt.TextStyle)
		x := t.X
		switch t.Anchor {
		case chart.Middle:
			x -= ts.Width / 2
		case chart.End:
			x -= ts.Width
		}
		txt.Move(fyne.NewPos(x, t.Y-ts.Height/2))
		txt.Resize(ts)
	}
}
