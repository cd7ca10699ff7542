package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"crmsheets/app"
	"crmsheets/sheets"
)

// configVersion is the --json form of one saved configuration.
type configVersion struct {
	N     int    `json:"n"`
	Note  string `json:"note,omitempty"`
	Saved string `json:"saved"`
	Name  string `json:"name"`
}

func (e *env) versionsCommand() *cobra.Command {
	var sheetRef string
	var show, restore int
	cmd := &cobra.Command{
		Use:   "versions",
		Short: "List a sheet's configuration versions, show one, or restore one",
		Long: `Every change of a sheet's mapping, key column, filter or sync settings is
saved as a numbered configuration version. --show N prints version N's
mapping and settings; --restore N brings them back (columns that still
exist get their old mapping; cells are never touched) and is itself saved
as a new version, so a restore can be undone the same way.`,
		Example: `  crmsheets versions --sheet "Leads Q3"
  crmsheets versions --sheet "Leads Q3" --show 2
  crmsheets versions --sheet "Leads Q3" --restore 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if show != 0 && restore != 0 {
				return usageErr("give --show or --restore, not both")
			}
			svc, id, err := e.sheetByRef(cmd.Context(), sheetRef)
			if err != nil {
				return err
			}
			if show != 0 || restore != 0 {
				var sh *sheets.Sheet
				if show != 0 {
					sh, err = svc.ConfigVersion(id, show)
				} else {
					sh, err = svc.RestoreConfigVersion(id, restore)
				}
				if err != nil {
					return err
				}
				cols := make([]mappingRow, 0, len(sh.Columns))
				for _, c := range sh.Columns {
					cols = append(cols, mappingRow{Column: c.Name, Type: string(c.Type), Field: c.Field, ReadOnly: c.ReadOnly, Blank: app.BlankPolicyLabel(c.Blank)})
				}
				if e.json {
					return printJSON(e.io.Out, map[string]any{"settings": settingsOf(sh), "columns": cols, "restored": restore != 0})
				}
				if restore != 0 {
					fmt.Fprintf(e.io.Out, "Restored version %d of %q (saved as a new version)\n", restore, sh.Name)
				} else {
					fmt.Fprintf(e.io.Out, "Version %d of %q\n", show, sh.Name)
				}
				st := settingsOf(sh)
				fmt.Fprintf(e.io.Out, "object %s, key column %s, create missing %v, direction %s, conflicts %s, lookback %s, filter %q\n\n",
					orDash(st.Object), orDash(st.KeyColumn), st.CreateMissing, st.Direction, st.Policy, st.Lookback, st.Filter)
				rows := make([][]string, len(cols))
				for i, c := range cols {
					ro := ""
					if c.ReadOnly {
						ro = "read-only"
					}
					rows[i] = []string{c.Column, c.Type, c.Field, ro}
				}
				return table(e.io.Out, []string{"COLUMN", "TYPE", "FIELD", ""}, rows)
			}
			vs, err := svc.ConfigVersions(id)
			if err != nil {
				return err
			}
			out := make([]configVersion, 0, len(vs))
			for _, v := range vs {
				out = append(out, configVersion{N: v.N, Note: v.Note, Saved: v.Saved.UTC().Format("2006-01-02T15:04:05Z"), Name: v.Name})
			}
			if e.json {
				return printJSON(e.io.Out, out)
			}
			rows := make([][]string, 0, len(vs))
			for _, v := range slices.Backward(vs) {
				rows = append(rows, []string{fmt.Sprint(v.N), when(v.Saved), v.Name, v.Note})
			}
			return table(e.io.Out, []string{"VERSION", "SAVED", "SHEET NAME", "CHANGE"}, rows)
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "sheet name or id")
	cmd.Flags().IntVar(&show, "show", 0, "print version N's mapping and settings")
	cmd.Flags().IntVar(&restore, "restore", 0, "bring back version N's mapping and settings")
	return cmd
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
