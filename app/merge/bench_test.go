package merge

import (
	"fmt"
	"testing"

	"crmsheets/sheets"
)

// benchSheet builds a synced sheet of n rows and 12 mapped columns (the
// first read-only) with Salesforce holding the same values; edit, when set,
// changes one cell of every row locally.
func benchSheet(n int, edit bool) ([]sheets.Column, []*sheets.Row, []*Remote) {
	const ncols = 12
	cols := make([]sheets.Column, ncols)
	for i := range cols {
		cols[i] = sheets.Column{ID: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("Col %d", i), Field: fmt.Sprintf("F%d__c", i), ReadOnly: i == 0}
	}
	rows := make([]*sheets.Row, n)
	remotes := make([]*Remote, n)
	for r := range rows {
		row := &sheets.Row{ID: sheets.RowID(r + 1), RecordID: recordID, Cells: map[string]string{}}
		rem := &Remote{RecordID: recordID, Values: map[string]string{}, Modified: t0}
		for i := range cols {
			v := fmt.Sprintf("value %d-%d", r, i)
			row.Cells[cols[i].ID] = v
			rem.Values[cols[i].ID] = v
		}
		row.MarkSynced(t0)
		if edit {
			row.Set("c5", "edited", later)
		}
		rows[r], remotes[r] = row, rem
	}
	return cols, rows, remotes
}

// BenchmarkPlanNoOp100k plans a no-op bidirectional sync of a synced
// 100,000-row sheet: the merge's share of the "no-op sync under 1 s" target.
func BenchmarkPlanNoOp100k(b *testing.B) {
	const rows = 100_000
	cols, sheetRows, remotes := benchSheet(rows, false)
	p, err := New(cols, Options{Direction: sheets.Both, Policy: sheets.PolicyReview})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
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

// BenchmarkPlanPush100k plans a push of 100,000 rows with one edited cell
// each: the merge's share of the push target.
func BenchmarkPlanPush100k(b *testing.B) { benchPlanPush(b, false) }

// BenchmarkPlanPushLent100k is BenchmarkPlanPush100k as a push plans rows
// whose records are unchanged in Salesforce since their sync: the row's
// base is lent as Salesforce's values.
func BenchmarkPlanPushLent100k(b *testing.B) { benchPlanPush(b, true) }

// benchPlanPush plans a push of 100,000 edited rows, with each row's base
// lent as Salesforce's values or not.
func benchPlanPush(b *testing.B, lend bool) {
	const rows = 100_000
	cols, sheetRows, remotes := benchSheet(rows, true)
	if lend {
		for r, row := range sheetRows {
			remotes[r].Values = row.Base
		}
	}
	p, err := New(cols, Options{Direction: sheets.Push, Policy: sheets.PolicyReview})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var c Counts
		for r, row := range sheetRows {
			it := p.Plan(row, remotes[r])
			c.Add(&it)
		}
		if c.Updates != rows {
			b.Fatalf("push plans %+v, want %d updates", c, rows)
		}
	}
	b.ReportMetric(float64(rows), "rows/op")
}
