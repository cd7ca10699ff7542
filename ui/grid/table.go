package grid

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// sheetTable is widget.Table with spreadsheet keys: arrows (with Shift to
// extend a range), Tab and Shift+Tab, Enter, F2 or a double-click to edit
// in place, typing to replace, Delete to clear, and the clipboard and undo
// shortcuts. Shift is read from each event (keyModifiers), never tracked. Table
// coordinates include the row-state column at 0.
type sheetTable struct {
	widget.Table
	g *Grid
	// headers are the header cells the table made (createHeader).
	headers []*headerCell
}

var (
	_ fyne.Widget         = (*sheetTable)(nil)
	_ fyne.Focusable      = (*sheetTable)(nil)
	_ fyne.Tabbable       = (*sheetTable)(nil)
	_ fyne.Shortcutable   = (*sheetTable)(nil)
	_ fyne.DoubleTappable = (*sheetTable)(nil)
	_ fyne.Tappable       = (*sheetTable)(nil)
)

func newSheetTable(g *Grid) *sheetTable {
	t := &sheetTable{g: g}
	t.Length = g.length
	t.CreateCell = func() fyne.CanvasObject { return newCell(g) }
	t.UpdateCell = g.updateCell
	t.ShowHeaderRow = true
	t.CreateHeader = t.createHeader
	t.UpdateHeader = g.updateHeader
	t.StickyColumnCount = 1
	t.OnSelected = g.selected
	t.ExtendBaseWidget(t)
	return t
}

// AcceptsTab keeps Tab inside the grid, moving to the next cell as in a
// spreadsheet, instead of leaving the widget.
func (t *sheetTable) AcceptsTab() bool { return true }

// TypedKey moves the cursor or starts, as a spreadsheet does, an edit.
func (t *sheetTable) TypedKey(e *fyne.KeyEvent) {
	g := t.g
	shift := shiftHeld()
	switch e.Name {
	case fyne.KeyUp:
		g.move(-1, 0, shift)
	case fyne.KeyDown:
		g.move(1, 0, shift)
	case fyne.KeyLeft:
		g.move(0, -1, shift)
	case fyne.KeyRight:
		g.move(0, 1, shift)
	case fyne.KeyTab:
		if shift {
			g.move(0, -1, false)
		} else {
			g.move(0, 1, false)
		}
	case fyne.KeyPageDown:
		g.move(30, 0, shift)
	case fyne.KeyPageUp:
		g.move(-30, 0, shift)
	case fyne.KeyHome:
		g.moveTo(g.cur.Row, 0, shift)
	case fyne.KeyEnd:
		g.moveTo(g.cur.Row, g.model.Columns()-1, shift)
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyF2:
		g.BeginEdit("", false)
	case fyne.KeyDelete, fyne.KeyBackspace:
		g.ClearSelection()
	case fyne.KeyEscape:
		g.moveTo(g.cur.Row, g.cur.Col, false)
	}
}

// Tapped selects the cell under the pointer and gives the grid the
// keyboard. widget.Table focuses itself on a tap, but it looks its canvas
// up with the embedded *widget.Table, which is not in the window's tree
// (the *sheetTable is), so under the desktop driver it never got focus: a
// click left the keys with whichever widget had them before (issue 15).
func (t *sheetTable) Tapped(e *fyne.PointEvent) {
	t.Table.Tapped(e)
	if c := fyne.CurrentApp().Driver().CanvasForObject(t); c != nil && c.Focused() != fyne.Focusable(t) {
		c.Focus(t)
	}
}

// DoubleTapped selects the cell under the pointer and edits it in place,
// keeping its value.
func (t *sheetTable) DoubleTapped(e *fyne.PointEvent) {
	t.Tapped(e)
	if id := t.g.cur; t.g.model.Len() > 0 && id.Row >= 0 {
		t.g.BeginEdit("", false)
	}
}

// TypedRune starts editing the current cell, replacing its value with what
// is typed.
func (t *sheetTable) TypedRune(r rune) { t.g.BeginEdit(string(r), true) }

// TypedShortcut handles copy, cut, paste, undo and select-all; other
// shortcuts go to the window through Grid.OnShortcut.
func (t *sheetTable) TypedShortcut(s fyne.Shortcut) { t.g.shortcut(s) }
