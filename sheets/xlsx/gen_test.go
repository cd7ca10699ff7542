package xlsx

import (
	"bytes"
	"crmsheets/internal/golden"
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

// cellAt names a cell from 1-based coordinates.
func cellAt(t testing.TB, col, row int) string {
	t.Helper()
	c, err := excelize.CoordinatesToCellName(col, row)
	must(t, err)
	return c
}

var generators = map[string]book{
	// textdates.xlsx: dates typed as text in each recognised order, a
	// column whose order cannot be told, datetimes as text, two-digit years.
	"textdates.xlsx": func(t testing.TB, f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{
			{"ISO", "US", "European", "German", "Ambiguous", "Stamp", "Short year", "Slashed ISO"},
			{"2024-03-31", "03/31/2024", "31/03/2024", "31.03.2024", "03/04/2024", "2024-03-31 14:05", "31/03/24", "2024/03/31"},
			{"2000-01-01", "1/2/2000", "2/1/2000", "2.1.2000", "01/02/2000", "2024-03-31T14:05:09", "1/2/00", "2000/1/1"},
			{"1999-12-31", "12/13/1999", "13/12/1999", "13.12.1999", "12/11/1999", "1999-12-31 23:59:59", "12/13/99", "1999/12/31"},
		})
	},
	// date1904.xlsx: the 1904 date system of old Mac Excel.
	"date1904.xlsx": func(t testing.TB, f *excelize.File) {
		yes := true
		must(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
		setRows(t, f, "Sheet1", [][]any{{"Day", "Stamp"}})
		day := styleFmt(t, f, "d mmm yyyy")
		stamp := styleFmt(t, f, "yyyy-mm-dd hh:mm")
		for i, serial := range []float64{0, 43920, 35064} { // 1904-01-01, 2024-03-31, 2000-01-01
			must(t, f.SetCellFloat("Sheet1", cellAt(t, 1, i+2), serial, -1, 64))
			must(t, f.SetCellStyle("Sheet1", cellAt(t, 1, i+2), cellAt(t, 1, i+2), day))
			must(t, f.SetCellFloat("Sheet1", cellAt(t, 2, i+2), serial+0.5, -1, 64)) // noon
			must(t, f.SetCellStyle("Sheet1", cellAt(t, 2, i+2), cellAt(t, 2, i+2), stamp))
		}
	},
	// shapes.xlsx: formulas with cached values, merged cells, rich text, a
	// hidden row, empty trailing rows, a time column and serial datetimes.
	"shapes.xlsx": func(t testing.TB, f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{
			{"Region", "Company", "Seats", "Double", "Label", "Opened", "Call at"},
			{"North", "Acme", 3, nil, nil, nil, nil},
			{nil, "Globex", 4, nil, nil, nil, nil},
			{"South", "Initech", 5, nil, nil, nil, nil},
			{"West", "Hooli", 6, nil, nil, nil, nil},
		})
		must(t, f.MergeCell("Sheet1", "A2", "A3")) // North covers Acme and Globex
		for r := 2; r <= 5; r++ {
			must(t, f.SetCellInt("Sheet1", cellAt(t, 4, r), int64(2*(r+1))))
			must(t, f.SetCellFormula("Sheet1", cellAt(t, 4, r), fmt.Sprintf("C%d*2", r)))
			must(t, f.SetCellFormula("Sheet1", cellAt(t, 5, r), fmt.Sprintf(`"L"&C%d`, r)))
			must(t, f.SetCellStr("Sheet1", cellAt(t, 5, r), fmt.Sprintf("L%d", r+1)))
		}
		must(t, f.SetCellRichText("Sheet1", "B5", []excelize.RichTextRun{
			{Text: "Hoo", Font: &excelize.Font{Bold: true}}, {Text: "li", Font: &excelize.Font{Italic: true}},
		}))
		clock := styleFmt(t, f, "hh:mm")
		stamp := styleFmt(t, f, "yyyy-mm-dd hh:mm:ss")
		for r := 2; r <= 5; r++ {
			must(t, f.SetCellFloat("Sheet1", cellAt(t, 6, r), 45382+0.25, -1, 64))
			must(t, f.SetCellStyle("Sheet1", cellAt(t, 6, r), cellAt(t, 6, r), stamp))
			must(t, f.SetCellFloat("Sheet1", cellAt(t, 7, r), 0.5+float64(r)/24, -1, 64))
			must(t, f.SetCellStyle("Sheet1", cellAt(t, 7, r), cellAt(t, 7, r), clock))
		}
		must(t, f.SetRowVisible("Sheet1", 4, false))
		must(t, f.SetRowHeight("Sheet1", 40, 30)) // an empty trailing row element
		must(t, f.SetCellStr("Sheet1", "C41", "   "))
	},
	// headers.xlsx: duplicate and blank headers, and the header repeated
	// further down (two exports pasted together).
	"headers.xlsx": func(t testing.TB, f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{
			{"Email", "email", nil, "Name"},
			{"a@example.com", "b@example.com", "x", "A"},
			{"Email", "email", nil, "Name"},
			{"c@example.com", "d@example.com", "y", "C"},
		})
	},
	// numbers.xlsx: numbers only, no header.
	"numbers.xlsx": func(t testing.TB, f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{{1, 2, 3}, {4, 5, 6}})
	},
	// empty.xlsx: a workbook with one empty tab.
	"empty.xlsx": func(t testing.TB, f *excelize.File) {},
	// tabs.xlsx: a hidden tab first, then the data tab.
	"tabs.xlsx": func(t testing.TB, f *excelize.File) {
		setRows(t, f, "Sheet1", [][]any{{"Secret"}, {"x"}})
		_, err := f.NewSheet("Leads")
		must(t, err)
		setRows(t, f, "Leads", [][]any{{"Company", "Website"}, {"Acme", "https://www.acme.com/"}})
		f.SetActiveSheet(1)
		must(t, f.SetSheetVisible("Sheet1", false))
	},
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

// TestFixtures regenerates testdata/*.xlsx with -update and otherwise checks
// that every generated fixture is committed.
func TestFixtures(t *testing.T) {
	for name, gen := range generators {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			if golden.Update() {
				must(t, os.WriteFile(path, build(t, gen), 0o644))
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("fixture missing (run go test -update): %v", err)
			}
		})
	}
}

// TestExportFixture writes testdata/export.xlsx, an Export of the sample
// sheet, with -update. testdata/libreoffice/export.xlsx is that file opened
// and saved again by LibreOffice (see testdata/README.md).
func TestExportFixture(t *testing.T) {
	path := filepath.Join("testdata", "export.xlsx")
	if golden.Update() {
		must(t, os.WriteFile(path, exportBytes(t, sampleSheet(), sampleRows(8)), 0o644))
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("fixture missing (run go test -update): %v", err)
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
