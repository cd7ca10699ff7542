//go:build nogui

package main

import "crmsheets/app"

// openGUI is nil in the CLI-only build (`go build -tags nogui`): it links
// neither Fyne nor OpenGL/X11, so CGO_ENABLED=0 gives a static binary for
// servers and cron, and `crmsheets` without a command is a usage error that
// points at --help.
var openGUI func(*app.Service) error
