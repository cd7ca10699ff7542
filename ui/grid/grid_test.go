package grid

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// newTestGrid shows a grid over a fake sheet in a test window.
func newTestGrid(t *testing.T, rows int) (*Grid, *fakeSource, fyne.Window, *[]string) {
	t.Helper()
	test.NewTempApp(t)
	src := newFakeSource(peopleColumns, rows, peopleCell)
	g, err := New(src, "s1")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	g.OnMessage = func(text string, _ bool) { msgs = append(msgs, text) }
	w := test.NewTempWindow(t, g)
	w.Resize(fyne.NewSize(900, 500))
	w.Canvas().Focus(g.Focusable())
	return g, src, w, &msgs
}

func key(w fyne.Window, name fyne.KeyName) {
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: name})
}

func TestGridKeyboardNavigation(t *testing.T) {
	g, _, w, _ := newTestGrid(t, 10)
	steps := []struct {
		key      fyne.KeyName
		row, col int
	}{
		{fyne.KeyDown, 1, 0},
		{fyne.KeyRight, 1, 1},
		{fyne.KeyTab, 1, 2},
		{fyne.KeyUp, 0, 2},
		{fyne.KeyUp, 0, 2}, // clamped at the top
		{fyne.KeyEnd, 0, len(peopleColumns) - 1},
		{fyne.KeyHome, 0, 0},
		{fyne.KeyPageDown, 9, 0}, // clamped at the last row
	}
	for _, s := range steps {
		key(w, s.key)
		if r, c := g.Cursor(); r != s.row || c != s.col {
			t.Fatalf("after %s cursor = %d,%d want %d,%d", s.key, r, c, s.row, s.col)
		}
	}
}

func TestGridTypingEditsTheCell(t *testing.T) {
	g, src, w, msgs := newTestGrid(t, 5)
	g.moveTo(2, 0, false)
	w.Canvas().Focused().TypedRune('Z')
	if w.Canvas().Focused() != g.cellEd {
		t.Fatalf("typing did not move focus to the in-cell editor")
	}
	test.Type(g.cellEd, "oe")
	g.cellEd.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got := src.rows[3].Cells[src.sheet.Columns[0].ID]; got != "Zoe" {
		t.Fatalf("stored %q, want Zoe (messages %v)", got, *msgs)
	}
	if got := g.model.Text(2, 0); got != "Zoe" {
		t.Errorf("grid shows %q, want Zoe", got)
	}
	if r, _ := g.Cursor(); r != 3 {
		t.Errorf("Enter left the cursor on row %d, want 3", r)
	}
	if g.model.Row(2).State != sheets.StateModified {
		t.Errorf("state = %v, want modified", g.model.Row(2).State)
	}
	g.Undo()
	g.WaitIdle()
	if got := src.rows[3].Cells[src.sheet.Columns[0].ID]; got != "Person 002" {
		t.Errorf("after undo stored %q, want Person 002", got)
	}
}

func TestGridRefusesInvalidValues(t *testing.T) {
	tests := []struct {
		name  string
		col   int
		input string
	}{
		{"email", 1, "not-an-email"},
		{"number", 2, "twelve"},
		{"date", 3, "31/12/2024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, src, _, msgs := newTestGrid(t, 3)
			g.moveTo(0, tt.col, false)
			colID := src.sheet.Columns[tt.col].ID
			before := src.rows[1].Cells[colID]
			g.BeginEdit(tt.input, true)
			g.cellEd.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			if got := src.rows[1].Cells[colID]; got != before {
				t.Errorf("stored %q, want the old %q", got, before)
			}
			if len(*msgs) == 0 || !strings.Contains((*msgs)[len(*msgs)-1], "refused") {
				t.Errorf("messages = %q, want a refusal", *msgs)
			}
			if !g.Editing() || g.EditorText() != tt.input {
				t.Errorf("editor lost the input: open %v, %q", g.Editing(), g.EditorText())
			}
		})
	}
}

func TestGridTypeAwareEditorsAndReadOnly(t *testing.T) {
	g, src, w, msgs := newTestGrid(t, 3)
	active := src.sheet.Columns[4].ID
	g.moveTo(0, 4, false)
	if _, ok := g.ed.holder.Objects[0].(*widget.Check); !ok {
		t.Fatalf("bool column editor is %T, want a check", g.ed.holder.Objects[0])
	}
	key(w, fyne.KeyReturn) // toggles
	if got := src.rows[1].Cells[active]; got != "false" {
		t.Errorf("Active = %q after toggling true, want false", got)
	}
	g.moveTo(0, 5, false)
	if _, ok := g.ed.holder.Objects[0].(*widget.Select); !ok {
		t.Fatalf("picklist editor is %T, want a select", g.ed.holder.Objects[0])
	}
	g.ed.pick.SetSelected("Silver")
	if got := src.rows[1].Cells[src.sheet.Columns[5].ID]; got != "Silver" {
		t.Errorf("Tier = %q, want Silver", got)
	}
	g.moveTo(0, 6, false)
	g.BeginEdit("9", true)
	if !g.ed.entry.Disabled() || !strings.Contains((*msgs)[len(*msgs)-1], "read-only") {
		t.Errorf("read-only column editable (messages %q)", *msgs)
	}
}

func TestGridCopyPasteRanges(t *testing.T) {
	g, src, _, msgs := newTestGrid(t, 6)
	g.moveTo(0, 0, false)
	g.moveTo(1, 1, true)
	want := "Person 000\tp0@example.com\nPerson 001\tp1@example.com\n"
	if got := g.SelectionTSV(); got != want {
		t.Fatalf("copied %q, want %q", got, want)
	}
	cb := test.NewClipboard()
	g.Copy(cb)
	if cb.Content() != want {
		t.Errorf("clipboard %q", cb.Content())
	}
	// Paste a 2×3 block from Excel at row 3, column 0 with a bad email:
	// nothing is written, the cursor goes to the refused cell and the
	// message names it.
	g.moveTo(3, 0, false)
	g.Paste("Ann\tann@example.com\t12\r\nBob\tbob-at-example\t13\r\n")
	g.WaitIdle()
	cols := src.sheet.Columns
	if got := src.rows[4].Cells[cols[0].ID]; got != "Person 003" || src.batches != 0 {
		t.Errorf("a refused paste wrote row 4 = %q (%d writes)", got, src.batches)
	}
	if r, c := g.Cursor(); r != 4 || c != 1 {
		t.Errorf("cursor on %d,%d after a refused paste, want the bad email at 4,1", r, c)
	}
	if last := (*msgs)[len(*msgs)-1]; !strings.Contains(last, "Nothing pasted: row 5") || !strings.Contains(last, "bob-at-example") {
		t.Errorf("refused paste message %q", last)
	}
	// The same block with a good email lands in one write and one undo step.
	g.moveTo(3, 0, false)
	g.Paste("Ann\tann@example.com\t12\r\nBob\tbob@example.com\t13\r\n")
	g.WaitIdle()
	if got := src.rows[4].Cells[cols[0].ID] + "|" + src.rows[5].Cells[cols[1].ID] + "|" + src.rows[5].Cells[cols[2].ID]; got != "Ann|bob@example.com|13" || src.batches != 1 {
		t.Errorf("rows 4-5 = %q after %d writes", got, src.batches)
	}
	if got := g.model.Text(4, 1); got != "bob@example.com" {
		t.Errorf("grid shows %q after the paste", got)
	}
	if last := (*msgs)[len(*msgs)-1]; !strings.Contains(last, "Pasted 6 cell") {
		t.Errorf("paste message %q", last)
	}
	g.Undo()
	g.WaitIdle()
	if got := src.rows[4].Cells[cols[0].ID] + "|" + src.rows[5].Cells[cols[1].ID]; got != "Person 003|p4@example.com" || src.batches != 2 {
		t.Errorf("undo of paste left %q after %d writes", got, src.batches)
	}
	// One value over a selected range fills it.
	g.moveTo(0, 2, false)
	g.moveTo(2, 2, true)
	g.Paste("7")
	g.WaitIdle()
	for id := sheets.RowID(1); id <= 3; id++ {
		if got := src.rows[id].Cells[cols[2].ID]; got != "7" {
			t.Errorf("row %d Employees = %q, want 7", id, got)
		}
	}
}

func TestGridAddDeleteSortFind(t *testing.T) {
	g, src, _, _ := newTestGrid(t, 4)
	g.moveTo(1, 0, false)
	g.AddRow()
	if g.model.Len() != 5 || g.model.Row(2).State != sheets.StateNew {
		t.Fatalf("after AddRow len=%d row2=%v", g.model.Len(), g.model.Row(2))
	}
	g.moveTo(0, 0, false)
	g.moveTo(1, 0, true)
	g.DeleteSelectedRows()
	if g.model.Len() != 3 || len(src.ids) != 3 {
		t.Fatalf("after delete model %d source %d, want 3", g.model.Len(), len(src.ids))
	}
	g.SetView(ViewSpec{SortColumn: src.sheet.Columns[0].ID, Descending: true})
	g.busy.Wait()
	if got := g.model.Text(0, 0); got != "Person 003" {
		t.Errorf("first row after descending sort = %q", got)
	}
	g.Find("person 002")
	g.busy.Wait()
	if r, _ := g.Cursor(); g.model.Text(r, 0) != "Person 002" {
		t.Errorf("find moved to %q", g.model.Text(r, 0))
	}
}

// TestGridLargePasteReportsProgress pastes more than LongWriteCells cells:
// OnLongTask shows the write while it runs and is told when it ends; the
// read-only column inside the range is left alone and counted.
func TestGridLargePasteReportsProgress(t *testing.T) {
	rows := LongWriteCells/4 + 1
	g, src, _, msgs := newTestGrid(t, rows)
	var titles []string
	ended := 0
	g.OnLongTask = func(title string) func() {
		titles = append(titles, title)
		return func() { ended++ }
	}
	var b strings.Builder
	for i := range rows {
		fmt.Fprintf(&b, "%d\t2024-01-02\ttrue\tGold\t99\n", i) // Employees … Score (read-only)
	}
	g.moveTo(0, 2, false)
	g.Paste(b.String())
	g.WaitIdle()
	if len(titles) != 1 || ended != 1 || !strings.Contains(titles[0], fmt.Sprintf("%d cells", rows*4)) {
		t.Errorf("long task titles %q, ended %d", titles, ended)
	}
	cols := src.sheet.Columns
	last := src.rows[sheets.RowID(rows)]
	if last.Cells[cols[2].ID] != fmt.Sprint(rows-1) || last.Cells[cols[5].ID] != "Gold" || src.batches != 1 {
		t.Errorf("last row %v after %d writes", last.Cells, src.batches)
	}
	if m := (*msgs)[len(*msgs)-1]; !strings.Contains(m, fmt.Sprintf("%d read-only", rows)) {
		t.Errorf("message %q", m)
	}
}
