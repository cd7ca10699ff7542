package ui

import (
	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/grid"
)

// gridSource is the Service as the grid sees it. The grid declares its own
// CellEdit so that it does not depend on the engine; this converts it to
// app.CellEdit, field for field.
type gridSource struct{ *app.Service }

var _ grid.Source = gridSource{}

// EditCells hands the grid's multi-cell write to Service.EditCells (one
// transaction).
func (s gridSource) EditCells(sheetID string, edits []grid.CellEdit) ([]*sheets.Row, error) {
	out := make([]app.CellEdit, len(edits))
	for i, e := range edits {
		out[i] = app.CellEdit(e)
	}
	return s.Service.EditCells(sheetID, out)
}
