package grid

import (
	"fyne.io/fyne/v2"

	"crmsheets/sheets"
)

// Column widths: widget.Table (Fyne 2.7) resizes a column when the user
// drags the gap between two header cells (the cursor turns into a
// resize arrow there), but it tells no one. The grid finds out when the
// drag ends: each header cell is laid out at its column's width, so a
// header whose width no longer matches the sheet's is the column that was
// dragged. The new width goes into the open sheet at once (headers are
// cut to it) and to OnColumnResized, which saves it.

// minColumnWidth is the narrowest a sheet column may be made.
const minColumnWidth = 40

// createHeader makes a header cell and keeps it, so DragEnd can read the
// widths the table laid the headers out at.
func (t *sheetTable) createHeader() fyne.CanvasObject {
	h := newHeader().(*headerCell)
	t.headers = append(t.headers, h)
	return h
}

// DragEnd ends a drag of the table and reports the column it resized, if
// any.
func (t *sheetTable) DragEnd() {
	t.Table.DragEnd()
	t.g.columnsDragged(t.headers)
}

// columnsDragged compares the headers' laid-out widths with the sheet's
// and adopts those that changed.
func (g *Grid) columnsDragged(headers []*headerCell) {
	cols := g.model.Sheet().Columns
	changed := false
	for _, h := range headers {
		i := h.col - 1
		if i < 0 || i >= len(cols) || !h.Visible() {
			continue
		}
		w := max(h.Size().Width, minColumnWidth)
		if abs(w-columnWidth(cols[i])) < 0.5 {
			continue
		}
		cols[i].Width = w
		changed = true
		if g.OnColumnResized != nil {
			g.OnColumnResized(cols[i].ID, w)
		}
	}
	if changed {
		g.table.Refresh() // headers cut to their new widths
	}
}

// columnWidth is a column's width on screen: its saved width or the
// default.
func columnWidth(c sheets.Column) float32 {
	if c.Width > 0 {
		return c.Width
	}
	return defaultColumnWidth
}

func abs(f float32) float32 {
	if f < 0 {
		return -f
	}
	return f
}
