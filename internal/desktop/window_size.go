package desktop

import "fyne.io/fyne/v2"

// preferredWindowSize is the main window's size on a screen with room for
// it.
var preferredWindowSize = fyne.NewSize(1280, 800)

// netbookWindowSize is the size the window opens at when the screen's size
// is unknown: that of the smallest screen the app is made for (a 1024×600
// netbook), which every screen's minimum size fits.
var netbookWindowSize = fyne.NewSize(1024, 600)

// windowSize returns the size the main window opens at on a screen whose
// usable area is screen (in Fyne's units, the taskbar left out; zero when
// unknown): the preferred size where it fits, else as much of the screen
// as there is, never larger than it.
func windowSize(screen fyne.Size) fyne.Size {
	if screen.Width <= 0 || screen.Height <= 0 {
		return netbookWindowSize
	}
	return preferredWindowSize.Min(screen)
}
