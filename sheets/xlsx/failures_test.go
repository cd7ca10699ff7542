package xlsx

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"crmsheets/sheets"
)

func TestExportFailures(t *testing.T) {
	s, rows := sampleSheet(), sampleRows(5)
	outcomes := []sheets.RecordOutcome{
		{RowID: 2, RecordID: rows[1].RecordID, Op: sheets.OpUpdate, OK: true},
		{RowID: 4, RecordID: rows[3].RecordID, Op: sheets.OpUpdate, StatusCode: "STRING_TOO_LONG", Message: "Name: data value too large", Fields: []string{"LastName"}},
		{RecordID: rows[0].RecordID[:15], Op: sheets.OpUpdate, StatusCode: "ENTITY_IS_DELETED", Message: "entity is deleted"},
		{RowID: 99, RecordID: "003000000000099AAA", Op: sheets.OpInvalid, Message: "Email: not an email"},
	}
	var buf bytes.Buffer
	if err := ExportFailures(&buf, s, seq(rows), outcomes, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	must(t, err)
	defer f.Close()
	got, err := f.GetRows("Contacts")
	must(t, err)
	var summary [][]string
	for _, r := range got {
		summary = append(summary, r[:6])
	}
	want := [][]string{
		{"Error", "Status code", "Operation", "Fields", "Record ID", "Name"},
		{"entity is deleted", "ENTITY_IS_DELETED", "update", "", rows[0].RecordID, "Person 0"},
		{"Name: data value too large", "STRING_TOO_LONG", "update", "LastName", rows[3].RecordID, "Person 3"},
		{"Email: not an email", "", "invalid", "", "003000000000099AAA"},
	}
	for i := range want {
		for len(summary[i]) < len(want[i]) {
			summary[i] = append(summary[i], "")
		}
		summary[i] = summary[i][:len(want[i])]
	}
	if d := cmp.Diff(want, summary); d != "" {
		t.Errorf("failures workbook (-want +got):\n%s", d)
	}

	// A fixed failures file merges back: the error columns are ignored.
	tb, err := readBytes(t, buf.Bytes(), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanMerge(s, seq(rows), tb, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.UnmatchedColumns) != 0 || p.ChangedCells() != 0 || len(p.Matched) != 2 || len(p.Unmatched) != 1 {
		t.Errorf("re-import of failures: unmatched columns %v, %d changes, %d matched, %d unmatched", p.UnmatchedColumns, p.ChangedCells(), len(p.Matched), len(p.Unmatched))
	}
}
