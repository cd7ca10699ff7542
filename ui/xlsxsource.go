package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"crmsheets/app"
	"crmsheets/sheets"
)

// The XLSX flows of the Service (app/xlsxflow.go) take and return app's own
// tables, options and plans (app.ImportTable, app.ImportPlan, ...), which
// app converts from the importer's, so ui never depends on sheets/xlsx
// (DESIGN.md, arch_test.go). This file turns them into the plain,
// display-ready values the dialogs show (importSource, importPlan).

// workbookZone is the zone datetimes are written to workbooks and read from
// them in: the user's own, since Excel shows wall clocks without a zone.
var workbookZone = time.Local

// importColumn is one column of a file as the dialogs show it.
type importColumn struct {
	Name      string
	Type      sheets.Type
	RecordIDs bool
	// DateOrders are the day/month orders an ambiguous date column may be
	// read in ("MM/DD/YYYY", "DD/MM/YYYY"); empty when not ambiguous.
	DateOrders []string
	// MixedDates: ambiguous because real date cells sit among text dates
	// only DateOrders[0] reads.
	MixedDates bool
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

	svc   *app.Service
	table *app.ImportTable
}

// mergeChoice are the user's import options.
type mergeChoice struct {
	OnlyEmpty    bool // fill blank cells only, never overwrite
	AddUnmatched bool // add file rows that match no sheet row
}

// readSource inspects a workbook and reads one of its tabs ("" = the first
// visible one) with its header at headerRow (0 = detect). ctx cancels the
// read. Datetimes without a zone are read in the local zone, the one exports
// write them in (workbookZone).
func readSource(ctx context.Context, svc *app.Service, path, tab string, headerRow int) (*importSource, error) {
	tabs, err := svc.InspectXLSX(path, app.ImportLimits{})
	if err != nil {
		return nil, err
	}
	t, err := svc.ReadXLSX(ctx, path, app.ImportReadOptions{Tab: tab, HeaderRow: headerRow, Location: workbookZone}, app.ImportLimits{})
	if err != nil {
		return nil, err
	}
	src := &importSource{Path: path, Tab: t.Tab, HeaderRow: t.HeaderRow, Rows: len(t.Rows), svc: svc, table: t}
	for _, tb := range tabs {
		if !tb.Hidden {
			src.Tabs = append(src.Tabs, tb.Name)
		}
	}
	src.describe()
	return src, nil
}

// describe refreshes the display-ready columns, problems and sample from
// the table, after a read or a date-order choice.
func (src *importSource) describe() {
	t := src.table
	src.Columns = src.Columns[:0]
	for _, c := range t.Columns {
		ic := importColumn{Name: c.Name, Type: c.Type, RecordIDs: c.RecordIDs, MixedDates: c.MixedDates}
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

// chooseDate reads ambiguous date column col in its DateOrders[k]. It
// re-reads cells: call it off the UI goroutine for large files.
func (src *importSource) chooseDate(col, k int) error {
	t := src.table
	if col < 0 || col >= len(t.Columns) || k < 0 || k >= len(t.Columns[col].Ambiguous) {
		return fmt.Errorf("choose a date order: no choice %d for column %d", k, col)
	}
	if err := t.ChooseDateFormat(col, t.Columns[col].Ambiguous[k]); err != nil {
		return fmt.Errorf("read column %q as %s: %w", t.Columns[col].Name, t.Columns[col].Ambiguous[k], err)
	}
	src.describe()
	return nil
}

// create makes a new local sheet from the tab.
func (src *importSource) create(name string) (*sheets.Sheet, error) {
	return src.svc.CreateSheetFromXLSX(name, src.table)
}

// plan previews merging the tab into a sheet, display-ready, with the step
// that applies it.
func (src *importSource) plan(sheetID string, choice mergeChoice) (*importPlan, error) {
	svc := src.svc
	p, err := svc.PlanXLSXImport(sheetID, src.table, app.ImportOptions{OnlyEmpty: choice.OnlyEmpty, AddUnmatched: choice.AddUnmatched})
	if err != nil {
		return nil, err
	}
	sh, err := svc.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	ip := &importPlan{apply: func() (app.ImportResult, error) { return svc.ApplyXLSXImport(sheetID, p) }}
	ip.ChangedCells = p.ChangedCells()
	ip.Matched, ip.Unchanged, ip.New, ip.Unmatched = len(p.Matched), p.Unchanged, len(p.New), len(p.Unmatched)
	ip.Invalid, ip.Duplicates, ip.Skipped = len(p.Invalid), len(p.DuplicateKeys), len(p.Skipped)
	ip.BlanksKept = len(p.BlanksKept)
	for _, c := range p.Columns {
		ip.MatchedColumns = append(ip.MatchedColumns, matchText(c, columnName(sh, c.ColumnID)))
	}
	ip.UnmatchedColumns = slices.Clone(p.UnmatchedColumns)
	ip.ReadOnlyColumns = slices.Clone(p.ReadOnlyColumns)
	ip.ForeignRowIDs = p.ForeignRowIDs
	ip.Lines = previewLines(sh, p)
	return ip, nil
}

// matchText names a file column and, when it differs, the sheet column it
// fills and why ("Title → Job Title (by field name)").
func matchText(c app.ImportColumnMatch, sheetColumn string) string {
	if c.Name == sheetColumn {
		return c.Name
	}
	why := map[string]string{
		"id":     " (same column, renamed since the export)",
		"name":   " (by header)",
		"field":  " (by field name)",
		"choice": " (your choice)",
	}[c.By]
	return c.Name + " → " + sheetColumn + why
}

// previewLines lists every change, new row and problem of p by Excel row.
func previewLines(sh *sheets.Sheet, p *app.ImportPlan) []previewLine {
	var lines []previewLine
	for _, m := range p.Matched {
		for _, c := range m.Changes {
			typ := columnType(sh, c.ColumnID)
			lines = append(lines, previewLine{"change", c.SourceRow, c.Column, sheets.Format(typ, c.Old), sheets.Format(typ, c.New)})
		}
	}
	for _, b := range p.BlanksKept {
		lines = append(lines, previewLine{"blank kept", b.SourceRow, b.Column, sheets.Format(columnType(sh, b.ColumnID), b.Old), "unchanged: the file's cell is blank, and a blank never clears a value"})
	}
	for _, n := range p.New {
		lines = append(lines, previewLine{"new row", n.SourceRow, "", "", rowSummary(sh, n.Row)})
	}
	for _, pr := range p.Invalid {
		lines = append(lines, previewLine{"invalid", pr.Row, pr.Column, pr.Value, pr.Reason})
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
		lines = append(lines, previewLine{"duplicate key", first, "", d.Key, "on rows " + strings.Join(rows, ", ") + ": only the first is applied"})
	}
	for _, pr := range p.Skipped {
		lines = append(lines, previewLine{"skipped", pr.Row, pr.Column, pr.Value, pr.Reason})
	}
	for _, r := range p.Unmatched {
		lines = append(lines, previewLine{"no match", r, "", "", "matches no row of the sheet; tick \"Add unmatched rows\" to add it"})
	}
	slices.SortStableFunc(lines, func(a, b previewLine) int { return a.Row - b.Row })
	return lines
}

// previewSampleRows is how many rows of a file the new-sheet preview shows.
const previewSampleRows = 50

// importPlan is a merge preview, display-ready, with the apply step.
type importPlan struct {
	ChangedCells                                      int
	Matched, Unchanged, New, Unmatched                int
	Invalid, Duplicates, Skipped                      int
	BlanksKept                                        int // cells blank in the file whose sheet value stays
	MatchedColumns, UnmatchedColumns, ReadOnlyColumns []string
	ForeignRowIDs                                     bool
	Lines                                             []previewLine
	apply                                             func() (app.ImportResult, error)
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
	if p.BlanksKept > 0 {
		fmt.Fprintf(&b, " %d blank cell(s) in the file left alone (listed as \"blank kept\"): a blank never clears a value.", p.BlanksKept)
	}
	if p.ForeignRowIDs {
		b.WriteString(" The file is an export of another sheet: rows were matched by record id and key only.")
	}
	return b.String()
}

// resultText says what an applied import did.
func resultText(r app.ImportResult) string {
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
