package xlsx

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"crmsheets/internal/sfid"
	"crmsheets/sheets"
)

// sampleSheet is a sheet with a column of every type, mapped to Contact.
func sampleSheet() *sheets.Sheet {
	s := &sheets.Sheet{ID: "sh1", Name: "Contacts", Object: "Contact", KeyColumn: "c2"}
	for _, c := range []sheets.Column{
		{ID: "c1", Name: "Name", Type: sheets.TypeText, Field: "LastName"},
		{ID: "c2", Name: "Email", Type: sheets.TypeEmail, Field: "Email"},
		{ID: "c3", Name: "Employees", Type: sheets.TypeNumber},
		{ID: "c4", Name: "Revenue", Type: sheets.TypeCurrency},
		{ID: "c5", Name: "Share", Type: sheets.TypePercent},
		{ID: "c6", Name: "Birthdate", Type: sheets.TypeDate},
		{ID: "c7", Name: "Last call", Type: sheets.TypeDateTime},
		{ID: "c8", Name: "Active", Type: sheets.TypeBool},
		{ID: "c9", Name: "Stage", Type: sheets.TypePicklist, Choices: []string{"Prospect", "Customer", "Former"}},
		{ID: "c10", Name: "Notes", Type: sheets.TypeTextArea},
		{ID: "c11", Name: "Account", Type: sheets.TypeReference},
		{ID: "c12", Name: "Score", Type: sheets.TypeNumber, ReadOnly: true},
		{ID: "c13", Name: "Formula-looking", Type: sheets.TypeText},
	} {
		s.AddColumn(c)
	}
	return s
}

// sampleRows are n synced rows with values in every column.
func sampleRows(n int) []*sheets.Row {
	rows := make([]*sheets.Row, n)
	for i := range rows {
		r := &sheets.Row{ID: sheets.RowID(i + 1), RecordID: fmt.Sprintf("003%012d", i) + sfid.Checksum(fmt.Sprintf("003%012d", i)), Cells: map[string]string{
			"c1":  fmt.Sprintf("Person %d", i),
			"c2":  fmt.Sprintf("p%d@example.com", i),
			"c3":  fmt.Sprint(i * 10),
			"c4":  fmt.Sprintf("%d.25", i),
			"c5":  "12.5",
			"c6":  time.Date(1970+i%50, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC).Format(sheets.DateLayout),
			"c7":  time.Date(2024, 3, 31, 14, 5, i%60, 0, time.UTC).Format(sheets.DateTimeLayout),
			"c8":  []string{"true", "false"}[i%2],
			"c9":  "Customer",
			"c10": "line one\nline two",
			"c11": "0012300000bVTphAAG",
			"c12": "7",
			"c13": []string{"=SUM(A1:A2)", "+1 555 0100", "-minus", "@handle"}[i%4],
		}}
		r.MarkSynced(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
		rows[i] = r
	}
	return rows
}

func seq(rows []*sheets.Row) iter.Seq2[*sheets.Row, error] {
	return func(yield func(*sheets.Row, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func exportBytes(t testing.TB, s *sheets.Sheet, rows []*sheets.Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Export(&buf, s, seq(rows), ExportOptions{}); err != nil {
		t.Fatalf("Export: %v", err)
	}
	return buf.Bytes()
}

// edit opens a workbook with excelize, lets fn change it and saves it.
func edit(t testing.TB, b []byte, fn func(f *excelize.File)) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open export: %v", err)
	}
	defer f.Close()
	fn(f)
	var out bytes.Buffer
	must(t, f.Write(&out))
	return out.Bytes()
}

func TestRoundTripUnchanged(t *testing.T) {
	s, rows := sampleSheet(), sampleRows(8)
	tb, err := readBytes(t, exportBytes(t, s, rows), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tb.SheetID != s.ID || len(tb.RowIDs) != len(rows) {
		t.Fatalf("metadata not read: sheet %q, %d row ids", tb.SheetID, len(tb.RowIDs))
	}
	if len(tb.Problems) != 0 {
		t.Errorf("problems: %v", tb.Problems)
	}
	p, err := PlanMerge(s, seq(rows), tb, MergeOptions{ClearBlanks: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := p.ChangedCells(); n != 0 || len(p.Matched) != len(rows) || len(p.UnmatchedColumns) != 0 {
		for _, m := range p.Matched {
			for _, c := range m.Changes {
				t.Logf("change %+v", c)
			}
		}
		t.Fatalf("unchanged export re-imported: %d changes, %d matched, unmatched columns %v", n, len(p.Matched), p.UnmatchedColumns)
	}
	for _, m := range p.Matched {
		if m.By != MatchRowID {
			t.Errorf("row %d matched by %v, want row id", m.SourceRow, m.By)
		}
	}
}

func TestRoundTripEdits(t *testing.T) {
	s, rows := sampleSheet(), sampleRows(6)
	// Export layout: A Record ID, B.. the sheet's columns in order.
	colOf := func(id string) string {
		n, _ := excelize.ColumnNumberToName(2 + s.ColumnIndex(id))
		return n
	}
	edited := edit(t, exportBytes(t, s, rows), func(f *excelize.File) {
		must(t, f.SetCellStr("Contacts", colOf("c2")+"3", "renamed@example.com")) // key column of row 2
		must(t, f.SetCellInt("Contacts", colOf("c3")+"4", 999))
		must(t, f.SetCellStr("Contacts", colOf("c9")+"5", "former")) // picklist, other case
		must(t, f.SetCellBool("Contacts", colOf("c8")+"6", false))   // row id 5 was true
		must(t, f.SetCellStr("Contacts", colOf("c12")+"2", "100"))   // read-only: ignored
		// Sort-like move: swap rows 6 and 7 entirely (as display text, the
		// way a user pasting would); the hidden row ids follow the rows.
		r6, _ := f.GetRows("Contacts")
		for j, v := range r6[5] {
			c, _ := excelize.CoordinatesToCellName(j+1, 7)
			must(t, f.SetCellValue("Contacts", c, v))
		}
		for j, v := range r6[6] {
			c, _ := excelize.CoordinatesToCellName(j+1, 6)
			must(t, f.SetCellValue("Contacts", c, v))
		}
	})
	tb, err := readBytes(t, edited, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanMerge(s, seq(rows), tb, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []CellChange
	for _, m := range p.Matched {
		got = append(got, m.Changes...)
	}
	want := []CellChange{
		{SourceRow: 3, RowID: 2, ColumnID: "c2", Column: "Email", Old: "p1@example.com", New: "renamed@example.com"},
		{SourceRow: 4, RowID: 3, ColumnID: "c3", Column: "Employees", Old: "20", New: "999"},
		{SourceRow: 5, RowID: 4, ColumnID: "c9", Column: "Stage", Old: "Customer", New: "Former"},
		{SourceRow: 7, RowID: 5, ColumnID: "c8", Column: "Active", Old: "true", New: "false"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	if !slices.Contains(p.ReadOnlyColumns, "Score") {
		t.Errorf("read-only column not reported: %v", p.ReadOnlyColumns)
	}
	update, insert := p.Apply()
	if len(update) != 4 || len(insert) != 0 {
		t.Fatalf("Apply: %d updates, %d inserts", len(update), len(insert))
	}
	for _, r := range update {
		if r.State != sheets.StateModified {
			t.Errorf("row %d state %v, want modified", r.ID, r.State)
		}
	}
	if rows[1].Cells["c2"] != "p1@example.com" {
		t.Error("Apply changed the caller's rows")
	}
}

func TestExportNeverWritesFormulas(t *testing.T) {
	b := exportBytes(t, sampleSheet(), sampleRows(4))
	f, err := excelize.OpenReader(bytes.NewReader(b))
	must(t, err)
	defer f.Close()
	rows, err := f.GetRows("Contacts")
	must(t, err)
	for i := 2; i <= 5; i++ {
		cell := fmt.Sprintf("N%d", i)
		formula, err := f.GetCellFormula("Contacts", cell)
		must(t, err)
		if formula != "" {
			t.Errorf("%s holds formula %q", cell, formula)
		}
	}
	if got := rows[1][13]; got != "=SUM(A1:A2)" {
		t.Errorf("N2 = %q, want the text =SUM(A1:A2)", got)
	}
}

func TestExportIteratorErrorWritesNothing(t *testing.T) {
	var buf bytes.Buffer
	failing := func(yield func(*sheets.Row, error) bool) {
		if yield(sampleRows(1)[0], nil) {
			yield(nil, fmt.Errorf("disk gone"))
		}
	}
	if err := Export(&buf, sampleSheet(), failing, ExportOptions{}); err == nil {
		t.Fatal("Export succeeded on an iterator error")
	}
	if buf.Len() != 0 {
		t.Errorf("Export wrote %d bytes before failing", buf.Len())
	}
	_ = context.Background
}
