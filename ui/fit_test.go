package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// maxMinSize is the largest the window's content may ask for: the window
// must fit an 800×600 screen whatever tab is open.
var maxMinSize = fyne.NewSize(800, 600)

// TestEveryScreenFitsSmallWindow opens a pulled sheet and each tab in turn
// (after a plan and a validate, which add text): the window's minimum size
// stays within 800×600, so nothing the app shows regrows the window.
func TestEveryScreenFitsSmallWindow(t *testing.T) {
	mw := newTestWindow(t)
	sh, err := mw.svc.NewSheetFromTemplate("people", "Contacts with a rather long sheet name to clip")
	if err != nil {
		t.Fatal(err)
	}
	mw.sheetCreated(sh)
	mw.ShowScreen("sync")
	s := mw.screens.sync
	s.filter.SetText("LastName != null")
	s.doValidate()
	mw.WaitIdle()
	s.doPlan()
	mw.WaitIdle()
	for _, name := range []string{"main", "sync", "mapper", "conflicts", "history"} {
		mw.ShowScreen(name)
		mw.WaitIdle()
		m := mw.Window().Content().MinSize()
		t.Logf("%s: min %v", name, m)
		if m.Width > maxMinSize.Width || m.Height > maxMinSize.Height {
			t.Errorf("%s tab: window minimum %v exceeds %v", name, m, maxMinSize)
		}
	}
}
