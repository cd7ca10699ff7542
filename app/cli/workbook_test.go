package cli_test

import (
	"testing"

	"github.com/xuri/excelize/v2"
)

// workbook is an exported file opened for the edits a person makes in
// Excel between an export and an import: its first tab's rows as text, a
// cell setter by zero-based column and row, and a save. The end-to-end
// tests share it instead of each opening, reading and saving the file.
type workbook struct {
	t    *testing.T
	f    *excelize.File
	tab  string
	rows [][]string
}

// openWorkbook opens path and reads its first tab; the file is closed when
// the test ends.
func openWorkbook(t *testing.T, path string) *workbook {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	tab := f.GetSheetName(0)
	rows, err := f.GetRows(tab)
	if err != nil {
		t.Fatal(err)
	}
	return &workbook{t: t, f: f, tab: tab, rows: rows}
}

// set writes v (a string, or nil to empty the cell) at zero-based col, row.
func (w *workbook) set(col, row int, v any) {
	w.t.Helper()
	cell, _ := excelize.CoordinatesToCellName(col+1, row+1)
	var err error
	if s, ok := v.(string); ok {
		err = w.f.SetCellStr(w.tab, cell, s)
	} else {
		err = w.f.SetCellValue(w.tab, cell, v)
	}
	if err != nil {
		w.t.Fatal(err)
	}
}

// save writes the edits back to the file.
func (w *workbook) save() {
	w.t.Helper()
	if err := w.f.Save(); err != nil {
		w.t.Fatal(err)
	}
}
