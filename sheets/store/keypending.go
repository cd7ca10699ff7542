package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"crmsheets/sheets"
)

// The pending key list of a sheet: rows inserted by InsertRowsDeferKeys
// whose key-index entries are not written yet, by row id (8 bytes) -> the
// normalized key value. A bulk load appends to it in row order, which
// costs one page per hundred rows, where putting e-mail keys (random
// order) into the key index on every commit of a 300k-row pull rewrote
// most of the index each time: quadratic work, and a file mapped almost
// whole into memory. IndexPendingKeys then writes the entries once, in key
// order. Until then RowsByKey also scans the list, so lookups stay exact,
// and Open drains a list a crash left behind. The bucket exists only while
// it holds entries; files without it are the common case.
var subPending = []byte("keyPending")

// InsertRowsDeferKeys is InsertRows for a bulk load into a sheet: the rows'
// key-index entries go to the sheet's pending key list instead of the
// index, until IndexPendingKeys (in this or a later transaction) writes
// them. Lookups by key see the rows either way.
func (tx *Tx) InsertRowsDeferKeys(sheetID string, rows []*sheets.Row) error {
	return tx.appendRows(sheetID, rows, true)
}

// IndexPendingKeys writes a sheet's pending key entries (see
// InsertRowsDeferKeys) into its key index, sorted, and drops the list. A
// sheet without pending entries costs no write.
func (s *Store) IndexPendingKeys(sheetID string) error {
	pending := false
	if err := s.view(func(tx *Tx) error {
		sd, err := tx.sheet(sheetID)
		pending = err == nil && sd.pending != nil
		return err
	}); err != nil {
		return fmt.Errorf("index pending keys: %w", err)
	}
	if !pending {
		return nil
	}
	return s.update(func(tx *Tx) error { return tx.IndexPendingKeys(sheetID) })
}

// IndexPendingKeys is Store.IndexPendingKeys inside a transaction.
func (tx *Tx) IndexPendingKeys(sheetID string) error {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return fmt.Errorf("index pending keys: %w", err)
	}
	if err := sd.indexPending(); err != nil {
		return fmt.Errorf("index pending keys of sheet %q: %w", sd.def.Name, err)
	}
	return nil
}

func (sd *sheetData) indexPending() error {
	if sd.pending == nil {
		return nil
	}
	keys := make([][]byte, 0, sd.pending.Stats().KeyN)
	if err := sd.pending.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return fmt.Errorf("%w: pending key entry %x", ErrCorrupt, k)
		}
		keys = append(keys, sd.keyKey(string(v), sheets.RowID(binary.BigEndian.Uint64(k))))
		return nil
	}); err != nil {
		return err
	}
	slices.SortFunc(keys, bytes.Compare)
	packIfAppending(sd.key, keys)
	for _, k := range keys {
		if err := sd.key.Put(k, nil); err != nil {
			return err
		}
	}
	return sd.dropPending()
}

// dropPending deletes the pending key list.
func (sd *sheetData) dropPending() error {
	if sd.pending == nil {
		return nil
	}
	if err := sd.data.DeleteBucket(subPending); err != nil {
		return err
	}
	sd.pending = nil
	return nil
}

// pend notes a row's key entry in the pending list, creating it.
func (sd *sheetData) pend(id sheets.RowID, kv string) error {
	if sd.pending == nil {
		b, err := sd.data.CreateBucket(subPending)
		if err != nil {
			return err
		}
		b.FillPercent = 1.0 // appended in row-id order
		sd.pending = b
	}
	v := sd.alloc(len(kv))
	copy(v, kv)
	return sd.pending.Put(sd.u64(uint64(id)), v)
}

// unpend removes a row's pending key entry, if it has one.
func (sd *sheetData) unpend(id sheets.RowID) error {
	if sd.pending == nil {
		return nil
	}
	return sd.pending.Delete(sd.u64(uint64(id)))
}

// pendingIDs returns the rows whose pending key entry is norm.
func (sd *sheetData) pendingIDs(norm string) []sheets.RowID {
	if sd.pending == nil {
		return nil
	}
	var ids []sheets.RowID
	_ = sd.pending.ForEach(func(k, v []byte) error {
		if len(k) == 8 && string(v) == norm {
			ids = append(ids, sheets.RowID(binary.BigEndian.Uint64(k)))
		}
		return nil
	})
	return ids
}

// indexPendingAll drains every sheet's pending key list: what a write
// interrupted between a bulk load and its IndexPendingKeys left behind.
// It writes only when some list exists.
func (s *Store) indexPendingAll() error {
	var ids []string
	if err := s.db.View(func(btx *bolt.Tx) error {
		data := btx.Bucket(bucketData)
		if data == nil {
			return nil
		}
		return data.ForEachBucket(func(k []byte) error {
			if b := data.Bucket(k); b != nil && b.Bucket(subPending) != nil {
				ids = append(ids, string(k))
			}
			return nil
		})
	}); err != nil {
		return translate(err)
	}
	for _, id := range ids {
		if err := s.IndexPendingKeys(id); err != nil {
			return err
		}
	}
	return nil
}
