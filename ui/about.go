package ui

import (
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
)

// website is where the About box sends a person for help and releases; it
// is FyneApp.toml's Website.
const website = "https://github.com/crmsheets/crmsheets"

// showAbout shows the product and its version, the same app.Version that
// `crmsheets --version` prints, so a person reporting a problem from the
// desktop app and a script's log name the same release. It also names the
// data folder (the store, settings and token files), which a person needs
// for a backup or to point the CLI's --home at the same sheets.
func (mw *MainWindow) showAbout() {
	link := widget.NewHyperlink(website, nil)
	if u, err := url.Parse(website); err == nil {
		link.URL = u
	}
	body := container.NewVBox(
		widget.NewLabelWithStyle("CRM Sheets", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel("Version "+app.Version),
		widget.NewLabel("Spreadsheet-style sheets synced with Salesforce.\nThe same engine runs from the command line: crmsheets --help."),
		widget.NewLabel("Data folder: "+mw.svc.Home()),
		link,
	)
	dialog.ShowCustom("About CRM Sheets", "Close", body, mw.win)
}
