package merge

import (
	"fmt"
	"testing"

	"crmsheets/sheets"
)

// BenchmarkPlanNoOp100k plans a no-op bidirectional sync of a synced
// 100,000-row, 12-column sheet: the merge's share of the "no-op sync under
// 1 s" target.
func BenchmarkPlanNoOp100k(b *testing.B) {
	const rows, ncols = 100_000, 12
	cols := make([]sheets.Column, ncols)
	for i := range cols {
		cols[i] = sheets.Column{ID: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("Col %d", i), Field: fmt.Sprintf("F%d__c", i), ReadOnly: i == 0}
	}
	sheetRows := make([]*sheets.Row, rows)
	remotes := make([]*Remote, rows)
	for r := range sheetRows {
		row := &sheets.Row{ID: sheets.RowID(r + 1), RecordID: recordID, Cells: map[string]string{}}
		rem := &Remote{RecordID: recordID, Values: map[string]string{}, Modified: t0}
		for i := range cols {
			v := fmt.Sprintf("value %d-%d", r, i)
			row.Cells[cols[i].ID] = v
			rem.Values[cols[i].ID] = v
		}
		row.MarkSynced(t0)
		sheetRows[r], remotes[r] = row, rem
	}
	p, err := New(cols, Options{Direction: sheets.Both, Policy: sheets.PolicyReview})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var c Counts
		for r, row := range sheetRows {
			it := p.Plan(row, remotes[r])
			c.Add(&it)
		}
		if c.Writes != 0 || c.Unchanged != rows {
			b.Fatalf("no-op sync plans writes: %+v", c)
		}
	}
	b.ReportMetric(float64(rows), "rows/op")
}
