package chart_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/internal/chart"
)

// svgElems parses s as XML and returns its elements by name.
func svgElems(t *testing.T, s string) map[string][]xml.StartElement {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	out := map[string][]xml.StartElement{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v\n%s", err, s)
		}
		if se, ok := tok.(xml.StartElement); ok {
			out[se.Name.Local] = append(out[se.Name.Local], se)
		}
	}
}

func attr(e xml.StartElement, name string) float64 {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			v, _ := strconv.ParseFloat(a.Value, 64)
			return v
		}
	}
	return -1
}

func TestBarsProportionalAndEscaped(t *testing.T) {
	t.Parallel()
	c := chart.Chart{
		Kind: chart.Bars, Title: "Pays <&>",
		Categories: []string{"Malawi", "Kenya", "中国"},
		Series:     []chart.Series{{Name: "Activités", Values: []float64{40, 20, 10}}},
	}
	s := chart.SVG(c, 400, 0)
	if strings.Contains(s, "<script") || strings.Contains(s, "Pays <&>") {
		t.Fatalf("SVG holds unescaped text or a script: %s", s)
	}
	if !strings.Contains(s, "Pays &lt;&amp;&gt;") || !strings.Contains(s, "中国") {
		t.Errorf("labels missing: %s", s)
	}
	el := svgElems(t, s)
	if len(el["rect"]) != 3 {
		t.Fatalf("got %d rects, want 3 bars", len(el["rect"]))
	}
	w0, w1, w2 := attr(el["rect"][0], "width"), attr(el["rect"][1], "width"), attr(el["rect"][2], "width")
	if w0 <= 0 || abs(w1-w0/2) > 0.2 || abs(w2-w0/4) > 0.2 {
		t.Errorf("bar widths %v %v %v not proportional to 40:20:10", w0, w1, w2)
	}
	for _, want := range []string{">40<", ">20<", ">10<"} {
		if !strings.Contains(s, want) {
			t.Errorf("value %s not written beside its bar", want)
		}
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestGroupedBarsAndLegend(t *testing.T) {
	t.Parallel()
	c := chart.Chart{
		Kind: chart.Bars, Categories: []string{"0–5", "6–11", "12–17"},
		Series: []chart.Series{{Name: "Girls", Values: []float64{1, 2, 3}}, {Name: "Boys", Values: []float64{4, 5, 6}}},
	}
	g := chart.Layout(c, 300, 0)
	// Two legend swatches and six bars.
	if len(g.Rects) != 8 {
		t.Fatalf("got %d rects, want 8", len(g.Rects))
	}
	for _, r := range g.Rects {
		if r.X < 0 || r.X+r.W > g.W+0.01 || r.Y < 0 || r.Y+r.H > g.H+0.01 {
			t.Errorf("rect %+v outside %vx%v", r, g.W, g.H)
		}
	}
}

func TestLineChart(t *testing.T) {
	t.Parallel()
	c := chart.Chart{
		Kind: chart.Line, Categories: []string{"2026-01", "2026-02", "2026-03"},
		Series: []chart.Series{{Name: "Activities", Values: []float64{3, 0, 7}}},
	}
	g := chart.Layout(c, 500, 150)
	// Two segments join three points; five grid lines.
	var lines int
	for _, s := range g.Segments {
		if s.Width == 2 {
			lines++
		}
	}
	if lines != 2 {
		t.Errorf("got %d line segments, want 2", lines)
	}
	// The highest point (7) sits above the lowest (0).
	if len(g.Rects) != 3 || !(g.Rects[2].Y < g.Rects[0].Y && g.Rects[0].Y < g.Rects[1].Y) {
		t.Errorf("points not placed by value: %+v", g.Rects)
	}
	svgElems(t, chart.SVG(c, 500, 150))
}

func TestEmptyChartShowsMessage(t *testing.T) {
	t.Parallel()
	s := chart.SVG(chart.Chart{Kind: chart.Bars, Title: "Kinds", Empty: "Nothing yet"}, 300, 0)
	if !strings.Contains(s, "Nothing yet") {
		t.Errorf("empty chart lacks its message: %s", s)
	}
	svgElems(t, s)
}

func TestTextWidthWide(t *testing.T) {
	t.Parallel()
	if chart.TextWidth("中国", 10) <= chart.TextWidth("ab", 10) {
		t.Error("wide characters should measure wider than Latin ones")
	}
}

func FuzzSVG(f *testing.F) {
	f.Add("Title", "a", "b", 1.0, 2.0, 300.0)
	f.Add("<&\"'>", "", "مرحبا", -1.0, 1e308, 10.0)
	f.Fuzz(func(t *testing.T, title, c1, c2 string, v1, v2, w float64) {
		for _, k := range []chart.Kind{chart.Bars, chart.Line} {
			c := chart.Chart{Kind: k, Title: title, Categories: []string{c1, c2},
				Series: []chart.Series{{Name: c1, Values: []float64{v1, v2}}}}
			s := chart.SVG(c, float32(w), 0)
			if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
				t.Fatalf("SVG holds a non-number: %s", s)
			}
			d := xml.NewDecoder(strings.NewReader(s))
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					// Invalid UTF-8 or control characters in labels are the
					// caller's input; everything else must parse.
					if !strings.Contains(err.Error(), "invalid") && !strings.Contains(err.Error(), "illegal") {
						t.Fatalf("SVG does not parse: %v", err)
					}
					break
				}
			}
		}
	})
}

// A right-to-left chart is the left-to-right one mirrored: every mark on
// the other side at the same height, texts anchored at their other end.
func TestLayoutRightToLeftMirrors(t *testing.T) {
	for _, kind := range []chart.Kind{chart.Bars, chart.Line} {
		c := chart.Chart{Kind: kind, Title: "T", Categories: []string{"a", "bb", "ccc"},
			Series: []chart.Series{{Name: "one", Values: []float64{1, 5, 3}}, {Name: "two", Values: []float64{2, 0, 4}}}}
		ltr := chart.Layout(c, 400, 120)
		c.RightToLeft = true
		rtl := chart.Layout(c, 400, 120)
		if len(ltr.Rects) != len(rtl.Rects) || len(ltr.Segments) != len(rtl.Segments) || len(ltr.Texts) != len(rtl.Texts) || ltr.H != rtl.H {
			t.Fatalf("kind %d: mirrored layout has different marks", kind)
		}
		for i, r := range ltr.Rects {
			m := rtl.Rects[i]
			if m.X != ltr.W-r.X-r.W || m.Y != r.Y || m.W != r.W || m.H != r.H {
				t.Errorf("kind %d rect %d: %+v mirrored to %+v", kind, i, r, m)
			}
		}
		for i, s := range ltr.Segments {
			m := rtl.Segments[i]
			if m.X1 != ltr.W-s.X1 || m.X2 != ltr.W-s.X2 || m.Y1 != s.Y1 || m.Y2 != s.Y2 {
				t.Errorf("kind %d segment %d: %+v mirrored to %+v", kind, i, s, m)
			}
		}
		for i, x := range ltr.Texts {
			m := rtl.Texts[i]
			want := map[chart.Anchor]chart.Anchor{chart.Start: chart.End, chart.Middle: chart.Middle, chart.End: chart.Start}[x.Anchor]
			if m.X != ltr.W-x.X || m.Y != x.Y || m.Anchor != want || m.S != x.S {
				t.Errorf("kind %d text %q: %+v mirrored to %+v", kind, x.S, x, m)
			}
		}
	}
	// Texts at the reading edge keep a few pixels off it.
	empty := chart.Layout(chart.Chart{Empty: "nothing", RightToLeft: true}, 300, 0)
	if len(empty.Texts) != 1 || empty.Texts[0].Anchor != chart.End || empty.Texts[0].X != 294 {
		t.Errorf("empty right-to-left chart: %+v", empty.Texts)
	}
}

// An unfinished month is drawn muted and thin, not in the series' colour,
// and the months before it keep theirs.
func TestLinePartialMonthMuted(t *testing.T) {
	t.Parallel()
	c := chart.Chart{Kind: chart.Line, Categories: []string{"2026-04", "2026-05", "2026-06"}, Partial: []bool{false, true},
		Series: []chart.Series{{Name: "a", Values: []float64{40, 3, 5}}}}
	g := chart.Layout(c, 400, 120)
	var points []chart.Rect
	for _, r := range g.Rects {
		if r.W == 6 {
			points = append(points, r)
		}
	}
	if len(points) != 3 || points[0].Fill != chart.Palette[0] || points[1].Fill != chart.Muted || points[2].Fill != chart.Palette[0] {
		t.Errorf("points = %+v", points)
	}
	var lines []chart.Segment
	for _, s := range g.Segments {
		if s.Stroke != chart.Grid {
			lines = append(lines, s)
		}
	}
	if len(lines) != 2 || lines[0].Stroke != chart.Muted || lines[0].Width != 1 || lines[1].Stroke != chart.Muted {
		t.Errorf("segments = %+v", lines)
	}
}

// TestLineValuesNeverRunTogether lays out a year of three-digit values that
// sit side by side at almost one height, in charts from wide to narrow (a netbook's report column is about
// 270 px) and finds no two value labels whose boxes meet; the narrower the
// chart, the fewer values it writes, never none.
func TestLineValuesNeverRunTogether(t *testing.T) {
	t.Parallel()
	var months []string
	var values []float64
	for m := 1; m <= 12; m++ {
		months = append(months, fmt.Sprintf("2026-%02d", m))
		values = append(values, float64(920+m%3))
	}
	c := chart.Chart{Kind: chart.Line, Categories: months, Series: []chart.Series{{Name: "Children", Values: values}}}
	for _, w := range []float32{900, 600, 400, 270, 240} {
		g := chart.Layout(c, w, 120)
		var vals []chart.Text
		for _, tx := range g.Texts {
			if tx.Size == chart.FontSize-2 {
				vals = append(vals, tx)
			}
		}
		if len(vals) == 0 {
			t.Errorf("width %v: no value written", w)
		}
		for i, a := range vals {
			for _, b := range vals[i+1:] {
				aw, bw := chart.TextWidth(a.S, a.Size), chart.TextWidth(b.S, b.Size)
				if math.Abs(float64(a.X-b.X)) < float64(aw+bw)/2 && math.Abs(float64(a.Y-b.Y)) < float64(a.Size) {
					t.Errorf("width %v: values %q and %q run together", w, a.S, b.S)
				}
			}
		}
	}
}
