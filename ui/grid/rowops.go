package grid

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// Adding and deleting rows from the grid.

// AddRow inserts an empty row after the cursor's row and moves to it.
func (g *Grid) AddRow() {
	after := sheets.RowID(0)
	if r := g.model.Row(g.cur.Row); r != nil {
		after = r.ID
	}
	rows, err := g.src.AddRows(g.model.SheetID(), after, []map[string]string{{}})
	if err != nil {
		g.message(err.Error(), true)
		return
	}
	order := slices.Clone(g.model.Order())
	at := min(g.cur.Row+1, len(order))
	if len(order) == 0 {
		at = 0
	}
	order = slices.Insert(order, at, rows[0].ID)
	g.model.SetOrder(order)
	g.table.Refresh()
	g.moveTo(at, 0, false)
	g.edited()
}

// SelectedRowIDs lists the ids of the rows in the selected range.
func (g *Grid) SelectedRowIDs() []sheets.RowID {
	r0, _, r1, _ := g.Selection()
	var ids []sheets.RowID
	for i := r0; i <= r1; i++ {
		if r := g.model.Row(i); r != nil {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// DeleteSelectedRows removes the selected rows from the sheet (never from
// Salesforce). The caller confirms first.
func (g *Grid) DeleteSelectedRows() {
	ids := g.SelectedRowIDs()
	if len(ids) == 0 {
		return
	}
	if err := g.src.DeleteRows(g.model.SheetID(), ids); err != nil {
		g.message(err.Error(), true)
		return
	}
	gone := make(map[sheets.RowID]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
	}
	order := slices.DeleteFunc(slices.Clone(g.model.Order()), func(id sheets.RowID) bool { return gone[id] })
	g.model.SetOrder(order)
	r0, _, _, _ := g.Selection()
	g.cur = widget.TableCellID{Row: min(r0, max(len(order)-1, 0)), Col: g.cur.Col}
	g.anchor = g.cur
	g.table.Refresh()
	if len(order) > 0 {
		g.showCursor()
	}
	g.edited()
	g.message(fmt.Sprintf("Deleted %d row(s) from the sheet", len(ids)), false)
}
