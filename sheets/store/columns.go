package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"crmsheets/sheets"
)

// AddColumn appends a column to a sheet, giving it a fresh id when it has
// none (text type when untyped), and returns it as stored. Existing rows
// have blank cells in it. A name already used in the sheet fails with
// ErrDuplicate.
func (s *Store) AddColumn(sheetID string, c sheets.Column) (sheets.Column, error) {
	var out sheets.Column
	err := s.update(func(tx *Tx) error {
		sh, err := tx.loadSheet(sheetID)
		if err != nil {
			return err
		}
		if err := nameFree(sh, "", c.Name); err != nil {
			return err
		}
		out = sh.AddColumn(c)
		return tx.saveSheet(sh, "")
	})
	if err != nil {
		return sheets.Column{}, fmt.Errorf("add column %q: %w", c.Name, err)
	}
	return out, nil
}

// nameFree fails with ErrDuplicate when a column other than id is named name.
func nameFree(sh *sheets.Sheet, id, name string) error {
	for _, c := range sh.Columns {
		if c.ID != id && strings.EqualFold(strings.TrimSpace(c.Name), strings.TrimSpace(name)) {
			return fmt.Errorf("sheet %q has a column named %q: %w", sh.Name, c.Name, ErrDuplicate)
		}
	}
	return nil
}

// RenameColumn renames a column; cells are keyed by the column's id and are
// untouched. A name already used in the sheet fails with ErrDuplicate.
func (s *Store) RenameColumn(sheetID, colID, name string) error {
	err := s.update(func(tx *Tx) error {
		sh, i, err := tx.sheetColumn(sheetID, colID)
		if err != nil {
			return err
		}
		if err := nameFree(sh, colID, name); err != nil {
			return err
		}
		sh.Columns[i].Name = name
		return tx.saveSheet(sh, "")
	})
	if err != nil {
		return fmt.Errorf("rename column %q to %q: %w", colID, name, err)
	}
	return nil
}

func (tx *Tx) sheetColumn(sheetID, colID string) (*sheets.Sheet, int, error) {
	sh, err := tx.loadSheet(sheetID)
	if err != nil {
		return nil, 0, err
	}
	i := sh.ColumnIndex(colID)
	if i < 0 {
		return nil, 0, fmt.Errorf("column %q of sheet %q: %w", colID, sh.Name, ErrNotFound)
	}
	return sh, i, nil
}

// RetypeColumn changes a column's type and choices, re-parsing every cell
// (and sync base value) of it with the new type in one transaction. When a
// cell does not parse, nothing changes and the error is a *RetypeError
// listing the first failing cells with their row numbers.
func (s *Store) RetypeColumn(sheetID, colID string, t sheets.Type, choices []string) error {
	if !t.Valid() {
		return fmt.Errorf("retype column %q: unknown type %q", colID, t)
	}
	err := s.update(func(tx *Tx) error {
		sh, i, err := tx.sheetColumn(sheetID, colID)
		if err != nil {
			return err
		}
		sd, err := tx.sheet(sheetID)
		if err != nil {
			return err
		}
		retypeErr := &RetypeError{Sheet: sh.Name, Column: sh.Columns[i].Name, Type: t}
		var changed []*sheets.Row
		n := 0
		c := sd.rows.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			n++
			r, err := decodeRow(v, sd.cols)
			if err != nil {
				return err
			}
			old, ok := r.Cells[colID]
			if !ok && r.Base[colID] == "" {
				continue
			}
			nv, err := sheets.Parse(t, old, choices)
			if err != nil {
				if len(retypeErr.Cells) == MaxRetypeErrors {
					retypeErr.More = true
					break
				}
				var ve *sheets.ValueError
				if errors.As(err, &ve) {
					err = ve.At(n, sh.Columns[i].Name)
				}
				retypeErr.Cells = append(retypeErr.Cells, CellError{Row: n, RowID: r.ID, Value: old, Err: err})
				continue
			}
			dirty := nv != old
			if ok {
				r.Cells[colID] = nv
			}
			if b, has := r.Base[colID]; has {
				// The base takes the new spelling too, so a retype alone never
				// makes a row look modified; a base that does not parse stays.
				if nb, err := sheets.Parse(t, b, choices); err == nil && nb != b {
					r.Base[colID] = nb
					dirty = true
				}
			}
			if dirty && len(retypeErr.Cells) == 0 {
				changed = append(changed, r)
			}
		}
		if len(retypeErr.Cells) > 0 {
			return retypeErr
		}
		for _, r := range changed {
			if err := sd.replace(r); err != nil {
				return err
			}
		}
		if err := sd.flush(); err != nil {
			return err
		}
		sh.Columns[i].Type = t
		sh.Columns[i].Choices = slices.Clone(choices)
		return tx.saveSheet(sh, "")
	})
	if err != nil {
		return fmt.Errorf("retype column %q: %w", colID, err)
	}
	return nil
}

// RemoveColumn removes a column and its cells, sync bases, conflicts and
// candidates from every row, in one transaction. Removing the key column
// leaves the sheet without one. The column id is never reused.
func (s *Store) RemoveColumn(sheetID, colID string) error {
	err := s.update(func(tx *Tx) error {
		sh, i, err := tx.sheetColumn(sheetID, colID)
		if err != nil {
			return err
		}
		sd, err := tx.sheet(sheetID)
		if err != nil {
			return err
		}
		var changed []*sheets.Row
		c := sd.rows.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			r, err := decodeRow(v, sd.cols)
			if err != nil {
				return err
			}
			_, a := r.Cells[colID]
			_, b := r.Base[colID]
			_, cf := r.Conflicts[colID]
			_, cd := r.Candidates[colID]
			if a || b || cf || cd {
				delete(r.Cells, colID)
				delete(r.Base, colID)
				delete(r.Conflicts, colID)
				delete(r.Candidates, colID)
				changed = append(changed, r)
			}
		}
		for _, r := range changed {
			if err := sd.replace(r); err != nil {
				return err
			}
		}
		if err := sd.flush(); err != nil {
			return err
		}
		sh.Columns = slices.Delete(sh.Columns, i, i+1)
		if sh.KeyColumn == colID {
			sh.KeyColumn = ""
		}
		return tx.saveSheet(sh, "")
	})
	if err != nil {
		return fmt.Errorf("remove column %q: %w", colID, err)
	}
	return nil
}
