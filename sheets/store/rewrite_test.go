package store

import (
	"errors"
	"fmt"
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
// rows inserted, a rewrite whose fn reads other rows) they must read what
// was last written.
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
		return tx.RewriteRows(sh.ID, ids, func(i int, cur *sheets.Row) (*sheets.Row, error) {
			other := ids[(i*31)%len(ids)]
			r, err := tx.Row(sh.ID, other)
			if err != nil || r.Cells[name] != want[other] {
				return nil, fmt.Errorf("inside rewrite, row %d read %v, %v; want %q", other, r, err, want[other])
			}
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
