// Command crmsheets is CRM Sheets: spreadsheet-style sheets of Salesforce
// records, synced both ways, with XLSX enrichment and a history of every run.
// Without a command it opens the desktop app; with one it runs headless (see
// `crmsheets --help`). main only wires: the engine is app, the views ui, the
// commands app/cli.
package main

import (
	_ "crmsheets/internal/locale" // before Fyne reads the locale: see its doc

	"context"
	"os"
	"os/signal"
	"syscall"

	fyneapp "fyne.io/fyne/v2/app"
	"golang.org/x/term"

	"crmsheets/app"
	"crmsheets/app/cli"
	"crmsheets/ui"
)

// appID is the Fyne application id; it keys the preferences (window size,
// last sheet) and must match FyneApp.toml.
const appID = "com.crmsheets.app"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stdio := cli.IO{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		Interactive: term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stderr.Fd())),
	}
	gui := func(svc *app.Service) error {
		ui.Run(fyneapp.NewWithID(appID), svc)
		return nil
	}
	code := cli.Run(ctx, os.Args[1:], stdio, app.Options{}, gui)
	stop()
	os.Exit(code)
}
