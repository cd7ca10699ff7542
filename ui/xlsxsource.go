package ui

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"crmsheets/app"
	"crmsheets/sheets"
)

// The XLSX flows of the Service (app/xlsxflow.go) take and return the
// option, table and plan types of sheets/xlsx, a package ui may not import
// (DESIGN.md, arch_test.go). This file is the local adapter: it gets zero
// values of the option types from the Service's method signatures (type
// inference, below), reads the values it returns through ordinary field
// access, and hands the rest of the ui plain types (importSource,
// importPlan) with closures over the engine's values. If app re-exports
// those types (aliases such as app.XLSXReadOptions), the helpers here
// become ordinary declarations; nothing else in ui changes.

// optionsOf4 returns zero values of the third and fourth parameters of f,
// such as ReadXLSX's read options and limits.
func optionsOf4[A, B, O, L, R any](func(A, B, O, L) (R, error)) (o O, l L) { return }

// optionOf2 returns a zero value of the second parameter of f, such as
// InspectXLSX's limits.
func optionOf2[A, L, R any](func(A, L) (R, error)) (l L) { return }

// optionOf3 returns a zero value of the third parameter of f, such as
// PlanXLSXMerge's merge options.
func optionOf3[A, B, O, R any](func(A, B, O) (R, error)) (o O) { return }

// exportOptionOf returns a zero value of the options of an export method.
func exportOptionOf[B, O any](func(io.Writer, B, O) error) (o O) { return }

// importColumn is one column of a file as the dialogs show it.
type importColumn struct {
	Name      string
	Type      sheets.Type
	RecordIDs bool
	// DateOrders are the day/month orders an ambiguous date column may be
	// read in ("MM/DD/YYYY", "DD/MM/YYYY"); empty when not ambiguous.
	DateOrders []string
}

// importSource is one tab of a workbook read for import. Its funcs work on
// the engine's table and must be called off the UI goroutine when the file
// is large (they re-read cells); they are not safe for concurrent use.
type importSource struct {
	Path      string
	Tabs      []string
	Tab       string
	HeaderRow int
	Columns   []importColumn
	Rows      int
	// Sample holds the first rows as read (canonical text), for the
	// new-sheet preview.
	Sample [][]string
	// Problems are the cells that could not be read ("row 7, column
	// "Since", "31/02/2024": not a date").
	Problems []string

	// chooseDate reads ambiguous date column col in its DateOrders[k].
	chooseDate func(col, k int) error
	// plan previews merging the tab into a sheet.
	plan func(sheetID string, opt mergeChoice) (*importPlan, error)
	// create makes a new local sheet from the tab.
	create func(name string) (*sheets.Sheet, error)
}

// mergeChoice are the user's import options.
type mergeChoice struct {
	OnlyEmpty    bool // fill blank cells only, never overwrite
	AddUnmatched bool // add file rows that match no sheet row
}

// readSource inspects a workbook and reads one of its tabs ("" = the first
// visible one) with its header at headerRow (0 = detect). ctx cancels the
// read.
func readSource(ctx context.Context, svc *app.Service, path, tab string, headerRow int) (*importSource, error) {
	tabs, err := svc.InspectXLSX(path, optionOf2(svc.InspectXLSX))
	if err != nil {
		return nil, err
	}
	opt, lim := optionsOf4(svc.ReadXLSX)
	opt.Tab, opt.HeaderRow = tab, headerRow
	t, err := svc.ReadXLSX(ctx, path, opt, lim)
	if err != nil {
		return nil, err
	}
	src := &importSource{Path: path, Tab: t.Tab, HeaderRow: t.HeaderRow, Rows: len(t.Rows)}
	for _, tb := range tabs {
		if !tb.Hidden {
			src.Tabs = append(src.Tabs, tb.Name)
		}
	}
	describe := func() {
		src.Columns = src.Columns[:0]
		for _, c := range t.Columns {
			ic := importColumn{Name: c.Name, Type: c.Type, RecordIDs: c.RecordIDs}
			for _, f := range c.Ambiguous {
				ic.DateOrders = append(ic.DateOrders, string(f))
			}
			src.Columns = append(src.Columns, ic)
		}
		src.Problems = src.Problems[:0]
		for _, p := range t.Problems {
			src.Problems = append(src.Problems, p.String())
		}
		src.Sample = t.Rows[:min(len(t.Rows), previewSampleRows)]
	}
	describe()
	src.chooseDate = func(col, k int) error {
		if col < 0 || col >= len(t.Columns) || k < 0 || k >= len(t.Columns[col].Ambiguous) {
			return fmt.Errorf("choose a date order: no choice %d for column %d", k, col)
		}
		if err := t.ChooseDateFormat(col, t.Columns[col].Ambiguous[k]); err != nil {
			return err
		}
		describe()
		return nil
	}
	src.create = func(name string) (*sheets.Sheet, error) { return svc.CreateSheetFromXLSX(name, t) }
	src.plan = func(sheetID string, choice mergeChoice) (*importPlan, error) {
		mo := optionOf3(svc.PlanXLSXMerge)
		mo.OnlyEmpty, mo.AddUnmatched = choice.OnlyEmpty, choice.AddUnmatched
		p, err := svc.PlanXLSXMerge(sheetID, t, mo)
		if err != nil {
			return nil, err
		}
		sh, err := svc.Sheet(sheetID)
		if err != nil {
			return nil, err
		}
		ip := &importPlan{apply: func() (app.MergeResult, error) { return svc.ApplyXLSXMerge(sheetID, p) }}
		ip.ChangedCells = p.ChangedCells()
		ip.Matched, ip.Unchanged, ip.New, ip.Unmatched = len(p.Matched), p.Unchanged, len(p.New), len(p.Unmatched)
		ip.Invalid, ip.Duplicates, ip.Skipped = len(p.Invalid), len(p.DuplicateKeys), len(p.Skipped)
		for _, c := range p.Columns {
			ip.MatchedColumns = append(ip.MatchedColumns, fmt.Sprintf("%s → %s (by %s)", c.Name, columnName(sh, c.ColumnID), c.By))
		}
		if len(p.Columns) == 0 {
			// sheets/xlsx leaves MergePlan.Columns empty at the moment
			// (reported): every file column not listed as unmatched, other
			// than the record ids, is imported.
			for _, c := range t.Columns {
				if !c.RecordIDs && !slices.Contains(p.UnmatchedColumns, c.Name) {
					ip.MatchedColumns = append(ip.MatchedColumns, c.Name)
				}
			}
		}
		ip.UnmatchedColumns = slices.Clone(p.UnmatchedColumns)
		ip.ReadOnlyColumns = slices.Clone(p.ReadOnlyColumns)
		ip.ForeignRowIDs = p.ForeignRowIDs
		for _, m := range p.Matched {
			for _, c := range m.Changes {
				typ := columnType(sh, c.ColumnID)
				ip.Lines = append(ip.Lines, previewLine{"change", c.SourceRow, c.Column, sheets.Format(typ, c.Old), sheets.Format(typ, c.New)})
			}
		}
		for _, n := range p.New {
			ip.Lines = append(ip.Lines, previewLine{"new row", n.SourceRow, "", "", rowSummary(sh, n.Row)})
		}
		for _, pr := range p.Invalid {
			ip.Lines = append(ip.Lines, previewLine{"invalid", pr.Row, pr.Column, pr.Value, pr.Reason})
		}
		for _, d := range p.DuplicateKeys {
			rows := make([]string, len(d.SourceRows))
			for i, r := range d.SourceRows {
				rows[i] = strconv.Itoa(r)
			}
			first := 0
			if len(d.SourceRows) > 0 {
				first = d.SourceRows[0]
			}
			ip.Lines = append(ip.Lines, previewLine{"duplicate key", first, "", d.Key, "on rows " + strings.Join(rows, ", ") + ": only the first is applied"})
		}
		for _, pr := range p.Skipped {
			ip.Lines = append(ip.Lines, previewLine{"skipped", pr.Row, pr.Column, pr.Value, pr.Reason})
		}
		for _, r := range p.Unmatched {
			ip.Lines = append(ip.Lines, previewLine{"no match", r, "", "", "matches no row of the sheet; tick \"Add unmatched rows\" to add it"})
		}
		slices.SortStableFunc(ip.Lines, func(a, b previewLine) int { return a.Row - b.Row })
		return ip, nil
	}
	return src, nil
}

// previewSampleRows is how many rows of a file the new-sheet preview shows.
const previewSampleRows = 50

// importPlan is a merge preview, display-ready, with the apply step.
type importPlan struct {
	ChangedCells                                      int
	Matched, Unchanged, New, Unmatched                int
	Invalid, Duplicates, Skipped                      int
	MatchedColumns, UnmatchedColumns, ReadOnlyColumns []string
	ForeignRowIDs                                     bool
	Lines                                             []previewLine
	apply                                             func() (app.MergeResult, error)
}

// previewLine is one line of the preview table.
type previewLine struct {
	Kind   string
	Row    int // Excel row number
	Column string
	Now    string // the sheet's value, or the file's for problems
	After  string // the value after the import, or the reason
}

// previewHeader are the preview table's column titles.
var previewHeader = []string{"What", "Excel row", "Column", "Sheet now / value", "After import / reason"}

// cells is the line as the table shows it.
func (l previewLine) cells() [5]string {
	row := ""
	if l.Row > 0 {
		row = strconv.Itoa(l.Row)
	}
	return [5]string{l.Kind, row, l.Column, l.Now, l.After}
}

// summary is the preview in one paragraph.
func (p *importPlan) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d row(s) match the sheet (%d to change, %d unchanged); %d cell(s) change. ", p.Matched, p.Matched-p.Unchanged, p.Unchanged, p.ChangedCells)
	fmt.Fprintf(&b, "%d new row(s) to add, %d row(s) match nothing. ", p.New, p.Unmatched)
	fmt.Fprintf(&b, "%d invalid value(s), %d duplicate key(s), %d row(s) skipped.", p.Invalid, p.Duplicates, p.Skipped)
	if p.ForeignRowIDs {
		b.WriteString(" The file is an export of another sheet: rows were matched by record id and key only.")
	}
	return b.String()
}

// resultText says what an applied import did.
func resultText(r app.MergeResult) string {
	s := fmt.Sprintf("%d row(s) updated and %d row(s) added. They are marked as changed here; run a push to send them to Salesforce.", r.Updated, r.Added)
	if len(r.Stale) > 0 {
		s += fmt.Sprintf("\n%d cell(s) were left alone because they changed in the sheet after the preview.", len(r.Stale))
	}
	return s
}

func columnName(sh *sheets.Sheet, id string) string {
	if c, ok := sh.Column(id); ok {
		return c.Name
	}
	return id
}

func columnType(sh *sheets.Sheet, id string) sheets.Type {
	if c, ok := sh.Column(id); ok {
		return c.Type
	}
	return sheets.TypeText
}

// rowSummary is a new row's first values, for the preview.
func rowSummary(sh *sheets.Sheet, r *sheets.Row) string {
	var parts []string
	for _, c := range sh.Columns {
		if v := r.Cells[c.ID]; v != "" {
			parts = append(parts, c.Name+": "+sheets.Format(c.Type, v))
			if len(parts) == 3 {
				break
			}
		}
	}
	return strings.Join(parts, " · ")
}
