// Package ui is the CRM Sheets desktop app: the main window (sheets
// sidebar, connection panel, the grid) and the screens over it (sync,
// mapper, conflicts, history, connection, import and export).
//
// The views hold no logic of their own: every action goes through the
// engine's *app.Service. Work that may take more than a frame runs on a
// goroutine and comes back to widgets only through fyne.Do (STYLE.md #7),
// with throttled progress and a Cancel for anything long.
package ui
