package desktop

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed Icon.png
var iconPNG []byte

// iconResource is the app icon, drawn by scripts/icon.
func iconResource() fyne.Resource { return fyne.NewStaticResource("Icon.png", iconPNG) }
