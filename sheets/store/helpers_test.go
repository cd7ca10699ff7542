package store

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"crmsheets/sheets"
)

// testNow is the fixed clock of tests.
var testNow = time.Date(2026, 3, 31, 14, 5, 0, 0, time.UTC)

// openTest opens a fresh store in t.TempDir and, when the test ends, checks
// the file's integrity (bbolt's page checks and the store's invariants)
// before closing it.
func openTest(t testing.TB) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nested", FileName)
	s, err := Open(path, Options{Now: func() time.Time { return testNow }, NoSync: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil {
			t.Errorf("integrity check: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// contactsSheet is a small sheet with a key column, created in s.
func contactsSheet(t testing.TB, s *Store) *sheets.Sheet {
	t.Helper()
	sh := &sheets.Sheet{Name: "Contacts", Object: "Contact"}
	sh.AddColumn(sheets.Column{Name: "Name", Type: sheets.TypeText, Field: "LastName"})
	email := sh.AddColumn(sheets.Column{Name: "Email", Type: sheets.TypeEmail, Field: "Email"})
	sh.AddColumn(sheets.Column{Name: "Employees", Type: sheets.TypeNumber})
	sh.AddColumn(sheets.Column{Name: "Status", Type: sheets.TypePicklist, Choices: []string{"Open", "Closed"}})
	sh.KeyColumn = email.ID
	if err := s.CreateSheet(sh); err != nil {
		t.Fatalf("CreateSheet: %v", err)
	}
	return sh
}

// wideSheet is a sheet of n text columns, for bulk tests and benchmarks.
func wideSheet(t testing.TB, s *Store, n int) *sheets.Sheet {
	t.Helper()
	sh := &sheets.Sheet{Name: fmt.Sprintf("Wide %d", n)}
	for i := range n {
		sh.AddColumn(sheets.Column{Name: fmt.Sprintf("Column %d", i+1), Type: sheets.TypeText})
	}
	sh.KeyColumn = sh.Columns[1].ID
	if err := s.CreateSheet(sh); err != nil {
		t.Fatalf("CreateSheet: %v", err)
	}
	return sh
}

// wideRows makes n rows for a wideSheet with realistic cell sizes, a
// record id and a unique key in the second column.
func wideRows(sh *sheets.Sheet, from, n int) []*sheets.Row {
	rows := make([]*sheets.Row, n)
	for i := range rows {
		k := strconv.Itoa(from + i)
		cells := make(map[string]string, len(sh.Columns))
		for j, c := range sh.Columns {
			if j == 1 {
				cells[c.ID] = "person" + k + "@example.com"
			} else {
				cells[c.ID] = "value " + strconv.Itoa(j) + " of row " + k
			}
		}
		rows[i] = &sheets.Row{RecordID: recordID(from + i), Cells: cells, State: sheets.StateSynced}
		rows[i].Base = cells
	}
	return rows
}

// recordID is a deterministic 18-char Contact-like id for row k.
func recordID(k int) string { return fmt.Sprintf("003%012dAAA", k) }

// collect reads all rows with Store.Rows.
func collect(t testing.TB, s *Store, sheetID string) []*sheets.Row {
	t.Helper()
	var out []*sheets.Row
	for r, err := range s.Rows(sheetID) {
		if err != nil {
			t.Fatalf("Rows: %v", err)
		}
		out = append(out, r)
	}
	return out
}
