package grid

import (
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// The cursor and the selection: where they are, how keys and clicks move
// them, and the formula bar that shows the current cell.

// selected follows taps on the table; Shift+click extends the range from
// the anchor.
func (g *Grid) selected(id widget.TableCellID) {
	c := max(id.Col-1, 0)
	extend := shiftHeld()
	if id.Row == g.cur.Row && c == g.cur.Col && (g.single() || extend) {
		return
	}
	g.moveTo(id.Row, c, extend)
}

func (g *Grid) single() bool { return g.cur == g.anchor }

// Selection returns the selected range as view rows r0..r1 and sheet
// columns c0..c1, inclusive.
func (g *Grid) Selection() (r0, c0, r1, c1 int) {
	return min(g.cur.Row, g.anchor.Row), min(g.cur.Col, g.anchor.Col), max(g.cur.Row, g.anchor.Row), max(g.cur.Col, g.anchor.Col)
}

// Cursor is the current cell: view row and sheet column.
func (g *Grid) Cursor() (row, col int) { return g.cur.Row, g.cur.Col }

func (g *Grid) inRange(row, col int) bool {
	r0, c0, r1, c1 := g.Selection()
	return row >= r0 && row <= r1 && col >= c0 && col <= c1
}

func (g *Grid) move(dr, dc int, extend bool) { g.moveTo(g.cur.Row+dr, g.cur.Col+dc, extend) }

// moveTo puts the cursor on a cell (clamped to the sheet); extend keeps
// the anchor, selecting the range between.
func (g *Grid) moveTo(row, col int, extend bool) {
	if g.model.Len() == 0 || g.model.Columns() == 0 {
		return
	}
	row = min(max(row, 0), g.model.Len()-1)
	col = min(max(col, 0), g.model.Columns()-1)
	wasRange := !g.single()
	g.cur = widget.TableCellID{Row: row, Col: col}
	if !extend {
		g.anchor = g.cur
	}
	if wasRange || !g.single() {
		g.table.Refresh()
	}
	g.showCursor()
}

// showCursor selects the cursor's cell in the table (scrolling to it) and
// fills the formula bar.
func (g *Grid) showCursor() {
	id := widget.TableCellID{Row: g.cur.Row, Col: g.cur.Col + 1}
	sel := g.table.OnSelected
	g.table.OnSelected = nil
	g.table.Select(id)
	g.table.OnSelected = sel
	g.fillBar()
}

// fillBar shows the cursor's cell in the formula bar.
func (g *Grid) fillBar() {
	g.ref.SetText(g.model.CellRef(g.cur.Row, g.cur.Col))
	if col, ok := g.column(g.cur.Col); ok {
		g.ed.show(col, g.currentCanonical())
	}
}

func (g *Grid) column(c int) (sheets.Column, bool) {
	cols := g.model.Sheet().Columns
	if c < 0 || c >= len(cols) {
		return sheets.Column{}, false
	}
	return cols[c], true
}

// currentCanonical is the stored value of the cursor's cell.
func (g *Grid) currentCanonical() string {
	r := g.model.Row(g.cur.Row)
	col, ok := g.column(g.cur.Col)
	if r == nil || r.Row == nil || !ok {
		return ""
	}
	return r.Row.Cells[col.ID]
}

// MoveToRow puts the cursor on a row by id (history → row); it reports
// false when the row is not in the view.
func (g *Grid) MoveToRow(id sheets.RowID, colID string) bool {
	i := g.model.IndexOf(id)
	if i < 0 {
		return false
	}
	c := g.model.Sheet().ColumnIndex(colID)
	g.moveTo(i, max(c, 0), false)
	return true
}
