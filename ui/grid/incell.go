package grid

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// keyModifiers reports the modifier keys held during the key or mouse
// event being handled. The desktop driver records them from each event
// itself, so a Shift released while another widget had the keyboard is
// never left "down" here. Tests replace it to send keys with modifiers (the
// test driver has no keyboard state).
var keyModifiers = func() fyne.KeyModifier {
	if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
		return d.CurrentKeyModifiers()
	}
	return 0
}

func shiftHeld() bool { return keyModifiers()&fyne.KeyModifierShift != 0 }

// cellEntry is the editor drawn over the cursor's cell, as in a
// spreadsheet. Typing over a cell opens it in "enter" mode, where the
// arrows commit and move; double-click, F2 or Enter open it in "edit" mode
// keeping the value, where the arrows move the caret. Enter and Shift+Enter
// commit and move down or up, Tab and Shift+Tab right or left, Escape
// cancels, and clicking elsewhere commits in place.
type cellEntry struct {
	widget.Entry
	g *Grid
	// enterMode is set when the edit began by typing over the cell.
	enterMode bool
	// open is set while an edit is in progress; the commit and cancel
	// paths clear it first so the focus change they cause does not
	// commit a second time.
	open bool
}

var (
	_ fyne.Tabbable  = (*cellEntry)(nil)
	_ fyne.Focusable = (*cellEntry)(nil)
)

func newCellEntry(g *Grid) *cellEntry {
	e := &cellEntry{g: g}
	e.ExtendBaseWidget(e)
	e.Hide()
	e.OnChanged = func(text string) {
		// The bar above shows the full value while it is typed.
		g.ed.quiet = true
		g.ed.entry.SetText(text)
		g.ed.quiet = false
	}
	return e
}

// AcceptsTab keeps Tab for commit-and-move.
func (e *cellEntry) AcceptsTab() bool { return true }

// TypedKey commits, moves or cancels; other keys edit the text.
func (e *cellEntry) TypedKey(k *fyne.KeyEvent) {
	shift := shiftHeld()
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if shift {
			e.g.commitInCell(-1, 0)
		} else {
			e.g.commitInCell(1, 0)
		}
	case fyne.KeyTab:
		if shift {
			e.g.commitInCell(0, -1)
		} else {
			e.g.commitInCell(0, 1)
		}
	case fyne.KeyEscape:
		e.g.CancelEdit()
	case fyne.KeyUp, fyne.KeyDown:
		if !e.enterMode {
			e.Entry.TypedKey(k)
			return
		}
		if k.Name == fyne.KeyUp {
			e.g.commitInCell(-1, 0)
		} else {
			e.g.commitInCell(1, 0)
		}
	default:
		e.Entry.TypedKey(k)
	}
}

// FocusLost commits in place when the user clicks elsewhere mid-edit.
func (e *cellEntry) FocusLost() {
	e.Entry.FocusLost()
	if e.open {
		e.g.commitInCell(0, 0)
	}
}

// editLayer stacks the in-cell editor over the table; the editor is moved
// onto the cursor's cell when an edit begins.
func (g *Grid) editLayer() fyne.CanvasObject {
	g.layer = container.NewWithoutLayout(g.cellEd)
	return container.NewStack(g.table, g.layer)
}

// openInCell shows the in-cell editor over the cursor's cell with text
// and gives it the keyboard. It reports false when the cell is not drawn
// (no canvas yet), in which case the bar's editor is used.
func (g *Grid) openInCell(text string, enterMode bool) bool {
	c := fyne.CurrentApp().Driver().CanvasForObject(g)
	if c == nil || g.layer == nil {
		return false
	}
	g.showCursor() // scrolls the cell into view and draws it
	obj := g.cellObj[widget.TableCellID{Row: g.cur.Row, Col: g.cur.Col + 1}]
	if obj == nil || !obj.Visible() {
		return false
	}
	d := fyne.CurrentApp().Driver()
	pos := d.AbsolutePositionForObject(obj).Subtract(d.AbsolutePositionForObject(g.layer))
	e := g.cellEd
	e.enterMode = enterMode
	e.SetText(text)
	size := obj.Size()
	min := e.MinSize()
	e.Resize(fyne.NewSize(max(size.Width, min.Width), max(size.Height, min.Height)))
	e.Move(pos.Subtract(fyne.NewPos(0, max(min.Height-size.Height, 0)/2)))
	e.open = true
	e.Show()
	c.Focus(e)
	e.CursorColumn = len([]rune(text))
	e.Refresh()
	return true
}

// Editing reports whether the in-cell editor is open.
func (g *Grid) Editing() bool { return g.cellEd.open }

// EditorText is the text in the in-cell editor (for tests and the bar).
func (g *Grid) EditorText() string { return g.cellEd.Text }

// closeInCell hides the in-cell editor without saving.
func (g *Grid) closeInCell() {
	g.cellEd.open = false
	g.cellEd.Hide()
}

// commitInCell saves the in-cell editor's text and moves by (dr, dc). A
// value the column refuses keeps the editor open with the text for
// correction, unless the edit ended by clicking elsewhere: then the
// message names the refused text and the cell keeps its old value.
func (g *Grid) commitInCell(dr, dc int) {
	e := g.cellEd
	if !e.open {
		return
	}
	text := e.Text
	clickedAway := dr == 0 && dc == 0
	e.open = false
	if g.commit(text, dr, dc) {
		e.Hide()
		g.focusTable()
		return
	}
	if clickedAway {
		e.Hide()
		g.fillBar()
		return
	}
	e.open = true
	if c := fyne.CurrentApp().Driver().CanvasForObject(g); c != nil {
		c.Focus(e)
	}
}
