package xlsx

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Workbook generators: each builds a small workbook with excelize exercising
// one point of the importer. TestFixtures writes them to testdata/ (with
// -update) so the committed files can be opened in Excel or LibreOffice and
// are read by the tests as files, exactly as users' files are.

// book is a generator: it fills an excelize file.
type book func(t testing.TB, f *excelize.File)

// build runs a generator and returns the saved workbook's bytes.
func build(t testing.TB, gen book) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	gen(t, f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatalf("write workbook: %v", err)
	}
	return buf.Bytes()
}

// must fails the test on an excelize error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// setRows writes rows from A1 on.
func setRows(t testing.TB, f *excelize.File, sheet string, rows [][]any) {
	t.Helper()
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		must(t, err)
		must(t, f.SetSheetRow(sheet, cell, &r))
	}
}

// styleDate returns a style with a number format code.
func styleFmt(t testing.TB, f *excelize.File, code string) int {
	t.Helper()
	id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	must(t, err)
	return id
}

var generators = map[string]book{
	// contacts.xlsx: a plain table with a title line above the header, typed
	// cells of every kind, numbers stored as text, booleans as words.
	"contacts.xlsx": func(t testing.TB, f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{
			{"Contacts export"},
			{},
			{"Name", "Email", "Employees", "Active", "Since", "Revenue", "Id", "Zip"},
			{"Ada Lovelace", "ada@example.com", 12, true, nil, "1200.50", "0012300000bVTph", "01234"},
			{"Alan Turing", "alan@example.org", "30", false, nil, 99, "0012300000BVTPHAAG", "90210"},
			{"Grace Hopper", "grace@example.net", 7, "yes", nil, 0.1, "0012300000bVTphAAG", "00501"},
		})
		style := styleFmt(t, f, "yyyy-mm-dd")
		for i, serial := range []float64{45382, 36526, 1} { // 2024-03-31, 2000-01-01, 1900-01-01
			cell := fmt.Sprintf("E%d", 4+i)
			must(t, f.SetCellFloat("Sheet1", cell, serial, -1, 64))
			must(t, f.SetCellStyle("Sheet1", cell, cell, style))
		}
	},
}

var update = flag.Bool("update", false, "rewrite testdata fixtures and goldens")

// TestFixtures regenerates testdata/*.xlsx with -update and otherwise checks
// that every generated fixture is committed.
func TestFixtures(t *testing.T) {
	for name, gen := range generators {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			if *update {
				must(t, os.WriteFile(path, build(t, gen), 0o644))
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("fixture missing (run go test -update): %v", err)
			}
		})
	}
}

// fixture opens a committed fixture.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("fixture %s (run go test -update to generate): %v", name, err)
	}
	return b
}
