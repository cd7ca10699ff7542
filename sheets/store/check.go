package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"crmsheets/sheets"
)

// isPending reports whether a row's key entry is in the pending list.
func (sd *sheetData) isPending(id sheets.RowID, kv string) bool {
	return sd.pending != nil && string(sd.pending.Get(sd.u64(uint64(id)))) == kv
}

// pendingN is the number of pending key entries not in the key index yet
// (Store.IndexPendingKeys indexes them before it drops the list).
func (sd *sheetData) pendingN() int {
	if sd.pending == nil {
		return 0
	}
	n := 0
	_ = sd.pending.ForEach(func(k, v []byte) error {
		if len(k) == 8 && sd.key.Get(sd.keyKey(string(v), sheets.RowID(binary.BigEndian.Uint64(k)))) == nil {
			n++
		}
		return nil
	})
	return n
}

// checkSheets verifies every sheet's invariants: each row decodes, its id
// maps to its position, the row counter is right, and the record-id and key
// indexes hold exactly one entry per indexed row.
func (tx *Tx) checkSheets() error {
	defs, err := tx.root(bucketSheets)
	if err != nil {
		return err
	}
	var ids []string
	if err := defs.ForEach(func(k, _ []byte) error {
		ids = append(ids, string(k))
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		sd, err := tx.sheet(id)
		if err != nil {
			return err
		}
		if err := sd.check(); err != nil {
			return fmt.Errorf("%w: sheet %q: %w", ErrCorrupt, sd.def.Name, err)
		}
	}
	return nil
}

func (sd *sheetData) check() error {
	var rows, recs, keys uint64
	c := sd.rows.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		r, err := decodeRow(v, sd.cols)
		if err != nil {
			return fmt.Errorf("position %x: %w", k, err)
		}
		rows++
		if p := sd.ids.Get(sd.u64(uint64(r.ID))); !bytes.Equal(p, k) {
			return fmt.Errorf("row %d at position %x indexed at %x", r.ID, k, p)
		}
		if uint64(r.ID) > sd.nextRow {
			return fmt.Errorf("row %d above the id counter %d", r.ID, sd.nextRow)
		}
		if r.RecordID != "" {
			recs++
			if sd.rec.Get(sd.recKey(r.RecordID, r.ID)) == nil {
				return fmt.Errorf("row %d: record id %s not indexed", r.ID, r.RecordID)
			}
		}
		if kv := sd.keyValue(r); kv != "" {
			keys++
			if sd.key.Get(sd.keyKey(kv, r.ID)) == nil && !sd.isPending(r.ID, kv) {
				return fmt.Errorf("row %d: key %q not indexed", r.ID, kv)
			}
		}
	}
	if rows != sd.count {
		return fmt.Errorf("counter says %d rows, found %d", sd.count, rows)
	}
	for _, ix := range []struct {
		name string
		n    int
		want uint64
	}{
		{"id", sd.ids.Stats().KeyN, rows},
		{"record-id", sd.rec.Stats().KeyN, recs},
		{"key", sd.key.Stats().KeyN + sd.pendingN(), keys},
	} {
		if uint64(ix.n) != ix.want {
			return fmt.Errorf("%s index has %d entries for %d rows", ix.name, ix.n, ix.want)
		}
	}
	return nil
}
