package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"crmsheets/app"
	"crmsheets/sheets"
)

// sheetSummary is the --json form of a sheet in listings.
type sheetSummary struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Object    string `json:"object,omitempty"`
	Rows      int    `json:"rows"`
	Columns   int    `json:"columns"`
	KeyColumn string `json:"keyColumn,omitempty"`
	Filter    string `json:"filter,omitempty"`
	Direction string `json:"direction,omitempty"`
	Policy    string `json:"policy,omitempty"`
	LastSync  string `json:"watermark,omitempty"`
	// Org is the Salesforce org the sheet belongs to (its 00D… id and
	// instance); empty until the first sync binds it.
	Org *app.OrgBinding `json:"org,omitempty"`
}

func (e *env) sheetsCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "sheets",
		Short:   "List the sheets in the store",
		Example: "  crmsheets sheets\n  crmsheets sheets --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := e.service(cmd.Context())
			if err != nil {
				return err
			}
			list, err := svc.Sheets()
			if err != nil {
				return err
			}
			out := make([]sheetSummary, 0, len(list))
			for _, sh := range list {
				n, err := svc.RowCount(sh.ID)
				if err != nil {
					return err
				}
				s := sheetSummary{ID: sh.ID, Name: sh.Name, Object: sh.Object, Rows: n, Columns: len(sh.Columns),
					Filter: sh.Filter, Direction: string(sh.Sync.Direction), Policy: string(sh.Sync.EffectivePolicy())}
				if c, ok := sh.Column(sh.KeyColumn); ok {
					s.KeyColumn = c.Name
				}
				if b, ok, err := svc.SheetOrg(sh.ID); err != nil {
					return err
				} else if ok {
					s.Org = &b
				}
				if !sh.Watermark.IsZero() {
					s.LastSync = sh.Watermark.UTC().Format("2006-01-02T15:04:05Z")
				}
				out = append(out, s)
			}
			if e.json {
				return printJSON(e.io.Out, out)
			}
			if len(out) == 0 {
				fmt.Fprintln(e.io.Out, "No sheets yet. Create one with: crmsheets new --template people --name \"My contacts\"")
				return nil
			}
			rows := make([][]string, len(out))
			for i, s := range out {
				org := "(binds at first sync)"
				if s.Org != nil {
					org = s.Org.OrgID
				}
				rows[i] = []string{s.Name, s.Object, fmt.Sprint(s.Rows), fmt.Sprint(s.Columns), s.KeyColumn, org, s.ID}
			}
			if err := table(e.io.Out, []string{"NAME", "OBJECT", "ROWS", "COLUMNS", "KEY", "ORG", "ID"}, rows); err != nil {
				return err
			}
			fmt.Fprintf(e.io.Out, "\nKept in %s\n", svc.Home())
			return nil
		},
	}
}

func (e *env) newCommand() *cobra.Command {
	var template, name, object string
	var blank bool
	var columns []string
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Create a sheet from a CRM template, from any Salesforce object, or blank",
		Long: `Create a sheet. Templates: accounts, people (contacts), leads, opportunities,
tasks, cases. --object builds the sheet from the object's Describe in the connected org.
--blank starts a local sheet with the --columns given (text columns; add, retype
and map them later).`,
		Example: "  crmsheets new --template people --name \"Leads Q3\"\n  crmsheets new --object Subscription__c --name Subscriptions\n  crmsheets new --blank --name \"Event list\" --columns Name,Email,Company",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" {
				return usageErr("--name is required")
			}
			given := 0
			for _, b := range []bool{template != "", object != "", blank} {
				if b {
					given++
				}
			}
			if given != 1 {
				return usageErr("give exactly one of --template, --object or --blank")
			}
			if !blank && len(columns) > 0 {
				return usageErr("--columns goes with --blank")
			}
			var sh *sheets.Sheet
			if blank {
				svc, err := e.service(cmd.Context())
				if err != nil {
					return err
				}
				if sh, err = svc.NewLocalSheet(app.BlankSheet(name, columns)); err != nil {
					return err
				}
			} else if template != "" {
				svc, err := e.service(cmd.Context())
				if err != nil {
					return err
				}
				if sh, err = svc.NewSheetFromTemplate(template, name); err != nil {
					var ids []string
					for _, t := range svc.Templates() {
						ids = append(ids, t.ID)
					}
					return fmt.Errorf("%w (templates: %s)", err, strings.Join(ids, ", "))
				}
			} else {
				svc, err := e.connected(cmd.Context())
				if err != nil {
					return err
				}
				if sh, err = svc.NewSheetFromObject(cmd.Context(), object, name); err != nil {
					return err
				}
			}
			if e.json {
				return printJSON(e.io.Out, sh)
			}
			object := sh.Object
			if object == "" {
				object = "local"
			}
			fmt.Fprintf(e.io.Out, "Created sheet %q (%s, %d columns, id %s)\n", sh.Name, object, len(sh.Columns), sh.ID)
			return nil
		},
	}
	cmd.Flags().StringVar(&template, "template", "", "template id: accounts, people, leads, opportunities, tasks, cases")
	cmd.Flags().StringVar(&object, "object", "", "Salesforce object API name, e.g. Contact or Subscription__c")
	cmd.Flags().StringVar(&name, "name", "", "name of the new sheet")
	cmd.Flags().BoolVar(&blank, "blank", false, "start a blank local sheet")
	cmd.Flags().StringSliceVar(&columns, "columns", nil, "column names of a blank sheet, comma-separated (default A,B,C)")
	return cmd
}

// mappingRow is the --json form of one column's mapping.
type mappingRow struct {
	Column   string `json:"column"`
	Type     string `json:"type"`
	Field    string `json:"field,omitempty"`
	ReadOnly bool   `json:"readOnly,omitempty"`
	Blank    string `json:"blankCells"`
	Proposed string `json:"proposed,omitempty"`
	Rollup   string `json:"rollup,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func (e *env) mapCommand() *cobra.Command {
	var sheetRef string
	var auto, listFields bool
	var blanks, fields []string
	cmd := &cobra.Command{
		Use:   "map",
		Short: "Show a sheet's column-to-field mapping, or apply the automatic mapping",
		Long: `Without --auto, shows each column's mapped Salesforce field and the
automatic proposal for unmapped columns (nothing changes). With --auto, applies
the proposal and saves a configuration version you can restore later.

--field "Column=Field" maps one column yourself (a field API name or a
relationship path such as Account.Name); --field "Column=" unmaps it.

--blank sets what a push does with a cell left blank in a column: leave
(Salesforce keeps its value; the default), clear (the field is cleared in
Salesforce) or fill-empty (values are written only where Salesforce is blank).`,
		Example: "  crmsheets map --sheet \"Leads Q3\"\n  crmsheets map --sheet \"Leads Q3\" --auto\n  crmsheets map --sheet \"Leads Q3\" --blank \"Job Title=clear\"\n  crmsheets map --sheet \"Vendor leads\" --field \"Org=Company\"",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if len(blanks) > 0 {
				if err := e.setBlanks(ctx, sheetRef, blanks); err != nil {
					return err
				}
			}
			if _, err := e.connected(ctx); err != nil {
				return err
			}
			svc, id, err := e.sheetByRef(ctx, sheetRef)
			if err != nil {
				return err
			}
			if listFields {
				return e.printFields(ctx, id)
			}
			var warnings []string
			if len(fields) > 0 {
				if warnings, err = e.mapFields(ctx, id, fields); err != nil {
					return err
				}
			}
			proposal, err := svc.AutoMap(ctx, id)
			if err != nil {
				return err
			}
			if auto {
				w, err := svc.ApplyMapping(id, proposal)
				if err != nil {
					return err
				}
				warnings = append(warnings, w...)
			}
			sh, err := svc.Sheet(id)
			if err != nil {
				return err
			}
			proposed := map[string][2]string{}
			for _, m := range proposal.Matches {
				proposed[m.Column] = [2]string{m.Field.Path, m.Reason}
			}
			var out []mappingRow
			for _, c := range sh.Columns {
				r := mappingRow{Column: c.Name, Type: string(c.Type), Field: c.Field, ReadOnly: c.ReadOnly, Blank: app.BlankPolicyLabel(c.Blank)}
				if c.Rollup != nil {
					r.Rollup = c.Rollup.String()
				}
				if p, ok := proposed[c.ID]; ok && p[0] != c.Field {
					r.Proposed, r.Reason = p[0], p[1]
				}
				out = append(out, r)
			}
			if e.json {
				return printJSON(e.io.Out, map[string]any{"sheet": sh.Name, "columns": out, "warnings": warnings, "applied": auto})
			}
			rows := make([][]string, len(out))
			for i, r := range out {
				ro := ""
				if r.ReadOnly {
					ro = "read-only"
				}
				blank := r.Blank
				if r.Field == "" || r.ReadOnly {
					blank = ""
				}
				field := r.Field
				if r.Rollup != "" {
					field = "roll-up: " + r.Rollup
				}
				rows[i] = []string{r.Column, r.Type, field, ro, blank, r.Proposed}
			}
			if err := table(e.io.Out, []string{"COLUMN", "TYPE", "FIELD", "", "BLANK CELLS", "PROPOSED"}, rows); err != nil {
				return err
			}
			for _, w := range warnings {
				fmt.Fprintln(e.io.Err, "warning:", w)
			}
			if !auto && len(proposal.Matches) > 0 {
				fmt.Fprintln(e.io.Out, "\nApply the proposal with --auto.")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "sheet name or id")
	cmd.Flags().BoolVar(&auto, "auto", false, "apply the automatic mapping proposal")
	cmd.Flags().BoolVar(&listFields, "fields", false, "list the fields and relationship paths the sheet's columns can map to")
	cmd.Flags().StringArrayVar(&fields, "field", nil, `COLUMN=FIELD maps a column to a field or path such as Account.Name; "COLUMN=" unmaps it (repeatable)`)
	cmd.Flags().StringArrayVar(&blanks, "blank", nil, "COLUMN=leave|clear|fill-empty: what a push does with blank cells of a column (repeatable)")
	return cmd
}

// setBlanks applies --blank COLUMN=POLICY settings in one saved version.
func (e *env) setBlanks(ctx context.Context, sheetRef string, specs []string) error {
	svc, sh, err := e.sheetDefByRef(ctx, sheetRef)
	if err != nil {
		return err
	}
	var notes []string
	for _, spec := range specs {
		name, value, ok := strings.Cut(spec, "=")
		if !ok {
			return usageErr("--blank %q: use COLUMN=leave|clear|fill-empty", spec)
		}
		var p sheets.BlankPolicy
		switch strings.TrimSpace(value) {
		case "leave":
			p = sheets.BlankLeave
		case "clear":
			p = sheets.BlankClear
		case "fill-empty":
			p = sheets.BlankFillEmpty
		default:
			return usageErr("--blank %q: the option is leave, clear or fill-empty", spec)
		}
		col, ok := sh.ColumnByName(strings.TrimSpace(name))
		if !ok {
			return usageErr("--blank: %q has no column %q", sh.Name, name)
		}
		if !col.Mapped() || col.ReadOnly {
			return fmt.Errorf("column %q is never pushed (unmapped or read-only): its blank cells option has no effect", col.Name)
		}
		sh.Columns[sh.ColumnIndex(col.ID)].Blank = p
		notes = append(notes, fmt.Sprintf("blank cells of %q: %s", col.Name, app.BlankPolicyLabel(p)))
	}
	return svc.SaveSheetSettings(sh, strings.Join(notes, "; "))
}

// rebindCommand moves a sheet to the connected org: the CLI's way to
// RebindSheet (the GUI's is the sheet menu's "Re-bind to this org").
func (e *env) rebindCommand() *cobra.Command {
	var sheetRef string
	cmd := &cobra.Command{
		Use:   "rebind",
		Short: "Move a sheet to the connected org: a full pull that matches rows by key, never by record id",
		Long: `A sheet belongs to the Salesforce org it was first synced with; syncs, plans and
reverts against any other org are refused. After a sandbox refresh, or to use a
sheet with another org on purpose, connect that org and re-bind the sheet: every
row forgets its old record id, then a full pull matches rows to the new org's
records by the sheet's key column. Rows found keep their edits; rows not found
become new rows (a push creates them only if Create missing is on).`,
		Example: `  crmsheets login --env sandbox
  crmsheets rebind --sheet "Leads Q3"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if sheetRef == "" {
				return usageErr("give the sheet to re-bind with --sheet")
			}
			svc, err := e.connected(ctx)
			if err != nil {
				return err
			}
			_, id, err := e.sheetByRef(ctx, sheetRef)
			if err != nil {
				return err
			}
			prog := newProgress(e.io.Err, e.io.Interactive)
			run, runErr := svc.RebindSheet(ctx, id, prog.report)
			prog.done()
			var runs []*sheets.Run
			if run != nil {
				runs = append(runs, run)
			}
			return e.reportRuns(runs, runErr)
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "sheet name or id")
	return cmd
}

// mapFields applies --field COLUMN=FIELD choices, one saved version each,
// with the same checks as the app's field picker.
func (e *env) mapFields(ctx context.Context, sheetID string, specs []string) ([]string, error) {
	svc, err := e.service(ctx)
	if err != nil {
		return nil, err
	}
	sh, err := svc.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	if sh.Object == "" {
		return nil, fmt.Errorf("%q is not linked to a Salesforce object: link it first with crmsheets settings --sheet %q --object NAME", sh.Name, sh.Name)
	}
	options, err := svc.Fields(ctx, sheetID)
	if err != nil {
		return nil, err
	}
	var warnings []string
	for _, spec := range specs {
		name, path, ok := strings.Cut(spec, "=")
		if !ok {
			return nil, usageErr("--field %q: use COLUMN=FIELD", spec)
		}
		col, ok := sh.ColumnByName(strings.TrimSpace(name))
		if !ok {
			return nil, usageErr("--field: %q has no column %q", sh.Name, name)
		}
		path = strings.TrimSpace(path)
		if path == "" {
			if err := svc.UnmapColumn(sheetID, col.ID); err != nil {
				return nil, err
			}
			continue
		}
		found := ""
		for _, f := range options {
			if strings.EqualFold(f.Path, path) {
				found = f.Path
			}
		}
		if found == "" {
			return nil, fmt.Errorf("%s has no field %q (see the fields with crmsheets map --sheet %q --fields)", sh.Object, path, sh.Name)
		}
		w, err := svc.MapColumnToField(ctx, sheetID, col.ID, found)
		if err != nil {
			return nil, err
		}
		warnings = append(warnings, w...)
	}
	return warnings, nil
}

// fieldLine is the --json form of a field a column can map to.
type fieldLine struct {
	Path     string `json:"path"`
	Label    string `json:"label"`
	Type     string `json:"type"`
	Required bool   `json:"required,omitempty"`
	ReadOnly bool   `json:"readOnly,omitempty"`
}

func (e *env) printFields(ctx context.Context, sheetID string) error {
	svc, err := e.service(ctx)
	if err != nil {
		return err
	}
	fs, err := svc.Fields(ctx, sheetID)
	if err != nil {
		return err
	}
	out := make([]fieldLine, 0, len(fs))
	for _, f := range fs {
		out = append(out, fieldLine{Path: f.Path, Label: f.Label, Type: f.Type, Required: f.Required, ReadOnly: f.ReadOnly})
	}
	if e.json {
		return printJSON(e.io.Out, out)
	}
	rows := make([][]string, len(out))
	for i, f := range out {
		note := ""
		switch {
		case f.ReadOnly:
			note = "read-only"
		case f.Required:
			note = "required"
		}
		rows[i] = []string{f.Path, f.Label, f.Type, note}
	}
	return table(e.io.Out, []string{"FIELD", "LABEL", "TYPE", ""}, rows)
}
