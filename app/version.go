package app

// Version is the release of CRM Sheets that `crmsheets --version` and the
// desktop app's About box show. It equals Version in FyneApp.toml (a test
// holds them together, because `fyne package` stamps the packaged app from
// that file while `go build` knows only this variable); a release build may
// override it with -ldflags "-X crmsheets/app.Version=…".
var Version = "0.1.0"
