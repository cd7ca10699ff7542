package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"crmsheets/app"
	"crmsheets/sheets"
)

func (e *env) historyCommand() *cobra.Command {
	var sheetRef string
	var runID uint64
	var errorsOnly bool
	var limit int
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List sync runs, or show one run and its failed records",
		Example: `  crmsheets history
  crmsheets history --sheet "Leads Q3" --json
  crmsheets history --run 12 --errors`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			svc, err := e.service(ctx)
			if err != nil {
				return err
			}
			if runID != 0 {
				run, err := svc.RunRecord(runID)
				if err != nil {
					return err
				}
				outs, err := svc.Outcomes(runID, errorsOnly)
				if err != nil {
					return err
				}
				if e.json {
					return printJSON(e.io.Out, map[string]any{"run": run, "records": outs})
				}
				printRun(e, run)
				if len(outs) == 0 {
					if errorsOnly {
						fmt.Fprintln(e.io.Out, "No failed records.")
					}
					return nil
				}
				rows := make([][]string, 0, len(outs))
				for _, o := range outs {
					rows = append(rows, []string{fmt.Sprint(o.RowID), o.RecordID, o.Op, outcomeStatus(o), strings.Join(o.Fields, ","), o.Message})
				}
				return table(e.io.Out, []string{"ROW", "RECORD", "OP", "STATUS", "FIELDS", "MESSAGE"}, rows)
			}
			q := app.RunQuery{Limit: limit}
			if sheetRef != "" {
				_, id, err := e.sheetByRef(ctx, sheetRef)
				if err != nil {
					return err
				}
				q.SheetID = id
			}
			runs, err := svc.Runs(q)
			if err != nil {
				return err
			}
			if e.json {
				if runs == nil {
					runs = []*sheets.Run{}
				}
				return printJSON(e.io.Out, runs)
			}
			if len(runs) == 0 {
				fmt.Fprintln(e.io.Out, "No runs yet.")
				return nil
			}
			rows := make([][]string, 0, len(runs))
			for _, r := range runs {
				c := r.Counts
				dir := string(r.Direction)
				if r.RevertOf != 0 {
					dir = "revert of " + strconv.FormatUint(r.RevertOf, 10)
				}
				rows = append(rows, []string{fmt.Sprint(r.ID), when(r.Started), r.SheetName, dir, string(r.Status),
					fmt.Sprintf("%d/%d/%d", c.Pulled, c.Created, c.Updated), fmt.Sprint(c.Failed + c.Invalid), fmt.Sprint(r.APICalls), runTime(r)})
			}
			return table(e.io.Out, []string{"RUN", "STARTED", "SHEET", "DIRECTION", "STATUS", "PULLED/CREATED/UPDATED", "FAILED", "API CALLS", "TIME (SALESFORCE)"}, rows)
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "only runs of this sheet")
	cmd.Flags().Uint64Var(&runID, "run", 0, "show this run and its records")
	cmd.Flags().BoolVar(&errorsOnly, "errors", false, "with --run: only the failed records")
	cmd.Flags().IntVar(&limit, "limit", 50, "most recent runs to list")
	return cmd
}

func (e *env) revertCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "revert RUN_ID",
		Short: "Undo a push run: write back the values it replaced and delete the records it created",
		Long: `Revert a push run from history. Fields changed in Salesforce since the run
are left alone and reported. The revert is itself recorded as a run.`,
		Example: "  crmsheets revert 12",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return usageErr("RUN_ID must be a run number from `crmsheets history`, not %q", args[0])
			}
			svc, err := e.connected(cmd.Context())
			if err != nil {
				return err
			}
			prog := newProgress(e.io.Err, e.io.Interactive)
			run, runErr := svc.Revert(cmd.Context(), id, prog.report)
			prog.done()
			var runs []*sheets.Run
			if run != nil {
				runs = append(runs, run)
			}
			return e.reportRuns(runs, runErr)
		},
	}
}

// outcomeStatus is a record's status in a run listing: Salesforce's code
// when it refused the record, and plain words for rows that did not fail —
// a conflict kept for review or a row left out is not a failure.
func outcomeStatus(o sheets.RecordOutcome) string {
	switch {
	case o.OK:
		return "ok"
	case o.Op == sheets.OpConflict:
		return "conflict (kept for review)"
	case o.Op == sheets.OpSkip && o.StatusCode == "":
		return "skipped"
	case o.StatusCode != "":
		return o.StatusCode
	}
	return "failed"
}

// recreateCommand asks for records deleted in Salesforce (by a revert, or by
// someone there) to be created again: the CLI's way to RecreateRows (the
// GUI's is the sheet toolbar's "Create again").
func (e *env) recreateCommand() *cobra.Command {
	var sheetRef string
	var rowList []uint
	var all bool
	cmd := &cobra.Command{
		Use:   "recreate",
		Short: "Turn rows marked deleted in Salesforce into new rows, created by the next push",
		Long: `A revert deletes the records its run created and marks their rows "deleted in
Salesforce": they keep their values but no push sends them again. To create
them again, turn them back into new rows; the next push looks each up by key
and creates it (when the sheet creates missing records).`,
		Example: `  crmsheets recreate --sheet "Leads Q3" --rows 12,13
  crmsheets recreate --sheet "Leads Q3" --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if sheetRef == "" || all == (len(rowList) > 0) {
				return usageErr("give --sheet and exactly one of --rows or --all")
			}
			svc, id, err := e.sheetByRef(ctx, sheetRef)
			if err != nil {
				return err
			}
			ids := make([]sheets.RowID, len(rowList))
			for i, r := range rowList {
				ids[i] = sheets.RowID(r)
			}
			if all {
				if ids, err = svc.DeletedRows(id); err != nil {
					return err
				}
			}
			n, err := svc.RecreateRows(id, ids)
			if err != nil {
				return err
			}
			if e.json {
				return printJSON(e.io.Out, map[string]int{"recreated": n})
			}
			fmt.Fprintf(e.io.Out, "%d row(s) are new rows again; the next push creates them: crmsheets sync --sheet %q --direction push\n", n, sheetRef)
			return nil
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "sheet name or id")
	cmd.Flags().UintSliceVar(&rowList, "rows", nil, "row numbers (as `crmsheets history --run N` lists them), comma-separated")
	cmd.Flags().BoolVar(&all, "all", false, "every row marked deleted in Salesforce")
	return cmd
}

// runTime is a run's time and, in brackets, how much of it went to waiting
// for Salesforce ("" when its time is unknown, see sheets.Run.Took).
func runTime(r *sheets.Run) string {
	took := r.Took()
	if took <= 0 {
		return ""
	}
	wait, ok := r.SalesforceWait()
	if !ok {
		return sheets.RoundTime(took).String()
	}
	return fmt.Sprintf("%s (%s)", sheets.RoundTime(took), sheets.RoundTime(wait))
}
