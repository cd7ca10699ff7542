package ui

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"crmsheets/app"
	"crmsheets/sheets"
)

// pulledContacts makes a Contacts sheet from the people template, pulls it
// from the demo org and opens it.
func pulledContacts(t *testing.T, mw *MainWindow) *sheets.Sheet {
	t.Helper()
	sh, err := mw.svc.NewSheetFromTemplate("people", "Contacts")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.Sync(context.Background(), sh.ID, app.SyncOptions{Direction: sheets.Pull}, nil); err != nil {
		t.Fatal(err)
	}
	mw.sheetCreated(sh)
	mw.WaitIdle()
	return mw.Sheet()
}

// TestExportThenImportPreviewAndApply exports a pulled sheet, edits a cell
// in the app, and imports the file back: the preview shows that one cell
// would return to the file's value (and nothing with "only empty cells"),
// and applying it does so.
func TestExportThenImportPreviewAndApply(t *testing.T) {
	mw := newTestWindow(t)
	sh := pulledContacts(t, mw)
	path := filepath.Join(t.TempDir(), "contacts.xlsx")
	mw.exportSheet(path)
	mw.WaitIdle()
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("export wrote nothing: %v (status %q)", err, mw.status.Text)
	}

	title := colByField(t, sh, "Title")
	var row *sheets.Row
	for r, err := range mw.svc.Rows(sh.ID) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Cells[title] != "" {
			row = r
			break
		}
	}
	if row == nil {
		t.Fatal("no pulled contact has a title")
	}
	was := row.Cells[title]
	if _, err := mw.svc.EditCell(sh.ID, row.ID, title, "Edited here"); err != nil {
		t.Fatal(err)
	}

	d := openImport(mw, path)
	if d == nil || d.plan == nil {
		t.Fatalf("no preview (status %q)", mw.status.Text)
	}
	if d.plan.ChangedCells != 1 || d.plan.Matched != mw.Grid().Model().Len() || d.plan.New != 0 {
		t.Fatalf("preview: %s", d.plan.summary())
	}
	i := slices.IndexFunc(d.plan.Lines, func(l previewLine) bool { return l.Kind == "change" })
	if i < 0 || d.plan.Lines[i].Now != "Edited here" || d.plan.Lines[i].After != was || d.plan.Lines[i].Column != "Job Title" {
		t.Fatalf("change lines %+v", d.plan.Lines)
	}
	// The columns come from the engine's MergePlan.Columns: every mapped
	// column of the exported sheet matches by name.
	if len(d.plan.MatchedColumns) < len(sh.Columns) || !slices.Contains(d.plan.MatchedColumns, "Job Title") {
		t.Errorf("matched columns %q, sheet columns %d", d.plan.MatchedColumns, len(sh.Columns))
	}
	if d.importBtn.Disabled() || !strings.Contains(columnsText(d.plan), "Job Title") {
		t.Errorf("import disabled %v, columns %q", d.importBtn.Disabled(), columnsText(d.plan))
	}

	d.mode.SetSelected(importOnlyEmpty)
	mw.WaitIdle()
	if d.plan.ChangedCells != 0 || !d.importBtn.Disabled() {
		t.Fatalf("only empty cells: %s (import disabled %v)", d.plan.summary(), d.importBtn.Disabled())
	}
	d.mode.SetSelected(importOverwrite)
	mw.WaitIdle()

	d.apply()
	mw.WaitIdle()
	if !strings.Contains(d.result, "1 row(s) updated and 0 row(s) added") {
		t.Fatalf("result %q (status %q)", d.result, mw.status.Text)
	}
	got, err := mw.svc.Row(sh.ID, row.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Cells[title] != was {
		t.Errorf("title after import %q, want %q", got.Cells[title], was)
	}
}

// TestExportRunErrorsAndCancel exports a run's failures from History, and a
// cancelled export leaves no file behind.
func TestExportRunErrorsAndCancel(t *testing.T) {
	mw := newTestWindow(t)
	sh := pulledContacts(t, mw)
	runs, err := mw.svc.Runs(app.RunQuery{SheetID: sh.ID})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v %v", runs, err)
	}
	path := filepath.Join(t.TempDir(), "errors.xlsx")
	mw.exportRunErrors(runs[0].ID, path)
	mw.WaitIdle()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("run errors not exported: %v (status %q)", err, mw.status.Text)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	gone := filepath.Join(t.TempDir(), "cancelled.xlsx")
	err = writeFileAtomic(ctx, gone, func(w io.Writer) error { _, err := w.Write([]byte("PK")); return err }, func(int64) {})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled export: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(gone), "*")); len(left) != 0 {
		t.Errorf("a cancelled export left %v", left)
	}
}

// TestNewSheetFromXLSX reads a workbook with an ambiguous date column: the
// sheet cannot be created until the user picks the day/month order; then
// it is created with every row.
func TestNewSheetFromXLSX(t *testing.T) {
	mw := newTestWindow(t)
	path := filepath.Join(t.TempDir(), "dates.xlsx")
	data, err := os.ReadFile(filepath.Join("testdata", "textdates.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	d := openNewSheet(mw, path)
	if d == nil {
		t.Fatalf("no dialog (status %q)", mw.status.Text)
	}
	amb := slices.IndexFunc(d.src.Columns, func(c importColumn) bool { return c.Name == "Ambiguous" })
	if amb < 0 || len(d.src.Columns[amb].DateOrders) < 2 || d.src.Rows != 3 || d.name.Text != "dates" {
		t.Fatalf("source %+v rows %d name %q", d.src.Columns, d.src.Rows, d.name.Text)
	}
	if iso := d.src.Columns[0]; iso.Type != sheets.TypeDate || !strings.Contains(columnHeading(iso), "(Date)") {
		t.Errorf("ISO column inferred %v, heading %q", iso.Type, columnHeading(iso))
	}
	if len(d.dates.Objects) != 1 {
		t.Fatalf("%d date choices shown, want 1", len(d.dates.Objects))
	}
	if len(d.objects) == 0 {
		t.Errorf("the demo org's objects were not listed")
	}
	before, _ := mw.svc.Sheets()
	d.create()
	mw.WaitIdle()
	if after, _ := mw.svc.Sheets(); len(after) != len(before) {
		t.Fatal("created a sheet with an undecided date column")
	}
	d.chooseDate(amb, 0)
	mw.WaitIdle()
	if len(d.src.Columns[amb].DateOrders) != 0 || len(d.dates.Objects) != 0 {
		t.Fatalf("date order not applied: %+v", d.src.Columns[amb])
	}
	d.create()
	mw.WaitIdle()
	if after, _ := mw.svc.Sheets(); len(after) != len(before)+1 || mw.Sheet() == nil || mw.Sheet().Name != d.name.Text {
		t.Fatalf("sheet not created and opened (status %q)", mw.status.Text)
	}
	if n := mw.Grid().Model().Len(); n != 3 {
		t.Errorf("new sheet has %d rows, want 3", n)
	}
	if c, ok := mw.Sheet().ColumnByName("Ambiguous"); !ok || c.Type != sheets.TypeDate {
		t.Errorf("Ambiguous column %+v", c)
	}
}

// TestNewSheetFromXLSXWithObjectProposesMapping makes a sheet from an
// exported Contacts file linked to Contact: the Mapper opens on a proposal.
func TestNewSheetFromXLSXWithObjectProposesMapping(t *testing.T) {
	mw := newTestWindow(t)
	pulledContacts(t, mw)
	path := filepath.Join(t.TempDir(), "people.xlsx")
	mw.exportSheet(path)
	mw.WaitIdle()
	d := openNewSheet(mw, path)
	if d == nil || !d.chooseObject("Contact") {
		t.Fatalf("Contact not offered: %v", d)
	}
	d.name.SetText("Vendor people")
	d.create()
	mw.WaitIdle()
	if sh := mw.Sheet(); sh == nil || sh.Name != "Vendor people" || sh.Object != "Contact" {
		t.Fatalf("open sheet %+v (status %q)", sh, mw.status.Text)
	}
	m := mw.screens.mapper
	if mw.tabs.Selected().Text != tabMapper || m.pending == nil || len(m.pending.p.Matches) == 0 {
		t.Fatalf("no mapping proposal on the Mapper (tab %q, message %q)", mw.tabs.Selected().Text, m.message.Text)
	}
}

// TestMatchText names each matched column as the preview lists it: the
// file's name alone when the sheet column has the same, otherwise the sheet
// column it fills and why.
func TestMatchText(t *testing.T) {
	tests := []struct {
		name  string
		match app.ImportColumnMatch
		sheet string
		want  string
	}{
		{"same name", app.ImportColumnMatch{Name: "Email", By: "name"}, "Email", "Email"},
		{"same column, same name", app.ImportColumnMatch{Name: "Email", By: "id"}, "Email", "Email"},
		{"renamed since export", app.ImportColumnMatch{Name: "Title", By: "id"}, "Job Title", "Title → Job Title (same column, renamed since the export)"},
		{"by field", app.ImportColumnMatch{Name: "Title", By: "field"}, "Job Title", "Title → Job Title (by field name)"},
		{"unknown reason", app.ImportColumnMatch{Name: "Mail"}, "Email", "Mail → Email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchText(tt.match, tt.sheet); got != tt.want {
				t.Errorf("matchText = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestImportPreviewSaysWhichBlanksItKept fills a cell in the app that is
// blank in an earlier export, then previews importing that export: nothing
// changes, and the preview names the cell it left alone and why.
func TestImportPreviewSaysWhichBlanksItKept(t *testing.T) {
	mw := newTestWindow(t)
	sh := pulledContacts(t, mw)
	path := filepath.Join(t.TempDir(), "contacts.xlsx")
	mw.exportSheet(path)
	mw.WaitIdle()
	var row *sheets.Row
	var col sheets.Column
	for r, err := range mw.svc.Rows(sh.ID) {
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range sh.Columns {
			if !c.ReadOnly && c.Type == sheets.TypeText && r.Cells[c.ID] == "" && row == nil {
				row, col = r, c
			}
		}
	}
	if row == nil {
		t.Fatal("no blank text cell in the pulled sheet")
	}
	if _, err := mw.svc.EditCell(sh.ID, row.ID, col.ID, "Filled here"); err != nil {
		t.Fatal(err)
	}
	d := openImport(mw, path)
	if d == nil || d.plan == nil {
		t.Fatalf("no preview (status %q)", mw.status.Text)
	}
	i := slices.IndexFunc(d.plan.Lines, func(l previewLine) bool { return l.Kind == "blank kept" })
	if d.plan.ChangedCells != 0 || d.plan.BlanksKept != 1 || i < 0 || d.plan.Lines[i].Column != col.Name || d.plan.Lines[i].Now != "Filled here" {
		t.Fatalf("preview: %s\nlines %+v", d.plan.summary(), d.plan.Lines)
	}
	if !strings.Contains(d.plan.summary(), "1 blank cell(s) in the file left alone") {
		t.Errorf("summary %q does not say a blank was left alone", d.plan.summary())
	}
}

// TestDateChoiceSaysWhyAColumnIsMixed: a column of date cells mixed with
// text dates only one order reads is asked about with the reason, not as a
// plain day-or-month question.
func TestDateChoiceSaysWhyAColumnIsMixed(t *testing.T) {
	src := &importSource{Columns: []importColumn{
		{Name: "Signed", DateOrders: []string{"DD/MM/YYYY", "MM/DD/YYYY"}, MixedDates: true},
		{Name: "Due", DateOrders: []string{"MM/DD/YYYY", "DD/MM/YYYY"}},
	}}
	var texts []string
	for _, o := range dateChoices(src, func(int, int) {}) {
		texts = append(texts, strings.Join(labelTexts(o), " "))
	}
	if len(texts) != 2 || !strings.Contains(texts[0], `"Signed" mixes date cells with text dates only DD/MM/YYYY reads`) ||
		!strings.Contains(texts[1], `"Due" holds dates whose day and month cannot be told apart`) {
		t.Errorf("date questions %q", texts)
	}
}

// openImport does what choosing a workbook in Import's file dialog does
// (mw.importFile; the file dialog itself cannot be driven by the test
// driver) and returns the preview shown.
func openImport(mw *MainWindow, path string) *importDialog {
	var d *importDialog
	sh := mw.sheet
	mw.readFile(path, "", 0, func(src *importSource) { d = mw.showImportPreview(sh, src) })
	mw.WaitIdle()
	return d
}

// openNewSheet does what choosing a workbook in New from XLSX's file dialog
// does (mw.newSheetFromFile) and returns the dialog shown.
func openNewSheet(mw *MainWindow, path string) *newSheetDialog {
	var d *newSheetDialog
	mw.readFile(path, "", 0, func(src *importSource) { d = mw.showNewSheet(src) })
	mw.WaitIdle()
	return d
}
