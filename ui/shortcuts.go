package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// windowShortcuts are the window's keyboard shortcuts; the grid forwards
// the ones it does not use, so they work with the grid focused too.
//
//	Ctrl+N new sheet from a template   Ctrl+F find
//	Ctrl+I import XLSX                 Ctrl+E export XLSX
//	Ctrl+R sync tab (plan and run)     Ctrl+M mapper
//	Ctrl+H history                     Ctrl+Shift+N add a row
//	Ctrl+1 back to the grid
func windowShortcuts() []windowShortcut {
	return []windowShortcut{
		{fyne.KeyN, fyne.KeyModifierShortcutDefault, "new", func(mw *MainWindow) { mw.showNewFromTemplate() }},
		{fyne.KeyF, fyne.KeyModifierShortcutDefault, "find", func(mw *MainWindow) { mw.focusFind() }},
		{fyne.KeyI, fyne.KeyModifierShortcutDefault, "import", func(mw *MainWindow) { mw.showImport() }},
		{fyne.KeyE, fyne.KeyModifierShortcutDefault, "export", func(mw *MainWindow) { mw.showExport() }},
		{fyne.KeyR, fyne.KeyModifierShortcutDefault, "sync", func(mw *MainWindow) { mw.ShowScreen("sync") }},
		{fyne.KeyM, fyne.KeyModifierShortcutDefault, "mapper", func(mw *MainWindow) { mw.ShowScreen("mapper") }},
		{fyne.KeyH, fyne.KeyModifierShortcutDefault, "history", func(mw *MainWindow) { mw.ShowScreen("history") }},
		{fyne.Key1, fyne.KeyModifierShortcutDefault, "grid", func(mw *MainWindow) { mw.ShowScreen("main") }},
		{fyne.KeyN, fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift, "add row", func(mw *MainWindow) {
			if mw.grid != nil {
				mw.grid.AddRow()
			}
		}},
	}
}

// windowShortcut is one keyboard shortcut of the window.
type windowShortcut struct {
	key  fyne.KeyName
	mod  fyne.KeyModifier
	name string
	run  func(mw *MainWindow)
}

// addShortcuts registers the window shortcuts on the canvas.
func (mw *MainWindow) addShortcuts() {
	for _, s := range windowShortcuts() {
		sc := &desktop.CustomShortcut{KeyName: s.key, Modifier: s.mod}
		run := s.run
		mw.win.Canvas().AddShortcut(sc, func(fyne.Shortcut) { run(mw) })
	}
}

// handleShortcut runs a window shortcut the grid passed on.
func (mw *MainWindow) handleShortcut(s fyne.Shortcut) {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok {
		return
	}
	for _, w := range windowShortcuts() {
		if w.key == cs.KeyName && w.mod == cs.Modifier {
			w.run(mw)
			return
		}
	}
}

// focusFind moves the keyboard to the find box of the grid.
func (mw *MainWindow) focusFind() {
	if mw.findEntry == nil {
		return
	}
	mw.ShowScreen("main")
	mw.win.Canvas().Focus(mw.findEntry)
}
