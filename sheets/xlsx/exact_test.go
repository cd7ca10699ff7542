package xlsx

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"crmsheets/internal/golden"
	"crmsheets/sheets"
)

// exactSheet has the values spreadsheets get wrong: datetimes whose serial
// needs rounding to 15 digits (2024-03-31 02:30:00 is 45382.104166666664),
// a second of every kind over a day, and dates around Excel's phantom
// 1900-02-29.
func exactSheet() (*sheets.Sheet, []*sheets.Row, []string, []string) {
	s := &sheets.Sheet{ID: "exact", Name: "Exact"}
	s.AddColumn(sheets.Column{ID: "d", Name: "Day", Type: sheets.TypeDate})
	s.AddColumn(sheets.Column{ID: "t", Name: "When", Type: sheets.TypeDateTime})
	days := []string{"1899-12-31", "1900-01-01", "1900-02-28", "1900-03-01", "1950-06-15", "2000-02-29", "2024-03-31"}
	var rows []*sheets.Row
	var wantDays, wantTimes []string
	at := time.Date(2024, 3, 31, 2, 30, 0, 0, time.UTC)
	for i := range 240 {
		r := &sheets.Row{ID: sheets.RowID(i + 1), Cells: map[string]string{"t": at.Format(sheets.DateTimeLayout)}}
		wantTimes = append(wantTimes, at.Format("2006-01-02 15:04:05"))
		if i < len(days) {
			r.Cells["d"] = days[i]
		}
		wantDays = append(wantDays, r.Cells["d"])
		r.MarkSynced(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
		rows = append(rows, r)
		at = at.Add(6*time.Minute + 7*time.Second)
	}
	return s, rows, wantDays, wantTimes
}

// TestExportSerialsRounded: a datetime's serial is written rounded to the
// 15 significant digits spreadsheets keep (excelize would cut the 17 digits
// of Go's shortest form, and spreadsheets then show a second early); dates
// before 1900-03-01 are text.
func TestExportSerialsRounded(t *testing.T) {
	if got := excelSerial(time.Date(2024, 3, 31, 2, 30, 0, 0, time.UTC)); strconv.FormatFloat(got, 'f', -1, 64) != "45382.1041666667" {
		t.Errorf("2024-03-31 02:30:00 written as %v, want 45382.1041666667", got)
	}
	s, rows, wantDays, wantTimes := exactSheet()
	f := openExport(t, s, rows)
	tab := f.GetSheetList()[0]
	for i := range rows {
		raw, err := f.GetCellValue(tab, cellAt(t, 2, i+2), excelize.Options{RawCellValue: true})
		must(t, err)
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			t.Fatalf("row %d: %q is not a serial", i+2, raw)
		}
		// the exact serial (days since 1899-12-30 plus the fraction of the
		// day), rounded — not cut — to the 15 digits spreadsheets keep
		wt, _ := time.Parse("2006-01-02 15:04:05", wantTimes[i])
		exact := float64(wt.Unix()-time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Unix()) / 86400
		want, _ := strconv.ParseFloat(strconv.FormatFloat(exact, 'g', 15, 64), 64)
		if v != want {
			t.Errorf("row %d: %s written as %s, want %v (rounded to 15 digits)", i+2, wantTimes[i], raw, want)
		}
		if wantDays[i] == "" {
			continue
		}
		day, err := f.GetCellValue(tab, cellAt(t, 1, i+2), excelize.Options{RawCellValue: true})
		must(t, err)
		_, numErr := strconv.ParseFloat(day, 64)
		isText := numErr != nil
		if wantDays[i] < "1900-03-01" != isText {
			t.Errorf("%s written as %q (text %v): want text exactly before 1900-03-01", wantDays[i], day, isText)
		}
	}
}

// soffice runs LibreOffice headless to convert in to the given format
// (e.g. "xlsx", "csv") in a temp dir and returns the output, skipping the
// test where LibreOffice is not installed (apt-get install
// libreoffice-calc-nogui).
func soffice(t *testing.T, in []byte, ext, to string) []byte {
	t.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice not installed (apt-get install libreoffice-calc-nogui)")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "in."+ext)
	must(t, os.WriteFile(src, in, 0o644))
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", to, "--outdir", out, src)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice --convert-to %s: %v\n%s", to, err, b)
	}
	name := "in." + to
	if i := bytes.IndexByte([]byte(to), ':'); i >= 0 {
		name = "in." + to[:i]
	}
	b, err := os.ReadFile(filepath.Join(out, name))
	if err != nil {
		t.Fatalf("soffice wrote no %s: %v", name, err)
	}
	return b
}

// TestLibreOfficeShowsExportExactly opens an export in LibreOffice: the
// cells it shows (its CSV rendering of the formatted cells) are the
// datetimes to the second and the 1900 dates as they are; and the export
// re-saved by LibreOffice re-imports with no change.
func TestLibreOfficeShowsExportExactly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs LibreOffice")
	}
	s, rows, wantDays, wantTimes := exactSheet()
	b := exportBytes(t, s, rows)

	shown, err := csv.NewReader(bytes.NewReader(soffice(t, b, "xlsx", "csv:Text - txt - csv (StarCalc):44,34,76,1"))).ReadAll()
	must(t, err)
	for i := range rows {
		line := shown[i+1]
		if line[1] != wantTimes[i] || line[0] != wantDays[i] {
			t.Errorf("LibreOffice shows row %d as %q %q, want %q %q", i+2, line[0], line[1], wantDays[i], wantTimes[i])
		}
	}

	tb, err := readBytes(t, soffice(t, b, "xlsx", "xlsx"), ReadOptions{})
	must(t, err)
	p, err := PlanMerge(s, seq(rows), tb, MergeOptions{ClearBlanks: true})
	must(t, err)
	if len(p.Matched) != len(rows) || p.ChangedCells() != 0 || len(p.Invalid) != 0 {
		for _, m := range p.Matched {
			for _, c := range m.Changes {
				t.Errorf("change after LibreOffice save: %+v", c)
			}
		}
		t.Errorf("LibreOffice re-save re-imported: %d of %d matched, %d changes, invalid %v", len(p.Matched), len(rows), p.ChangedCells(), p.Invalid)
	}
}

// TestLibreOfficeExactFixture re-imports testdata/libreoffice/exact.xlsx, the
// export of exactSheet saved again by LibreOffice Calc 7.4, where CI has no
// LibreOffice: no change, the datetimes to the second and the 1900 dates
// right. -update regenerates it when LibreOffice is installed.
func TestLibreOfficeExactFixture(t *testing.T) {
	s, rows, _, _ := exactSheet()
	path := filepath.Join("testdata", "libreoffice", "exact.xlsx")
	if golden.Update() {
		must(t, os.WriteFile(path, soffice(t, exportBytes(t, s, rows), "xlsx", "xlsx"), 0o644))
	}
	tb, err := readBytes(t, fixture(t, filepath.Join("libreoffice", "exact.xlsx")), ReadOptions{})
	must(t, err)
	p, err := PlanMerge(s, seq(rows), tb, MergeOptions{ClearBlanks: true})
	must(t, err)
	for _, m := range p.Matched {
		for _, c := range m.Changes {
			t.Errorf("change after LibreOffice save: %+v", c)
		}
	}
	if len(p.Matched) != len(rows) || len(p.Invalid) != 0 {
		t.Errorf("%d of %d rows matched, invalid %v", len(p.Matched), len(rows), p.Invalid)
	}
}

// mixedDatesBook is what a US Excel makes of dates typed day-first: the
// ones it could read month-first became real dates (03/04/2024 → 4 March),
// the others ("25/03/2024") stayed text.
func mixedDatesBook(t *testing.T) []byte {
	f := excelize.NewFile()
	defer f.Close()
	setRows(t, f, "Sheet1", [][]any{{"Name", "Signed"}, {"Ada", 45355.0}, {"Grace", "25/03/2024"}, {"Alan", 45300.0}, {"Edsger", "31/12/2023"}})
	date := styleFmt(t, f, "mm/dd/yyyy")
	must(t, f.SetCellStyle("Sheet1", "B2", "B2", date))
	must(t, f.SetCellStyle("Sheet1", "B4", "B4", date))
	var buf bytes.Buffer
	must(t, f.Write(&buf))
	return buf.Bytes()
}

// TestMixedRealAndTextDatesAreAsked: a column of real date cells and text
// dates that only read day-first is not silently read day-first: it is
// ambiguous (said why) until the user chooses, as a column of text dates
// with no day above 12 is.
func TestMixedRealAndTextDatesAreAsked(t *testing.T) {
	tb, err := readBytes(t, mixedDatesBook(t), ReadOptions{})
	must(t, err)
	c := tb.Columns[1]
	if !c.AmbiguousDate() || !c.MixedDates || c.Ambiguous[0] != DateDMYSlash || c.Ambiguous[1] != DateMDYSlash {
		t.Fatalf("mixed column read as %+v, want ambiguous DD/MM/YYYY or MM/DD/YYYY, mixed", c)
	}
	if c.Type != sheets.TypeText || tb.Rows[1][1] != "25/03/2024" {
		t.Errorf("before a choice the text stays as typed: %s %q", c.Type, tb.Rows[1][1])
	}
	must(t, tb.ChooseDateFormat(1, DateDMYSlash))
	var got []string
	for _, r := range tb.Rows {
		got = append(got, r[1])
	}
	if want := []string{"2024-03-04", "2024-03-25", "2024-01-09", "2023-12-31"}; strings.Join(got, " ") != strings.Join(want, " ") || len(tb.Problems) != 0 {
		t.Errorf("after choosing DD/MM/YYYY: %v (problems %v), want %v", got, tb.Problems, want)
	}

	// Chosen when reading, the column is settled at once.
	tb, err = readBytes(t, mixedDatesBook(t), ReadOptions{DateFormats: map[int]DateFormat{1: DateDMYSlash}})
	must(t, err)
	if c := tb.Columns[1]; c.AmbiguousDate() || c.Type != sheets.TypeDate || tb.Rows[1][1] != "2024-03-25" {
		t.Errorf("with DD/MM/YYYY chosen: %+v, %q", c, tb.Rows[1][1])
	}
}

// TestFormulaWithoutCachedValueIsReported: a formula saved without its
// result (as programs write them) is reported on its row, not read as a
// blank nobody filled in; a formula with a result reads as the result.
func TestFormulaWithoutCachedValueIsReported(t *testing.T) {
	b := rawBook(t,
		`<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Total</t></is></c></row>`+
			`<row r="2"><c r="A2" t="inlineStr"><is><t>Ada</t></is></c><c r="B2"><f>1+1</f></c></row>`+
			`<row r="3"><c r="A3" t="inlineStr"><is><t>Grace</t></is></c><c r="B3"><f>2+2</f><v>4</v></c></row>`+
			`<row r="4"><c r="A4" t="inlineStr"><is><t>Alan</t></is></c><c r="B4" t="str"><f>"x"</f><v></v></c></row>`,
		nil, nil)
	tb, err := readBytes(t, b, ReadOptions{})
	must(t, err)
	got := viewOf(tb)
	if want := [][]string{{"Ada", ""}, {"Grace", "4"}, {"Alan", ""}}; fmt.Sprint(got.Rows) != fmt.Sprint(want) {
		t.Errorf("rows %q, want %q", got.Rows, want)
	}
	if len(got.Problems) != 1 || !strings.HasPrefix(got.Problems[0], `row 2, column "Total": a formula without a saved result`) {
		t.Errorf("problems %q, want the formula on row 2 reported", got.Problems)
	}
}

// TestLibreOfficeDropDownsCoverTheColumn opens an export in LibreOffice and
// reads back (as flat ODS, LibreOffice's own model) which rows of each
// picklist column carry the drop-down: every row below the header to the
// last row of the sheet, not only the rows in use, for an inline list and
// for a long list kept on the hidden lists tab.
func TestLibreOfficeDropDownsCoverTheColumn(t *testing.T) {
	if testing.Short() {
		t.Skip("runs LibreOffice")
	}
	s := &sheets.Sheet{ID: "dd", Name: "Deals"}
	s.AddColumn(sheets.Column{ID: "n", Name: "Name", Type: sheets.TypeText})
	s.AddColumn(sheets.Column{ID: "st", Name: "Stage", Type: sheets.TypePicklist, Choices: []string{"Prospect", "Won", "Lost"}})
	var long []string
	for i := range 60 {
		long = append(long, fmt.Sprintf("Industry number %d", i))
	}
	s.AddColumn(sheets.Column{ID: "in", Name: "Industry", Type: sheets.TypePicklist, Choices: long})
	rows := []*sheets.Row{{ID: 1, Cells: map[string]string{"n": "A", "st": "Won", "in": long[2]}}, {ID: 2, Cells: map[string]string{"n": "B"}}}
	fods := soffice(t, exportBytes(t, s, rows), "xlsx", "fods")
	covered := validatedRows(t, fods, "Deals")
	for col, name := range map[int]string{1: "Stage", 2: "Industry"} {
		if got, want := covered[col], lastExcelRow-1; got != want {
			t.Errorf("LibreOffice: the %s drop-down covers %d rows, want %d (rows 2 to %d)", name, got, want, lastExcelRow)
		}
	}
	if covered[0] != 0 {
		t.Errorf("the Name column has a drop-down on %d rows", covered[0])
	}
}

// validatedRows counts, per column index of the named table in a flat ODS
// document, the rows whose cell carries a content validation (repeated rows
// and columns expanded by count).
func validatedRows(t *testing.T, fods []byte, table string) map[int]int {
	const tableNS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	d := xml.NewDecoder(bytes.NewReader(fods))
	out := map[int]int{}
	in, rowRepeat, col := false, 1, 0
	repeat := func(se xml.StartElement, name string) int {
		for _, a := range se.Attr {
			if a.Name.Space == tableNS && a.Name.Local == name {
				if n, err := strconv.Atoi(a.Value); err == nil {
					return n
				}
			}
		}
		return 1
	}
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Space != tableNS {
				continue
			}
			switch e.Name.Local {
			case "table":
				in = false
				for _, a := range e.Attr {
					if a.Name.Local == "name" && a.Value == table {
						in = true
					}
				}
			case "table-row":
				rowRepeat, col = repeat(e, "number-rows-repeated"), 0
			case "table-cell", "covered-table-cell":
				n := repeat(e, "number-columns-repeated")
				if in {
					for _, a := range e.Attr {
						if a.Name.Local == "content-validation-name" {
							for k := range n {
								out[col+k] += rowRepeat
							}
						}
					}
				}
				col += n
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no validated cells found in table %q", table)
	}
	return out
}

// TestPreviewListsBlanksKept: a vendor file with blank cells where the sheet
// has values leaves them alone, and the plan says which (row, column, the
// value kept); a cell the file could not read is a problem, not a blank;
// with ClearBlanks the blanks are changes instead.
func TestPreviewListsBlanksKept(t *testing.T) {
	s, rows := leadSheet()
	tb := fileTable(
		[]string{"Acme Corp", "acme.com", "", "", "", ""},  // Employees 10 in the sheet: kept
		[]string{"", "globex.com", "", "", "", ""},         // Company Globex: kept
		[]string{"Initech", "initech.com", "", "", "", ""}, // Rating Warm: unreadable in the file, not a blank
	)
	tb.Problems = []CellProblem{{Row: 4, Column: "Rating", Reason: "formula error #N/A"}}
	p, err := PlanMerge(s, seq(rows), tb, MergeOptions{})
	must(t, err)
	var got []string
	for _, b := range p.BlanksKept {
		got = append(got, fmt.Sprintf("%d %s %q %q", b.SourceRow, b.Column, b.Old, b.New))
	}
	if want := []string{`2 Employees "10" ""`, `3 Company "Globex" ""`}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("blanks kept %q, want %q", got, want)
	}
	if p.ChangedCells() != 1 {
		t.Errorf("%d changes, want 1 (Acme's company name)", p.ChangedCells())
	}
	p, err = PlanMerge(s, seq(rows), tb, MergeOptions{ClearBlanks: true})
	must(t, err)
	if len(p.BlanksKept) != 0 || p.ChangedCells() != 3 {
		t.Errorf("ClearBlanks: %d blanks kept, %d changes; want 0 and 3", len(p.BlanksKept), p.ChangedCells())
	}
}

// TestEarlyDateTimesRoundTripAsText: datetimes before 1900-03-01 (no serial
// means the same day everywhere) are written as text and read back as the
// same instants, in UTC and in a zone.
func TestEarlyDateTimesRoundTripAsText(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	must(t, err)
	for _, loc := range []*time.Location{time.UTC, paris} {
		s := &sheets.Sheet{ID: "early", Name: "Early"}
		s.AddColumn(sheets.Column{ID: "t", Name: "When", Type: sheets.TypeDateTime})
		var rows []*sheets.Row
		for i, at := range []time.Time{
			time.Date(1900, 2, 28, 23, 59, 59, 0, time.UTC),
			time.Date(1899, 12, 31, 10, 0, 0, 0, time.UTC),
			time.Date(1900, 3, 1, 12, 0, 0, 0, time.UTC),
		} {
			r := &sheets.Row{ID: sheets.RowID(i + 1), Cells: map[string]string{"t": at.Format(sheets.DateTimeLayout)}}
			r.MarkSynced(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
			rows = append(rows, r)
		}
		var buf bytes.Buffer
		must(t, Export(&buf, s, seq(rows), ExportOptions{Location: loc}))
		tb, err := readBytes(t, buf.Bytes(), ReadOptions{Location: loc})
		must(t, err)
		p, err := PlanMerge(s, seq(rows), tb, MergeOptions{ClearBlanks: true})
		must(t, err)
		if len(p.Matched) != len(rows) || p.ChangedCells() != 0 || len(p.Invalid) != 0 {
			for _, m := range p.Matched {
				for _, c := range m.Changes {
					t.Errorf("%s: change %+v", loc, c)
				}
			}
			t.Errorf("%s: %d matched, invalid %v", loc, len(p.Matched), p.Invalid)
		}
	}
}
