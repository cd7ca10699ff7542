package grid

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
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
// value over the selected range). Cells are parsed with their column's
// type; refused values and read-only columns are skipped and counted, and
// the paste is one undo step. Pasting past the last row stops at it.
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
	sh := g.model.Sheet()
	var step []cellEdit
	written, refused, readOnly := 0, 0, 0
	var firstErr error
	for dr, row := range data {
		i := r0 + dr
		r := g.model.Row(i)
		if r == nil {
			break
		}
		for dc, text := range row {
			col, ok := g.column(c0 + dc)
			if !ok {
				break
			}
			if col.ReadOnly {
				readOnly++
				continue
			}
			before := ""
			if r.Row != nil {
				before = r.Row.Cells[col.ID]
			}
			if err := g.edit(i, r.ID, col, text); err != nil {
				refused++
				if firstErr == nil {
					firstErr = fmt.Errorf("row %d: %w", i+1, err)
				}
				continue
			}
			step = append(step, cellEdit{Row: r.ID, Column: col.ID, Before: before})
			written++
			r = g.model.Row(i)
		}
	}
	g.undo.push(step)
	g.showCursor()
	g.edited()
	msg := fmt.Sprintf("Pasted %d cell(s) into %q", written, sh.Name)
	if readOnly > 0 {
		msg += fmt.Sprintf("; %d read-only skipped", readOnly)
	}
	if refused > 0 {
		msg += fmt.Sprintf("; %d refused (first: %v)", refused, firstErr)
	}
	g.message(msg, refused > 0)
}

// ClearSelection empties the selected cells (one undo step).
func (g *Grid) ClearSelection() {
	r0, c0, r1, c1 := g.Selection()
	if g.model.Len() == 0 {
		return
	}
	var step []cellEdit
	for i := r0; i <= r1; i++ {
		for c := c0; c <= c1; c++ {
			r := g.model.Row(i)
			col, ok := g.column(c)
			if r == nil || !ok || col.ReadOnly || r.Row == nil || r.Row.Cells[col.ID] == "" {
				continue
			}
			before := r.Row.Cells[col.ID]
			if err := g.edit(i, r.ID, col, ""); err != nil {
				g.message(err.Error(), true)
				continue
			}
			step = append(step, cellEdit{Row: r.ID, Column: col.ID, Before: before})
		}
	}
	g.undo.push(step)
	g.showCursor()
	g.edited()
}

// rowsOf is a helper for tests and the window: the stored row at a view
// index, or nil.
func (g *Grid) rowAt(i int) *sheets.Row {
	if r := g.model.Row(i); r != nil {
		return r.Row
	}
	return nil
}
