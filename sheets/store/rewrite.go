package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"crmsheets/sheets"
)

// RewriteRows reads each row of ids as it is stored now, hands it to fn and
// stores the row fn returns in its place, all inside the transaction.
//
// It is the write-back of a push: the engine decides a row's new state from
// what it sent and what the row holds now (the user may have edited it
// while the push ran), so a row is looked up and decoded once, not once to
// compare and again to replace, and the engine need not hold 100k rows
// between planning and writing back.
//
// fn gets the index of the id in ids and the stored row, which it owns (it
// may change and return it); cur is nil when the row was deleted meanwhile
// (fn's answer is then ignored). fn returns nil to leave the row as it is.
// The returned row must keep its id. Index entries follow a changed record
// id or key cell as UpdateRows keeps them.
func (tx *Tx) RewriteRows(sheetID string, ids []sheets.RowID, fn func(i int, cur *sheets.Row) (*sheets.Row, error)) error {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return fmt.Errorf("rewrite rows: %w", err)
	}
	for i, id := range ids {
		pos := sd.position(id)
		if pos == nil {
			if _, err := fn(i, nil); err != nil {
				return err
			}
			continue
		}
		pos = sd.keep(pos)
		v := sd.encoded(pos)
		if v == nil {
			return fmt.Errorf("%w: row %d of sheet %q indexed but missing", ErrCorrupt, id, sd.def.Name)
		}
		cur, err := decodeRow(v, sd.cols)
		if err != nil {
			return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
		}
		oldRec, oldKey := cur.RecordID, sd.keyValue(cur)
		r, err := fn(i, cur)
		if err != nil {
			return err
		}
		if r == nil {
			continue
		}
		if r.ID != id {
			return fmt.Errorf("rewrite row %d of sheet %q: the new row has id %d", id, sd.def.Name, r.ID)
		}
		newRec, newKey := r.RecordID, sd.keyValue(r)
		recChanged := recPrefixString(oldRec) != recPrefixString(newRec)
		keyChanged := oldKey != newKey
		if recChanged && oldRec != "" {
			if err := sd.rec.Delete(sd.recKey(oldRec, id)); err != nil {
				return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
			}
		}
		if keyChanged && oldKey != "" {
			// in the index or, after a bulk load not yet indexed, in the
			// pending list (as replace does)
			if err := sd.key.Delete(sd.keyKey(oldKey, id)); err != nil {
				return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
			}
			if err := sd.unpend(id); err != nil {
				return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
			}
		}
		if err := sd.put(r, pos); err != nil {
			return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
		}
		if recChanged {
			if err := sd.indexRecord(r); err != nil {
				return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
			}
		}
		if keyChanged {
			if err := sd.indexKey(r); err != nil {
				return fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
			}
		}
	}
	return sd.flush()
}

// seekExact is Bucket.Get through a cursor kept for many lookups: the
// value at key, nil when the key is absent (or holds a bucket).
func seekExact(c *bolt.Cursor, key []byte) []byte {
	k, v := c.Seek(key)
	if !bytes.Equal(k, key) {
		return nil
	}
	return v
}
