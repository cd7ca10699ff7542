package store

import (
	"math/rand/v2"
	"slices"
	"testing"

	"crmsheets/sheets"
)

// TestOrderMatchesModel applies random inserts (at the top, the end and
// after random rows, in runs that exhaust gaps), deletes and updates, and
// compares the store's order with a plain slice after each step.
func TestOrderMatchesModel(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	rng := rand.New(rand.NewPCG(1, 2))
	var model []sheets.RowID
	hot := sheets.RowID(0) // a row many inserts land after, to exhaust its gap
	for step := range 600 {
		switch op := rng.IntN(10); {
		case op < 6 || len(model) == 0: // insert k rows
			k := 1 + rng.IntN(3)
			rows := make([]*sheets.Row, k)
			for i := range rows {
				rows[i] = &sheets.Row{}
			}
			var after sheets.RowID
			at := 0
			switch {
			case len(model) == 0 || rng.IntN(4) == 0: // top
			case hot != 0 && slices.Contains(model, hot) && rng.IntN(2) == 0:
				after = hot
				at = slices.Index(model, hot) + 1
			default:
				i := rng.IntN(len(model))
				after, at = model[i], i+1
			}
			if err := s.InsertRowsAt(sh.ID, after, rows); err != nil {
				t.Fatalf("step %d: insert after %d: %v", step, after, err)
			}
			ids := make([]sheets.RowID, k)
			for i, r := range rows {
				ids[i] = r.ID
			}
			model = slices.Insert(model, at, ids...)
			if hot == 0 {
				hot = ids[0]
			}
		case op < 8: // delete one
			i := rng.IntN(len(model))
			if err := s.DeleteRows(sh.ID, []sheets.RowID{model[i]}); err != nil {
				t.Fatalf("step %d: delete: %v", step, err)
			}
			model = slices.Delete(model, i, i+1)
		default: // update one: its place must not change
			id := model[rng.IntN(len(model))]
			if err := s.UpdateRows(sh.ID, []*sheets.Row{{ID: id, Cells: map[string]string{sh.Columns[0].ID: "updated"}}}); err != nil {
				t.Fatalf("step %d: update: %v", step, err)
			}
		}
		got, err := s.RowIDs(sh.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, model) {
			t.Fatalf("step %d: order\n got %v\nwant %v", step, got, model)
		}
	}
	if n, _ := s.RowCount(sh.ID); n != len(model) {
		t.Errorf("RowCount = %d, want %d", n, len(model))
	}
}

// TestRowsAcrossBatchesWithWrites inserts rows between the iterator's
// batches right after the last row yielded, enough to exhaust the gap there
// so that positions around the batch boundary are renumbered, and checks
// that every row is yielded exactly once, in the sheet's order.
func TestRowsAcrossBatchesWithWrites(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	rows := make([]*sheets.Row, rowBatch*2+10)
	for i := range rows {
		rows[i] = &sheets.Row{}
	}
	if err := s.InsertRows(sh.ID, rows); err != nil {
		t.Fatal(err)
	}
	var seen []sheets.RowID
	for r, err := range s.Rows(sh.ID) {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, r.ID)
		if len(seen) == rowBatch { // between two batches
			for range 40 {
				if err := s.InsertRowsAt(sh.ID, r.ID, []*sheets.Row{{}}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	want, err := s.RowIDs(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seen, want) {
		t.Errorf("iteration saw %d rows, the sheet has %d; first difference at %d", len(seen), len(want), firstDiff(seen, want))
	}
}

func firstDiff(a, b []sheets.RowID) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
