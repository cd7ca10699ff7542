// Package ui is the CRM Sheets desktop app: the main window (sheets
// sidebar, connection panel, the grid) and the screens over it (sync,
// mapper, conflicts, history, connection, import and export).
//
// The views hold no logic of their own: every action goes through the
// engine's *app.Service. Work that may take more than a frame runs on a
// goroutine and comes back to widgets only through uiloop.Do (fyne.Do with
// one lock for the window and the grid, STYLE.md #7), with throttled
// progress and a Cancel for anything long.
//
// The centre's screens (sync*.go, mapper*.go, conflicts.go,
// history.go) are listed once, in MainWindow.buildScreens; a screen
// reaches another only through screenHost. The Mapper is split by concern:
// the screen (mapper.go), blank cells options (mapperblank.go), the
// auto-map proposal review (mapperproposal.go), the configuration history
// (mapperversions.go) and the searchable field picker (fieldpicker.go);
// the Sync tab likewise: the form (syncscreen.go), the filter check
// (syncfilter.go), the plan (syncplan.go) and the run (syncrun.go).
package ui
