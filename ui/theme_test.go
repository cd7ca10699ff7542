package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"

	"fyne.io/fyne/v2/theme"
)

// TestThemeChoiceSavedAndApplied picks each theme from the status bar's
// menu: the choice is saved in the preferences, applied at once (the
// background colour follows) and ticked in the menu.
func TestThemeChoiceSavedAndApplied(t *testing.T) {
	mw := newTestWindow(t)
	bg := func(v fyne.ThemeVariant) color.Color { // the default theme's background, per variant
		return theme.DefaultTheme().Color(theme.ColorNameBackground, v)
	}
	tests := []struct {
		choice string
		want   color.Color
	}{
		{themeLight, bg(theme.VariantLight)},
		{themeDark, bg(theme.VariantDark)},
	}
	for _, tt := range tests {
		t.Run(tt.choice, func(t *testing.T) {
			m := mw.themeMenu()
			for i, c := range themeChoices {
				if c.value == tt.choice {
					m.Items[i].Action()
				}
			}
			if got := mw.a.Preferences().String(prefTheme); got != tt.choice {
				t.Errorf("saved %q, want %q", got, tt.choice)
			}
			got := mw.a.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantLight)
			if got != tt.want {
				t.Errorf("background %v, want %v", got, tt.want)
			}
			for i, item := range mw.themeMenu().Items {
				if item.Checked != (themeChoices[i].value == tt.choice) {
					t.Errorf("%q ticked %v", item.Label, item.Checked)
				}
			}
		})
	}
	mw.themeMenu().Items[0].Action() // back to the system's
	if got := mw.a.Preferences().String(prefTheme); got != themeSystem {
		t.Errorf("saved %q for the system's theme", got)
	}
}
