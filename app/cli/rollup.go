package cli

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"crmsheets/app"
	"crmsheets/sheets"
)

// rollupSpec reads FUNC(Child.Field) or FUNC(Child) (a count of records).
var rollupSpec = regexp.MustCompile(`^\s*(\w+)\s*\(\s*(\w+)(?:\.(\w+))?\s*\)\s*$`)

func (e *env) rollupCommand() *cobra.Command {
	var sheetRef, name, of, via, where string
	var list bool
	cmd := &cobra.Command{
		Use:   "rollup",
		Short: "Add a roll-up column: a sum, count, min, max or average of related records",
		Long: `A roll-up column aggregates a field of the records related to each row, as
Salesforce's roll-up summaries do, for example on Accounts the sum of the
Amount of won Opportunities, or the number of open Cases. It is read-only,
filled at once, and refreshed by every pull with one aggregate query per
roll-up column (GROUP BY the row's record), never one query per row. It is
exported to XLSX as values.

--of is FUNC(Child.Field) with FUNC one of sum, count, min, max, avg, or
latest (the field of the most recently created matching child, read with a
parent-to-child subquery); count(Child) counts records. --where is a SOQL condition on the children.
--via names the child's reference field when the child relates to the
sheet's records in several ways. --list shows what can be rolled up.`,
		Example: `  crmsheets rollup --sheet Accounts --list
  crmsheets rollup --sheet Accounts --name "Won ARR" --of "sum(Opportunity.Amount)" --where "StageName = 'Closed Won'"
  crmsheets rollup --sheet Accounts --name "Open cases" --of "count(Case)" --where "IsClosed = false"
  crmsheets rollup --sheet Accounts --name "Last task" --of "max(Task.ActivityDate)"
  crmsheets rollup --sheet Accounts --name "Latest deal stage" --of "latest(Opportunity.StageName)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if list == (of != "") {
				return usageErr("give --of FUNC(Child.Field), or --list")
			}
			if _, err := e.connected(ctx); err != nil {
				return err
			}
			svc, id, err := e.sheetByRef(ctx, sheetRef)
			if err != nil {
				return err
			}
			if list {
				children, err := svc.RollupChildren(ctx, id)
				if err != nil {
					return err
				}
				if e.json {
					return printJSON(e.io.Out, children)
				}
				rows := make([][]string, 0, len(children))
				for _, ch := range children {
					var fs []string
					for _, f := range ch.Fields {
						if f.Type != "id" {
							fs = append(fs, f.Name)
						}
					}
					rows = append(rows, []string{ch.Object, ch.Via, strings.Join(fs, ", ")})
				}
				return table(e.io.Out, []string{"CHILD", "VIA", "FIELDS (count any child with count(Child))"}, rows)
			}
			m := rollupSpec.FindStringSubmatch(of)
			if m == nil {
				return usageErr("--of %q: write FUNC(Child.Field), e.g. sum(Opportunity.Amount), or count(Case)", of)
			}
			r := sheets.Rollup{Func: strings.ToLower(m[1]), Child: m[2], Field: m[3], Via: via, Where: where}
			if r.Field == "" && r.Func != "count" {
				return usageErr("--of %q: %s needs a field, e.g. %s(%s.Amount)", of, r.Func, r.Func, r.Child)
			}
			known := false
			for _, f := range app.RollupFuncs {
				known = known || f == r.Func
			}
			if !known {
				return usageErr("--of %q: the function is one of %s", of, strings.Join(app.RollupFuncs, ", "))
			}
			col, err := svc.AddRollupColumn(ctx, id, name, r)
			if err != nil {
				return err
			}
			if e.json {
				return printJSON(e.io.Out, col)
			}
			fmt.Fprintf(e.io.Out, "Added roll-up column %q: %s (read-only, refreshed by every pull)\n", col.Name, col.Rollup)
			return nil
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "sheet name or id")
	cmd.Flags().StringVar(&name, "name", "", "name of the new column (default: the roll-up itself)")
	cmd.Flags().StringVar(&of, "of", "", "FUNC(Child.Field): sum, count, min, max or avg of a child field")
	cmd.Flags().StringVar(&via, "via", "", "the child's reference field to the sheet's records, when there are several")
	cmd.Flags().StringVar(&where, "where", "", "SOQL condition on the child records, e.g. \"StageName = 'Closed Won'\"")
	cmd.Flags().BoolVar(&list, "list", false, "list the related records and fields that can be rolled up")
	return cmd
}
