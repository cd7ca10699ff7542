package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"iter"

	"crmsheets/sheets"
)

// RowSummary is what a scan choosing rows needs to know of each row,
// without the row: a push looks at every row of a sheet to find the few it
// must send, and decoding each one (maps of cells and base) to learn four
// facts cost most of that scan.
type RowSummary struct {
	ID       sheets.RowID
	State    sheets.State
	RecordID string
	// HasCells is whether some cell is non-blank (len(row.Cells) > 0).
	HasCells bool
	// Changed is whether some cell differs from its base value
	// (len(row.Changed()) > 0); a row never synced (nil base) is changed
	// when it has a cell.
	Changed bool
}

func summaryOf(r *sheets.Row) RowSummary {
	return RowSummary{ID: r.ID, State: r.State, RecordID: r.RecordID, HasCells: len(r.Cells) > 0, Changed: len(r.Changed()) > 0}
}

// RowSummaries yields a summary of each of a sheet's rows in order, as Rows
// yields the rows (batches in short read transactions, so the loop body may
// write). A row in the current encoding is summarized from its bytes: it
// allocates nothing but the record id, as the base is stored as its
// difference from the cells and that difference tells whether the row
// changed. Older rows are decoded. A row that does not decode fails the
// iteration as in Rows.
func (s *Store) RowSummaries(sheetID string) iter.Seq2[RowSummary, error] {
	return scanRows(s, sheetID, summarize, func(r RowSummary) sheets.RowID { return r.ID })
}

// summarize reads a row's summary from its encoding. Any bytes the fast
// path cannot read are decoded in full, so that a damaged row fails with
// decodeRow's error and an accepted row gets the summary of what decodeRow
// returns, exactly.
func summarize(v []byte, cols *columnTable) (RowSummary, error) {
	if sum, ok := summarizeV2(v, cols); ok {
		return sum, nil
	}
	r, err := decodeRow(v, cols)
	if err != nil {
		return RowSummary{}, err
	}
	return summaryOf(r), nil
}

// summarizeV2 summarizes a row of format 2 (see appendBase) without
// allocating maps. ok is false for another format, bytes that do not
// decode, and rows with candidates (rare; their JSON is checked by
// decoding).
//
// decodeRow builds the base as: a copy of the cells, each diff pair set,
// each deleted column removed. So, column by column (c its non-blank cell,
// if any; later duplicates win, as in the maps decodeRow fills):
//   - a deleted column is changed when it has a cell (its base is blank);
//   - else a column with a diff pair is changed when the pair's value is
//     not the cell's (a blank value for a column without a cell is no
//     change: both are blank);
//   - else the base is the cell: unchanged.
func summarizeV2(v []byte, cols *columnTable) (sum RowSummary, ok bool) {
	if len(v) == 0 || v[0] != rowFormat {
		return sum, false
	}
	r := byteReader{b: v[1:], ok: true, cols: uint64(len(cols.ids))}
	sum.ID = sheets.RowID(r.uvarint())
	sum.State = sheets.State(r.byte())
	rec := r.str()
	r.skipTime()
	r.skipTime()
	r.str() // error
	cells, cellsN, nonBlank := r.pairs()
	sum.HasCells = nonBlank
	switch r.byte() {
	case 0: // never synced: every cell is a change
		sum.Changed = sum.HasCells
	case 1:
		diffs, diffsN, _ := r.pairs()
		dels, delsN := r.columns()
		if r.ok {
			sum.Changed = baseChanged(cells, cellsN, diffs, diffsN, dels, delsN)
		}
	default:
		return sum, false
	}
	for range r.uvarint() { // conflicts
		r.column()
		r.str()
		r.str()
		r.skipTime()
		if !r.ok {
			break
		}
	}
	if len(r.str()) > 0 || !r.ok || len(r.b) != 0 {
		return sum, false
	}
	if len(rec) > 0 {
		sum.RecordID = string(rec)
	}
	return sum, true
}

// baseChanged tells from the encoded cells, diff pairs and deleted columns
// of a row (already checked to decode) whether its base differs from its
// cells. It walks them again for each column it looks up: a synced row has
// no diff, and an edited one's first diff or deletion answers.
func baseChanged(cells []byte, cellsN uint64, diffs []byte, diffsN uint64, dels []byte, delsN uint64) bool {
	cellOf := func(col uint64) (val []byte, ok bool) {
		r := byteReader{b: cells, ok: true, cols: ^uint64(0)}
		for range cellsN {
			c, v := r.column(), r.str()
			if c == col && len(v) > 0 {
				val, ok = v, true
			}
		}
		return val, ok
	}
	deleted := func(col uint64) bool {
		r := byteReader{b: dels, ok: true, cols: ^uint64(0)}
		for range delsN {
			if r.column() == col {
				return true
			}
		}
		return false
	}
	r := byteReader{b: dels, ok: true, cols: ^uint64(0)}
	for range delsN {
		if _, ok := cellOf(r.column()); ok {
			return true
		}
	}
	r = byteReader{b: diffs, ok: true, cols: ^uint64(0)}
	for i := range diffsN {
		col, v := r.column(), r.str()
		if deleted(col) || overridden(r, diffsN-i-1, col) {
			continue
		}
		c, _ := cellOf(col)
		if !bytes.Equal(c, v) {
			return true
		}
	}
	return false
}

// overridden reports whether one of the n pairs left in r sets col again.
func overridden(r byteReader, n uint64, col uint64) bool {
	for range n {
		c := r.column()
		r.str()
		if c == col {
			return true
		}
	}
	return false
}

// byteReader reads the parts of an encoded row in place. Reading past the
// end or a column index outside the table (cols entries) clears ok and
// yields zero values from then on.
type byteReader struct {
	b    []byte
	ok   bool
	cols uint64
}

func (r *byteReader) byte() byte {
	if !r.ok || len(r.b) == 0 {
		r.ok = false
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *byteReader) uvarint() uint64 {
	if !r.ok {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.ok = false
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *byteReader) str() []byte {
	n := r.uvarint()
	if !r.ok || n > uint64(len(r.b)) {
		r.ok = false
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *byteReader) column() uint64 {
	c := r.uvarint()
	if c >= r.cols {
		r.ok = false
	}
	return c
}

func (r *byteReader) skipTime() {
	if r.byte() != 0 {
		r.uvarint()
	}
}

// pairs reads a count then that many (column, value) pairs, returning the
// bytes they span, the count and whether some value is non-blank.
func (r *byteReader) pairs() (span []byte, n uint64, nonBlank bool) {
	n = r.uvarint()
	start := r.b
	for range n {
		r.column()
		if len(r.str()) > 0 {
			nonBlank = true
		}
		if !r.ok {
			return nil, 0, false
		}
	}
	return start[:len(start)-len(r.b)], n, nonBlank
}

// columns reads a count then that many column indexes, returning the bytes
// they span and the count.
func (r *byteReader) columns() ([]byte, uint64) {
	n := r.uvarint()
	start := r.b
	for range n {
		r.column()
		if !r.ok {
			return nil, 0
		}
	}
	return start[:len(start)-len(r.b)], n
}

// scanRows yields what read makes of each of a sheet's rows in order (its
// id must be the row's), in batches of rowBatch rows, each in its own short
// read transaction: it never holds the sheet in memory nor blocks writers
// for long, and the loop body may write to the store. Each batch continues
// after the current place of the last row yielded, so rows a writer
// inserts, updates or deletes during the iteration are seen if they lie
// after it, and no row is repeated or skipped by a renumbering of
// positions. On error it yields (zero, err) once and stops.
func scanRows[T any](s *Store, sheetID string, read func(v []byte, cols *columnTable) (T, error), id func(T) sheets.RowID) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var (
			after  []byte       // position key of the last row yielded
			lastID sheets.RowID // and its id
			zero   T
		)
		batch := make([]T, 0, rowBatch)
		for {
			batch = batch[:0]
			err := s.view(func(tx *Tx) error {
				sd, err := tx.sheet(sheetID)
				if err != nil {
					return err
				}
				c := sd.rows.Cursor()
				var k, v []byte
				switch {
				case after == nil:
					k, v = c.First()
				default:
					// where the last row is now; where it was if deleted
					from := after
					if p := sd.ids.Get(sd.u64(uint64(lastID))); p != nil {
						from = p
					}
					if k, v = c.Seek(from); k != nil && bytes.Equal(k, from) {
						k, v = c.Next()
					}
				}
				for ; k != nil && len(batch) < rowBatch; k, v = c.Next() {
					r, err := read(v, sd.cols)
					if err != nil {
						return fmt.Errorf("sheet %q: %w", sd.def.Name, err)
					}
					batch = append(batch, r)
					after = append(after[:0], k...)
					lastID = id(r)
				}
				return nil
			})
			if err != nil {
				yield(zero, fmt.Errorf("read rows: %w", err))
				return
			}
			for _, r := range batch {
				if !yield(r, nil) {
					return
				}
			}
			if len(batch) < rowBatch {
				return
			}
		}
	}
}
