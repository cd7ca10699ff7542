package store

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"crmsheets/sheets"
)

// TestRewriteRows: each row is handed over as stored, the rows returned
// replace them with their indexes following, nil leaves a row, a deleted
// row comes as nil, and a failing fn writes nothing.
func TestRewriteRows(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	name, email := sh.Columns[0].ID, sh.Columns[1].ID
	rows := []*sheets.Row{
		{RecordID: "003000000000001AAA", Cells: map[string]string{name: "Ada", email: "ada@example.com"}},
		{RecordID: "003000000000002AAA", Cells: map[string]string{name: "Bob", email: "bob@example.com"}},
		{Cells: map[string]string{name: "Cy", email: "cy@example.com"}},
	}
	if err := s.InsertRows(sh.ID, rows); err != nil {
		t.Fatal(err)
	}
	gone := rows[1].ID
	if err := s.DeleteRows(sh.ID, []sheets.RowID{gone}); err != nil {
		t.Fatal(err)
	}
	ids := []sheets.RowID{rows[0].ID, gone, rows[2].ID}
	var seen []string
	err := s.Batch(func(tx *Tx) error {
		return tx.RewriteRows(sh.ID, ids, func(i int, cur *sheets.Row) (*sheets.Row, error) {
			switch {
			case i == 1:
				if cur != nil {
					t.Errorf("deleted row handed over as %+v", cur)
				}
				return nil, nil
			case i == 0:
				seen = append(seen, cur.Cells[name])
				return nil, nil // left as it is
			}
			seen = append(seen, cur.Cells[name])
			cur.RecordID = "003000000000003AAA"
			cur.Cells[email] = "cyrus@example.com"
			cur.State = sheets.StateSynced
			return cur, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != "Ada" || seen[1] != "Cy" {
		t.Errorf("fn saw %v, want [Ada Cy]", seen)
	}
	r, err := s.RowByRecordID(sh.ID, "003000000000003")
	if err != nil || r.ID != rows[2].ID || r.State != sheets.StateSynced {
		t.Fatalf("by new record id: %+v, %v", r, err)
	}
	if byKey, _ := s.RowsByKey(sh.ID, "cy@example.com"); len(byKey) != 0 {
		t.Errorf("old key still indexed: %d rows", len(byKey))
	}
	if byKey, _ := s.RowsByKey(sh.ID, "CYRUS@example.com"); len(byKey) != 1 {
		t.Errorf("new key indexed for %d rows, want 1", len(byKey))
	}
	if r, _ := s.Row(sh.ID, rows[0].ID); r.Cells[name] != "Ada" || r.RecordID != rows[0].RecordID {
		t.Errorf("row left as it is changed: %+v", r)
	}

	boom := errors.New("boom")
	err = s.Batch(func(tx *Tx) error {
		return tx.RewriteRows(sh.ID, ids[:1], func(_ int, cur *sheets.Row) (*sheets.Row, error) {
			cur.Cells[name] = "changed"
			return cur, boom
		})
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if r, _ := s.Row(sh.ID, rows[0].ID); r.Cells[name] != "Ada" {
		t.Errorf("failed rewrite wrote %q", r.Cells[name])
	}
	err = s.Batch(func(tx *Tx) error {
		return tx.RewriteRows(sh.ID, ids[:1], func(_ int, cur *sheets.Row) (*sheets.Row, error) {
			return &sheets.Row{ID: cur.ID + 100}, nil
		})
	})
	if err == nil {
		t.Error("a row returned under another id was accepted")
	}
}

// TestLookupsBetweenWrites: lookups by id share cursors for the whole
// transaction; interleaved with writes to the same buckets (rows growing,
// rows inserted, then a rewrite of them all) they must read what was last
// written.
func TestLookupsBetweenWrites(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	name := sh.Columns[0].ID
	want := map[sheets.RowID]string{}
	err := s.Batch(func(tx *Tx) error {
		var ids []sheets.RowID
		for i := range 2000 {
			r := &sheets.Row{Cells: map[string]string{name: fmt.Sprint("row ", i)}}
			if err := tx.InsertRows(sh.ID, []*sheets.Row{r}); err != nil {
				return err
			}
			ids = append(ids, r.ID)
			want[r.ID] = r.Cells[name]
			// grow an earlier row, then read back another one
			grow := ids[(i*7)%len(ids)]
			g, err := tx.Row(sh.ID, grow)
			if err != nil {
				return err
			}
			g.Cells[name] += strings.Repeat("x", 50)
			if err := tx.UpdateRows(sh.ID, []*sheets.Row{g}); err != nil {
				return err
			}
			want[grow] = g.Cells[name]
			other := ids[(i*13)%len(ids)]
			if r, err := tx.Row(sh.ID, other); err != nil || r.Cells[name] != want[other] {
				return fmt.Errorf("row %d read %v, %v; want %q", other, r, err, want[other])
			}
		}
		// 2000 rows take RewriteRows's parallel path: its worker decodes
		// rows written earlier in this transaction (values bbolt holds in
		// memory, not in the file) while this goroutine stores others.
		return tx.RewriteRows(sh.ID, ids, func(i int, cur *sheets.Row) (*sheets.Row, error) {
			if cur.Cells[name] != want[cur.ID] {
				return nil, fmt.Errorf("rewrite handed row %d as %q, want %q", cur.ID, cur.Cells[name], want[cur.ID])
			}
			cur.Cells[name] = "rewritten " + cur.Cells[name]
			want[cur.ID] = cur.Cells[name]
			return cur, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r, err := range s.Rows(sh.ID) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Cells[name] != want[r.ID] {
			t.Fatalf("row %d = %q, want %q", r.ID, r.Cells[name], want[r.ID])
		}
		n++
	}
	if n != len(want) {
		t.Fatalf("%d rows, want %d", n, len(want))
	}
}

// TestRewriteRowsPathsAgree: RewriteRows's parallel path (a worker decodes
// and calls fn while the transaction's goroutine stores) leaves the store
// exactly as the one-goroutine path does: rows, record-id and key indexes,
// rows fn leaves alone, rows deleted meanwhile, cells of columns no row
// had before (the column table grows while other rows are decoded); and an
// error from fn part-way leaves nothing written.
func TestRewriteRowsPathsAgree(t *testing.T) {
	const n = 3000
	run := func(parallelFrom int) (map[sheets.RowID]sheets.Row, []sheets.RowID, error) {
		saved := rewriteParallelRows
		rewriteParallelRows = parallelFrom
		defer func() { rewriteParallelRows = saved }()
		s := openTest(t)
		sh := contactsSheet(t, s)
		name, email := sh.Columns[0].ID, sh.Columns[1].ID
		rows := make([]*sheets.Row, n)
		for i := range rows {
			rows[i] = &sheets.Row{RecordID: recordID(i), Cells: map[string]string{name: fmt.Sprint("row ", i), email: fmt.Sprintf("p%d@example.com", i)}}
		}
		if err := s.InsertRows(sh.ID, rows); err != nil {
			t.Fatal(err)
		}
		ids := make([]sheets.RowID, n)
		var gone []sheets.RowID
		for i, r := range rows {
			ids[i] = r.ID
			if i%97 == 5 {
				gone = append(gone, r.ID)
			}
		}
		if err := s.DeleteRows(sh.ID, gone); err != nil {
			t.Fatal(err)
		}
		var order []int
		err := s.Batch(func(tx *Tx) error {
			return tx.RewriteRows(sh.ID, ids, func(i int, cur *sheets.Row) (*sheets.Row, error) {
				order = append(order, i)
				switch {
				case cur == nil:
					return nil, nil
				case i%5 == 0:
					return nil, nil // left alone
				case i%7 == 0:
					cur.RecordID = recordID(n + i) // re-indexed by record id
				case i%11 == 0:
					cur.Cells[email] = fmt.Sprintf("new%d@example.com", i) // re-keyed
				}
				if i%17 == 0 {
					// A column no row had yet: encoding it adds to the
					// sheet's column table while other rows are decoded.
					cur.Cells[fmt.Sprintf("new-column-%d", i)] = "first value"
				}
				cur.State = sheets.StateSynced
				cur.Cells[name] += " written back"
				return cur, nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		for k, i := range order {
			if k != i {
				t.Fatalf("fn called for index %d in place %d", i, k)
			}
		}
		if len(order) != n {
			t.Fatalf("fn called %d times, want %d", len(order), n)
		}
		// An error part-way: nothing of the transaction stays.
		boom := errors.New("boom")
		err = s.Batch(func(tx *Tx) error {
			return tx.RewriteRows(sh.ID, ids, func(i int, cur *sheets.Row) (*sheets.Row, error) {
				if i == n/2 {
					return nil, boom
				}
				if cur != nil {
					cur.Cells[name] = "must not stay"
				}
				return cur, nil
			})
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		if err := s.Check(); err != nil {
			t.Fatal(err)
		}
		got := map[sheets.RowID]sheets.Row{}
		for r, err := range s.Rows(sh.ID) {
			if err != nil {
				t.Fatal(err)
			}
			if r.Cells[name] == "must not stay" {
				t.Fatalf("row %d kept a failed transaction's write", r.ID)
			}
			got[r.ID] = *r
			if r.RecordID != "" {
				if byRec, err := s.RowByRecordID(sh.ID, r.RecordID); err != nil || byRec.ID != r.ID {
					t.Fatalf("row %d by record id %s: %+v, %v", r.ID, r.RecordID, byRec, err)
				}
			}
			if byKey, _ := s.RowsByKey(sh.ID, r.Cells[email]); len(byKey) != 1 || byKey[0].ID != r.ID {
				t.Fatalf("row %d by key %s: %d rows", r.ID, r.Cells[email], len(byKey))
			}
		}
		return got, gone, nil
	}
	seq, gone, _ := run(1 << 30)
	par, _, _ := run(1)
	if len(seq) != n-len(gone) || len(par) != len(seq) {
		t.Fatalf("rows: one goroutine %d, parallel %d, want %d", len(seq), len(par), n-len(gone))
	}
	for id, r := range seq {
		p := par[id]
		if !reflect.DeepEqual(r, p) {
			t.Fatalf("row %d: one goroutine %+v, parallel %+v", id, r, p)
		}
	}
}

// TestRewriteRowsRepeatedIDs: a row named twice in a long rewrite is read
// the second time as the first rewrite left it (the parallel path, which
// reads ahead, is not taken for repeated ids).
func TestRewriteRowsRepeatedIDs(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	name := sh.Columns[0].ID
	rows := make([]*sheets.Row, 2000)
	for i := range rows {
		rows[i] = &sheets.Row{Cells: map[string]string{name: fmt.Sprint("row ", i)}}
	}
	if err := s.InsertRows(sh.ID, rows); err != nil {
		t.Fatal(err)
	}
	ids := make([]sheets.RowID, 0, len(rows)+1)
	for i, r := range rows {
		ids = append(ids, r.ID)
		if i == 7 {
			ids = append(ids, r.ID) // right after itself: read in the same batch
		}
	}
	err := s.Batch(func(tx *Tx) error {
		return tx.RewriteRows(sh.ID, ids, func(_ int, cur *sheets.Row) (*sheets.Row, error) {
			cur.Cells[name] += " +"
			return cur, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Row(sh.ID, rows[7].ID); r.Cells[name] != "row 7 + +" {
		t.Errorf("row named twice: %q, want both rewrites", r.Cells[name])
	}
	if r, _ := s.Row(sh.ID, rows[8].ID); r.Cells[name] != "row 8 +" {
		t.Errorf("row named once: %q", r.Cells[name])
	}
}
