//go:build !nogui

package main

import (
	fyneapp "fyne.io/fyne/v2/app"

	"crmsheets/app"
	"crmsheets/ui"
)

// appID is the Fyne application id; it keys the preferences (window size,
// last sheet) and must match FyneApp.toml.
const appID = "com.crmsheets.app"

// openGUI opens the desktop app on the service; `crmsheets` without a command
// runs it. The nogui build (gui_nogui.go) has none.
var openGUI = func(svc *app.Service) error {
	ui.Run(fyneapp.NewWithID(appID), svc)
	return nil
}
