package ui

import (
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// TestEmojiAreDrawn checks that an emoji typed into a comment is drawn as
// an emoji, in colour, not as the box of a missing character. The app is
// built without Fyne's bundled emoji font (the no_emoji tag in the
// Makefile): emoji come from the computer's own emoji font, which Fyne
// reads only once an emoji is on screen (Noto Color Emoji on Debian, which
// `make run` installs; Segoe UI Emoji on Windows).
func TestEmojiAreDrawn(t *testing.T) {
	test.NewTempApp(t)
	draw := func(s string) image.Image {
		txt := canvas.NewText(s, color.Black)
		txt.TextSize = 64
		w := test.NewWindow(txt)
		defer w.Close()
		w.Resize(fyne.NewSize(160, 100))
		return w.Canvas().Capture()
	}
	emoji, missing := draw("👍"), draw("\U0010FFFD")
	same, colourful := true, 0
	b := emoji.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := emoji.At(x, y).RGBA()
			if r2, g2, b2, _ := missing.At(x, y).RGBA(); r != r2 || g != g2 || bl != b2 {
				same = false
			}
			// The thumb is yellow: red and green well above blue.
			if r>>8 > 150 && g>>8 > 100 && bl>>8 < 90 {
				colourful++
			}
		}
	}
	if same {
		t.Fatal("👍 is drawn as a missing character; is an emoji font installed (fonts-noto-color-emoji)?")
	}
	t.Logf("yellow pixels: %d", colourful)
	if colourful < 50 {
		t.Fatalf("👍 has %d yellow pixels, want a colour emoji", colourful)
	}
}
