package grid

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// hoverOf is the hover area drawn over a cell, or nil.
func hoverOf(g *Grid, row, col int) *cellHover {
	o := g.cellObj[widget.TableCellID{Row: row, Col: col + 1}]
	if o == nil {
		return nil
	}
	_, _, _, _, h := cellOf(o)
	return h
}

// TestCellMarksAndTooltips: a cell edited here is marked (its neighbours
// are not) and the hover shows Salesforce's value; a conflict cell shows
// both values on hover.
func TestCellMarksAndTooltips(t *testing.T) {
	g, src, w, _ := newTestGrid(t, 6)
	email := src.sheet.Columns[1].ID
	src.rows[3].Conflicts = map[string]sheets.Conflict{email: {Base: "p2@example.com", Remote: "sales@corp.example"}}
	src.rows[3].Cells[email] = "mine@example.com"
	src.rows[3].State = sheets.StateConflict
	g.Reload()
	g.moveTo(1, 0, false)
	typeText(w, "Zed")
	typed(w, fyne.KeyReturn)
	if m := g.model.Mark(1, 0); m != MarkModified {
		t.Fatalf("edited cell mark %v", m)
	}
	if m := g.model.Mark(1, 1); m != MarkNone {
		t.Errorf("untouched cell marked %v", m)
	}
	h := hoverOf(g, 1, 0)
	if h == nil || !h.Visible() {
		t.Fatal("no hover area over the edited cell")
	}
	h.MouseIn(nil)
	if g.tip == nil || !strings.Contains(g.tip.Content.(*widget.Label).Text, "Salesforce has: Person 001") {
		t.Fatalf("modified tooltip %v", g.tip)
	}
	h.MouseOut()
	if hv := hoverOf(g, 1, 1); hv == nil || hv.Visible() {
		t.Error("a plain cell has a hover area")
	}
	g.table.ScrollTo(widget.TableCellID{Row: 2, Col: 2})
	hc := hoverOf(g, 2, 1)
	if hc == nil || !hc.Visible() {
		t.Fatal("no hover over the conflict cell")
	}
	hc.MouseIn(nil)
	tip := g.tip.Content.(*widget.Label).Text
	for _, want := range []string{"Here: mine@example.com", "Salesforce: sales@corp.example", "Was: p2@example.com"} {
		if !strings.Contains(tip, want) {
			t.Errorf("conflict tooltip %q lacks %q", tip, want)
		}
	}
	hc.MouseOut()
}

// TestAmbiguousReferenceChosenInTheCell: Enter on an ambiguous Company
// cell lists its candidates (name plus what tells them apart) over the
// cell; tapping one settles it through the Source and clears the mark.
func TestAmbiguousReferenceChosenInTheCell(t *testing.T) {
	g, src, w, msgs := newTestGrid(t, 4)
	name := src.sheet.Columns[0].ID
	src.rows[2].Cells[name] = "Accenture"
	src.rows[2].State = sheets.StateError
	src.rows[2].Candidates = map[string][]sheets.Candidate{name: {
		{ID: "001A", Name: "Accenture", City: "Chicago", Owner: "Ann Lee"},
		{ID: "001B", Name: "Accenture", City: "Dublin", Website: "accenture.ie"},
	}}
	g.Reload()
	if m := g.model.Mark(1, 0); m != MarkAmbiguous {
		t.Fatalf("mark %v", m)
	}
	if tip := g.CellTip(1, 0); !strings.Contains(tip, "2 records match") || !strings.Contains(tip, "Dublin") {
		t.Errorf("tip %q", tip)
	}
	g.moveTo(1, 0, false)
	w.Canvas().Focus(g.Focusable())
	typed(w, fyne.KeyReturn)
	if g.candidates == nil || !g.candidates.Visible() || g.Editing() {
		t.Fatal("Enter on an ambiguous cell offered no candidates")
	}
	var dublin *widget.Button
	for _, o := range test.LaidOutObjects(g.candidates.Content) {
		if b, ok := o.(*widget.Button); ok && strings.Contains(b.Text, "Dublin · accenture.ie") {
			dublin = b
		}
	}
	if dublin == nil {
		t.Fatal("no Dublin candidate listed")
	}
	test.Tap(dublin)
	if len(src.chosen) != 1 || src.chosen[0] != "001B" {
		t.Fatalf("chosen %v", src.chosen)
	}
	if m := g.model.Mark(1, 0); m == MarkAmbiguous || g.model.Row(1).State != sheets.StateModified {
		t.Errorf("after choosing: mark %v state %v", m, g.model.Row(1).State)
	}
	if last := (*msgs)[len(*msgs)-1]; !strings.Contains(last, "remembered") {
		t.Errorf("message %q", last)
	}
	// Typing over an ambiguous cell still edits it.
	src.rows[3].Candidates = map[string][]sheets.Candidate{name: {{ID: "x1", Name: "A"}, {ID: "x2", Name: "A"}}}
	g.Reload()
	g.moveTo(2, 0, false)
	typeText(w, "Acme")
	typed(w, fyne.KeyReturn)
	if got := src.rows[3].Cells[name]; got != "Acme" {
		t.Errorf("typed over an ambiguous cell: %q", got)
	}
}
