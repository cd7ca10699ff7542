package grid

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// sheetTable is widget.Table with spreadsheet keys: arrows (with Shift to
// extend a range), Tab and Shift+Tab, Enter or F2 to edit, typing to
// replace, Delete to clear, and the clipboard and undo shortcuts. Table
// coordinates include the row-state column at 0.
type sheetTable struct {
	widget.Table
	g     *Grid
	shift bool
	// headers are the header cells the table made (createHeader).
	headers []*headerCell
}

var (
	_ fyne.Widget       = (*sheetTable)(nil)
	_ fyne.Focusable    = (*sheetTable)(nil)
	_ fyne.Tabbable     = (*sheetTable)(nil)
	_ fyne.Shortcutable = (*sheetTable)(nil)
	_ desktop.Keyable   = (*sheetTable)(nil)
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

// KeyDown tracks Shift for range selection.
func (t *sheetTable) KeyDown(e *fyne.KeyEvent) {
	if e.Name == desktop.KeyShiftLeft || e.Name == desktop.KeyShiftRight {
		t.shift = true
	}
}

// KeyUp tracks Shift for range selection.
func (t *sheetTable) KeyUp(e *fyne.KeyEvent) {
	if e.Name == desktop.KeyShiftLeft || e.Name == desktop.KeyShiftRight {
		t.shift = false
	}
}

// TypedKey moves the cursor or starts, as a spreadsheet does, an edit.
func (t *sheetTable) TypedKey(e *fyne.KeyEvent) {
	g := t.g
	switch e.Name {
	case fyne.KeyUp:
		g.move(-1, 0, t.shift)
	case fyne.KeyDown:
		g.move(1, 0, t.shift)
	case fyne.KeyLeft:
		g.move(0, -1, t.shift)
	case fyne.KeyRight:
		g.move(0, 1, t.shift)
	case fyne.KeyTab:
		if t.shift {
			g.move(0, -1, false)
		} else {
			g.move(0, 1, false)
		}
	case fyne.KeyPageDown:
		g.move(30, 0, t.shift)
	case fyne.KeyPageUp:
		g.move(-30, 0, t.shift)
	case fyne.KeyHome:
		g.moveTo(g.cur.Row, 0, t.shift)
	case fyne.KeyEnd:
		g.moveTo(g.cur.Row, g.model.Columns()-1, t.shift)
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyF2:
		g.BeginEdit("", false)
	case fyne.KeyDelete, fyne.KeyBackspace:
		g.ClearSelection()
	case fyne.KeyEscape:
		g.moveTo(g.cur.Row, g.cur.Col, false)
	}
}

// TypedRune starts editing the current cell, replacing its value with what
// is typed.
func (t *sheetTable) TypedRune(r rune) { t.g.BeginEdit(string(r), true) }

// TypedShortcut handles copy, cut, paste, undo and select-all; other
// shortcuts go to the window through Grid.OnShortcut.
func (t *sheetTable) TypedShortcut(s fyne.Shortcut) { t.g.shortcut(s) }
