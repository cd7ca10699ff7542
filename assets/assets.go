// Package assets holds the resources bundled into the binary: the app icon
// and anything else the views need at run time. Embedding keeps `make run`
// and a packaged build identical, with no files to install beside the binary.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the CRM Sheets application icon: a sheet with a two-way sync badge.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)
