package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

func (e *env) filterCommand() *cobra.Command {
	var sheetRef, set string
	var clear, validate bool
	cmd := &cobra.Command{
		Use:   "filter",
		Short: "Show, check or set a sheet's filter (a SOQL WHERE condition)",
		Long: `Show the sheet's filter, the SOQL WHERE condition that picks the records a
pull reads. --validate asks Salesforce how many records match and shows five
of them (Salesforce's own error text when the condition is invalid). --set
saves a new filter, validated first; --clear removes it. Only a condition is
accepted: LIMIT, ORDER BY, subqueries and statements are refused.`,
		Example: `  crmsheets filter --sheet "Leads Q3"
  crmsheets filter --sheet "Leads Q3" --set "MailingCountry = 'France' AND CreatedDate = LAST_N_DAYS:90"
  crmsheets filter --sheet "Leads Q3" --validate --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if set != "" && clear {
				return usageErr("give --set or --clear, not both")
			}
			svc, sh, err := e.sheetDefByRef(ctx, sheetRef)
			if err != nil {
				return err
			}
			id := sh.ID
			where := sh.Filter
			if set != "" {
				where = strings.TrimSpace(set)
			}
			if clear {
				where = ""
			}
			var check any
			if (validate || set != "") && where != "" {
				if _, err := e.connected(ctx); err != nil {
					return err
				}
				fc, err := svc.ValidateFilter(ctx, id, where)
				if err != nil {
					return err
				}
				check = fc
				if !e.json {
					fmt.Fprintf(e.io.Out, "%d records match.\n", fc.Count)
					for _, s := range fc.Samples {
						keys := make([]string, 0, len(s))
						for k := range s {
							keys = append(keys, k)
						}
						sort.Strings(keys)
						parts := make([]string, 0, len(keys))
						for _, k := range keys {
							if s[k] != "" {
								parts = append(parts, k+": "+s[k])
							}
						}
						fmt.Fprintln(e.io.Out, "  "+strings.Join(parts, ", "))
					}
				}
			}
			if set != "" || clear {
				sh.Filter = where
				if err := svc.SaveSheetSettings(sh, "filter set from the command line"); err != nil {
					return err
				}
			}
			if e.json {
				return printJSON(e.io.Out, map[string]any{"sheet": sh.Name, "filter": where, "check": check})
			}
			if where == "" {
				fmt.Fprintf(e.io.Out, "%q has no filter: a pull reads every record.\n", sh.Name)
			} else {
				fmt.Fprintf(e.io.Out, "Filter of %q: %s\n", sh.Name, where)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "sheet name or id")
	cmd.Flags().StringVar(&set, "set", "", "save this WHERE condition (validated first)")
	cmd.Flags().BoolVar(&clear, "clear", false, "remove the filter")
	cmd.Flags().BoolVar(&validate, "validate", false, "count and sample the records the filter matches")
	return cmd
}
