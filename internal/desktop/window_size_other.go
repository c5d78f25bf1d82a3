//go:build js || wasm || android || ios

package desktop

import "fyne.io/fyne/v2"

// screenArea is unknown where the app does not run on GLFW: the window
// opens at the netbook size ([windowSize]).
func screenArea(fyne.Window) fyne.Size { return fyne.Size{} }
