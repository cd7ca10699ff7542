package grid

import (
	"iter"

	"crmsheets/sheets"
)

// Source is what the grid needs from the engine. *app.Service implements
// it; tests and benchmarks use an in-memory fake. Every method may be
// called from a goroutine other than the UI's.
type Source interface {
	// Sheet returns the sheet's current configuration (columns, key).
	Sheet(id string) (*sheets.Sheet, error)
	// RowIDs lists the sheet's row ids in their stored order.
	RowIDs(sheetID string) ([]sheets.RowID, error)
	// RowsByID reads rows by id, in the order asked.
	RowsByID(sheetID string, ids []sheets.RowID) ([]*sheets.Row, error)
	// Rows iterates over all rows in order (for sort, filter and find).
	Rows(sheetID string) iter.Seq2[*sheets.Row, error]
	// EditCell parses input with the column's type and stores it; an
	// invalid value is an error matching sheets.ErrInvalidValue.
	EditCell(sheetID string, rowID sheets.RowID, colID, input string) (*sheets.Row, error)
	// EditCells stores several cells in one transaction: all land or none
	// does; an invalid value fails the call, matching
	// sheets.ErrInvalidValue. It returns the edited rows.
	EditCells(sheetID string, edits []CellEdit) ([]*sheets.Row, error)
	// AddRows inserts rows after the row `after` (0 = at the end).
	AddRows(sheetID string, after sheets.RowID, cells []map[string]string) ([]*sheets.Row, error)
	// DeleteRows removes rows from the sheet (never from Salesforce).
	DeleteRows(sheetID string, ids []sheets.RowID) error
	// ChooseCandidate settles an ambiguous reference cell on one of its
	// candidate records and remembers the choice for the sheet.
	ChooseCandidate(sheetID string, rowID sheets.RowID, colID, recordID string) (*sheets.Row, error)
	// SettleDuplicate decides a row whose create a duplicate rule refused:
	// link it to the match recordID, or ("") create it anyway.
	SettleDuplicate(sheetID string, rowID sheets.RowID, recordID string) (*sheets.Row, error)
}
