package cli

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// sampleFilesFor is the title of the sample resource that gets files: a
// facilitator's guide (PDF) and two photos, all made here.
const sampleFilesFor = "Safe school walks toolkit"

// sampleGuide is the text of the sample guide, a paragraph a line.
var sampleGuide = []string{
	"Safe school walks: a facilitator's guide",
	"Why walking groups: in the districts we work in, children who walk to school alone are more often harassed, hurt on the road or kept at home by worried parents. A walking group of neighbours, with an adult at the front and one at the back, makes the road safer and keeps children in school.",
	"1. Meet the parents. Invite the parents of one village or street to a short meeting after church, the mosque or the market. Draw the routes to school together on a large sheet and mark the places that feel unsafe.",
	"2. Agree on the groups. One group for each route, six to twelve children, with a meeting point and a time. Write the names of the adults who walk with each group on the sheet; never write the children's names.",
	"3. Start small. Walk with the group yourself for the first week. Note what works and what does not, and ask the children: they know the road better than anyone.",
	"4. Keep it going. Meet the parents again after a month. Share what changed: fewer late arrivals, fewer absences, what the children say. Agree on what to do about the unsafe places with the chief, the police or the district office.",
	"Recording the activity in Fieldbook: log each parents' meeting as a community dialogue and each first walk as a school visit. Count the children reached by sex and age band, never by name.",
}

// addSampleFiles attaches a small PDF guide and two photos, all made by
// code, to the resource id, as a person would from the Files section.
func addSampleFiles(ctx context.Context, st *store.Store, id string, rng *rand.Rand) error {
	dir, err := os.MkdirTemp("", "fieldbook-sample-")
	if err != nil {
		return fmt.Errorf("sample: files: %w", err)
	}
	defer os.RemoveAll(dir)
	files := []struct {
		name string
		data []byte
	}{
		{"Safe school walks – facilitator guide.pdf", samplePDF(sampleGuide)},
		{"Walking group on the Zomba road.jpg", nil},
		{"Parents' meeting under the mango tree.jpg", nil},
	}
	if files[1].data, err = samplePhoto(rng, walkingGroup); err != nil {
		return err
	}
	if files[2].data, err = samplePhoto(rng, parentsMeeting); err != nil {
		return err
	}
	var refs []protocol.FileRef
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.data, 0o600); err != nil {
			return fmt.Errorf("sample: files: %w", err)
		}
		ref, err := st.AttachFile(ctx, path, store.AttachOptions{})
		if err != nil {
			return fmt.Errorf("sample: files: %w", err)
		}
		refs = append(refs, ref)
	}
	if err := st.AddFileRefs(ctx, model.EntityResource, id, refs...); err != nil {
		return fmt.Errorf("sample: files: %w", err)
	}
	return nil
}

// samplePDF writes a valid one-page A4 PDF of paras: the first as a
// heading, the others as wrapped paragraphs in Helvetica. The text must
// be in Latin-1.
func samplePDF(paras []string) []byte {
	var content bytes.Buffer
	content.WriteString("BT\n")
	y := 780.0
	line := func(font string, size float64, text string) {
		fmt.Fprintf(&content, "/%s %.0f Tf 1 0 0 1 56 %.1f Tm (%s) Tj\n", font, size, y, pdfEscape(text))
		y -= size * 1.45
	}
	for i, p := range paras {
		if i == 0 {
			line("F2", 18, p)
			y -= 10
			continue
		}
		for _, l := range wrapWords(p, 88) {
			line("F1", 11, l)
		}
		y -= 8
	}
	content.WriteString("ET\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// pdfEscape writes s as the inside of a PDF string in WinAnsi.
func pdfEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\'' || r == '’':
			b.WriteByte('\'')
		case r < 0x80:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// wrapWords breaks s into lines of at most width characters.
func wrapWords(s string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		if cur != "" && len(cur)+1+len(w) > width {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	return append(lines, cur)
}

// canvas is an image drawn with filled shapes, for the sample photos.
type canvas struct{ *image.RGBA }

// fill paints the pixels inside(x, y) holds for, within the box.
func (c canvas) fill(box image.Rectangle, col color.RGBA, inside func(x, y float64) bool) {
	box = box.Intersect(c.Bounds())
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			if inside(float64(x)+0.5, float64(y)+0.5) {
				c.SetRGBA(x, y, col)
			}
		}
	}
}

func (c canvas) rect(x0, y0, x1, y1 int, col color.RGBA) {
	c.fill(image.Rect(x0, y0, x1, y1), col, func(float64, float64) bool { return true })
}

func (c canvas) ellipse(cx, cy, rx, ry float64, col color.RGBA) {
	box := image.Rect(int(cx-rx), int(cy-ry), int(cx+rx)+1, int(cy+ry)+1)
	c.fill(box, col, func(x, y float64) bool {
		dx, dy := (x-cx)/rx, (y-cy)/ry
		return dx*dx+dy*dy <= 1
	})
}

// poly fills the polygon with corners pts (x, y pairs).
func (c canvas) poly(col color.RGBA, pts ...float64) {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := 0; i < len(pts); i += 2 {
		minX, maxX = math.Min(minX, pts[i]), math.Max(maxX, pts[i])
		minY, maxY = math.Min(minY, pts[i+1]), math.Max(maxY, pts[i+1])
	}
	c.fill(image.Rect(int(minX), int(minY), int(maxX)+1, int(maxY)+1), col, func(x, y float64) bool {
		in := false
		for i, j := 0, len(pts)-2; i < len(pts); j, i = i, i+2 {
			xi, yi, xj, yj := pts[i], pts[i+1], pts[j], pts[j+1]
			if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
				in = !in
			}
		}
		return in
	})
}

// sky paints a vertical gradient from top to bottom colour down to y.
func (c canvas) sky(y int, top, bottom color.RGBA) {
	for j := 0; j < y; j++ {
		t := float64(j) / float64(y)
		col := color.RGBA{mix(top.R, bottom.R, t), mix(top.G, bottom.G, t), mix(top.B, bottom.B, t), 255}
		c.rect(0, j, c.Bounds().Dx(), j+1, col)
	}
}

func mix(a, b uint8, t float64) uint8 { return uint8(float64(a)*(1-t) + float64(b)*t) }

// person draws a standing or seated figure with its feet at (x, y), of
// height h, in a shirt and a skirt or trousers of the given colours.
func (c canvas) person(x, y, h float64, shirt, lower color.RGBA, seated bool) {
	skin := color.RGBA{92, 60, 42, 255}
	head := h * 0.13
	body := h * 0.36
	if seated {
		c.rect(int(x-h*0.16), int(y-h*0.22), int(x+h*0.2), int(y), lower)
		c.rect(int(x-h*0.12), int(y-h*0.22-body), int(x+h*0.12), int(y-h*0.2), shirt)
		c.ellipse(x, y-h*0.22-body-head, head, head*1.1, skin)
		return
	}
	c.rect(int(x-h*0.09), int(y-h*0.5), int(x-h*0.02), int(y), lower)
	c.rect(int(x+h*0.02), int(y-h*0.5), int(x+h*0.09), int(y), lower)
	c.rect(int(x-h*0.13), int(y-h*0.5-body), int(x+h*0.13), int(y-h*0.46), shirt)
	c.ellipse(x, y-h*0.5-body-head, head, head*1.1, skin)
}

// tree draws an acacia-like tree standing at (x, y).
func (c canvas) tree(x, y, h float64) {
	trunk := color.RGBA{88, 64, 40, 255}
	c.poly(trunk, x-h*0.04, y, x+h*0.04, y, x+h*0.02, y-h*0.7, x-h*0.02, y-h*0.7)
	for i, d := range []float64{-0.3, 0, 0.28} {
		g := uint8(70 + 18*i)
		c.ellipse(x+d*h, y-h*(0.78+0.06*float64(i%2)), h*0.32, h*0.14, color.RGBA{38, g, 34, 255})
	}
}

// walkingGroup is a photo of children walking to school on a dirt road
// with two adults, a school in the distance.
func walkingGroup(c canvas) {
	w, h := float64(c.Bounds().Dx()), float64(c.Bounds().Dy())
	horizon := int(h * 0.48)
	c.sky(horizon, color.RGBA{96, 150, 214, 255}, color.RGBA{206, 226, 240, 255})
	c.poly(color.RGBA{108, 138, 80, 255}, 0, h*0.48, w*0.3, h*0.4, w*0.62, h*0.46, w, h*0.42, w, h*0.5, 0, h*0.5)
	c.rect(0, horizon, int(w), int(h), color.RGBA{132, 150, 70, 255})
	c.poly(color.RGBA{176, 112, 72, 255}, w*0.47, h*0.48, w*0.53, h*0.48, w*0.95, h, w*0.05, h)
	// The school: walls, a tin roof, windows.
	c.rect(int(w*0.66), int(h*0.38), int(w*0.86), int(h*0.48), color.RGBA{222, 210, 186, 255})
	c.poly(color.RGBA{150, 156, 160, 255}, w*0.64, h*0.385, w*0.88, h*0.385, w*0.84, h*0.34, w*0.68, h*0.34)
	for i := range 4 {
		x := w*0.685 + float64(i)*w*0.045
		c.rect(int(x), int(h*0.405), int(x+w*0.025), int(h*0.44), color.RGBA{60, 70, 84, 255})
	}
	c.tree(w*0.14, h*0.56, h*0.42)
	c.tree(w*0.9, h*0.6, h*0.36)
	uniform, skirt := color.RGBA{236, 238, 240, 255}, color.RGBA{40, 84, 160, 255}
	adult := color.RGBA{190, 60, 48, 255}
	c.person(w*0.38, h*0.94, h*0.5, adult, color.RGBA{60, 48, 40, 255}, false)
	for i, x := range []float64{0.44, 0.5, 0.56, 0.47, 0.53, 0.6} {
		row := float64(i / 3)
		c.person(w*x, h*(0.88-row*0.1), h*(0.32-row*0.05), uniform, skirt, false)
	}
	c.person(w*0.64, h*0.8, h*0.42, color.RGBA{230, 170, 40, 255}, color.RGBA{50, 60, 110, 255}, false)
}

// parentsMeeting is a photo of parents seated under a tree around a flip
// chart.
func parentsMeeting(c canvas) {
	w, h := float64(c.Bounds().Dx()), float64(c.Bounds().Dy())
	horizon := int(h * 0.45)
	c.sky(horizon, color.RGBA{120, 168, 220, 255}, color.RGBA{230, 236, 236, 255})
	c.rect(0, horizon, int(w), int(h), color.RGBA{186, 150, 100, 255})
	c.ellipse(w*0.5, h*0.78, w*0.46, h*0.2, color.RGBA{150, 118, 80, 255})
	c.poly(color.RGBA{80, 58, 38, 255}, w*0.46, h*0.62, w*0.54, h*0.62, w*0.52, h*0.2, w*0.48, h*0.2)
	for i, p := range [][3]float64{{0.3, 0.16, 0.2}, {0.5, 0.1, 0.24}, {0.7, 0.16, 0.2}, {0.4, 0.24, 0.18}, {0.6, 0.24, 0.18}} {
		g := uint8(60 + 10*i)
		c.ellipse(w*p[0], h*p[1], w*p[2], h*0.14, color.RGBA{34, g, 30, 255})
	}
	// The flip chart on its easel.
	c.poly(color.RGBA{90, 70, 50, 255}, w*0.76, h*0.86, w*0.77, h*0.86, w*0.8, h*0.5, w*0.79, h*0.5)
	c.poly(color.RGBA{90, 70, 50, 255}, w*0.86, h*0.86, w*0.87, h*0.86, w*0.82, h*0.5, w*0.81, h*0.5)
	c.rect(int(w*0.72), int(h*0.5), int(w*0.9), int(h*0.72), color.RGBA{246, 246, 240, 255})
	for i := range 5 {
		y := int(h*0.54) + i*int(h*0.03)
		c.rect(int(w*0.74), y, int(w*(0.8+0.02*float64(i%3))), y+int(h*0.008)+1, color.RGBA{40, 70, 150, 255})
	}
	c.person(w*0.68, h*0.88, h*0.46, color.RGBA{30, 110, 90, 255}, color.RGBA{40, 40, 50, 255}, false)
	cloths := []color.RGBA{{200, 60, 50, 255}, {230, 170, 40, 255}, {60, 90, 170, 255}, {150, 50, 120, 255}, {40, 130, 80, 255}, {220, 110, 40, 255}, {90, 60, 140, 255}}
	for i := range cloths {
		a := math.Pi * (0.15 + 0.7*float64(i)/float64(len(cloths)-1))
		x := w*0.42 - math.Cos(a)*w*0.3
		y := h*0.8 + math.Sin(a)*h*0.12
		c.person(x, y, h*0.36, cloths[i], cloths[(i+3)%len(cloths)], true)
	}
}

// samplePhoto draws scene on a 1200×900 picture with a little grain, as a
// camera's photo, and encodes it as a JPEG.
func samplePhoto(rng *rand.Rand, scene func(canvas)) ([]byte, error) {
	c := canvas{image.NewRGBA(image.Rect(0, 0, 1200, 900))}
	scene(c)
	for i := 0; i < len(c.Pix); i += 4 {
		n := rng.IntN(13) - 6
		for k := range 3 {
			c.Pix[i+k] = uint8(min(max(int(c.Pix[i+k])+n, 0), 255))
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, c, &jpeg.Options{Quality: 88}); err != nil {
		return nil, fmt.Errorf("sample: photo: %w", err)
	}
	return b.Bytes(), nil
}
