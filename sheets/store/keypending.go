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
//
// The entries are sorted once, then written indexPendingChunk at a time,
// one transaction each, so the memory a 300k-row load needs is its sorted
// keys, not every index page dirty in one transaction (three times as
// much). Between those transactions an entry may be both indexed and
// pending: lookups and the check count it once. The list's sequence
// counts its edits: when a transaction finds it moved since the sort, it
// writes an entry only while the list still holds it (a row re-keyed or
// deleted meanwhile drops its entry), and the last one indexes whatever
// the list gained, then drops the list.
func (s *Store) IndexPendingKeys(sheetID string) error {
	var arena []byte
	var spans []keySpan
	var seq uint64 // the list's edits so far (pend and unpend count them)
	if err := s.view(func(tx *Tx) error {
		sd, err := tx.sheet(sheetID)
		if err != nil || sd.pending == nil {
			return err
		}
		seq = sd.pending.Sequence()
		// Sized in a first pass: grown by appending, the keys of a 300k-row
		// load would be copied over and over and held twice at the end.
		n, size := 0, 0
		_ = sd.pending.ForEach(func(k, v []byte) error {
			n++
			size += uvarintLen(len(v)) + len(v) + len(k)
			return nil
		})
		spans, arena = make([]keySpan, 0, n), make([]byte, 0, size)
		return sd.pending.ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return fmt.Errorf("%w: pending key entry %x", ErrCorrupt, k)
			}
			start := len(arena)
			arena = binary.AppendUvarint(arena, uint64(len(v)))
			arena = append(arena, v...)
			arena = append(arena, k...)
			spans = append(spans, keySpan{uint32(start), uint32(len(arena))})
			return nil
		})
	}); err != nil {
		return fmt.Errorf("index pending keys: %w", err)
	}
	if spans == nil {
		return nil
	}
	key := func(sp keySpan) []byte { return arena[sp.from:sp.to:sp.to] }
	slices.SortFunc(spans, func(a, b keySpan) int { return bytes.Compare(key(a), key(b)) })
	chunk := make([][]byte, 0, min(len(spans), indexPendingChunk))
	for start := 0; start < len(spans); start += indexPendingChunk {
		end := min(start+indexPendingChunk, len(spans))
		chunk = chunk[:0]
		for _, sp := range spans[start:end] {
			chunk = append(chunk, key(sp))
		}
		last := end == len(spans)
		err := s.update(func(tx *Tx) error {
			sd, err := tx.sheet(sheetID)
			if err != nil || sd.pending == nil {
				return err // indexed meanwhile (the sheet's runs are one at a time)
			}
			edited := sd.pending.Sequence() != seq // since the sort
			packIfAppending(sd.key, chunk)
			for _, k := range chunk {
				id, norm := k[len(k)-8:], k[:len(k)-8]
				if _, n := binary.Uvarint(norm); edited && (n <= 0 || !bytes.Equal(sd.pending.Get(id), norm[n:])) {
					continue // re-keyed or deleted since
				}
				if err := sd.key.Put(k, nil); err != nil {
					return err
				}
			}
			if !last {
				return nil
			}
			if edited {
				return sd.indexPending() // what the list gained since, then drop it
			}
			return sd.dropPending()
		})
		if err != nil {
			return fmt.Errorf("index pending keys of sheet %s: %w", sheetID, err)
		}
		if !last && afterIndexChunk != nil {
			afterIndexChunk()
		}
	}
	return nil
}

// keySpan is one key-index entry, arena[from:to], while IndexPendingKeys
// sorts them (two offsets cost 8 bytes an entry, a slice header 24).
type keySpan struct{ from, to uint32 }

// indexPendingChunk is how many pending key entries one transaction of
// Store.IndexPendingKeys writes. Variables for tests: afterIndexChunk, when
// set, runs between its transactions.
var (
	indexPendingChunk = 25_000
	afterIndexChunk   func()
)

// indexPending writes the pending entries the key index lacks, sorted,
// and drops the list.
func (sd *sheetData) indexPending() error {
	if sd.pending == nil {
		return nil
	}
	var keys [][]byte
	if err := sd.pending.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return fmt.Errorf("%w: pending key entry %x", ErrCorrupt, k)
		}
		if kk := sd.keyKey(string(v), sheets.RowID(binary.BigEndian.Uint64(k))); sd.key.Get(kk) == nil {
			keys = append(keys, kk)
		}
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
	if _, err := sd.pending.NextSequence(); err != nil { // see IndexPendingKeys
		return err
	}
	return sd.pending.Put(sd.u64(uint64(id)), v)
}

// unpend removes a row's pending key entry, if it has one.
func (sd *sheetData) unpend(id sheets.RowID) error {
	if sd.pending == nil {
		return nil
	}
	if _, err := sd.pending.NextSequence(); err != nil { // see IndexPendingKeys
		return err
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

// uvarintLen is the length of binary.AppendUvarint's encoding of n.
func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}
