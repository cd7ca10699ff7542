package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"iter"
	"slices"

	"crmsheets/sheets"
)

// rowBatch is how many rows Rows reads per read transaction: large enough to
// amortize opening a transaction, small enough to hold little memory and
// never block a writer's remapping for long.
const rowBatch = 1024

// Row returns one row by id (ErrNotFound when missing).
func (s *Store) Row(sheetID string, id sheets.RowID) (*sheets.Row, error) {
	var r *sheets.Row
	err := s.view(func(tx *Tx) (err error) {
		r, err = tx.Row(sheetID, id)
		return err
	})
	return r, err
}

// Row is Store.Row inside a transaction.
func (tx *Tx) Row(sheetID string, id sheets.RowID) (*sheets.Row, error) {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return nil, fmt.Errorf("read row %d: %w", id, err)
	}
	r, _, err := sd.stored(id)
	if err != nil {
		return nil, fmt.Errorf("read row: %w", err)
	}
	return r, nil
}

// RowsByID returns the rows with the given ids in the order asked, in one
// read transaction (the grid fetches the visible rows with it). A missing id
// fails the call with ErrNotFound.
func (s *Store) RowsByID(sheetID string, ids []sheets.RowID) ([]*sheets.Row, error) {
	var out []*sheets.Row
	err := s.view(func(tx *Tx) (err error) {
		out, err = tx.RowsByID(sheetID, ids)
		return err
	})
	return out, err
}

// RowsByID is Store.RowsByID inside a transaction.
func (tx *Tx) RowsByID(sheetID string, ids []sheets.RowID) ([]*sheets.Row, error) {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return nil, fmt.Errorf("read rows: %w", err)
	}
	out := make([]*sheets.Row, 0, len(ids))
	for _, id := range ids {
		r, _, err := sd.stored(id)
		if err != nil {
			return nil, fmt.Errorf("read rows: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// RowByRecordID returns the row holding a Salesforce record id, given in its
// 15- or 18-character form (the first 15 characters are compared,
// case-sensitively). When several rows hold the id, the oldest row wins.
// ErrNotFound when none does.
func (s *Store) RowByRecordID(sheetID, recordID string) (*sheets.Row, error) {
	var r *sheets.Row
	err := s.view(func(tx *Tx) (err error) {
		r, err = tx.RowByRecordID(sheetID, recordID)
		return err
	})
	return r, err
}

// RowByRecordID is Store.RowByRecordID inside a transaction.
func (tx *Tx) RowByRecordID(sheetID, recordID string) (*sheets.Row, error) {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return nil, fmt.Errorf("find record %s: %w", recordID, err)
	}
	if recordID != "" {
		p := recPrefix(recordID)
		if k, _ := sd.rec.Cursor().Seek(p); k != nil && len(k) == len(p)+8 && bytes.HasPrefix(k, p) {
			r, _, err := sd.stored(sheets.RowID(binary.BigEndian.Uint64(k[len(p):])))
			if err != nil {
				return nil, fmt.Errorf("find record %s: %w", recordID, err)
			}
			return r, nil
		}
	}
	return nil, fmt.Errorf("record %s in sheet %q: %w", recordID, sd.def.Name, ErrNotFound)
}

// RowsByKey returns the rows whose key-column value matches value once both
// are normalized with sheets.NormalizeKey, oldest row first. A blank value,
// or a sheet without a key column, matches nothing (an empty result, not an
// error).
func (s *Store) RowsByKey(sheetID, value string) ([]*sheets.Row, error) {
	var out []*sheets.Row
	err := s.view(func(tx *Tx) (err error) {
		out, err = tx.RowsByKey(sheetID, value)
		return err
	})
	return out, err
}

// RowsByKey is Store.RowsByKey inside a transaction.
func (tx *Tx) RowsByKey(sheetID, value string) ([]*sheets.Row, error) {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return nil, fmt.Errorf("find key %q: %w", value, err)
	}
	norm := sheets.NormalizeKey(value)
	if norm == "" || sd.def.KeyColumn == "" {
		return nil, nil
	}
	p := keyPrefix(norm)
	var ids []sheets.RowID
	c := sd.key.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		if len(k) == len(p)+8 {
			ids = append(ids, sheets.RowID(binary.BigEndian.Uint64(k[len(p):])))
		}
	}
	if pend := sd.pendingIDs(norm); len(pend) > 0 {
		ids = append(ids, pend...)
		slices.Sort(ids) // oldest row first, as the index orders them
		// once: an entry is both pending and indexed while
		// Store.IndexPendingKeys works through the list
		ids = slices.Compact(ids)
	}
	out := make([]*sheets.Row, 0, len(ids))
	for _, id := range ids {
		r, _, err := sd.stored(id)
		if err != nil {
			return nil, fmt.Errorf("find key %q: %w", value, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// RowIDs returns every row id in sheet order. It decodes only the ids, so it
// is cheap enough for the grid to call on a 100k-row sheet.
func (s *Store) RowIDs(sheetID string) ([]sheets.RowID, error) {
	var out []sheets.RowID
	err := s.view(func(tx *Tx) (err error) {
		out, err = tx.RowIDs(sheetID)
		return err
	})
	return out, err
}

// RowIDs is Store.RowIDs inside a transaction.
func (tx *Tx) RowIDs(sheetID string) ([]sheets.RowID, error) {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return nil, fmt.Errorf("list row ids: %w", err)
	}
	out := make([]sheets.RowID, 0, sd.count)
	c := sd.rows.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		id, err := decodeRowID(v)
		if err != nil {
			return nil, fmt.Errorf("list row ids of sheet %q: %w", sd.def.Name, err)
		}
		out = append(out, id)
	}
	return out, nil
}

// RowCount returns the number of rows of a sheet, from a counter (O(1)).
func (s *Store) RowCount(sheetID string) (int, error) {
	var n int
	err := s.view(func(tx *Tx) (err error) {
		n, err = tx.RowCount(sheetID)
		return err
	})
	return n, err
}

// RowCount is Store.RowCount inside a transaction.
func (tx *Tx) RowCount(sheetID string) (int, error) {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return 0, fmt.Errorf("count rows: %w", err)
	}
	return int(sd.count), nil
}

// Rows iterates over a sheet's rows in order. It reads them in batches, each
// in its own short read transaction, so it never holds all rows in memory
// and never blocks writers for long, and the loop body may write to the
// store. Each batch continues after the current place of the last row
// yielded, so rows a writer inserts, updates or deletes during the
// iteration are seen if they lie after it, and no row is repeated or
// skipped by a renumbering of positions. Each yielded row belongs to the
// caller. On error it yields (nil, err) once and stops.
func (s *Store) Rows(sheetID string) iter.Seq2[*sheets.Row, error] {
	return scanRows(s, sheetID, decodeRow, func(r *sheets.Row) sheets.RowID { return r.ID })
}

// Rows iterates over a sheet's rows in order inside the transaction (for
// Batch callers that must read and write consistently). Unlike Store.Rows it
// holds the transaction open for the whole iteration; rows must not be
// written while iterating.
func (tx *Tx) Rows(sheetID string) iter.Seq2[*sheets.Row, error] {
	return func(yield func(*sheets.Row, error) bool) {
		sd, err := tx.sheet(sheetID)
		if err != nil {
			yield(nil, fmt.Errorf("read rows: %w", err))
			return
		}
		c := sd.rows.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			r, err := decodeRow(v, sd.cols)
			if err != nil {
				yield(nil, fmt.Errorf("read rows of sheet %q: %w", sd.def.Name, err))
				return
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}
