package grid

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// TestStateTooltip rests the pointer on the state mark of an edited row
// with a sync error (the hover events the driver sends): a tooltip says the state, record id and
// error; leaving hides it.
func TestStateTooltip(t *testing.T) {
	g, src, w, _ := newTestGrid(t, 8)
	src.rows[3].Error = "REQUIRED_FIELD_MISSING: Last Name is required"
	g.moveTo(2, 0, false)
	g.BeginEdit("Zed", true)
	g.cellEd.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	g.Reload()

	var mark *stateMark
	for _, o := range test.LaidOutObjects(w.Content()) {
		if m, ok := o.(*stateMark); ok && m.row == 2 && m.Visible() {
			mark = m
		}
	}
	if mark == nil {
		t.Fatal("no state mark drawn for row 3")
	}
	mark.MouseIn(nil) // the pointer rests on the mark
	if g.tip == nil || !g.tip.Visible() {
		t.Fatal("no tooltip while the pointer rests on the state mark")
	}
	text := g.tip.Content.(*widget.Label).Text
	for _, want := range []string{sheets.StateModified.Label(), src.rows[3].RecordID, "Last Name is required"} {
		if !strings.Contains(text, want) {
			t.Errorf("tooltip %q lacks %q", text, want)
		}
	}
	mark.MouseOut()
	if g.tip != nil {
		t.Error("the tooltip stayed after the pointer left the mark")
	}
}
