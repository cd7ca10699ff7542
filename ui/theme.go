package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Theme choices saved under prefTheme.
const (
	themeSystem = ""      // follow the system's light or dark setting
	themeLight  = "light" // always light
	themeDark   = "dark"  // always dark
)

// themeChoices are the choices the theme menu offers, with their labels.
var themeChoices = []struct{ value, label string }{
	{themeSystem, "Same as the system"},
	{themeLight, "Light"},
	{themeDark, "Dark"},
}

// applyTheme follows the user's choice saved under prefTheme ("light",
// "dark"), else the system's. The grid's state colours are chosen to read
// on both variants.
func applyTheme(a fyne.App) {
	switch a.Preferences().String(prefTheme) {
	case themeLight:
		a.Settings().SetTheme(&forcedVariant{Theme: theme.DefaultTheme(), variant: theme.VariantLight})
	case themeDark:
		a.Settings().SetTheme(&forcedVariant{Theme: theme.DefaultTheme(), variant: theme.VariantDark})
	default:
		a.Settings().SetTheme(theme.DefaultTheme())
	}
}

// setTheme saves the user's theme choice and applies it at once.
func (mw *MainWindow) setTheme(choice string) {
	mw.a.Preferences().SetString(prefTheme, choice)
	applyTheme(mw.a)
	mw.conn.show(mw.svc.Status()) // its colours are picked when painted
	mw.win.Content().Refresh()
	if mw.grid != nil {
		mw.grid.Repaint()
	}
}

// themeMenu is the menu of the status bar's theme button: each choice,
// the current one ticked.
func (mw *MainWindow) themeMenu() *fyne.Menu {
	current := mw.a.Preferences().String(prefTheme)
	items := make([]*fyne.MenuItem, len(themeChoices))
	for i, c := range themeChoices {
		items[i] = fyne.NewMenuItem(c.label, func() { mw.setTheme(c.value) })
		items[i].Checked = c.value == current
	}
	return fyne.NewMenu("Theme", items...)
}

// showThemeMenu pops the theme menu up over the button.
func (mw *MainWindow) showThemeMenu(b fyne.CanvasObject) {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
	m := mw.themeMenu()
	widget.ShowPopUpMenuAtPosition(m, mw.win.Canvas(), pos.SubtractXY(0, float32(len(m.Items))*36))
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
