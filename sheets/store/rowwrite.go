package store

import (
	"bytes"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"crmsheets/sheets"
)

// InsertRows is Store.InsertRows inside a transaction.
func (tx *Tx) InsertRows(sheetID string, rows []*sheets.Row) error {
	return tx.appendRows(sheetID, rows, false)
}

// appendRows adds rows at the end of the sheet, their key-index entries
// written now or, with deferKeys, to the sheet's pending key list.
func (tx *Tx) appendRows(sheetID string, rows []*sheets.Row, deferKeys bool) error {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return fmt.Errorf("insert rows: %w", err)
	}
	pos, err := sd.appendPositions(len(rows))
	if err != nil {
		return fmt.Errorf("insert rows into sheet %q: %w", sd.def.Name, err)
	}
	return tx.insertRows(sd, rows, pos, deferKeys)
}

// InsertRowsAt is Store.InsertRowsAt inside a transaction.
func (tx *Tx) InsertRowsAt(sheetID string, after sheets.RowID, rows []*sheets.Row) error {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return fmt.Errorf("insert rows: %w", err)
	}
	var lo uint64
	if after != 0 {
		p := sd.ids.Get(sd.u64(uint64(after)))
		if p == nil {
			return fmt.Errorf("insert rows into sheet %q after row %d: %w", sd.def.Name, after, ErrNotFound)
		}
		lo = getUint64(p)
	}
	pos, err := sd.positionsAfter(lo, len(rows))
	if err != nil {
		return fmt.Errorf("insert rows into sheet %q after row %d: %w", sd.def.Name, after, err)
	}
	return tx.insertRows(sd, rows, pos, false)
}

// insertRows writes new rows at positions pos; with deferKeys their key
// entries go to the pending key list (see InsertRowsDeferKeys).
func (tx *Tx) insertRows(sd *sheetData, rows []*sheets.Row, pos []uint64, deferKeys bool) error {
	// Index entries are put after the rows, each index in key order: the
	// key index is keyed by values in random order (e-mails), and bbolt
	// inserts into an in-memory node by shifting its tail, so unsorted puts
	// of a large batch into one node cost quadratic time; sorted, each put
	// lands at or near the end of the node the previous one touched.
	recKeys, keyKeys := make([][]byte, 0, len(rows)), make([][]byte, 0, len(rows))
	for i, r := range rows {
		if r == nil {
			return fmt.Errorf("insert rows into sheet %q: row %d is nil", sd.def.Name, i)
		}
		// an id assigned here is above every id the sheet ever had: no
		// lookup for a duplicate
		fresh := r.ID == 0
		if fresh {
			sd.nextRow++
			sd.nextRowDirty = true
			r.ID = sheets.RowID(sd.nextRow)
			tx.assigned = append(tx.assigned, r)
		} else if uint64(r.ID) > sd.nextRow {
			sd.nextRow = uint64(r.ID)
			sd.nextRowDirty = true
		}
		idKey := sd.u64(uint64(r.ID))
		if !fresh && sd.position(r.ID) != nil {
			return fmt.Errorf("insert row %d into sheet %q: %w", r.ID, sd.def.Name, ErrDuplicate)
		}
		posKey := sd.u64(pos[i])
		if err := sd.put(r, posKey); err != nil {
			return fmt.Errorf("insert row %d into sheet %q: %w", r.ID, sd.def.Name, err)
		}
		if err := sd.ids.Put(idKey, posKey); err != nil {
			return fmt.Errorf("insert row %d into sheet %q: %w", r.ID, sd.def.Name, err)
		}
		if r.RecordID != "" {
			recKeys = append(recKeys, sd.recKey(r.RecordID, r.ID))
		}
		if kv := sd.keyValue(r); kv != "" {
			if deferKeys {
				if err := sd.pend(r.ID, kv); err != nil {
					return fmt.Errorf("insert row %d into sheet %q: %w", r.ID, sd.def.Name, err)
				}
			} else {
				keyKeys = append(keyKeys, sd.keyKey(kv, r.ID))
			}
		}
		sd.count++
		sd.countDirty = true
	}
	for _, idx := range []struct {
		b    *bolt.Bucket
		keys [][]byte
	}{{sd.rec, recKeys}, {sd.key, keyKeys}} {
		slices.SortFunc(idx.keys, bytes.Compare)
		packIfAppending(idx.b, idx.keys)
		for _, k := range idx.keys {
			if err := idx.b.Put(k, nil); err != nil {
				return fmt.Errorf("insert rows into sheet %q: index: %w", sd.def.Name, err)
			}
		}
	}
	return sd.flush()
}

// packIfAppending fills the bucket's pages to the brim at this commit when
// sorted keys all go after its last key: entries appended in key order
// (record ids of a pull, keys indexed in one go) are never inserted
// between, so the default half-full split of bbolt would only leave every
// page half empty. Random inserts keep the default, which leaves them room.
func packIfAppending(b *bolt.Bucket, sorted [][]byte) {
	if len(sorted) == 0 {
		return
	}
	if last, _ := b.Cursor().Last(); last == nil || bytes.Compare(sorted[0], last) > 0 {
		b.FillPercent = 1.0
	}
}

// put writes a row's encoding at a position. Its id and index entries are
// the caller's business (see insert and replace).
func (sd *sheetData) put(r *sheets.Row, posKey []byte) error {
	if cap(sd.arena)-len(sd.arena) < 4096 {
		sd.arena = make([]byte, 0, 256<<10) // rows are written in bulk
	}
	buf := sd.arena[len(sd.arena):]
	enc, err := encodeRow(buf, r, sd.cols)
	if err != nil {
		return err
	}
	if len(enc) <= cap(buf) { // encoded in place, inside the arena's free space
		sd.arena = sd.arena[:len(sd.arena)+len(enc)]
		enc = enc[:len(enc):len(enc)]
	}
	return sd.rows.Put(posKey, enc)
}

// indexRecord adds a row's record-id index entry, if it has a record id.
func (sd *sheetData) indexRecord(r *sheets.Row) error {
	if r.RecordID == "" {
		return nil
	}
	return sd.rec.Put(sd.recKey(r.RecordID, r.ID), nil)
}

// indexKey adds a row's key index entry, if its key cell is not blank.
func (sd *sheetData) indexKey(r *sheets.Row) error {
	if kv := sd.keyValue(r); kv != "" {
		return sd.key.Put(sd.keyKey(kv, r.ID), nil)
	}
	return nil
}

// unindex removes a stored row's record-id and key index entries.
func (sd *sheetData) unindex(old *sheets.Row) error {
	if old.RecordID != "" {
		if err := sd.rec.Delete(sd.recKey(old.RecordID, old.ID)); err != nil {
			return err
		}
	}
	if kv := sd.keyValue(old); kv != "" {
		if err := sd.key.Delete(sd.keyKey(kv, old.ID)); err != nil {
			return err
		}
		return sd.unpend(old.ID)
	}
	return nil
}

// stored reads a row and its position key by id.
func (sd *sheetData) stored(id sheets.RowID) (*sheets.Row, []byte, error) {
	p := sd.position(id)
	if p == nil {
		return nil, nil, fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, ErrNotFound)
	}
	v := sd.encoded(p)
	if v == nil {
		return nil, nil, fmt.Errorf("%w: row %d of sheet %q indexed but missing", ErrCorrupt, id, sd.def.Name)
	}
	r, err := decodeRow(v, sd.cols)
	if err != nil {
		return nil, nil, fmt.Errorf("row %d of sheet %q: %w", id, sd.def.Name, err)
	}
	return r, sd.keep(p), nil
}

// UpdateRows is Store.UpdateRows inside a transaction.
func (tx *Tx) UpdateRows(sheetID string, rows []*sheets.Row) error {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return fmt.Errorf("update rows: %w", err)
	}
	for _, r := range rows {
		if r == nil || r.ID == 0 {
			return fmt.Errorf("update rows of sheet %q: a row has no id", sd.def.Name)
		}
		if err := sd.replace(r); err != nil {
			return fmt.Errorf("update rows: %w", err)
		}
	}
	return sd.flush()
}

func (sd *sheetData) replace(r *sheets.Row) error {
	pos := sd.position(r.ID)
	if pos == nil {
		return fmt.Errorf("row %d of sheet %q: %w", r.ID, sd.def.Name, ErrNotFound)
	}
	pos = sd.keep(pos)
	old := sd.encoded(pos)
	if old == nil {
		return fmt.Errorf("%w: row %d of sheet %q indexed but missing", ErrCorrupt, r.ID, sd.def.Name)
	}
	keyCol, hasKey := sd.keyColumnIndex()
	oldRec, oldKey, err := indexedFields(old, keyCol, hasKey)
	if err != nil {
		return fmt.Errorf("row %d of sheet %q: %w", r.ID, sd.def.Name, err)
	}
	oldKey = sheets.NormalizeKey(oldKey)
	// Index entries change only when the record id or key value does: most
	// updates (pulls, edits) leave them, and skip two random B-tree writes.
	newRec, newKey := r.RecordID, sd.keyValue(r)
	recChanged := recPrefixString(oldRec) != recPrefixString(newRec)
	keyChanged := oldKey != newKey
	if recChanged && oldRec != "" {
		if err := sd.rec.Delete(sd.recKey(oldRec, r.ID)); err != nil {
			return err
		}
	}
	if keyChanged && oldKey != "" {
		// the old entry is in the index or, after a bulk load not yet
		// indexed, in the pending list
		if err := sd.key.Delete(sd.keyKey(oldKey, r.ID)); err != nil {
			return err
		}
		if err := sd.unpend(r.ID); err != nil {
			return err
		}
	}
	if err := sd.put(r, pos); err != nil {
		return fmt.Errorf("row %d of sheet %q: %w", r.ID, sd.def.Name, err)
	}
	if recChanged {
		if err := sd.indexRecord(r); err != nil {
			return fmt.Errorf("row %d of sheet %q: %w", r.ID, sd.def.Name, err)
		}
	}
	if keyChanged {
		if err := sd.indexKey(r); err != nil {
			return fmt.Errorf("row %d of sheet %q: %w", r.ID, sd.def.Name, err)
		}
	}
	return nil
}

// keyColumnIndex is the interned index of the key column, when the sheet
// has one and some row ever had a cell in it.
func (sd *sheetData) keyColumnIndex() (uint64, bool) {
	if sd.def.KeyColumn == "" {
		return 0, false
	}
	i, ok := sd.cols.index[sd.def.KeyColumn]
	return i, ok
}

func recPrefixString(id string) string {
	if len(id) > 15 {
		return id[:15]
	}
	return id
}

// DeleteRows is Store.DeleteRows inside a transaction.
func (tx *Tx) DeleteRows(sheetID string, ids []sheets.RowID) error {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return fmt.Errorf("delete rows: %w", err)
	}
	for _, id := range ids {
		old, pos, err := sd.stored(id)
		if err != nil {
			return fmt.Errorf("delete rows: %w", err)
		}
		if err := sd.unindex(old); err != nil {
			return fmt.Errorf("delete row %d of sheet %q: %w", id, sd.def.Name, err)
		}
		if err := sd.rows.Delete(pos); err != nil {
			return fmt.Errorf("delete row %d of sheet %q: %w", id, sd.def.Name, err)
		}
		if err := sd.ids.Delete(sd.u64(uint64(id))); err != nil {
			return fmt.Errorf("delete row %d of sheet %q: %w", id, sd.def.Name, err)
		}
		sd.count--
		sd.countDirty = true
	}
	return sd.flush()
}
