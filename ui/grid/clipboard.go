package grid

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// shortcut handles the grid's own shortcuts and passes the rest on.
func (g *Grid) shortcut(s fyne.Shortcut) {
	switch sc := s.(type) {
	case *fyne.ShortcutCopy:
		g.Copy(sc.Clipboard)
	case *fyne.ShortcutCut:
		g.Copy(sc.Clipboard)
		g.ClearSelection()
	case *fyne.ShortcutPaste:
		g.Paste(sc.Clipboard.Content())
	case *fyne.ShortcutUndo:
		g.Undo()
	case *fyne.ShortcutSelectAll:
		g.anchor = widget.TableCellID{}
		g.moveTo(g.model.Len()-1, g.model.Columns()-1, true)
	case *desktop.CustomShortcut:
		if sc.KeyName == fyne.KeyZ && sc.Modifier&fyne.KeyModifierShortcutDefault != 0 {
			g.Undo()
			return
		}
		g.forward(s)
	default:
		g.forward(s)
	}
}

func (g *Grid) forward(s fyne.Shortcut) {
	if g.OnShortcut != nil {
		g.OnShortcut(s)
	}
}

// SelectionTSV is the selected range as tab-separated text, the way Excel
// and Google Sheets copy it.
func (g *Grid) SelectionTSV() string {
	r0, c0, r1, c1 := g.Selection()
	rows := make([][]string, 0, r1-r0+1)
	for i := r0; i <= r1; i++ {
		row := make([]string, 0, c1-c0+1)
		for c := c0; c <= c1; c++ {
			row = append(row, g.model.Text(i, c))
		}
		rows = append(rows, row)
	}
	return FormatTSV(rows)
}

// Copy puts the selected range on the clipboard as TSV.
func (g *Grid) Copy(cb fyne.Clipboard) {
	if cb == nil || g.model.Len() == 0 {
		return
	}
	cb.SetContent(g.SelectionTSV())
	r0, c0, r1, c1 := g.Selection()
	g.message(fmt.Sprintf("Copied %d × %d cells", r1-r0+1, c1-c0+1), false)
}

// Paste writes TSV text into the sheet from the cursor (or repeats a single
// value over the selected range), parsing each cell with its column's type.
// The paste is all or nothing, as in Excel, where a paste is one action
// that lands whole or is refused whole: a value its column refuses stops
// it before anything is written, with the cursor on that cell and the
// reason in the message, so a range is never left half pasted. Read-only
// columns are left as they are and counted. Pasting past the last row
// stops at it. The write runs off the UI goroutine (writeCells) and is one
// undo step.
func (g *Grid) Paste(text string) {
	data := ParseTSV(text)
	if len(data) == 0 {
		return
	}
	r0, c0, r1, c1 := g.Selection()
	if len(data) == 1 && len(data[0]) == 1 && !g.single() {
		v := data[0][0]
		data = make([][]string, r1-r0+1)
		for i := range data {
			data[i] = make([]string, c1-c0+1)
			for c := range data[i] {
				data[i][c] = v
			}
		}
	}
	order := g.model.Order()
	w := cellWrite{what: "Pasted", refused: "Nothing pasted", undo: true}
	for dr, row := range data {
		i := r0 + dr
		if i >= len(order) {
			break
		}
		for dc, text := range row {
			col, ok := g.column(c0 + dc)
			if !ok {
				break
			}
			if col.ReadOnly {
				w.readOnly++
				continue
			}
			w.edits = append(w.edits, CellEdit{Row: order[i], Column: col.ID, Input: text})
			w.view = append(w.view, i)
		}
	}
	g.writeCells(w)
}

// ClearSelection empties the selected cells (one write, one undo step).
func (g *Grid) ClearSelection() {
	if g.model.Len() == 0 {
		return
	}
	r0, c0, r1, c1 := g.Selection()
	order := g.model.Order()
	w := cellWrite{what: "Cleared", refused: "Nothing cleared", undo: true}
	for i := r0; i <= r1 && i < len(order); i++ {
		for c := c0; c <= c1; c++ {
			col, ok := g.column(c)
			if !ok {
				break
			}
			if col.ReadOnly {
				w.readOnly++
				continue
			}
			w.edits = append(w.edits, CellEdit{Row: order[i], Column: col.ID})
			w.view = append(w.view, i)
		}
	}
	g.writeCells(w)
}
