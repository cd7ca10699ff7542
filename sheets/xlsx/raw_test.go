package xlsx

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"crmsheets/sheets"
)

// rawBook builds a minimal workbook from worksheet XML, with optional shared
// strings and extra parts, for shapes excelize will not write (error cells,
// t="d" cells, cells without references, phonetic runs).
func rawBook(t testing.TB, sheetData string, sst []string, extra map[string]string) []byte {
	t.Helper()
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`,
		"_rels/.rels":         `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":     `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheetData + `</sheetData></worksheet>`,
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for _, s := range sst {
		b.WriteString("<si>" + s + "</si>")
	}
	b.WriteString("</sst>")
	parts["xl/sharedStrings.xml"] = b.String()
	for k, v := range extra {
		parts[k] = v
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range parts {
		w, err := zw.Create(name)
		must(t, err)
		_, err = w.Write([]byte(content))
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

func TestReadRawShapes(t *testing.T) {
	b := rawBook(t,
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c t="inlineStr"><is><t>When</t></is></c><c t="s"><v>2</v></c></row>`+
			`<row r="2"><c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B2" t="s"><v>3</v></c><c r="C2" t="d"><v>2024-03-31</v></c><c r="D2" t="s"><v>99</v></c></row>`+
			`<row><c r="A3"><v>4</v></c><c r="B3" t="inlineStr"><is><r><t>rich </t></r><r><t>text</t></r></is></c><c r="C3" t="d"><v>2024-04-01</v></c><c r="D3" t="b"><v>1</v></c></row>`,
		[]string{"<t>Total</t>", "<t>Note</t>", "<r><t>Fl</t></r><r><t>ag</t></r>", "<t>line_x000D_\nbreak</t><rPh><t>ignored</t></rPh>"}, nil)
	tb, err := readBytes(t, b, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := viewOf(tb)
	want := view{
		Header:  1,
		Names:   []string{"Total", "Note", "When", "Flag"},
		Types:   []sheets.Type{tNum, tText, tDate, tBool},
		Rows:    [][]string{{"", "line\r\nbreak", "2024-03-31", ""}, {"4", "rich text", "2024-04-01", "true"}},
		Sources: []int{2, 3},
		Problems: []string{
			`row 2, column "Total": formula error #DIV/0!`,
			`row 2, column "Flag": shared string 99 missing`,
		},
	}
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
