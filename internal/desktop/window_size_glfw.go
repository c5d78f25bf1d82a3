//go:build !js && !wasm && !android && !ios

package desktop

import (
	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// screenArea returns the usable area (the taskbar left out) of the primary
// screen in w's units, zero when there is no monitor. Fyne 2.7 does not
// say how large the screen is, but its desktop driver runs on GLFW, which
// does; like every GLFW call it must run on the main thread (in a
// lifecycle callback or fyne.Do) after the app has started.
func screenArea(w fyne.Window) fyne.Size {
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return fyne.Size{}
	}
	_, _, width, height := m.GetWorkarea()
	if width <= 0 || height <= 0 {
		if mode := m.GetVideoMode(); mode != nil {
			width, height = mode.Width, mode.Height
		}
	}
	scale := w.Canvas().Scale()
	if scale <= 0 {
		scale = 1
	}
	return fyne.NewSize(float32(width)/scale, float32(height)/scale)
}
