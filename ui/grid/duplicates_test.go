package grid

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// TestDuplicateDecidedInTheGrid: a row Salesforce refused as a duplicate
// is marked on its first cell; Enter there offers "Link to" each match and
// "Create anyway"; tapping one settles the row through the Source.
func TestDuplicateDecidedInTheGrid(t *testing.T) {
	g, src, w, msgs := newTestGrid(t, 4)
	for _, id := range []sheets.RowID{2, 3} {
		src.rows[id].RecordID, src.rows[id].Base, src.rows[id].State = "", nil, sheets.StateError
		src.rows[id].Candidates = map[string][]sheets.Candidate{sheets.DuplicatesKey: {
			{ID: "003A", Name: "Ada Lovelace", Email: "ada@example.com"},
		}}
	}
	g.Reload()
	if m := g.model.Mark(1, 0); m != MarkDuplicate {
		t.Fatalf("mark of the refused row's first cell: %v", m)
	}
	if m := g.model.Mark(1, 1); m == MarkDuplicate {
		t.Fatal("every cell of the row is marked")
	}
	if tip := g.CellTip(1, 0); !strings.Contains(tip, "duplicate rule") || !strings.Contains(tip, "ada@example.com") {
		t.Errorf("tip %q", tip)
	}
	buttons := func() map[string]*widget.Button {
		out := map[string]*widget.Button{}
		for _, o := range test.LaidOutObjects(g.candidates.Content) {
			if b, ok := o.(*widget.Button); ok {
				out[b.Text] = b
			}
		}
		return out
	}
	g.moveTo(1, 0, false)
	w.Canvas().Focus(g.Focusable())
	typed(w, fyne.KeyReturn)
	if g.candidates == nil || !g.candidates.Visible() || g.Editing() {
		t.Fatal("Enter on a refused duplicate offered nothing")
	}
	link := buttons()["Link to Ada Lovelace — ada@example.com"]
	if link == nil || buttons()["Create anyway"] == nil {
		t.Fatalf("offered %v", buttons())
	}
	test.Tap(link)
	if len(src.settled) != 1 || src.settled[0] != "003A" || g.model.Row(1).RecordID != "003A" || g.model.Mark(1, 0) == MarkDuplicate {
		t.Fatalf("after linking: settled %v, row %+v", src.settled, g.model.Row(1))
	}
	if last := (*msgs)[len(*msgs)-1]; !strings.Contains(last, "linked") {
		t.Errorf("message %q", last)
	}
	g.moveTo(2, 0, false)
	typed(w, fyne.KeyReturn)
	test.Tap(buttons()["Create anyway"])
	if len(src.settled) != 2 || src.settled[1] != "" || g.model.Row(2).State != sheets.StateNew {
		t.Fatalf("after create anyway: settled %q, state %v", src.settled, g.model.Row(2).State)
	}
}

// TestRollupHeaderSaysComputed: a roll-up column's header shows its
// aggregate and that it is read-only, not "not mapped".
func TestRollupHeaderSaysComputed(t *testing.T) {
	sh := &sheets.Sheet{Name: "Accounts"}
	col := sh.AddColumn(sheets.Column{Name: "Won", Type: sheets.TypeCurrency, ReadOnly: true,
		Rollup: &sheets.Rollup{Func: "sum", Child: "Opportunity", Via: "AccountId", Field: "Amount", Where: "StageName = 'Closed Won'"}})
	_, sub := headerText(sh, col, ViewSpec{})
	if !strings.Contains(sub, "Σ SUM(Opportunity.Amount) WHERE StageName = 'Closed Won'") || !strings.Contains(sub, "read-only") || strings.Contains(sub, "not mapped") {
		t.Fatalf("header caption %q", sub)
	}
}
