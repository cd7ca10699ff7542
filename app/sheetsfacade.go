package app

import (
	"errors"
	"fmt"
	"iter"
	"strings"

	"crmsheets/sheets"
	"crmsheets/sheets/store"
)

// Sheets lists the sheets by name.
func (s *Service) Sheets() ([]*sheets.Sheet, error) {
	l, err := s.store.Sheets()
	if err != nil {
		return nil, fmt.Errorf("list sheets: %w", err)
	}
	return l, nil
}

// Sheet returns a sheet's definition. A missing sheet is ErrNotFound.
func (s *Service) Sheet(id string) (*sheets.Sheet, error) {
	sh, err := s.store.Sheet(id)
	if err != nil {
		return nil, fmt.Errorf("sheet %s: %w", id, err)
	}
	return sh, nil
}

// SheetByName finds a sheet by name (case-insensitive) or by id, the way
// the CLI's --sheet flag accepts either.
func (s *Service) SheetByName(name string) (*sheets.Sheet, error) {
	l, err := s.Sheets()
	if err != nil {
		return nil, err
	}
	for _, sh := range l {
		if sh.ID == name {
			return sh, nil
		}
	}
	for _, sh := range l {
		if strings.EqualFold(sh.Name, strings.TrimSpace(name)) {
			return sh, nil
		}
	}
	return nil, fmt.Errorf("sheet %q: %w", name, ErrNotFound)
}

// NewLocalSheet creates an unmapped sheet with the given columns (the XLSX
// import of a new file starts from one).
func (s *Service) NewLocalSheet(sh *sheets.Sheet) (*sheets.Sheet, error) {
	return s.createSheet(sh, "created")
}

func (s *Service) createSheet(sh *sheets.Sheet, note string) (*sheets.Sheet, error) {
	if err := s.store.CreateSheet(sh); err != nil {
		return nil, fmt.Errorf("create sheet %q: %w", sh.Name, err)
	}
	if _, err := s.store.SaveConfigVersion(sh.ID, note, sh); err != nil {
		return nil, fmt.Errorf("save first configuration of %q: %w", sh.Name, err)
	}
	return sh, nil
}

// RenameSheet renames a sheet.
func (s *Service) RenameSheet(id, name string) error {
	if err := s.store.RenameSheet(id, name); err != nil {
		return fmt.Errorf("rename sheet %s: %w", id, err)
	}
	return nil
}

// DeleteSheet deletes a sheet, its rows and the settings kept for it
// (sheetSettingKeys) in one transaction; its runs stay in history.
func (s *Service) DeleteSheet(id string) error {
	err := s.store.Batch(func(tx *store.Tx) error {
		if err := tx.DeleteSheet(id); err != nil {
			return err
		}
		for _, key := range sheetSettingKeys(id) {
			if err := tx.DeleteSetting(key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete sheet %s: %w", id, err)
	}
	s.removeSpoolFiles(id, "") // a killed push's work file
	return nil
}

// sheetSettingKeys are the settings kept for one sheet beside its
// definition: its org binding, the values of a push in flight, the
// relationship candidates chosen, the scheduler's last run and the last
// run seen in History. Deleting
// the sheet deletes them in the same transaction.
func sheetSettingKeys(sheetID string) []string {
	return []string{orgBindingKey(sheetID), inflightKey(sheetID), choicesKey(sheetID), settingLastScheduled(sheetID), historySeenKey(sheetID)}
}

// SaveSheetSettings saves a sheet's definition (columns, mapping, key
// column, filter, sync settings) and records it as a new configuration
// version with the note.
func (s *Service) SaveSheetSettings(sh *sheets.Sheet, note string) error {
	if err := s.store.SaveSheet(sh); err != nil {
		return fmt.Errorf("save settings of %q: %w", sh.Name, err)
	}
	if _, err := s.store.SaveConfigVersion(sh.ID, note, sh); err != nil {
		return fmt.Errorf("version settings of %q: %w", sh.Name, err)
	}
	return nil
}

// AddColumn adds a column to a sheet (existing rows get blank cells).
func (s *Service) AddColumn(sheetID string, c sheets.Column) (sheets.Column, error) {
	c, err := s.store.AddColumn(sheetID, c)
	if err != nil {
		return c, fmt.Errorf("add column %q: %w", c.Name, err)
	}
	return c, nil
}

// RenameColumn renames a column; its mapping and cells are unchanged.
func (s *Service) RenameColumn(sheetID, colID, name string) error {
	if err := s.store.RenameColumn(sheetID, colID, name); err != nil {
		return fmt.Errorf("rename column %s: %w", colID, err)
	}
	return nil
}

// RetypeColumn changes a column's type, failing (changing nothing) when
// some cells do not fit the new type.
func (s *Service) RetypeColumn(sheetID, colID string, t sheets.Type, choices []string) error {
	if err := s.store.RetypeColumn(sheetID, colID, t, choices); err != nil {
		return fmt.Errorf("change type of column %s: %w", colID, err)
	}
	return nil
}

// RemoveColumn removes a column and its cells.
func (s *Service) RemoveColumn(sheetID, colID string) error {
	if err := s.store.RemoveColumn(sheetID, colID); err != nil {
		return fmt.Errorf("remove column %s: %w", colID, err)
	}
	return nil
}

// RowIDs lists a sheet's row ids in order (cheap for 100k rows: the grid
// calls it to size itself).
func (s *Service) RowIDs(sheetID string) ([]sheets.RowID, error) {
	ids, err := s.store.RowIDs(sheetID)
	if err != nil {
		return nil, fmt.Errorf("row ids of %s: %w", sheetID, err)
	}
	return ids, nil
}

// RowCount is the number of rows of a sheet, O(1).
func (s *Service) RowCount(sheetID string) (int, error) {
	n, err := s.store.RowCount(sheetID)
	if err != nil {
		return 0, fmt.Errorf("row count of %s: %w", sheetID, err)
	}
	return n, nil
}

// RowsByID reads rows by id, in the order asked (the grid reads the
// visible window with it).
func (s *Service) RowsByID(sheetID string, ids []sheets.RowID) ([]*sheets.Row, error) {
	rows, err := s.store.RowsByID(sheetID, ids)
	if err != nil {
		return nil, fmt.Errorf("read rows of %s: %w", sheetID, err)
	}
	return rows, nil
}

// Row reads one row.
func (s *Service) Row(sheetID string, id sheets.RowID) (*sheets.Row, error) {
	r, err := s.store.Row(sheetID, id)
	if err != nil {
		return nil, fmt.Errorf("read row %d of %s: %w", id, sheetID, err)
	}
	return r, nil
}

// Rows iterates over a sheet's rows in order without holding them all in
// memory.
func (s *Service) Rows(sheetID string) iter.Seq2[*sheets.Row, error] { return s.store.Rows(sheetID) }

// EditCell parses input with the column's type and stores it as a local
// edit; an invalid value is a *sheets.ValueError naming row and column.
func (s *Service) EditCell(sheetID string, rowID sheets.RowID, colID, input string) (*sheets.Row, error) {
	r, err := s.store.EditCell(sheetID, rowID, colID, input, s.now())
	if err != nil {
		return nil, fmt.Errorf("edit cell: %w", err)
	}
	return r, nil
}

// CellEdit is one cell to set: user text parsed with the column's type.
type CellEdit struct {
	Row    sheets.RowID
	Column string // column id
	Input  string
}

// EditCells applies several edits (a paste of a range, an undo) in one
// transaction: all land or none does. An invalid value fails the call with
// a *sheets.ValueError naming the cell; nothing is changed then. It returns
// the edited rows, in the order of their first edit.
func (s *Service) EditCells(sheetID string, edits []CellEdit) ([]*sheets.Row, error) {
	now := s.now()
	var out []*sheets.Row
	err := s.store.Batch(func(tx *store.Tx) error {
		out = out[:0]
		seen := map[sheets.RowID]int{}
		for _, e := range edits {
			r, err := tx.EditCell(sheetID, e.Row, e.Column, e.Input, now)
			if err != nil {
				return err
			}
			if i, ok := seen[r.ID]; ok {
				out[i] = r
				continue
			}
			seen[r.ID] = len(out)
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("edit %d cells: %w", len(edits), err)
	}
	return out, nil
}

// AddRows inserts rows (given as cells by column id, canonical or user
// text parsed with each column's type) after the row `after` (0 = at the
// end), and returns them with their ids. New rows are StateNew.
func (s *Service) AddRows(sheetID string, after sheets.RowID, cells []map[string]string) ([]*sheets.Row, error) {
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rows := make([]*sheets.Row, 0, len(cells))
	for i, cs := range cells {
		r := &sheets.Row{State: sheets.StateNew}
		for colID, in := range cs {
			col, ok := sh.Column(colID)
			if !ok {
				return nil, fmt.Errorf("add row %d to %q: no column %q", i+1, sh.Name, colID)
			}
			v, err := sheets.ParseCell(col, in)
			if err != nil {
				var ve *sheets.ValueError
				if errors.As(err, &ve) {
					ve.Column = col.Name
				}
				return nil, fmt.Errorf("add row %d to %q: %w", i+1, sh.Name, err)
			}
			r.Set(colID, v, now)
		}
		r.State = sheets.StateNew
		rows = append(rows, r)
	}
	if after == 0 {
		err = s.store.InsertRows(sheetID, rows)
	} else {
		err = s.store.InsertRowsAt(sheetID, after, rows)
	}
	if err != nil {
		return nil, fmt.Errorf("add rows to %q: %w", sh.Name, err)
	}
	return rows, nil
}

// DeleteRows deletes rows from the sheet only: records in Salesforce are
// never deleted by deleting rows.
func (s *Service) DeleteRows(sheetID string, ids []sheets.RowID) error {
	if err := s.store.DeleteRows(sheetID, ids); err != nil {
		return fmt.Errorf("delete rows of %s: %w", sheetID, err)
	}
	return nil
}
