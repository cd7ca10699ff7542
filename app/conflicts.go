package app

import (
	"fmt"
	"time"

	"crmsheets/app/merge"
	"crmsheets/sheets"
)

// ConflictItem is one field changed both in the sheet and in Salesforce,
// waiting for the user (review policy): the conflicts view shows base, sheet
// and Salesforce values side by side.
type ConflictItem struct {
	RowID    sheets.RowID
	RecordID string
	// Record names the record for a person (see RecordName).
	Record     string
	ColumnID   string
	ColumnName string
	Field      string
	Base       string // value at the last sync
	Sheet      string // the sheet's value (still in the cell)
	Remote     string // Salesforce's value
	RemoteAt   time.Time
}

// Conflicts lists the unsettled conflicts of a sheet, in row order.
func (s *Service) Conflicts(sheetID string) ([]ConflictItem, error) {
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return nil, err
	}
	var out []ConflictItem
	for r, err := range s.store.Rows(sheetID) {
		if err != nil {
			return nil, fmt.Errorf("list conflicts of %q: %w", sh.Name, err)
		}
		if len(r.Conflicts) == 0 {
			continue
		}
		for _, col := range sh.Columns { // column order, not map order
			c, ok := r.Conflicts[col.ID]
			if !ok {
				continue
			}
			out = append(out, ConflictItem{RowID: r.ID, RecordID: r.RecordID, Record: RecordName(sh, r.Cells), ColumnID: col.ID, ColumnName: col.Name,
				Field: col.Field, Base: c.Base, Sheet: r.Cells[col.ID], Remote: c.Remote, RemoteAt: c.At})
		}
	}
	return out, nil
}

// ResolveConflict settles one conflicting field. keepSheet keeps the sheet's
// value, which the next push sends (its base becomes Salesforce's value, so
// the merge sees a local change); otherwise Salesforce's value is taken into
// the cell and the field is in sync. Nothing is sent now.
func (s *Service) ResolveConflict(sheetID string, rowID sheets.RowID, colID string, keepSheet bool) (*sheets.Row, error) {
	r, err := s.store.Row(sheetID, rowID)
	if err != nil {
		return nil, fmt.Errorf("resolve conflict: %w", err)
	}
	if err := merge.Settle(r, colID, keepSheet, s.now()); err != nil {
		return nil, fmt.Errorf("resolve conflict: %w", err)
	}
	if err := s.store.UpdateRows(sheetID, []*sheets.Row{r}); err != nil {
		return nil, fmt.Errorf("resolve conflict of row %d: %w", rowID, err)
	}
	return r, nil
}

// ResolveAll settles every conflict of a sheet (or only those of the given
// rows when rowIDs is not empty) the same way, in one transaction. It
// returns how many fields were settled.
func (s *Service) ResolveAll(sheetID string, rowIDs []sheets.RowID, keepSheet bool) (int, error) {
	var rows []*sheets.Row
	if len(rowIDs) > 0 {
		rs, err := s.store.RowsByID(sheetID, rowIDs)
		if err != nil {
			return 0, fmt.Errorf("resolve conflicts: %w", err)
		}
		rows = rs
	} else {
		for r, err := range s.store.Rows(sheetID) {
			if err != nil {
				return 0, fmt.Errorf("resolve conflicts: %w", err)
			}
			if len(r.Conflicts) > 0 {
				rows = append(rows, r)
			}
		}
	}
	n := 0
	var changed []*sheets.Row
	for _, r := range rows {
		cols := make([]string, 0, len(r.Conflicts))
		for c := range r.Conflicts {
			cols = append(cols, c)
		}
		now := s.now()
		for _, c := range cols {
			if err := merge.Settle(r, c, keepSheet, now); err != nil {
				return 0, fmt.Errorf("resolve conflicts of row %d: %w", r.ID, err)
			}
			n++
		}
		if len(cols) > 0 {
			changed = append(changed, r)
		}
	}
	if len(changed) == 0 {
		return 0, nil
	}
	if err := s.store.UpdateRows(sheetID, changed); err != nil {
		return 0, fmt.Errorf("resolve conflicts of %d rows: %w", len(changed), err)
	}
	return n, nil
}

// setCell writes a canonical value into a cell map, deleting blanks (a
// missing key is a blank cell).
func setCell(m map[string]string, col, v string) {
	if v == "" {
		delete(m, col)
		return
	}
	m[col] = v
}
