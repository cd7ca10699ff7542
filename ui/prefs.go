package ui

import "fyne.io/fyne/v2"

// Preference keys remembered between sessions with fyne.Preferences.
const (
	prefWidth     = "window.width"
	prefHeight    = "window.height"
	prefLastSheet = "sheet.last"
	prefTheme     = "theme" // "light", "dark" or "" for the system's
)

// defaultWindowSize is the first-run window size: fits a 1366×768 laptop.
var defaultWindowSize = fyne.NewSize(1280, 760)

// windowSize is the remembered window size, or the default.
func windowSize(p fyne.Preferences) fyne.Size {
	w := p.FloatWithFallback(prefWidth, float64(defaultWindowSize.Width))
	h := p.FloatWithFallback(prefHeight, float64(defaultWindowSize.Height))
	return fyne.NewSize(float32(max(w, 640)), float32(max(h, 400)))
}

// rememberWindow saves the window size for the next start.
func rememberWindow(p fyne.Preferences, s fyne.Size) {
	if s.Width > 0 && s.Height > 0 {
		p.SetFloat(prefWidth, float64(s.Width))
		p.SetFloat(prefHeight, float64(s.Height))
	}
}
