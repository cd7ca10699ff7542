package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"crmsheets/sheets"
)

// duplicateRow is the --json form of a row whose create a duplicate rule
// refused.
type duplicateRow struct {
	Row     sheets.RowID       `json:"row"`
	Matches []sheets.Candidate `json:"matches"`
}

func (e *env) duplicatesCommand() *cobra.Command {
	var sheetRef, link string
	var row int
	var create bool
	cmd := &cobra.Command{
		Use:   "duplicates",
		Short: "List rows Salesforce refused as duplicates, and link them or create them anyway",
		Long: `Salesforce's duplicate rules refuse a create that matches existing records
(DUPLICATES_DETECTED); the push keeps the matches on the row. Without --row,
lists those rows and their matches. --link ID links the row to a match:
nothing is created, and the next push sends the row's values to that
record (blank cells leave its values alone). --create creates the row
anyway with the next push (Sforce-Duplicate-Rule-Header: allowSave=true).`,
		Example: `  crmsheets duplicates --sheet "Vendor leads"
  crmsheets duplicates --sheet "Vendor leads" --row 7 --link 00Q000000000042AAA
  crmsheets duplicates --sheet "Vendor leads" --row 8 --create`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, sh, err := e.sheetDefByRef(cmd.Context(), sheetRef)
			if err != nil {
				return err
			}
			id := sh.ID
			if row == 0 {
				if link != "" || create {
					return usageErr("--link and --create need --row")
				}
				out := []duplicateRow{}
				for r, err := range svc.Rows(id) {
					if err != nil {
						return err
					}
					if m := r.Candidates[sheets.DuplicatesKey]; len(m) > 0 {
						out = append(out, duplicateRow{Row: r.ID, Matches: m})
					}
				}
				if e.json {
					return printJSON(e.io.Out, out)
				}
				if len(out) == 0 {
					fmt.Fprintf(e.io.Out, "No row of %q was refused as a duplicate.\n", sh.Name)
					return nil
				}
				for _, d := range out {
					fmt.Fprintf(e.io.Out, "row %d matches %d existing %s record(s):\n", d.Row, len(d.Matches), sh.Object)
					rows := make([][]string, len(d.Matches))
					for i, m := range d.Matches {
						rows[i] = []string{"  " + m.ID, m.Name, m.Email, m.Website}
					}
					_ = table(e.io.Out, []string{"  RECORD", "NAME", "EMAIL", "WEBSITE"}, rows)
				}
				fmt.Fprintf(e.io.Out, "\nDecide with: crmsheets duplicates --sheet %q --row N --link ID (or --create)\n", sh.Name)
				return nil
			}
			if (link != "") == create {
				return usageErr("give --link ID or --create with --row")
			}
			r, err := svc.SettleDuplicate(id, sheets.RowID(row), strings.TrimSpace(link))
			if err != nil {
				return err
			}
			if e.json {
				return printJSON(e.io.Out, map[string]any{"row": r.ID, "recordId": r.RecordID, "createAnyway": create, "state": r.State.String()})
			}
			if create {
				fmt.Fprintf(e.io.Out, "Row %d will be created anyway by the next push.\n", r.ID)
			} else {
				fmt.Fprintf(e.io.Out, "Row %d is linked to %s; the next push sends its values there.\n", r.ID, r.RecordID)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "sheet name or id")
	cmd.Flags().IntVar(&row, "row", 0, "row number (as listed)")
	cmd.Flags().StringVar(&link, "link", "", "record id of the match to link the row to")
	cmd.Flags().BoolVar(&create, "create", false, "create the row anyway with the next push")
	return cmd
}
