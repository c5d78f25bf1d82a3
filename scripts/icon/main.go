//go:build ignore

// Command icon draws Fieldbook's icon, an open notebook with a bookmark, as
// a 512×512 PNG: go run scripts/icon/main.go > internal/desktop/Icon.png
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const size = 512

type pt struct{ x, y float64 }

// shape reports whether a point is inside it.
type shape func(x, y float64) bool

type layer struct {
	in shape
	c  color.NRGBA
}

func polygon(ps ...pt) shape {
	return func(x, y float64) bool {
		in := false
		for i, j := 0, len(ps)-1; i < len(ps); j, i = i, i+1 {
			a, b := ps[i], ps[j]
			if (a.y > y) != (b.y > y) && x < (b.x-a.x)*(y-a.y)/(b.y-a.y)+a.x {
				in = !in
			}
		}
		return in
	}
}

func roundedRect(x0, y0, x1, y1, r float64) shape {
	return func(x, y float64) bool {
		if x < x0 || x > x1 || y < y0 || y > y1 {
			return false
		}
		cx := math.Max(x0+r, math.Min(x, x1-r))
		cy := math.Max(y0+r, math.Min(y, y1-r))
		return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
	}
}

// page is a page whose top and bottom edges bow like an open book's.
func page(xOuter, xInner, top, bottom, sag float64) shape {
	return func(x, y float64) bool {
		lo, hi := math.Min(xOuter, xInner), math.Max(xOuter, xInner)
		if x < lo || x > hi {
			return false
		}
		t := (x - xOuter) / (xInner - xOuter) // 0 at the outer edge, 1 at the spine
		bow := sag * math.Sin(t*math.Pi/2)
		return y >= top+bow && y <= bottom+bow
	}
}

// line is a text line on a page, following the page's bow.
func line(xOuter, xInner, y0, sag, width float64) shape {
	return func(x, y float64) bool {
		lo, hi := math.Min(xOuter, xInner), math.Max(xOuter, xInner)
		if x < lo || x > hi {
			return false
		}
		t := (x - xOuter) / (xInner - xOuter)
		c := y0 + sag*math.Sin(t*math.Pi/2)
		return math.Abs(y-c) <= width/2
	}
}

func main() {
	teal := color.NRGBA{0x0F, 0x6E, 0x73, 0xFF}
	cover := color.NRGBA{0xF2, 0xA5, 0x41, 0xFF}
	paper := color.NRGBA{0xFF, 0xF8, 0xE7, 0xFF}
	ink := color.NRGBA{0x8A, 0xA9, 0xAC, 0xFF}
	ribbon := color.NRGBA{0xD6, 0x45, 0x33, 0xFF}
	spine := color.NRGBA{0xC9, 0x7D, 0x1E, 0xFF}

	layers := []layer{
		{roundedRect(0, 0, size, size, 104), teal},
		{page(70, 256, 150, 408, 26), cover},
		{page(442, 256, 150, 408, 26), cover},
		{page(88, 250, 132, 384, 22), paper},
		{page(424, 262, 132, 384, 22), paper},
		{polygon(pt{250, 156}, pt{262, 156}, pt{262, 406}, pt{250, 406}), spine},
	}
	for i := range 6 {
		y := 182 + float64(i)*34
		layers = append(layers,
			layer{line(112, 232, y, 20, 7), ink},
			layer{line(400, 282, y, 20, 7), ink},
		)
	}
	layers = append(layers, layer{polygon(pt{346, 112}, pt{380, 112}, pt{380, 262}, pt{363, 244}, pt{346, 262}), ribbon})

	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4 // samples per axis
	for py := range size {
		for px := range size {
			var r, g, b, a float64
			for sy := range ss {
				for sx := range ss {
					x, y := float64(px)+(float64(sx)+0.5)/ss, float64(py)+(float64(sy)+0.5)/ss
					var c color.NRGBA
					for _, l := range layers {
						if l.in(x, y) {
							c = l.c
						}
					}
					fa := float64(c.A) / 255
					r += float64(c.R) * fa
					g += float64(c.G) * fa
					b += float64(c.B) * fa
					a += fa
				}
			}
			n := float64(ss * ss)
			if a > 0 {
				img.SetNRGBA(px, py, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(255 * a / n)})
			}
		}
	}
	if err := png.Encode(os.Stdout, img); err != nil {
		log.Fatal(err)
	}
}
