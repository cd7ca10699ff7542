package store

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"crmsheets/sheets"
)

// keyRows are n rows of the contacts sheet keyed a0@x.com, a1@x.com...
func keyRows(sh *sheets.Sheet, n int) []*sheets.Row {
	email := sh.Columns[1].ID
	rows := make([]*sheets.Row, n)
	for i := range rows {
		rows[i] = &sheets.Row{RecordID: recordID(i), Cells: map[string]string{email: "A" + string(rune('0'+i)) + "@X.com"}}
		rows[i].MarkSynced(testNow)
	}
	return rows
}

func keyIDs(t *testing.T, s *Store, sheetID, key string) []sheets.RowID {
	t.Helper()
	rows, err := s.RowsByKey(sheetID, key)
	if err != nil {
		t.Fatal(err)
	}
	var ids []sheets.RowID
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}

func pendingCount(t *testing.T, s *Store, sheetID string) int {
	t.Helper()
	n := -1
	if err := s.view(func(tx *Tx) error {
		sd, err := tx.sheet(sheetID)
		n = sd.pendingN()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDeferredKeysStayExact: rows bulk-loaded with their key entries
// pending are found by key, edited, re-keyed and deleted as if indexed; the
// integrity check (run by openTest at the end) counts pending entries as
// index entries; IndexPendingKeys moves them into the index.
func TestDeferredKeysStayExact(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	email := sh.Columns[1].ID
	rows := keyRows(sh, 6)
	if err := s.Batch(func(tx *Tx) error { return tx.InsertRowsDeferKeys(sh.ID, rows) }); err != nil {
		t.Fatal(err)
	}
	// a row typed meanwhile goes to the index as usual, under a key a
	// pending row also has
	typed := &sheets.Row{Cells: map[string]string{email: "a2@x.com"}}
	if err := s.InsertRows(sh.ID, []*sheets.Row{typed}); err != nil {
		t.Fatal(err)
	}
	if got := pendingCount(t, s, sh.ID); got != 6 {
		t.Fatalf("pending entries = %d, want 6", got)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("check with pending keys: %v", err)
	}
	if got := keyIDs(t, s, sh.ID, " a2@X.COM "); len(got) != 2 || got[0] != rows[2].ID || got[1] != typed.ID {
		t.Fatalf("rows of a2@x.com = %v, want [%d %d] oldest first", got, rows[2].ID, typed.ID)
	}
	// re-key a pending row, delete another
	rows[0].Cells[email] = "new@x.com"
	if err := s.UpdateRows(sh.ID, []*sheets.Row{rows[0]}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRows(sh.ID, []sheets.RowID{rows[1].ID}); err != nil {
		t.Fatal(err)
	}
	if got := keyIDs(t, s, sh.ID, "a0@x.com"); len(got) != 0 {
		t.Errorf("the old key still finds rows %v", got)
	}
	if got := keyIDs(t, s, sh.ID, "a1@x.com"); len(got) != 0 {
		t.Errorf("a deleted row's key still finds rows %v", got)
	}
	if got := keyIDs(t, s, sh.ID, "new@x.com"); len(got) != 1 || got[0] != rows[0].ID {
		t.Errorf("the new key finds %v, want [%d]", got, rows[0].ID)
	}
	// re-key a pending row through a push's write-back
	if err := s.Batch(func(tx *Tx) error {
		return tx.RewriteRows(sh.ID, []sheets.RowID{rows[4].ID}, func(_ int, cur *sheets.Row) (*sheets.Row, error) {
			cur.Cells[email] = "rewritten@x.com"
			return cur, nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if got := keyIDs(t, s, sh.ID, "a4@x.com"); len(got) != 0 {
		t.Errorf("the key a rewrite replaced still finds rows %v", got)
	}
	if got := keyIDs(t, s, sh.ID, "rewritten@x.com"); len(got) != 1 || got[0] != rows[4].ID {
		t.Errorf("the rewritten key finds %v, want [%d]", got, rows[4].ID)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("check after edits: %v", err)
	}
	if err := s.IndexPendingKeys(sh.ID); err != nil {
		t.Fatal(err)
	}
	if got := pendingCount(t, s, sh.ID); got != 0 {
		t.Fatalf("pending entries after indexing = %d", got)
	}
	if got := keyIDs(t, s, sh.ID, "a4@x.com"); len(got) != 0 {
		t.Errorf("after indexing, the key a rewrite replaced finds %v", got)
	}
	for i, want := range map[int]sheets.RowID{2: rows[2].ID, 3: rows[3].ID, 5: rows[5].ID} {
		key := "a" + string(rune('0'+i)) + "@x.com"
		if got := keyIDs(t, s, sh.ID, key); len(got) == 0 || got[0] != want {
			t.Errorf("after indexing, %s finds %v, want %d first", key, got, want)
		}
	}
}

// TestDeferredKeysDrainOnOpen: a bulk load interrupted before its
// IndexPendingKeys leaves entries that the next open indexes.
func TestDeferredKeysDrainOnOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	opts := Options{Now: func() time.Time { return testNow }, NoSync: true}
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	sh := contactsSheet(t, s)
	if err := s.Batch(func(tx *Tx) error { return tx.InsertRowsDeferKeys(sh.ID, keyRows(sh, 3)) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := keyIDs(t, ro, sh.ID, "a1@x.com"); len(got) != 1 {
		t.Errorf("read-only store finds %v by a pending key", got)
	}
	if got := pendingCount(t, ro, sh.ID); got != 3 {
		t.Errorf("a read-only open changed the pending list: %d entries", got)
	}
	ro.Close()
	s, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := pendingCount(t, s, sh.ID); got != 0 {
		t.Errorf("pending entries after reopening = %d, want 0", got)
	}
	if got := keyIDs(t, s, sh.ID, "a1@x.com"); len(got) != 1 {
		t.Errorf("a1@x.com finds %v after the drain", got)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestDeferredKeysDroppedByRebuild: changing the key column rebuilds the
// index from the rows and leaves nothing pending.
func TestDeferredKeysDroppedByRebuild(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	if err := s.Batch(func(tx *Tx) error { return tx.InsertRowsDeferKeys(sh.ID, keyRows(sh, 3)) }); err != nil {
		t.Fatal(err)
	}
	sh.KeyColumn = sh.Columns[0].ID
	if err := s.SaveSheet(sh); err != nil {
		t.Fatal(err)
	}
	if got := pendingCount(t, s, sh.ID); got != 0 {
		t.Errorf("pending entries after a key change = %d", got)
	}
}

// TestIndexPendingKeysInChunks: a bulk load's key entries are indexed a
// chunk per transaction. Between the transactions every row is found once
// by its key and the check passes; a row re-keyed or deleted meanwhile is
// not indexed under its old key, and a row bulk-loaded meanwhile is
// indexed by the last transaction.
func TestIndexPendingKeysInChunks(t *testing.T) {
	s := openTest(t)
	sh := contactsSheet(t, s)
	email := sh.Columns[1].ID
	rows := keyRows(sh, 45) // more would repeat keys (A0…AZ, then Aa = AA)
	if err := s.Batch(func(tx *Tx) error { return tx.InsertRowsDeferKeys(sh.ID, rows) }); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Cells[email]
	}
	chunk := indexPendingChunk
	indexPendingChunk = 7
	t.Cleanup(func() { indexPendingChunk, afterIndexChunk = chunk, nil })
	chunks := 0
	late := &sheets.Row{Cells: map[string]string{email: "late@x.com"}}
	afterIndexChunk = func() {
		chunks++
		if err := s.Check(); err != nil {
			t.Errorf("check after chunk %d: %v", chunks, err)
		}
		for i := range rows {
			if i == 3 || i == 40 {
				continue // re-keyed and deleted below
			}
			if got := keyIDs(t, s, sh.ID, keys[i]); len(got) != 1 || got[0] != rows[i].ID {
				t.Fatalf("after chunk %d, %s finds %v, want [%d]", chunks, keys[i], got, rows[i].ID)
			}
		}
		switch chunks {
		case 1: // one of them may be indexed already, the other not yet
			rows[3].Cells[email] = "moved@x.com"
			if err := s.UpdateRows(sh.ID, []*sheets.Row{rows[3]}); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteRows(sh.ID, []sheets.RowID{rows[40].ID}); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := s.Batch(func(tx *Tx) error { return tx.InsertRowsDeferKeys(sh.ID, []*sheets.Row{late}) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.IndexPendingKeys(sh.ID); err != nil {
		t.Fatal(err)
	}
	if chunks != 6 {
		t.Errorf("%d pauses between chunks, want 6 (45 entries, 7 a chunk)", chunks)
	}
	if got := pendingCount(t, s, sh.ID); got != 0 {
		t.Fatalf("pending entries after indexing = %d", got)
	}
	for key, want := range map[string][]sheets.RowID{keys[3]: nil, keys[40]: nil, "moved@x.com": {rows[3].ID}, "late@x.com": {late.ID}, keys[17]: {rows[17].ID}} {
		if got := keyIDs(t, s, sh.ID, key); !slices.Equal(got, want) {
			t.Errorf("after indexing, %s finds %v, want %v", key, got, want)
		}
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}
