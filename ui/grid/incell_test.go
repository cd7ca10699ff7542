package grid

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// holdShift makes the grid see Shift held (as the desktop driver reports
// it with each event) until the returned func releases it.
func holdShift(t *testing.T) (release func()) {
	t.Helper()
	prev := keyModifiers
	keyModifiers = func() fyne.KeyModifier { return fyne.KeyModifierShift }
	release = func() { keyModifiers = prev }
	t.Cleanup(release)
	return release
}

// cellPos is where a drawn cell is on the canvas and relative to the
// table (row and sheet column), for taps at the real place.
func cellPos(t *testing.T, g *Grid, row, col int) (canvasPos, tablePos fyne.Position) {
	t.Helper()
	g.table.ScrollTo(widget.TableCellID{Row: row, Col: col + 1})
	o := g.cellObj[widget.TableCellID{Row: row, Col: col + 1}]
	if o == nil {
		t.Fatalf("cell %d,%d not drawn", row, col)
	}
	d := fyne.CurrentApp().Driver()
	p := d.AbsolutePositionForObject(o).Add(fyne.NewPos(5, 5))
	return p, p.Subtract(d.AbsolutePositionForObject(g.table))
}

func tapCell(t *testing.T, w fyne.Window, g *Grid, row, col int) {
	t.Helper()
	p, _ := cellPos(t, g, row, col)
	test.TapCanvas(w.Canvas(), p)
}

func typed(w fyne.Window, name fyne.KeyName) {
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: name})
}

// typeText sends each rune to whatever has the keyboard, as the driver
// does (the first rune moves it to the in-cell editor).
func typeText(w fyne.Window, text string) {
	for _, r := range text {
		w.Canvas().Focused().TypedRune(r)
	}
}

func stored(src *fakeSource, row, col int) string {
	return src.rows[src.ids[row]].Cells[src.sheet.Columns[col].ID]
}

// TestClickTypeEnterTab is the spreadsheet basics with the pointer and
// keys a person uses: a click selects the cell and gives the grid the
// keyboard; typing replaces the value in the cell itself; Enter commits
// and moves down, Tab commits and moves right, Shift+Enter and Shift+Tab
// go back; Escape cancels.
func TestClickTypeEnterTab(t *testing.T) {
	g, src, w, msgs := newTestGrid(t, 6)
	w.Canvas().Focus(nil) // the Find box or another widget had it
	tapCell(t, w, g, 2, 0)
	if w.Canvas().Focused() != g.Focusable() {
		t.Fatalf("click left the keyboard with %T", w.Canvas().Focused())
	}
	if r, c := g.Cursor(); r != 2 || c != 0 {
		t.Fatalf("click selected %d,%d", r, c)
	}
	typeText(w, "Ada")
	if !g.Editing() || w.Canvas().Focused() != g.cellEd || g.EditorText() != "Ada" {
		t.Fatalf("typing did not edit in the cell: open %v text %q", g.Editing(), g.EditorText())
	}
	if g.ed.entry.Text != "Ada" {
		t.Errorf("the bar shows %q while typing, want the full value", g.ed.entry.Text)
	}
	// The editor sits on the cell.
	cp, _ := cellPos(t, g, 2, 0)
	ep := fyne.CurrentApp().Driver().AbsolutePositionForObject(g.cellEd)
	if ep.X > cp.X || cp.X-ep.X > 10 || ep.Y > cp.Y || cp.Y-ep.Y > 20 {
		t.Errorf("editor at %v, cell at %v", ep, cp)
	}
	typed(w, fyne.KeyReturn)
	if got := stored(src, 2, 0); got != "Ada" {
		t.Fatalf("stored %q, want Ada (%v)", got, *msgs)
	}
	if r, c := g.Cursor(); r != 3 || c != 0 || g.Editing() || w.Canvas().Focused() != g.Focusable() {
		t.Fatalf("after Enter cursor %d,%d editing %v", r, c, g.Editing())
	}
	typeText(w, "Bo")
	typed(w, fyne.KeyTab)
	if got := stored(src, 3, 0); got != "Bo" {
		t.Fatalf("stored %q, want Bo", got)
	}
	if r, c := g.Cursor(); r != 3 || c != 1 {
		t.Fatalf("after Tab cursor %d,%d, want 3,1", r, c)
	}
	// Shift+Tab and Shift+Enter commit and go back.
	typeText(w, "bo@example.com")
	release := holdShift(t)
	typed(w, fyne.KeyTab)
	release()
	if got := stored(src, 3, 1); got != "bo@example.com" {
		t.Fatalf("stored %q", got)
	}
	if r, c := g.Cursor(); r != 3 || c != 0 {
		t.Fatalf("after Shift+Tab cursor %d,%d, want 3,0", r, c)
	}
	typeText(w, "Cy")
	release = holdShift(t)
	typed(w, fyne.KeyReturn)
	release()
	if r, _ := g.Cursor(); r != 2 || stored(src, 3, 0) != "Cy" {
		t.Fatalf("after Shift+Enter row %d, stored %q", r, stored(src, 3, 0))
	}
	// Escape cancels: nothing stored, the cell keeps its value.
	typeText(w, "Nope")
	typed(w, fyne.KeyEscape)
	if got := stored(src, 2, 0); got != "Ada" || g.Editing() || w.Canvas().Focused() != g.Focusable() {
		t.Fatalf("Escape stored %q (editing %v)", got, g.Editing())
	}
	if g.ed.entry.Text != "Ada" {
		t.Errorf("bar shows %q after Escape", g.ed.entry.Text)
	}
}

// TestDoubleClickF2EnterKeepValue: double-click, F2 and Enter open the
// editor with the cell's value; the arrows then move the caret, not the
// cursor.
func TestDoubleClickF2EnterKeepValue(t *testing.T) {
	g, src, w, _ := newTestGrid(t, 6)
	_, tp := cellPos(t, g, 1, 0)
	g.table.DoubleTapped(&fyne.PointEvent{Position: tp})
	if !g.Editing() || g.EditorText() != "Person 001" {
		t.Fatalf("double-click: editing %v text %q", g.Editing(), g.EditorText())
	}
	typed(w, fyne.KeyLeft)
	typed(w, fyne.KeyDown) // caret, not a commit
	if !g.Editing() {
		t.Fatal("Down committed an edit opened by double-click")
	}
	typeText(w, "!")
	typed(w, fyne.KeyReturn)
	if got := stored(src, 1, 0); got != "Person 001!" {
		t.Fatalf("stored %q", got)
	}
	for _, k := range []fyne.KeyName{fyne.KeyF2, fyne.KeyReturn} {
		g.moveTo(4, 0, false)
		typed(w, k)
		if !g.Editing() || g.EditorText() != "Person 004" {
			t.Fatalf("%s: editing %v text %q", k, g.Editing(), g.EditorText())
		}
		typed(w, fyne.KeyEscape)
	}
	// Typing over a cell: Down commits and moves (enter mode).
	g.moveTo(0, 2, false)
	typeText(w, "42")
	typed(w, fyne.KeyDown)
	if r, _ := g.Cursor(); stored(src, 0, 2) != "42" || r != 1 || g.Editing() {
		t.Fatalf("Down after typing: stored %q row %d", stored(src, 0, 2), r)
	}
	// Clicking elsewhere commits in place.
	typeText(w, "7")
	tapCell(t, w, g, 3, 0)
	if got := stored(src, 1, 2); got != "7" || g.Editing() {
		t.Fatalf("click away stored %q editing %v", got, g.Editing())
	}
	if r, c := g.Cursor(); r != 3 || c != 0 {
		t.Errorf("click away cursor %d,%d", r, c)
	}
}

// TestShiftNeverSticks types a capital letter (Shift held for it), commits
// with Enter and then presses plain Down: the cursor moves, no range grows.
// Shift+arrows and Shift+click select ranges; Delete clears the range in
// one write and Ctrl+Z brings it back in one step.
func TestShiftNeverSticks(t *testing.T) {
	g, src, w, _ := newTestGrid(t, 8)
	g.moveTo(0, 0, false)
	release := holdShift(t)
	g.table.TypedRune('Q') // Shift is down while the capital is typed
	release()
	typed(w, fyne.KeyReturn)
	typed(w, fyne.KeyDown)
	typed(w, fyne.KeyDown)
	if r0, c0, r1, c1 := g.Selection(); r0 != r1 || c0 != c1 || r0 != 3 {
		t.Fatalf("plain Down after a capital selected %d,%d..%d,%d", r0, c0, r1, c1)
	}
	if stored(src, 0, 0) != "Q" {
		t.Fatalf("stored %q", stored(src, 0, 0))
	}
	// Shift+Down twice, Shift+Right once: a 3×2 range.
	release = holdShift(t)
	typed(w, fyne.KeyDown)
	typed(w, fyne.KeyDown)
	typed(w, fyne.KeyRight)
	release()
	if r0, c0, r1, c1 := g.Selection(); r0 != 3 || c0 != 0 || r1 != 5 || c1 != 1 {
		t.Fatalf("Shift+arrows selected %d,%d..%d,%d", r0, c0, r1, c1)
	}
	before := [][2]string{}
	for r := 3; r <= 5; r++ {
		before = append(before, [2]string{stored(src, r, 0), stored(src, r, 1)})
	}
	typed(w, fyne.KeyDelete)
	g.WaitIdle()
	for r := 3; r <= 5; r++ {
		if stored(src, r, 0) != "" || stored(src, r, 1) != "" {
			t.Fatalf("row %d not cleared: %q %q", r, stored(src, r, 0), stored(src, r, 1))
		}
	}
	if stored(src, 6, 0) == "" || stored(src, 3, 2) == "" {
		t.Fatal("Delete cleared outside the range")
	}
	if src.batches != 1 {
		t.Errorf("clearing took %d writes, want 1", src.batches)
	}
	w.Canvas().Focused().(fyne.Shortcutable).TypedShortcut(&fyne.ShortcutUndo{})
	g.WaitIdle()
	for i, r := 0, 3; r <= 5; i, r = i+1, r+1 {
		if got := [2]string{stored(src, r, 0), stored(src, r, 1)}; got != before[i] {
			t.Errorf("after Ctrl+Z row %d = %q, want %q", r, got, before[i])
		}
	}
	// Shift+click extends from the anchor; a plain click starts afresh.
	tapCell(t, w, g, 1, 0)
	release = holdShift(t)
	tapCell(t, w, g, 2, 2)
	release()
	if r0, c0, r1, c1 := g.Selection(); r0 != 1 || c0 != 0 || r1 != 2 || c1 != 2 {
		t.Fatalf("Shift+click selected %d,%d..%d,%d", r0, c0, r1, c1)
	}
	tapCell(t, w, g, 4, 1)
	if r0, c0, r1, c1 := g.Selection(); r0 != 4 || c0 != 1 || r1 != 4 || c1 != 1 {
		t.Fatalf("plain click selected %d,%d..%d,%d", r0, c0, r1, c1)
	}
	if g.model.Row(0).State != sheets.StateModified {
		t.Errorf("edited row state %v", g.model.Row(0).State)
	}
}
