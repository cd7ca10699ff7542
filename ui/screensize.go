package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// screenSize is the size of the primary screen in the app's units, when
// the desktop driver runs (false under the test driver). Fyne has no API
// for it; GLFW, which Fyne's desktop driver is built on and has already
// initialised once a window exists, does. It must be called on the main
// goroutine (NewMainWindow is).
func screenSize(win fyne.Window) (fyne.Size, bool) {
	if _, ok := fyne.CurrentApp().Driver().(desktop.Driver); !ok {
		return fyne.Size{}, false
	}
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return fyne.Size{}, false
	}
	mode := m.GetVideoMode()
	if mode == nil || mode.Width <= 0 || mode.Height <= 0 {
		return fyne.Size{}, false
	}
	scale := win.Canvas().Scale()
	if scale <= 0 {
		scale = 1
	}
	return fyne.NewSize(float32(mode.Width)/scale, float32(mode.Height)/scale), true
}

// fitScreen is size shrunk to fit a screen of the given size, leaving room
// for the desktop's panels and the window's title bar.
func fitScreen(size, screen fyne.Size) fyne.Size {
	return fyne.NewSize(min(size.Width, screen.Width*0.95), min(size.Height, screen.Height*0.9))
}
