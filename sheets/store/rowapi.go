package store

import (
	"errors"
	"fmt"
	"time"

	"crmsheets/sheets"
)

// InsertRows appends rows at the end of a sheet, in order, in one
// transaction, giving a fresh id to every row whose ID is 0 (the caller's
// rows are updated; reset to 0 if the call fails). A non-zero ID already in
// use fails the whole call with ErrDuplicate.
func (s *Store) InsertRows(sheetID string, rows []*sheets.Row) error {
	return s.update(func(tx *Tx) error { return tx.InsertRows(sheetID, rows) })
}

// InsertRowsAt inserts rows, in order, right after the row with id after
// (0: at the top), in one transaction. Ids are assigned as in InsertRows.
func (s *Store) InsertRowsAt(sheetID string, after sheets.RowID, rows []*sheets.Row) error {
	return s.update(func(tx *Tx) error { return tx.InsertRowsAt(sheetID, after, rows) })
}

// UpdateRows replaces whole rows by id in one transaction, keeping their
// positions and maintaining the record-id and key indexes. A missing row
// fails the call with ErrNotFound and nothing is written.
func (s *Store) UpdateRows(sheetID string, rows []*sheets.Row) error {
	return s.update(func(tx *Tx) error { return tx.UpdateRows(sheetID, rows) })
}

// DeleteRows removes rows by id in one transaction. A missing row fails the
// call with ErrNotFound and nothing is deleted.
func (s *Store) DeleteRows(sheetID string, ids []sheets.RowID) error {
	return s.update(func(tx *Tx) error { return tx.DeleteRows(sheetID, ids) })
}

// EditCell is a user's edit of one cell: input is parsed with the column's
// type and choices (a *sheets.ValueError naming the row number and column
// when it does not parse), written with sheets.Row.Set (edit time and state
// follow) and saved. It returns the row as saved. Read-only columns refuse
// edits with ErrReadOnlyColumn.
func (s *Store) EditCell(sheetID string, id sheets.RowID, colID, input string, now time.Time) (*sheets.Row, error) {
	var r *sheets.Row
	err := s.update(func(tx *Tx) (err error) {
		r, err = tx.EditCell(sheetID, id, colID, input, now)
		return err
	})
	return r, err
}

// EditCell is Store.EditCell inside a transaction.
func (tx *Tx) EditCell(sheetID string, id sheets.RowID, colID, input string, now time.Time) (*sheets.Row, error) {
	sd, err := tx.sheet(sheetID)
	if err != nil {
		return nil, fmt.Errorf("edit cell: %w", err)
	}
	col, ok := sd.def.Column(colID)
	if !ok {
		return nil, fmt.Errorf("edit cell: column %q of sheet %q: %w", colID, sd.def.Name, ErrNotFound)
	}
	if col.ReadOnly {
		return nil, fmt.Errorf("edit column %q of sheet %q: %w", col.Name, sd.def.Name, ErrReadOnlyColumn)
	}
	r, pos, err := sd.stored(id)
	if err != nil {
		return nil, fmt.Errorf("edit cell: %w", err)
	}
	v, err := sheets.ParseCell(col, input)
	if err != nil {
		var ve *sheets.ValueError
		if errors.As(err, &ve) {
			return nil, ve.At(sd.rowNumber(pos), col.Name)
		}
		return nil, fmt.Errorf("edit column %q: %w", col.Name, err)
	}
	if !r.Set(colID, v, now) {
		return r, nil
	}
	if err := sd.replace(r); err != nil {
		return nil, fmt.Errorf("edit cell: %w", err)
	}
	if err := sd.flush(); err != nil {
		return nil, fmt.Errorf("edit cell: %w", err)
	}
	return r, nil
}
