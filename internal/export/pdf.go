package export

import (
	"golang.org/x/text/language"

	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/a20-network/fieldbook/internal/chart"
	"github.com/a20-network/fieldbook/internal/report"
)

// NotoDir is where Debian's fonts-noto-core package puts Noto Sans.
const NotoDir = "/usr/share/fonts/truetype/noto"

// PDFOptions configure [WritePDF].
type PDFOptions struct {
	// FontDir holds NotoSans-Regular.ttf (and NotoSans-Bold.ttf) to embed
	// so that Latin, Cyrillic, Greek and Vietnamese text prints; "" means
	// [NotoDir]. Without the font, the PDF uses the built-in Helvetica, which
	// prints Western European text only.
	FontDir string
	// Created stamps the document; the zero time leaves it out, so the same
	// report gives the same file.
	Created time.Time
}

// pdf page geometry, millimetres.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 12.0
	gutter       = 6.0
	// pxMM is the size of one chart pixel on paper.
	pxMM = 0.25
)

// WritePDF writes a one-page A4 summary of r: title, period, totals, and
// the report's charts (months across the page, then theme, kind, country
// and children by sex and age band two by two), shrunk to fit the page.
func WritePDF(w io.Writer, r report.Report, lb Labels, opts PDFOptions) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetTitle(lb.Title, true)
	pdf.SetCreator("Fieldbook", true)
	if !opts.Created.IsZero() {
		pdf.SetCreationDate(opts.Created)
	}
	fam, tr := pdfFonts(pdf, opts.FontDir)
	pdf.AddPage()

	pdf.SetTextColor(0x22, 0x22, 0x22)
	pdf.SetFont(fam, "B", 16)
	pdf.Text(margin, margin+5, tr(lb.Title))
	pdf.SetFont(fam, "", 10)
	y := margin + 11.0
	if lb.Period != "" {
		pdf.Text(margin, y, tr(lb.Period))
		y += 6
	}
	pdf.SetFont(fam, "B", 11)
	pdf.Text(margin, y, tr(fmt.Sprintf("%s: %d    %s: %d    %s: %d",
		lb.Activities, r.Activities, lb.Children, r.Children, lb.Adults, r.Adults)))
	y += 6

	charts := Charts(r, lb, 10)
	full := (pageW - 2*margin) / pxMM
	half := (pageW - 2*margin - gutter) / 2 / pxMM
	rows := [][]chart.Chart{{charts[0]}, {charts[1], charts[2]}, {charts[3], charts[4]}}
	var geo [][]chart.Geometry
	total := 0.0
	for _, row := range rows {
		var gs []chart.Geometry
		h := 0.0
		for _, c := range row {
			wpx := half
			if len(row) == 1 {
				wpx = full
			}
			g := chart.Layout(c, float32(wpx), 140)
			gs = append(gs, g)
			h = max(h, float64(g.H)*pxMM)
		}
		geo = append(geo, gs)
		total += h + gutter
	}
	scale := pxMM
	if avail := pageH - margin - y; total > avail {
		scale = pxMM * avail / total
	}
	for _, gs := range geo {
		x := margin
		h := 0.0
		for _, g := range gs {
			drawGeometry(pdf, g, x, y, scale, fam, tr)
			x += float64(g.W)*scale + gutter
			h = max(h, float64(g.H)*scale)
		}
		y += h + gutter*scale/pxMM
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("export: PDF: %w", err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("export: write PDF: %w", err)
	}
	return nil
}

// pdfFonts embeds Noto Sans when it can be read and returns the font family
// and the text translator to use with it.
func pdfFonts(pdf *fpdf.Fpdf, dir string) (string, func(string) string) {
	if dir == "" {
		dir = NotoDir
	}
	regular, err := os.ReadFile(filepath.Join(dir, "NotoSans-Regular.ttf"))
	if err == nil {
		bold, berr := os.ReadFile(filepath.Join(dir, "NotoSans-Bold.ttf"))
		if berr != nil {
			bold = regular
		}
		pdf.AddUTF8FontFromBytes("noto", "", regular)
		pdf.AddUTF8FontFromBytes("noto", "B", bold)
		if pdf.Error() == nil {
			return "noto", func(s string) string { return s }
		}
		pdf.ClearError()
	}
	return "Helvetica", pdf.UnicodeTranslatorFromDescriptor("")
}

// drawGeometry draws g with its top-left corner at x, y, one chart pixel
// being scale millimetres.
func drawGeometry(pdf *fpdf.Fpdf, g chart.Geometry, x, y, scale float64, fam string, tr func(string) string) {
	px := func(v float32) float64 { return float64(v) * scale }
	for _, r := range g.Rects {
		if r.W <= 0 || r.H <= 0 {
			continue
		}
		pdf.SetFillColor(int(r.Fill.R), int(r.Fill.G), int(r.Fill.B))
		pdf.Rect(x+px(r.X), y+px(r.Y), px(r.W), px(r.H), "F")
	}
	for _, s := range g.Segments {
		pdf.SetDrawColor(int(s.Stroke.R), int(s.Stroke.G), int(s.Stroke.B))
		pdf.SetLineWidth(px(s.Width))
		pdf.Line(x+px(s.X1), y+px(s.Y1), x+px(s.X2), y+px(s.Y2))
	}
	for _, t := range g.Texts {
		style := ""
		if t.Bold {
			style = "B"
		}
		sizeMM := px(t.Size)
		pdf.SetFont(fam, style, sizeMM*72/25.4)
		pdf.SetTextColor(int(t.Fill.R), int(t.Fill.G), int(t.Fill.B))
		s := tr(t.S)
		tx := x + px(t.X)
		switch t.Anchor {
		case chart.Middle:
			tx -= pdf.GetStringWidth(s) / 2
		case chart.End:
			tx -= pdf.GetStringWidth(s)
		}
		// Text positions name the middle of the line; PDF wants the baseline.
		pdf.Text(tx, y+px(t.Y)+sizeMM*0.35, s)
	}
}

// PDFDraws reports whether [WritePDF] can draw text in language tag's
// script. It embeds Noto Sans (Latin, Greek, Cyrillic) and does not shape
// complex scripts or carry a CJK font, so for Arabic, Indic, Thai, Lao,
// Khmer, Chinese and Korean the callers write the PDF's labels in English
// rather than let it show empty boxes.
func PDFDraws(tag language.Tag) bool {
	script, _ := tag.Script()
	switch script.String() {
	case "Latn", "Cyrl", "Grek":
		return true
	}
	return false
}
