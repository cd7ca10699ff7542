package grid

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// Editing in the cell: starting, committing and cancelling an edit, and
// undo.

// BeginEdit opens the editor over the cursor's cell. With replace, the
// cell's text is replaced by initial (typing over a cell) and the arrows
// commit and move; otherwise the current value is kept for editing. A
// boolean cell toggles and a picklist opens its choices in the bar.
func (g *Grid) BeginEdit(initial string, replace bool) {
	col, ok := g.column(g.cur.Col)
	if !ok || g.model.Len() == 0 {
		return
	}
	if col.ReadOnly {
		g.message(fmt.Sprintf("%s is read-only: it comes from Salesforce and is never pushed", col.Name), true)
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(g)
	switch col.Type {
	case sheets.TypeBool:
		g.commit(boolText(g.currentCanonical() != "true"), 0, 0)
		return
	case sheets.TypePicklist:
		if c != nil {
			g.ed.pick.Tapped(&fyne.PointEvent{})
		}
		return
	}
	if !replace && (g.chooseCandidate() || g.settleDuplicate()) {
		return
	}
	text := initial
	if !replace {
		text = sheets.Format(col.Type, g.currentCanonical())
	}
	if g.openInCell(text, replace) {
		return
	}
	// Not drawn yet: edit in the bar.
	if replace {
		g.ed.entry.SetText(initial)
	}
	if c != nil {
		c.Focus(g.ed.entry)
		g.ed.entry.CursorColumn = len([]rune(g.ed.entry.Text))
		g.ed.entry.Refresh()
	}
}

// CancelEdit closes the editor, gives the bar the cell's value back and
// returns the keyboard to the grid.
func (g *Grid) CancelEdit() {
	g.closeInCell()
	g.message("", false) // a refusal of the cancelled text is over
	g.showCursor()
	g.focusTable()
}

func (g *Grid) focusTable() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(g); c != nil {
		c.Focus(g.table)
	}
}

// commit stores text in the cursor's cell, then moves the cursor by
// (dr, dc). A value the column's type refuses is reported and commit
// returns false; the caller keeps its editor open for correction.
func (g *Grid) commit(text string, dr, dc int) bool {
	r := g.model.Row(g.cur.Row)
	col, ok := g.column(g.cur.Col)
	if r == nil || !ok {
		return false
	}
	before := ""
	if r.Row != nil {
		before = r.Row.Cells[col.ID]
	}
	if err := g.edit(g.cur.Row, r.ID, col, text); err != nil {
		g.message(err.Error(), true)
		return false
	}
	g.undo.push([]cellEdit{{Row: r.ID, Column: col.ID, Before: before}})
	g.edited()
	g.message("", false) // an older message (a refusal) is over
	g.move(dr, dc, false)
	return true
}

// edit writes one cell through the Source and refreshes its row.
func (g *Grid) edit(i int, id sheets.RowID, col sheets.Column, text string) error {
	row, err := g.src.EditCell(g.model.SheetID(), id, col.ID, text)
	if err != nil {
		var ve *sheets.ValueError
		if errors.As(err, &ve) {
			return fmt.Errorf("%s refused: %s", col.Name, ve.Reason)
		}
		return fmt.Errorf("save %s: %w", col.Name, err)
	}
	g.model.Replace(i, row)
	g.table.RefreshItem(widget.TableCellID{Row: i, Col: 0})
	g.table.RefreshItem(widget.TableCellID{Row: i, Col: g.model.Sheet().ColumnIndex(col.ID) + 1})
	return nil
}

func (g *Grid) edited() {
	if g.OnEdited != nil {
		g.OnEdited()
	}
}

// Undo reverts the last local edit gesture (one cell, a paste, a clear)
// in one write: the cells get back the values they had before it.
func (g *Grid) Undo() {
	if g.writing {
		g.message("Still saving the previous change; try again in a moment", true)
		return
	}
	step := g.undo.pop()
	if step == nil {
		g.message("Nothing to undo", false)
		return
	}
	sh := g.model.Sheet()
	w := cellWrite{what: "Undid", refused: "Could not undo"}
	for k := len(step) - 1; k >= 0; k-- {
		e := step[k]
		col, ok := sh.Column(e.Column)
		if !ok {
			continue
		}
		w.edits = append(w.edits, CellEdit{Row: e.Row, Column: e.Column, Input: sheets.Format(col.Type, e.Before)})
		w.view = append(w.view, g.model.IndexOf(e.Row))
	}
	g.writeCells(w)
}

// CanUndo reports whether Undo has something to revert.
func (g *Grid) CanUndo() bool { return g.undo.Len() > 0 }
