package xlsx

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"crmsheets/sheets"
)

// FuzzImport feeds random bytes and mutated workbooks to the importer: it
// must return a table or an error, never panic, never hang, and a table it
// returns must be well formed (every row as wide as the columns, canonical
// cells for the inferred types). Run it with a short -fuzzminimizetime: a
// minimization re-reads the zip thousands of times and reports no progress.
func FuzzImport(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.xlsx"))
	lo, _ := filepath.Glob(filepath.Join("testdata", "libreoffice", "*.xlsx"))
	for _, n := range append(names, lo...) {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(rawBook(f, `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="d"><v>2024-02-30</v></c></row>`, []string{"<t>When</t>"}, nil))
	f.Add([]byte("PK\x03\x04"))
	f.Add(cfbSignature)
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxPartBytes: 1 << 20, MaxRows: 2000, MaxColumns: 100}
		tb, err := ReadTable(context.Background(), bytes.NewReader(data), int64(len(data)), ReadOptions{}, lim)
		if err != nil {
			if tb != nil {
				t.Fatal("table returned with an error")
			}
			return
		}
		if len(tb.Rows) != len(tb.SourceRows) || tb.RowIDs != nil && len(tb.RowIDs) != len(tb.Rows) {
			t.Fatalf("rows %d, source rows %d, row ids %d", len(tb.Rows), len(tb.SourceRows), len(tb.RowIDs))
		}
		for i, r := range tb.Rows {
			if len(r) != len(tb.Columns) {
				t.Fatalf("row %d has %d cells for %d columns", i, len(r), len(tb.Columns))
			}
			for j, v := range r {
				c := tb.Columns[j]
				if v == "" || c.Type == sheets.TypeText || c.Type == sheets.TypeReference {
					continue
				}
				if got, err := sheets.Parse(c.Type, v, nil); err != nil || got != v {
					t.Fatalf("row %d column %q (%s): %q is not canonical (%q, %v)", i, c.Name, c.Type, v, got, err)
				}
			}
		}
		// A plan over the table must not panic either.
		s := &sheets.Sheet{ID: tb.SheetID, Name: "Fuzz"}
		for _, c := range tb.Columns {
			s.AddColumn(sheets.Column{Name: c.Name, Type: c.Type})
		}
		if len(s.Columns) > 0 {
			s.KeyColumn = s.Columns[0].ID
		}
		if _, err := PlanMerge(s, seq(nil), tb, MergeOptions{AddUnmatched: true}); err != nil {
			t.Fatalf("PlanMerge: %v", err)
		}
	})
}
