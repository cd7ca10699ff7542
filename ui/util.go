package ui

import (
	"maps"
	"slices"
	"sync"

	"fyne.io/fyne/v2"
)

// sortedKeys returns a map's keys in order, for stable display.
func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// uiMu serialises the widget updates of background work (see onUI).
var uiMu sync.Mutex

// onUI is fyne.Do for the window's background work: f runs on the UI
// goroutine. The desktop driver already runs such functions one at a time
// on its goroutine; the test driver runs them inline on the calling
// goroutine, so the lock keeps two background callbacks from interleaving
// there too (the race detector would rightly complain). f must not call
// onUI synchronously.
func onUI(f func()) {
	fyne.Do(func() {
		uiMu.Lock()
		defer uiMu.Unlock()
		f()
	})
}
