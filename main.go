// Command crmsheets is CRM Sheets: spreadsheet-style sheets of Salesforce
// records, synced both ways, with XLSX enrichment and a history of every run.
// Without a command it opens the desktop app; with one it runs headless (see
// `crmsheets --help`). main only wires: the engine is app, the views ui, the
// commands app/cli, the demo org internal/demoorg (injected into app and the
// CLI as an app.DemoOrg). Built with `-tags nogui` it is the CLI alone: no
// Fyne, no cgo, a static binary for servers (see gui_nogui.go).
package main

import (
	_ "crmsheets/internal/locale" // before Fyne reads the locale: see its doc

	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"crmsheets/app"
	"crmsheets/app/cli"
	"crmsheets/internal/demoorg"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stdio := cli.IO{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		Interactive: term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stderr.Fd())),
	}
	code := cli.Run(ctx, os.Args[1:], stdio, app.Options{DemoOrg: demoorg.New()}, openGUI)
	stop()
	os.Exit(code)
}
