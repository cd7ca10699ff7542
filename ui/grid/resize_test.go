package grid

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
)

// TestGridDragHeaderEdgeResizesColumn drags the edge between the first two
// sheet columns' headers, as a mouse would: the first column widens, the
// open sheet keeps the width and OnColumnResized reports it once. A drag
// elsewhere reports nothing.
func TestGridDragHeaderEdgeResizesColumn(t *testing.T) {
	g, src, _, _ := newTestGrid(t, 20)
	var got []float32
	var ids []string
	g.OnColumnResized = func(colID string, w float32) {
		ids = append(ids, colID)
		got = append(got, w)
	}
	tb := g.table
	pad := theme.Padding()
	edge := fyne.NewPos(stateColumnWidth+pad+defaultColumnWidth+pad/2, 5) // the gap after column 1, in the header row
	drag := func(from fyne.Position, dx float32) {
		ev := &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: from}, Button: desktop.MouseButtonPrimary}
		tb.MouseMoved(ev)
		tb.MouseDown(ev)
		tb.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: from.AddXY(dx, 0)}, Dragged: fyne.Delta{DX: dx}})
		tb.DragEnd()
		tb.MouseUp(ev)
	}

	drag(edge, 60)
	first := src.sheet.Columns[0]
	if len(got) != 1 || ids[0] != first.ID || got[0] != defaultColumnWidth+60 {
		t.Fatalf("resized %v to %v, want %s to %v", ids, got, first.ID, defaultColumnWidth+60)
	}
	if w := g.model.Sheet().Columns[0].Width; w != defaultColumnWidth+60 {
		t.Errorf("open sheet keeps width %v", w)
	}

	drag(fyne.NewPos(edge.X+200, 100), 60) // inside the cells: a selection, not a resize
	if len(got) != 1 {
		t.Errorf("a drag over cells reported resizes %v", got)
	}

	g.SetColumnWidth(1, 10) // too narrow: clamped
	if w := g.model.Sheet().Columns[1].Width; w != minColumnWidth {
		t.Errorf("width %v, want the minimum %v", w, minColumnWidth)
	}
}
