package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"crmsheets/app"
	"crmsheets/sheets"
)

func parseDirection(s string) (sheets.Direction, error) {
	switch s {
	case "":
		return "", nil
	case "pull", "push", "both":
		return sheets.Direction(s), nil
	}
	return "", usageErr("--direction must be pull, push or both, not %q", s)
}

func parsePolicy(s string) (sheets.Policy, error) {
	switch sheets.Policy(s) {
	case "":
		return "", nil
	case sheets.PolicySalesforceWins, sheets.PolicySheetWins, sheets.PolicyMostRecent, sheets.PolicyReview:
		return sheets.Policy(s), nil
	}
	return "", usageErr("--policy must be salesforce-wins, sheet-wins, most-recent or review, not %q", s)
}

// syncFlags are the flags plan and sync share, parsed into the engine's
// options in one place.
type syncFlags struct {
	direction, policy string
	full              bool
}

func (f *syncFlags) register(cmd *cobra.Command, fullHelp string) {
	cmd.Flags().StringVar(&f.direction, "direction", "", "pull, push or both (default: the sheet's setting)")
	cmd.Flags().StringVar(&f.policy, "policy", "", "conflict policy: salesforce-wins, sheet-wins, most-recent, review")
	cmd.Flags().BoolVar(&f.full, "full", false, fullHelp)
}

func (f *syncFlags) options() (app.SyncOptions, error) {
	dir, err := parseDirection(f.direction)
	if err != nil {
		return app.SyncOptions{}, err
	}
	pol, err := parsePolicy(f.policy)
	if err != nil {
		return app.SyncOptions{}, err
	}
	return app.SyncOptions{Direction: dir, Policy: pol, Full: f.full, Trigger: sheets.TriggerCLI}, nil
}

func (e *env) planCommand() *cobra.Command {
	var sheetRef string
	var flags syncFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what a sync would do, and what it would cost, without changing anything",
		Example: `  crmsheets plan --sheet "Leads Q3" --direction push
  crmsheets plan --sheet "Leads Q3" --direction both --policy most-recent --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			opt, err := flags.options()
			if err != nil {
				return err
			}
			if _, err := e.connected(ctx); err != nil {
				return err
			}
			svc, id, err := e.sheetByRef(ctx, sheetRef)
			if err != nil {
				return err
			}
			plan, err := svc.Plan(ctx, id, opt)
			if err != nil {
				return err
			}
			if e.json {
				return printJSON(e.io.Out, plan)
			}
			printPlan(e, plan)
			return nil
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "sheet name or id")
	flags.register(cmd, "plan a full pull instead of an incremental one")
	return cmd
}

func printPlan(e *env, p *app.Plan) {
	w := e.io.Out
	fmt.Fprintf(w, "Plan for %q (%s, %s, conflicts: %s)\n", p.SheetName, p.Object, p.Direction, p.Policy)
	fmt.Fprintf(w, "  pull:   %d records read, %d new rows, %d rows refreshed, %d deleted in Salesforce\n", p.Pulled, p.New, p.Refreshes, p.DeletedRemotely)
	fmt.Fprintf(w, "  push:   %d creates, %d updates\n", p.Creates, p.Updates)
	fmt.Fprintf(w, "  other:  %d unchanged, %d conflicts kept for review, %d settled by policy, %d invalid, %d skipped\n", p.Unchanged, p.Conflicts, p.Settled, p.Invalid, p.Skipped)
	fmt.Fprintf(w, "  API:    about %d calls; %d of %d left today (reserve %d); planning cost %d\n", p.APICalls, p.APIRemaining, p.APILimit, p.APIReserve, p.APICallsSpent)
	if p.WouldPause {
		fmt.Fprintln(w, "  note:   the run would pause at the API reserve before finishing")
	}
	if p.SafetyStop != nil {
		fmt.Fprintln(w, "  stop:  ", p.SafetyStop.Error())
	}
	for _, u := range p.Unmapped {
		fmt.Fprintf(w, "  warning: column %s is mapped to a field that no longer exists\n", u)
	}
	const show = 50
	if len(p.Changes) > 0 {
		fmt.Fprintln(w, "\nChanges (Salesforce now → new value):")
		rows := [][]string{}
		for i, c := range p.Changes {
			if i == show {
				break
			}
			change := quoteCell(c.Old) + " → " + quoteCell(c.New)
			if c.Op == app.OpAdd {
				change = "new row"
			}
			rows = append(rows, []string{c.Op, app.ChangeRecord(c), c.Column, c.Field, change})
		}
		_ = table(w, []string{"OP", "RECORD", "COLUMN", "FIELD", "CHANGE"}, rows)
		if len(p.Changes) > show || p.Truncated {
			fmt.Fprintf(w, "… and more (use --json for all %d listed)\n", len(p.Changes))
		}
		if p.Unlisted > 0 {
			fmt.Fprintf(w, "… and %d more new rows, not listed\n", p.Unlisted)
		}
	}
	if len(p.Problems) > 0 {
		fmt.Fprintln(w, "\nRows that would not be sent:")
		for i, pr := range p.Problems {
			if i == show {
				fmt.Fprintf(w, "… and %d more\n", len(p.Problems)-show)
				break
			}
			fmt.Fprintf(w, "  row %d %s: %s\n", pr.RowID, pr.RecordID, pr.Reason)
		}
	}
}

func quoteCell(s string) string {
	if s == "" {
		return "(blank)"
	}
	return fmt.Sprintf("%q", s)
}

// runSummary is the --json form of a finished run.
type runSummary struct {
	*sheets.Run
	// Sheet names the sheet of an error that came before any run was
	// recorded (sync --all goes on to the next sheet); "" beside a run.
	Sheet string `json:"sheet,omitempty"`
	Error string `json:"error,omitempty"`
}

// runSummaries pairs runs with runErr: each sheet's error of sync --all
// (*app.SheetSyncError) goes beside that sheet's run, or in an entry of
// its own when the sheet failed before a run was recorded; any other error
// (a one-sheet sync) beside the last run.
func runSummaries(runs []*sheets.Run, runErr error) []runSummary {
	out := make([]runSummary, 0, len(runs))
	for _, r := range runs {
		out = append(out, runSummary{Run: r})
	}
	if runErr == nil {
		return out
	}
	errs := []error{runErr}
	if j, ok := runErr.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var rest []string
	for _, err := range errs {
		var se *app.SheetSyncError
		if !errors.As(err, &se) {
			rest = append(rest, err.Error())
			continue
		}
		i := slices.IndexFunc(out, func(s runSummary) bool { return s.Run != nil && s.Run.SheetID == se.SheetID && s.Error == "" })
		if i < 0 {
			out = append(out, runSummary{Sheet: se.Sheet, Error: se.Err.Error()})
			continue
		}
		out[i].Error = se.Err.Error()
	}
	if len(rest) > 0 {
		if len(out) == 0 {
			out = append(out, runSummary{})
		}
		last := &out[len(out)-1]
		if last.Error != "" {
			rest = append([]string{last.Error}, rest...)
		}
		last.Error = strings.Join(rest, "\n")
	}
	return out
}

func (e *env) syncCommand() *cobra.Command {
	var sheetRef string
	var flags syncFlags
	var all, force, yes, due bool
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Pull, push or sync both ways, and record the run in history",
		Long: `Run a sync of one sheet (--sheet) or of every sheet bound to an object (--all,
accounts first so new accounts exist before contacts point at them).
Exit code 3 means the run finished but some records failed or were refused;
see them with: crmsheets history --run ID --errors

In a production org, a run that would create or update more than 500
records is planned first and confirmed: on a terminal you type the sheet's
name; a script passes --yes after reviewing it with crmsheets plan.

--due runs, one after the other, every sheet whose schedule (crmsheets
settings --schedule, or the Sync tab) says a run is due, each in its own
direction and policy, as the desktop app does while it is open. One cron
line then serves every sheet's schedule; the schedule a person set is the
confirmation, so --due never asks.`,
		Example: `  crmsheets sync --sheet "Leads Q3" --direction pull
  crmsheets sync --sheet "Leads Q3" --direction push --policy sheet-wins
  crmsheets sync --all --direction both --policy most-recent
  */15 * * * *  crmsheets sync --due      # crontab: every sheet on its own schedule`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			opt, err := flags.options()
			if err != nil {
				return err
			}
			opt.Force = force
			if n := btoi(all) + btoi(sheetRef != "") + btoi(due); n != 1 {
				return usageErr("give exactly one of --sheet, --all or --due")
			}
			svc, err := e.connected(ctx)
			if err != nil {
				return err
			}
			if due {
				runs := svc.RunDue(ctx)
				if len(runs) == 0 && !e.json {
					fmt.Fprintln(e.io.Out, "No sheet's schedule is due now.")
					return nil
				}
				return e.reportRuns(runs, nil)
			}
			if !yes {
				var ids []string
				if !all {
					_, id, err := e.sheetByRef(ctx, sheetRef)
					if err != nil {
						return err
					}
					ids = append(ids, id)
				}
				if err := e.confirmProduction(ctx, svc, ids, opt); err != nil {
					return err
				}
			}
			prog := newProgress(e.io.Err, e.io.Interactive)
			var runs []*sheets.Run
			var runErr error
			if all {
				runs, runErr = svc.SyncAll(ctx, opt, func(sheet string, p app.Progress) {
					p.Phase = sheet + " " + p.Phase
					prog.report(p)
				})
			} else {
				_, id, err := e.sheetByRef(ctx, sheetRef)
				if err != nil {
					return err
				}
				var run *sheets.Run
				run, runErr = svc.Sync(ctx, id, opt, prog.report)
				if run != nil {
					runs = append(runs, run)
				}
			}
			prog.done()
			return e.reportRuns(runs, runErr)
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "sheet name or id")
	cmd.Flags().BoolVar(&all, "all", false, "sync every sheet bound to a Salesforce object")
	cmd.Flags().BoolVar(&due, "due", false, "run the sheets whose schedule is due now, each with its own settings (for cron)")
	flags.register(cmd, "pull every record matching the filter, not only recent changes")
	cmd.Flags().BoolVar(&force, "force", false, "run even when it would overwrite more records than the safety limit")
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask before a big run in a production org (for scripts)")
	return cmd
}

// confirmProduction plans the run of each sheet (every syncable one when
// ids is empty) when the org is production, and asks before one that would
// write more than app.ProductionConfirmThreshold records: the sheet's name
// typed on a terminal, --yes otherwise. Nothing runs unless confirmed.
func (e *env) confirmProduction(ctx context.Context, svc *app.Service, ids []string, opt app.SyncOptions) error {
	if !svc.Status().Production {
		return nil
	}
	if len(ids) == 0 {
		list, err := svc.Sheets()
		if err != nil {
			return err
		}
		for _, sh := range list {
			if sh.Object != "" && slices.ContainsFunc(sh.Columns, sheets.Column.Mapped) {
				ids = append(ids, sh.ID)
			}
		}
	}
	for _, id := range ids {
		p, err := svc.Plan(ctx, id, opt)
		if err != nil {
			return err
		}
		if err := e.askProduction(p.SheetName, p.Writes()); err != nil {
			return err
		}
	}
	return nil
}

// askProduction is the question itself, for a run writing n records of
// the sheet named sheet.
func (e *env) askProduction(sheet string, n int) error {
	if n <= app.ProductionConfirmThreshold {
		return nil
	}
	what := fmt.Sprintf("this run of %q would create or update %d records in a PRODUCTION org", sheet, n)
	if !e.io.Interactive {
		return &exitError{code: ExitFailed, err: fmt.Errorf("%s; nothing was sent. Review it with `crmsheets plan --sheet %q`, then run again with --yes", what, sheet)}
	}
	fmt.Fprintf(e.io.Err, "Careful: %s.\nType the sheet's name to go ahead: ", what)
	line, _ := bufio.NewReader(e.io.In).ReadString('\n')
	if strings.TrimSpace(line) != sheet {
		return &exitError{code: ExitFailed, err: fmt.Errorf("not confirmed; nothing was sent")}
	}
	return nil
}

// btoi counts a true flag as one, for "exactly one of" checks.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// reportRuns prints finished runs and turns their status into the exit code.
func (e *env) reportRuns(runs []*sheets.Run, runErr error) error {
	if e.json && (len(runs) > 0 || runErr == nil) {
		// With no run to show, the error is printed as Run's JSON error
		// object instead of an empty list.
		if err := printJSON(e.io.Out, runSummaries(runs, runErr)); err != nil {
			return err
		}
	} else if !e.json {
		for _, r := range runs {
			printRun(e, r)
		}
	}
	code := ExitOK
	var short []string // the runs that fell short, by id and sheet
	cancelled := false
	for _, r := range runs {
		switch r.Status {
		case sheets.RunPartial:
			if code == ExitOK {
				code = ExitPartial
			}
		case sheets.RunCancelled:
			cancelled = true
			code = ExitFailed
			continue
		case sheets.RunFailed, sheets.RunInterrupted:
			code = ExitFailed
		default:
			continue
		}
		short = append(short, fmt.Sprintf("run %d (%q, %s)", r.ID, r.SheetName, r.Status))
		if !e.json {
			e.listUnconfirmed(r)
		}
	}
	if cancelled || runErr != nil && errors.Is(runErr, context.Canceled) {
		return &exitError{code: ExitFailed, err: errors.New("cancelled: the run stopped when asked; what was done before is recorded in history, and the next run goes on from there")}
	}
	if runErr != nil {
		var tooMany *app.TooManyChangesError
		if errors.As(runErr, &tooMany) {
			return &exitError{code: ExitFailed, err: fmt.Errorf("%w\nReview it with `crmsheets plan`, then add --force", runErr)}
		}
		return &exitError{code: ExitFailed, err: runErr}
	}
	if code != ExitOK {
		first := runs[0].ID
		for _, r := range runs {
			if r.Status == sheets.RunPartial || r.Status == sheets.RunFailed || r.Status == sheets.RunInterrupted {
				first = r.ID
				break
			}
		}
		return &exitError{code: code, err: fmt.Errorf("some records were not synced in %s; see `crmsheets history --run %d --errors`", strings.Join(short, ", "), first)}
	}
	return nil
}

// listUnconfirmed prints the rows of a run whose answer from Salesforce was
// lost, so a script's log says which rows the next run will reconcile.
func (e *env) listUnconfirmed(r *sheets.Run) {
	if r.Counts.Unconfirmed == 0 || e.svc == nil {
		return
	}
	outs, err := e.svc.Outcomes(r.ID, true)
	if err != nil {
		fmt.Fprintf(e.io.Err, "warning: cannot list the unconfirmed rows of run %d: %v\n", r.ID, err)
		return
	}
	fmt.Fprintf(e.io.Out, "Unconfirmed rows of run %d (the next run reconciles them by key; nothing is created twice):\n", r.ID)
	const show = 50
	n := 0
	for _, o := range outs {
		if o.StatusCode != app.CodeUnconfirmed {
			continue
		}
		if n++; n > show {
			continue
		}
		fmt.Fprintf(e.io.Out, "  row %d %s: %s\n", o.RowID, o.Op, o.Message)
	}
	if n > show {
		fmt.Fprintf(e.io.Out, "  … and %d more (crmsheets history --run %d --errors)\n", n-show, r.ID)
	}
}

func printRun(e *env, r *sheets.Run) {
	c := r.Counts
	fmt.Fprintf(e.io.Out, "Run %d %s: %s %q — %s\n", r.ID, r.Direction, r.Object, r.SheetName, r.Status)
	fmt.Fprintf(e.io.Out, "  pulled %d (rows added %d), created %d, updated %d, refreshed %d, unchanged %d, conflicts %d, invalid %d, failed %d, unconfirmed %d, deleted in Salesforce %d\n",
		c.Pulled, c.Added, c.Created, c.Updated, c.Refreshed, c.Unchanged, c.Conflicts, c.Invalid, c.Failed, c.Unconfirmed, c.Deleted)
	line := fmt.Sprintf("  API calls %d (used %d of %d today)", r.APICalls, r.APIUsed, r.APILimit)
	if took := r.Took(); took > 0 {
		line += ", " + took.Round(time.Millisecond).String()
		if wait, ok := r.SalesforceWait(); ok {
			line += fmt.Sprintf(" (%s of it waiting for Salesforce)", wait.Round(time.Millisecond))
		}
	}
	fmt.Fprintln(e.io.Out, line)
	if len(r.BulkJobs) > 0 {
		fmt.Fprintf(e.io.Out, "  Bulk API jobs (Salesforce Setup > Bulk Data Load Jobs): %s\n", strings.Join(r.BulkJobs, ", "))
	}
	if r.Message != "" {
		fmt.Fprintf(e.io.Out, "  %s\n", r.Message)
	}
}
