// Package uiloop is the one way background work posts to the UI
// goroutine, for the window (package ui) and the grid (ui/grid) alike.
//
// fyne.Do alone is not enough in tests: the desktop driver runs posted
// functions one at a time on its goroutine, but the test driver runs them
// inline on the calling goroutine, so two background callbacks could
// interleave and the race detector would rightly complain. Do adds the lock
// that makes both drivers behave the same.
package uiloop

import (
	"sync"

	"fyne.io/fyne/v2"
)

// mu serialises the posted functions (see the package doc).
var mu sync.Mutex

// Do runs f on the UI goroutine, never at the same time as another f
// posted through Do. f must not call Do synchronously (it would wait for
// itself under the test driver).
func Do(f func()) {
	fyne.Do(func() {
		mu.Lock()
		defer mu.Unlock()
		f()
	})
}
