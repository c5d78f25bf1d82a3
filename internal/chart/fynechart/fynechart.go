// Package fynechart draws a [chart.Chart] with Fyne canvas objects —
// rectangles, lines and text — made anew from the chart's geometry each
// time the widget is laid out. Text is drawn by Fyne, which shapes complex
// scripts and falls back to system fonts, so a chart is readable in every
// language the app ships.
package fynechart

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/internal/chart"
)

// Chart is a widget drawing a [chart.Chart]. Touch it only from the UI
// goroutine (or via fyne.Do).
type Chart struct {
	widget.BaseWidget
	c           chart.Chart
	minW, plotH float32
	minH        float32
}

// New returns a widget drawing c. Its minimum width is minW and its height
// follows the content (for a line chart, plotH is the plot height; 0 means
// 200).
func New(c chart.Chart, minW, plotH float32) *Chart {
	w := &Chart{c: c, minW: minW, plotH: plotH, minH: chart.Layout(c, minW, plotH).H}
	w.ExtendBaseWidget(w)
	return w
}

// CreateRenderer is part of [fyne.Widget].
func (w *Chart) CreateRenderer() fyne.WidgetRenderer { return &renderer{w: w} }

// renderer holds the marks of the chart's last layout. The marks are made
// from the geometry at the width laid out: how many texts a chart has
// depends on its width (a narrow line chart labels every second month), so
// marks made at one width and moved at another would show one month's
// figure above another's.
type renderer struct {
	w    *Chart
	objs []fyne.CanvasObject
}

func (r *renderer) Destroy() {}

func (r *renderer) MinSize() fyne.Size { return fyne.NewSize(r.w.minW, r.w.minH) }

func (r *renderer) Objects() []fyne.CanvasObject { return r.objs }

// Refresh draws the chart again, such as after a theme change.
func (r *renderer) Refresh() {
	r.Layout(r.w.Size())
	canvas.Refresh(r.w)
}

// Layout makes the marks for size's width.
func (r *renderer) Layout(size fyne.Size) {
	r.objs = marks(chart.Layout(r.w.c, max(size.Width, r.w.minW), r.w.plotH))
}

// marks returns canvas objects drawing g, placed.
func marks(g chart.Geometry) []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, len(g.Rects)+len(g.Segments)+len(g.Texts))
	for _, rc := range g.Rects {
		rect := canvas.NewRectangle(themed(rc.Fill))
		rect.Move(fyne.NewPos(rc.X, rc.Y))
		rect.Resize(fyne.NewSize(rc.W, rc.H))
		objs = append(objs, rect)
	}
	for _, s := range g.Segments {
		ln := canvas.NewLine(themed(s.Stroke))
		ln.StrokeWidth = s.Width
		ln.Position1 = fyne.NewPos(s.X1, s.Y1)
		ln.Position2 = fyne.NewPos(s.X2, s.Y2)
		objs = append(objs, ln)
	}
	for _, t := range g.Texts {
		objs = append(objs, text(t))
	}
	return objs
}

// text returns t as a canvas text placed at its anchor.
func text(t chart.Text) *canvas.Text {
	txt := canvas.NewText(t.S, themed(t.Fill))
	txt.TextSize = t.Size
	txt.TextStyle = fyne.TextStyle{Bold: t.Bold}
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
	return txt
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
