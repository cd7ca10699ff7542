package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"crmsheets/sheets"
)

// ambiguity is the --json form of one relationship value that matches
// several records.
type ambiguity struct {
	Row        sheets.RowID       `json:"row"`
	Column     string             `json:"column"`
	Value      string             `json:"value"`
	Candidates []sheets.Candidate `json:"candidates"`
}

func (e *env) chooseCommand() *cobra.Command {
	var sheetRef, column, record string
	var row int
	cmd := &cobra.Command{
		Use:   "choose",
		Short: "List relationship values that match several records, or settle one",
		Long: `A push refuses a row whose relationship value (for example the Account Name
"Acme" of a contact) matches several records, and keeps the candidates on
the row. Without --row, lists those rows and their candidates. With --row
and --record, points the row at that candidate; the choice is remembered
for the sheet, so every row with the same value in that column goes to the
same record, and the row is sent by the next push.`,
		Example: `  crmsheets choose --sheet "Leads Q3"
  crmsheets choose --sheet "Leads Q3" --row 12 --record 001000000000042AAA
  crmsheets choose --sheet "Leads Q3" --row 12 --column "Account Name" --record 001000000000042AAA`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, sh, err := e.sheetDefByRef(cmd.Context(), sheetRef)
			if err != nil {
				return err
			}
			id := sh.ID
			if row == 0 {
				if record != "" || column != "" {
					return usageErr("--record and --column need --row")
				}
				var out []ambiguity
				for r, err := range svc.Rows(id) {
					if err != nil {
						return err
					}
					for _, c := range sh.Columns {
						if cands := r.Candidates[c.ID]; len(cands) > 0 {
							out = append(out, ambiguity{Row: r.ID, Column: c.Name, Value: r.Cells[c.ID], Candidates: cands})
						}
					}
				}
				if e.json {
					if out == nil {
						out = []ambiguity{}
					}
					return printJSON(e.io.Out, out)
				}
				if len(out) == 0 {
					fmt.Fprintf(e.io.Out, "No row of %q waits for a choice.\n", sh.Name)
					return nil
				}
				for _, a := range out {
					fmt.Fprintf(e.io.Out, "row %d, %s %q matches %d records:\n", a.Row, a.Column, a.Value, len(a.Candidates))
					rows := make([][]string, len(a.Candidates))
					for i, c := range a.Candidates {
						rows[i] = []string{"  " + c.ID, c.Name, c.Email, c.Website, c.City, c.Owner}
					}
					_ = table(e.io.Out, []string{"  RECORD", "NAME", "EMAIL", "WEBSITE", "CITY", "OWNER"}, rows)
				}
				fmt.Fprintf(e.io.Out, "\nChoose with: crmsheets choose --sheet %q --row N --record ID\n", sh.Name)
				return nil
			}
			if record == "" {
				return usageErr("--record is required with --row (one of the candidates `crmsheets choose --sheet %q` lists)", sh.Name)
			}
			r, err := svc.Row(id, sheets.RowID(row))
			if err != nil {
				return fmt.Errorf("row %d of %q: %w", row, sh.Name, err)
			}
			var colID string
			if column != "" {
				c, ok := sh.ColumnByName(column)
				if !ok {
					c, ok = sh.ColumnByField(column)
				}
				if !ok {
					return usageErr("--column: %q has no column %q", sh.Name, column)
				}
				colID = c.ID
			} else {
				var ids []string
				for _, c := range sh.Columns {
					if len(r.Candidates[c.ID]) > 0 {
						ids = append(ids, c.ID)
					}
				}
				switch len(ids) {
				case 0:
					return fmt.Errorf("row %d of %q has no relationship value waiting for a choice", row, sh.Name)
				case 1:
					colID = ids[0]
				default:
					return usageErr("row %d has several ambiguous columns: add --column", row)
				}
			}
			if !slices.ContainsFunc(r.Candidates[colID], func(c sheets.Candidate) bool { return strings.EqualFold(c.ID, record) }) {
				col, _ := sh.Column(colID)
				var ids []string
				for _, c := range r.Candidates[colID] {
					ids = append(ids, c.ID)
				}
				if len(ids) == 0 {
					return fmt.Errorf("column %q of row %d has no candidates to choose from", col.Name, row)
				}
				return fmt.Errorf("%s is not a candidate of row %d, column %q (candidates: %s)", record, row, col.Name, strings.Join(ids, ", "))
			}
			for _, c := range r.Candidates[colID] {
				if strings.EqualFold(c.ID, record) {
					record = c.ID
				}
			}
			updated, err := svc.ChooseCandidate(id, sheets.RowID(row), colID, record)
			if err != nil {
				return err
			}
			col, _ := sh.Column(colID)
			if e.json {
				return printJSON(e.io.Out, map[string]any{"row": updated.ID, "column": col.Name, "value": updated.Cells[colID], "record": record, "state": updated.State})
			}
			fmt.Fprintf(e.io.Out, "Row %d: %s %q now points to %s (remembered for the sheet); state %s. Push it with: crmsheets sync --sheet %s --direction push\n",
				updated.ID, col.Name, updated.Cells[colID], record, updated.State, strconv.Quote(sh.Name))
			return nil
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "sheet name or id")
	cmd.Flags().IntVar(&row, "row", 0, "row number (as listed)")
	cmd.Flags().StringVar(&column, "column", "", "column of the ambiguous value, when the row has several")
	cmd.Flags().StringVar(&record, "record", "", "record id of the chosen candidate")
	return cmd
}
