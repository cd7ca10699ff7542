package xlsx

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"crmsheets/sheets"
)

// openExport exports and reopens the workbook with excelize, as Excel would
// see it.
func openExport(t *testing.T, s *sheets.Sheet, rows []*sheets.Row) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(exportBytes(t, s, rows)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestExportLayout(t *testing.T) {
	s, rows := sampleSheet(), sampleRows(3)
	f := openExport(t, s, rows)

	if got := f.GetSheetList(); strings.Join(got, ",") != "Contacts,"+metaTab {
		t.Errorf("tabs %v", got)
	}
	if vis, _ := f.GetSheetVisible(metaTab); vis {
		t.Error("metadata tab is visible")
	}
	panes, err := f.GetPanes("Contacts")
	must(t, err)
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v", panes)
	}
	// Header: Record ID, the sheet's columns, the hidden row-id column.
	header, err := f.GetRows("Contacts")
	must(t, err)
	want := []string{"Record ID"}
	for _, c := range s.Columns {
		want = append(want, c.Name)
	}
	want = append(want, rowIDHeader)
	if got := strings.Join(header[0], "|"); got != strings.Join(want, "|") {
		t.Errorf("header\n got %s\nwant %s", got, strings.Join(want, "|"))
	}
	last, _ := excelize.ColumnNumberToName(len(want))
	if vis, _ := f.GetColVisible("Contacts", last); vis {
		t.Error("row-id column is visible")
	}
	hs, err := f.GetCellStyle("Contacts", "B1")
	must(t, err)
	if st, _ := f.GetStyle(hs); st.Font == nil || !st.Font.Bold {
		t.Error("header not bold")
	}
	// Typed cells.
	colOf := func(id string) string {
		n, _ := excelize.ColumnNumberToName(2 + s.ColumnIndex(id))
		return n
	}
	types := map[string]excelize.CellType{
		"c1": excelize.CellTypeInlineString, "c3": excelize.CellTypeUnset, "c6": excelize.CellTypeUnset,
		"c7": excelize.CellTypeUnset, "c8": excelize.CellTypeBool, "c13": excelize.CellTypeInlineString,
	}
	for id, want := range types {
		got, err := f.GetCellType("Contacts", colOf(id)+"2")
		must(t, err)
		if got != want {
			t.Errorf("column %s: cell type %v, want %v", id, got, want)
		}
	}
	date, err := f.GetCellValue("Contacts", colOf("c6")+"2")
	must(t, err)
	if date != rows[0].Cells["c6"] {
		t.Errorf("date shows as %q, want %q", date, rows[0].Cells["c6"])
	}
	raw, err := f.GetCellValue("Contacts", colOf("c6")+"2", excelize.Options{RawCellValue: true})
	must(t, err)
	if strings.Contains(raw, "-") {
		t.Errorf("date stored as text %q, want a serial", raw)
	}
	// Read-only columns are shaded.
	ro, err := f.GetCellStyle("Contacts", colOf("c12")+"2")
	must(t, err)
	if st, _ := f.GetStyle(ro); len(st.Fill.Color) == 0 || st.Fill.Color[0] != readOnlyFill {
		t.Errorf("read-only column fill %+v", st.Fill)
	}
	// Picklist drop-down.
	dvs, err := f.GetDataValidations("Contacts")
	must(t, err)
	if len(dvs) != 1 || dvs[0].Formula1 != `"Prospect,Customer,Former"` || dvs[0].Sqref != fmt.Sprintf("%s2:%s%d", colOf("c9"), colOf("c9"), lastExcelRow) { // the whole column, not the rows in use
		for _, dv := range dvs {
			t.Logf("%+v", *dv)
		}
		t.Errorf("drop-downs: %d", len(dvs))
	}
}

func TestExportLongPicklistUsesListTab(t *testing.T) {
	s := &sheets.Sheet{ID: "s", Name: "Accounts"}
	var choices []string
	for i := range 60 {
		choices = append(choices, fmt.Sprintf("Industry number %d", i))
	}
	choices = append(choices, `Food, "fine" & drink`)
	s.AddColumn(sheets.Column{Name: "Industry", Type: sheets.TypePicklist, Choices: choices})
	f := openExport(t, s, []*sheets.Row{{ID: 1, Cells: map[string]string{"c1": choices[3]}}})
	dvs, err := f.GetDataValidations("Accounts")
	must(t, err)
	if len(dvs) != 1 || !strings.Contains(dvs[0].Formula1, listsTab) || dvs[0].Sqref != fmt.Sprintf("A2:A%d", lastExcelRow) {
		t.Fatalf("long list validation: %+v", dvs)
	}
	got, err := f.GetCellValue(listsTab, fmt.Sprintf("A%d", len(choices)))
	must(t, err)
	if got != choices[len(choices)-1] {
		t.Errorf("lists tab last value %q", got)
	}
	if vis, _ := f.GetSheetVisible(listsTab); vis {
		t.Error("lists tab is visible")
	}
}

func TestTabName(t *testing.T) {
	for in, want := range map[string]string{
		"Contacts":                     "Contacts",
		"Q1/Q2 [draft]: leads?":        "Q1_Q2 _draft__ leads_",
		"'quoted'":                     "quoted",
		strings.Repeat("x", 40):        strings.Repeat("x", 31),
		"":                             "Sheet",
		metaTab:                        "Sheet",
		"Ünïcödé names keep letters ✓": "Ünïcödé names keep letters ✓",
	} {
		if got := tabName("", in); got != want {
			t.Errorf("tabName(%q) = %q, want %q", in, got, want)
		}
	}
}
