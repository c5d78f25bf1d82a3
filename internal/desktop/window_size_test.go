package desktop

import (
	"testing"

	"fyne.io/fyne/v2"
)

// The main window opens at 1280×800 where the screen has room, at the
// screen's size below that, and at a netbook's size when the screen is
// unknown; never larger than the screen.
func TestWindowSizeFitsScreen(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		screen, want fyne.Size
	}{
		{"full HD", fyne.NewSize(1920, 1040), fyne.NewSize(1280, 800)},
		{"exactly preferred", fyne.NewSize(1280, 800), fyne.NewSize(1280, 800)},
		{"laptop 1366×768", fyne.NewSize(1366, 740), fyne.NewSize(1280, 740)},
		{"netbook 1024×600", fyne.NewSize(1024, 576), fyne.NewSize(1024, 576)},
		{"tall and narrow", fyne.NewSize(800, 1280), fyne.NewSize(800, 800)},
		{"unknown", fyne.Size{}, fyne.NewSize(1024, 600)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := windowSize(c.screen)
			if got != c.want {
				t.Errorf("screen %v: window %v, want %v", c.screen, got, c.want)
			}
			if c.screen.Width > 0 && (got.Width > c.screen.Width || got.Height > c.screen.Height) {
				t.Errorf("screen %v: window %v larger than the screen", c.screen, got)
			}
		})
	}
}
