package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"crmsheets/app"
)

func (e *env) importCommand() *cobra.Command {
	var sheetRef, match, tab, name, object, key string
	var headerRow int
	var preview, onlyEmpty, addNew bool
	var dateFormats []string
	cmd := &cobra.Command{
		Use:   "import FILE.xlsx",
		Short: "Create a sheet from an XLSX file, or merge a file into a sheet (enrichment)",
		Long: `Without --sheet, creates a new sheet from the file: columns from the header
row, types inferred from the values. --object links the new sheet to a
Salesforce object and applies the automatic mapping (review it with
crmsheets map), so the sheet can sync; --key names its key column.

With --sheet, merges the file into that sheet: rows match by the hidden row ids
of a file this app exported, then by Salesforce record id, then by the key
column (--match, normalized: case, spaces, a website's scheme and www.).
--preview shows what would change and writes nothing. Changed rows become
modified and are pushed by the next sync.

Text dates whose day and month order cannot be told apart (no day above 12)
are never guessed: choose with --date-format "Column=DD/MM/YYYY".
Exit code 3 means some cells or rows were refused; the preview lists them.`,
		Example: `  crmsheets import vendor-list.xlsx --name "Vendor leads"
  crmsheets import vendor-list.xlsx --name "Vendor leads" --object Lead --key Email
  crmsheets import enrichment.xlsx --sheet "Leads Q3" --match Email --preview
  crmsheets import enrichment.xlsx --sheet "Leads Q3" --match Email --only-empty
  crmsheets import edited-export.xlsx --sheet "Leads Q3" --add-new`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			path := args[0]
			svc, err := e.service(ctx)
			if err != nil {
				return err
			}
			table, err := svc.ReadXLSX(ctx, path, app.ImportReadOptions{Tab: tab, HeaderRow: headerRow}, app.ImportLimits{})
			if err != nil {
				return err
			}
			if err := chooseDateFormats(table, dateFormats); err != nil {
				return err
			}
			var ambiguous []string
			for _, c := range table.Columns {
				if c.AmbiguousDate() {
					why := joinFormats(c.Ambiguous)
					if c.MixedDates {
						why += fmt.Sprintf(": date cells mixed with text dates only %s reads", c.Ambiguous[0])
					}
					ambiguous = append(ambiguous, fmt.Sprintf("%q (%s)", c.Name, why))
				}
			}
			if sheetRef != "" && (object != "" || key != "") {
				return usageErr("--object and --key apply to a new sheet: leave out --sheet (use --match to merge by a column)")
			}
			if key != "" && object == "" {
				return usageErr("--key needs --object")
			}
			if sheetRef == "" {
				if object != "" && !preview {
					// Check the object before anything is written.
					if object, err = e.objectName(ctx, object); err != nil {
						return err
					}
				}
				if preview {
					return e.printTable(table, ambiguous)
				}
				if len(ambiguous) > 0 {
					return fmt.Errorf("%w: %s; add --date-format \"Column=FORMAT\"", app.ErrAmbiguousDates, strings.Join(ambiguous, ", "))
				}
				if name == "" {
					name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
				}
				sh, err := svc.CreateSheetFromXLSX(name, table)
				if err != nil {
					return err
				}
				var linked *linkResult
				if object != "" {
					if linked, err = e.linkAndMap(ctx, sh.ID, object, key); err != nil {
						return fmt.Errorf("sheet %q was created but not linked to %s: %w (link it with crmsheets settings --sheet %q --object %s)", sh.Name, object, err, sh.Name, object)
					}
					if sh, err = svc.Sheet(sh.ID); err != nil {
						return err
					}
				}
				n, _ := svc.RowCount(sh.ID)
				if e.json {
					return printJSON(e.io.Out, map[string]any{"sheet": sh, "rows": n, "problems": table.Problems, "mapping": linked})
				}
				fmt.Fprintf(e.io.Out, "Created sheet %q with %d rows and %d columns (id %s)\n", sh.Name, n, len(sh.Columns), sh.ID)
				if linked != nil {
					e.printLink(sh.Name, linked)
				}
				return e.problemsExit(len(table.Problems), table.Problems)
			}
			_, id, err := e.sheetByRef(ctx, sheetRef)
			if err != nil {
				return err
			}
			opt := app.ImportOptions{OnlyEmpty: onlyEmpty, AddUnmatched: addNew}
			if match != "" {
				sh, err := svc.Sheet(id)
				if err != nil {
					return err
				}
				c, ok := sh.ColumnByName(match)
				if !ok {
					c, ok = sh.ColumnByField(match)
				}
				if !ok {
					return usageErr("--match %q is not a column of %q", match, sh.Name)
				}
				opt.KeyColumn = c.ID
			}
			plan, err := svc.PlanXLSXImport(id, table, opt)
			if err != nil {
				return err
			}
			refused := len(plan.Invalid) + len(plan.Skipped) + len(table.Problems)
			if preview {
				if e.json {
					return printJSON(e.io.Out, map[string]any{"plan": plan, "changedCells": plan.ChangedCells(), "ambiguousDates": ambiguous, "problems": table.Problems})
				}
				printMergePlan(e, plan, table, ambiguous)
				return nil
			}
			if len(ambiguous) > 0 {
				return fmt.Errorf("%w: %s; add --date-format \"Column=FORMAT\"", app.ErrAmbiguousDates, strings.Join(ambiguous, ", "))
			}
			res, err := svc.ApplyXLSXImport(id, plan)
			if err != nil {
				return err
			}
			if e.json {
				if err := printJSON(e.io.Out, res); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(e.io.Out, "Merged %s: %d rows updated, %d rows added; push them with: crmsheets sync --sheet %q --direction push\n", filepath.Base(path), res.Updated, res.Added, sheetRef)
				if len(res.Stale) > 0 {
					fmt.Fprintf(e.io.Out, "%d cells changed in the sheet since the preview and were left alone\n", len(res.Stale))
				}
			}
			return e.problemsExit(refused, append(append(append([]app.CellProblem{}, table.Problems...), plan.Invalid...), plan.Skipped...))
		},
	}
	f := cmd.Flags()
	f.StringVar(&sheetRef, "sheet", "", "merge into this sheet (name or id) instead of creating a new one")
	f.StringVar(&match, "match", "", "key column to match rows without ids (default: the sheet's key column)")
	f.BoolVar(&preview, "preview", false, "show what the import would do; write nothing")
	f.BoolVar(&onlyEmpty, "only-empty", false, "fill only blank cells; never overwrite")
	f.BoolVar(&addNew, "add-new", false, "add file rows that match no sheet row")
	f.StringVar(&name, "name", "", "name of the new sheet (default: the file name)")
	f.StringVar(&object, "object", "", "link the new sheet to this Salesforce object (e.g. Contact) and map its columns")
	f.StringVar(&key, "key", "", "with --object: the key column matching rows to records (e.g. Email)")
	f.StringVar(&tab, "tab", "", "workbook tab to read (default: the first visible one)")
	f.IntVar(&headerRow, "header-row", 0, "row number of the header (default: detected)")
	f.StringArrayVar(&dateFormats, "date-format", nil, "COLUMN=FORMAT for text date columns, e.g. \"Close Date=DD/MM/YYYY\" (repeatable)")
	return cmd
}

func joinFormats(fs []app.DateFormat) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, " or ")
}

func chooseDateFormats(t *app.ImportTable, specs []string) error {
	for _, spec := range specs {
		col, format, ok := strings.Cut(spec, "=")
		if !ok {
			return usageErr("--date-format %q: use COLUMN=FORMAT", spec)
		}
		idx := -1
		for i, c := range t.Columns {
			if strings.EqualFold(c.Name, strings.TrimSpace(col)) {
				idx = i
			}
		}
		if idx < 0 {
			return usageErr("--date-format: the file has no column %q", col)
		}
		if err := t.ChooseDateFormat(idx, app.DateFormat(strings.TrimSpace(format))); err != nil {
			return usageErr("--date-format %q: %v", spec, err)
		}
	}
	return nil
}

// problemsExit lists refused cells on stderr and makes the exit code 3
// (partial) when there are any.
func (e *env) problemsExit(n int, problems []app.CellProblem) error {
	if n == 0 {
		return nil
	}
	for i, p := range problems {
		if i == 20 {
			fmt.Fprintf(e.io.Err, "… and %d more\n", len(problems)-20)
			break
		}
		fmt.Fprintln(e.io.Err, " ", p.String())
	}
	return &exitError{code: ExitPartial, err: fmt.Errorf("%d cells or rows were refused (listed above); the rest was imported", n)}
}

func (e *env) printTable(t *app.ImportTable, ambiguous []string) error {
	if e.json {
		return printJSON(e.io.Out, map[string]any{"tab": t.Tab, "headerRow": t.HeaderRow, "columns": t.Columns, "rows": len(t.Rows), "problems": t.Problems, "ambiguousDates": ambiguous})
	}
	fmt.Fprintf(e.io.Out, "Tab %q, header on row %d, %d rows\n", t.Tab, t.HeaderRow, len(t.Rows))
	rows := make([][]string, 0, len(t.Columns))
	for _, c := range t.Columns {
		note := string(c.DateFormat)
		if c.AmbiguousDate() {
			note = "ambiguous: " + joinFormats(c.Ambiguous)
		}
		rows = append(rows, []string{c.Name, string(c.Type), note})
	}
	if err := table(e.io.Out, []string{"COLUMN", "TYPE", "DATES"}, rows); err != nil {
		return err
	}
	for _, p := range t.Problems {
		fmt.Fprintln(e.io.Out, "  problem:", p.String())
	}
	return nil
}

func printMergePlan(e *env, p *app.ImportPlan, t *app.ImportTable, ambiguous []string) {
	w := e.io.Out
	fmt.Fprintf(w, "Preview: %d rows matched (%d unchanged), %d new, %d unmatched, %d cells would change\n",
		len(p.Matched), p.Unchanged, len(p.New), len(p.Unmatched), p.ChangedCells())
	if len(p.UnmatchedColumns) > 0 {
		fmt.Fprintf(w, "Columns not in the sheet (ignored): %s\n", strings.Join(p.UnmatchedColumns, ", "))
	}
	if len(p.ReadOnlyColumns) > 0 {
		fmt.Fprintf(w, "Read-only columns (never written): %s\n", strings.Join(p.ReadOnlyColumns, ", "))
	}
	for _, a := range ambiguous {
		fmt.Fprintf(w, "Ambiguous dates in %s: choose with --date-format\n", a)
	}
	shown := 0
	for _, m := range p.Matched {
		for _, c := range m.Changes {
			if shown == 30 {
				break
			}
			if shown == 0 {
				fmt.Fprintln(w, "\nChanges:")
			}
			fmt.Fprintf(w, "  file row %d, %s: %s → %s\n", c.SourceRow, c.Column, quoteCell(c.Old), quoteCell(c.New))
			shown++
		}
	}
	if n := p.ChangedCells(); n > shown {
		fmt.Fprintf(w, "  … and %d more (--json lists all)\n", n-shown)
	}
	if n := len(p.BlanksKept); n > 0 {
		fmt.Fprintf(w, "\nBlank in the file, left alone (%d cell(s); a blank never clears a value):\n", n)
		for i, b := range p.BlanksKept {
			if i == 10 {
				fmt.Fprintf(w, "  … and %d more (--json lists all)\n", n-i)
				break
			}
			fmt.Fprintf(w, "  file row %d, %s: keeps %s\n", b.SourceRow, b.Column, quoteCell(b.Old))
		}
	}
	for _, d := range p.DuplicateKeys {
		rows := make([]string, len(d.SourceRows))
		for i, r := range d.SourceRows {
			rows[i] = strconv.Itoa(r)
		}
		fmt.Fprintf(w, "Duplicate key %q on file rows %s\n", d.Key, strings.Join(rows, ", "))
	}
	for _, pr := range append(append(append([]app.CellProblem{}, t.Problems...), p.Invalid...), p.Skipped...) {
		fmt.Fprintln(w, "Refused:", pr.String())
	}
}

func (e *env) exportCommand() *cobra.Command {
	var sheetRef string
	var runID uint64
	cmd := &cobra.Command{
		Use:   "export FILE.xlsx",
		Short: "Export a sheet, or a run's failed records, to XLSX",
		Long: `Export a sheet to XLSX with typed cells, picklist dropdowns and hidden row ids,
so a re-import after editing in Excel or LibreOffice matches every row exactly.
With --run, exports the run's failed records with Salesforce's error next to
each, ready to fix and re-import.`,
		Example: "  crmsheets export --sheet \"Leads Q3\" leads.xlsx\n  crmsheets export --run 12 failures.xlsx",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if (sheetRef == "") == (runID == 0) {
				return usageErr("give exactly one of --sheet or --run")
			}
			svc, err := e.service(ctx)
			if err != nil {
				return err
			}
			var id string
			if sheetRef != "" {
				if _, id, err = e.sheetByRef(ctx, sheetRef); err != nil {
					return err
				}
			}
			// Write next to the target and rename, so a failed export never
			// leaves a half-written file under the chosen name.
			path := args[0]
			tmp, err := os.CreateTemp(filepath.Dir(path), ".crmsheets-export-*.xlsx")
			if err != nil {
				return fmt.Errorf("export to %s: %w", path, err)
			}
			defer os.Remove(tmp.Name())
			if runID != 0 {
				err = svc.ExportRunFailuresXLSX(tmp, runID, app.ExportOptions{})
			} else {
				err = svc.ExportXLSX(tmp, id, app.ExportOptions{})
			}
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("export to %s: %w", path, err)
			}
			if err := os.Rename(tmp.Name(), path); err != nil {
				return fmt.Errorf("export to %s: %w", path, err)
			}
			fmt.Fprintf(e.io.Out, "Wrote %s\n", path)
			return nil
		},
	}
	cmd.Flags().StringVar(&sheetRef, "sheet", "", "sheet to export (name or id)")
	cmd.Flags().Uint64Var(&runID, "run", 0, "export this run's failed records instead")
	return cmd
}
