// Package cli is the headless face of CRM Sheets: the commands scripts and
// schedules run (`crmsheets sync --sheet Leads --direction push`). Every
// command calls the same app.Service methods as the desktop app, so a flow
// tested here is the flow a user clicks; there is no second code path.
//
// Exit codes are part of the contract scripts rely on: 0 ok, 1 failed,
// 2 usage error, 3 partial (the run finished but some records failed or were
// refused).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"crmsheets/app"
	"crmsheets/sheets"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailed  = 1
	ExitUsage   = 2
	ExitPartial = 3
)

// exitError carries an exit code through cobra's error return.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, a...)}
}

// IO is where a command reads and writes. Tests pass buffers; main passes
// the process's standard streams.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
	// Interactive is true when stdin and stderr are terminals: only then
	// does a command show a progress bar or ask a question.
	Interactive bool
}

// env is the state shared by the commands of one invocation.
type env struct {
	io      IO
	home    string
	json    bool
	verbose bool
	svc     *app.Service
	opts    app.Options
	gui     func(*app.Service) error
}

// Run executes the command line args (without the program name) and returns
// the process exit code. opts are the base options of the service the
// commands open (main passes zero options; tests may point at an emulator).
// gui opens the desktop app on the service; it runs when no command is given
// (`crmsheets` or `crmsheets --home DIR`), and nil makes that a usage error.
func Run(ctx context.Context, args []string, stdio IO, opts app.Options, gui func(*app.Service) error) int {
	out := &countingWriter{w: stdio.Out}
	stdio.Out = out
	e := &env{io: stdio, opts: opts, gui: gui}
	root := e.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	err := root.ExecuteContext(ctx)
	hint := ""
	if e.svc != nil && err != nil && app.IsNeedsReauth(err) {
		// The org needs reauthorization: say exactly how to log in again.
		if o, oerr := e.svc.ActiveOrg(); oerr == nil {
			hint = fmt.Sprintf("To log in again, run `%s` (or `crmsheets orgs --use demo` to work on the demo org).", loginHint(o))
			if e.svc.OrgLoginState(o) == app.LoginNeedsReauth {
				hint = o.Name + " needs reauthorization. " + hint
			}
		}
	}
	if e.svc != nil {
		if cerr := closeWithin(e.svc, closeTimeout, stdio.Err); cerr != nil && err == nil {
			err = cerr
		}
	}
	if err == nil {
		return ExitOK
	}
	code := ExitFailed
	var xe *exitError
	switch {
	case errors.As(err, &xe):
		code = xe.code
		err = xe.err
	case isUsage(err):
		code = ExitUsage
	}
	if err == nil || code == ExitOK {
		return code
	}
	if e.json && out.n == 0 {
		// A script reading --json gets one JSON document in every case:
		// the command's result, or this error object.
		_ = printJSON(out, jsonError{Error: err.Error(), ExitCode: code})
		return code
	}
	fmt.Fprintln(stdio.Err, "Error:", err)
	if hint != "" {
		fmt.Fprintln(stdio.Err, hint)
	}
	return code
}

// jsonError is what --json prints on stdout when a command fails before
// printing its result.
type jsonError struct {
	Error    string `json:"error"`
	ExitCode int    `json:"exitCode"`
}

// countingWriter tells Run whether a command already printed its result.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}

// closeTimeout bounds how long the process waits for the engine to close
// once the command or the window is done.
const closeTimeout = 15 * time.Second

// closeWithin closes the service but never keeps the process alive past
// limit: a user who closed the window expects the app to end. Leaving early
// is safe: the store is crash-safe, and the next start marks any run left
// running as interrupted.
func closeWithin(svc *app.Service, limit time.Duration, warn io.Writer) error {
	done := make(chan error, 1)
	go func() { done <- svc.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		fmt.Fprintf(warn, "warning: closing took longer than %s; exiting anyway (unfinished runs show as interrupted at the next start)\n", limit)
		return nil
	}
}

// isUsage recognises cobra's own usage errors (unknown flag or command,
// wrong argument count), which it returns as plain errors.
func isUsage(err error) bool {
	m := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "required flag", "if any flags in the group"} {
		if strings.Contains(m, p) {
			return true
		}
	}
	return false
}

func (e *env) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "crmsheets",
		Short: "Spreadsheet-style sheets synced with Salesforce",
		Long: `CRM Sheets keeps Salesforce records in local sheets: pull records, edit them
or enrich them from XLSX files, push the changes back, and review every run.

Run without arguments to open the desktop app. The commands below drive the
same engine from scripts and schedules. The demo org (a local Salesforce
emulator) is the default org, so everything works without an account.

Salesforce tokens are kept in the system keychain; with CRMSHEETS_TOKENS=file
they are kept in files readable only by you in the home directory instead
(servers and CI runners without a keychain).

Exit codes: 0 ok, 1 failed, 2 usage error, 3 partial (some records failed).`,
		Example: `  crmsheets login --env demo
  crmsheets new --template people --name "Leads Q3"
  crmsheets sync --sheet "Leads Q3" --direction pull
  crmsheets import enrichment.xlsx --sheet "Leads Q3" --match Email --preview
  crmsheets sync --sheet "Leads Q3" --direction push --policy sheet-wins
  crmsheets history --sheet "Leads Q3" --json`,
		Version:       app.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if e.gui == nil {
				return usageErr("no command given, and this build has no desktop app (see crmsheets --help)")
			}
			svc, err := e.service(cmd.Context())
			if err != nil {
				return err
			}
			return e.gui(svc)
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if e.home == "" {
				e.home = os.Getenv("CRMSHEETS_HOME")
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&e.home, "home", "", "directory of the store and settings (default $CRMSHEETS_HOME or the user config dir)")
	root.PersistentFlags().BoolVar(&e.json, "json", false, "print results as JSON")
	root.PersistentFlags().BoolVarP(&e.verbose, "verbose", "v", false, "log what the engine does on stderr")
	root.SetVersionTemplate("CRM Sheets {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErr("%v (see %s --help)", err, c.CommandPath()) })
	root.AddCommand(
		e.sheetsCommand(), e.newCommand(), e.columnCommand(), e.mapCommand(), e.settingsCommand(), e.versionsCommand(), e.chooseCommand(), e.duplicatesCommand(), e.rollupCommand(),
		e.filterCommand(), e.planCommand(), e.syncCommand(),
		e.importCommand(), e.exportCommand(), e.historyCommand(), e.revertCommand(), e.rebindCommand(), e.recreateCommand(),
		e.loginCommand(), e.logoutCommand(), e.orgsCommand(), e.emulatorCommand(),
	)
	return root
}

// service opens the engine on the chosen home the first time a command needs it.
func (e *env) service(ctx context.Context) (*app.Service, error) {
	if e.svc != nil {
		return e.svc, nil
	}
	opts := e.opts
	if e.home != "" {
		opts.Home = e.home
	}
	if os.Getenv(app.TokensEnv) == "file" {
		opts.TokensInFile = true
	}
	if opts.Logger == nil {
		level := slog.LevelWarn
		if e.verbose {
			level = slog.LevelDebug
		}
		opts.Logger = slog.New(slog.NewTextHandler(e.io.Err, &slog.HandlerOptions{Level: level}))
	}
	svc, err := app.Open(ctx, opts)
	if err != nil {
		return nil, err
	}
	e.svc = svc
	return svc, nil
}

// connected opens the service and makes sure the active org is connected
// (the demo org connects by itself; a real org resumes its saved tokens).
func (e *env) connected(ctx context.Context) (*app.Service, error) {
	svc, err := e.service(ctx)
	if err != nil {
		return nil, err
	}
	if svc.Status().State == app.StateConnected {
		return svc, nil
	}
	if err := svc.ConnectActive(ctx); err != nil {
		return nil, err // Run adds the login command to a needed reauthorization
	}
	return svc, nil
}

// sheetByRef finds a sheet by name (case-insensitive) or id.
func (e *env) sheetByRef(ctx context.Context, ref string) (*app.Service, string, error) {
	svc, sh, err := e.sheetDefByRef(ctx, ref)
	if err != nil {
		return nil, "", err
	}
	return svc, sh.ID, nil
}

// sheetDefByRef is sheetByRef returning the sheet's definition: the one way
// a command finds the sheet --sheet names, by name or by id.
func (e *env) sheetDefByRef(ctx context.Context, ref string) (*app.Service, *sheets.Sheet, error) {
	if ref == "" {
		return nil, nil, usageErr("--sheet is required")
	}
	svc, err := e.service(ctx)
	if err != nil {
		return nil, nil, err
	}
	if sh, err := svc.SheetByName(ref); err == nil {
		return svc, sh, nil
	}
	if sh, err := svc.Sheet(ref); err == nil {
		return svc, sh, nil
	}
	return nil, nil, fmt.Errorf("no sheet named %q (run `crmsheets sheets` to list them)", ref)
}
