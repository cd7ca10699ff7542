package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// applyTheme follows the user's choice saved under prefTheme ("light",
// "dark"), else the system's. The grid's state colours are chosen to read
// on both variants.
func applyTheme(a fyne.App) {
	switch a.Preferences().String(prefTheme) {
	case "light":
		a.Settings().SetTheme(&forcedVariant{Theme: theme.DefaultTheme(), variant: theme.VariantLight})
	case "dark":
		a.Settings().SetTheme(&forcedVariant{Theme: theme.DefaultTheme(), variant: theme.VariantDark})
	}
}

// forcedVariant is the default theme pinned to light or dark.
type forcedVariant struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

var _ fyne.Theme = (*forcedVariant)(nil)

// Color answers with the pinned variant whatever the system asks.
func (f *forcedVariant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return f.Theme.Color(n, f.variant)
}
