package ui

import (
	"strings"
	"testing"

	"crmsheets/sheets"
)

// TestPasteThroughService pastes into a pulled sheet through the real
// Service: a block with a bad email writes nothing, a good one lands in
// one transaction with the rows marked modified, and Undo restores them.
func TestPasteThroughService(t *testing.T) {
	mw := newTestWindow(t)
	sh := pulledContacts(t, mw)
	g := mw.Grid()
	ids, err := mw.svc.RowIDs(sh.ID)
	if err != nil || len(ids) < 2 {
		t.Fatalf("rows %v %v", ids, err)
	}
	email := colByField(t, sh, "Email")
	before := make([]string, 2)
	for i := range before {
		r, err := mw.svc.Row(sh.ID, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		before[i] = r.Cells[email]
	}
	if !g.MoveToRow(ids[0], email) {
		t.Fatal("first row not in view")
	}

	g.Paste("ann@example.com\nnot-an-email\n")
	mw.WaitIdle()
	if r, _ := mw.svc.Row(sh.ID, ids[0]); r.Cells[email] != before[0] || r.State != sheets.StateSynced {
		t.Errorf("a refused paste changed row 1: %q (%v)", r.Cells[email], r.State)
	}
	if !strings.Contains(mw.status.Text, "Nothing pasted: row 2") {
		t.Errorf("status %q", mw.status.Text)
	}

	g.MoveToRow(ids[0], email)
	g.Paste("ann@example.com\nbob@example.com\n")
	mw.WaitIdle()
	for i, want := range []string{"ann@example.com", "bob@example.com"} {
		r, err := mw.svc.Row(sh.ID, ids[i])
		if err != nil || r.Cells[email] != want || r.State != sheets.StateModified {
			t.Fatalf("row %d after paste: %v %v", i+1, r, err)
		}
	}
	g.Undo()
	mw.WaitIdle()
	for i := range before {
		if r, _ := mw.svc.Row(sh.ID, ids[i]); r.Cells[email] != before[i] {
			t.Errorf("row %d after undo %q, want %q", i+1, r.Cells[email], before[i])
		}
	}
}

// TestColumnWidthSavedAndRestored resizes a column as a header drag does:
// the width is saved in the sheet (Column.Width) and the grid opens with
// it again.
func TestColumnWidthSavedAndRestored(t *testing.T) {
	mw := newTestWindow(t)
	sh := pulledContacts(t, mw)
	email := colByField(t, sh, "Email")
	mw.columnResized(email, 260)
	mw.saveColumnWidths() // what the timer does after widthSaveDelay
	mw.WaitIdle()
	saved, err := mw.svc.Sheet(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := saved.Column(email); c.Width != 260 {
		t.Fatalf("saved width %v, want 260", c.Width)
	}
	if err := mw.OpenSheet(sh.ID); err != nil {
		t.Fatal(err)
	}
	if c, _ := mw.Grid().Model().Sheet().Column(email); c.Width != 260 {
		t.Errorf("reopened with width %v, want 260", c.Width)
	}
}
