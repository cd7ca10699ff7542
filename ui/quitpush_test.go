package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/sheets"
)

// TestQuitPushNow: quitting with an edited row offers Push now; tapping it
// pushes the rows and quits once Salesforce has the values.
// A push with a row Salesforce refuses keeps the window open and says so.
func TestQuitPushNow(t *testing.T) {
	mw := newTestWindow(t)
	sh := pulledContacts(t, mw)
	ids, err := mw.svc.RowIDs(sh.ID)
	if err != nil || len(ids) < 2 {
		t.Fatalf("rows %v %v", ids, err)
	}
	title := colByField(t, sh, "Title")

	// A row Salesforce refuses (a title longer than the field): no quit.
	if _, err := mw.svc.EditCell(sh.ID, ids[1], title, strings.Repeat("x", 300)); err != nil {
		t.Fatal(err)
	}
	quit := false
	mw.confirmQuit(func() { quit = true })
	top := mw.Window().Canvas().Overlays().Top()
	if top == nil || findButton(top, "Push now") == nil || findButton(top, "Stay") == nil || findButton(top, "Quit") == nil {
		t.Fatal("quitting with unpushed changes does not offer Stay, Quit and Push now")
	}
	test.Tap(findButton(top, "Push now"))
	mw.WaitIdle()
	if quit {
		t.Fatal("quit although a row was refused")
	}
	top = mw.Window().Canvas().Overlays().Top()
	if top == nil || !strings.Contains(labelsText(top), "Not everything was pushed") {
		t.Fatalf("no word about the refused row: %q", labelsText(top))
	}
	test.Tap(findButton(top, "OK"))

	// Put the title right, edit another row: Push now pushes and quits.
	if _, err := mw.svc.EditCell(sh.ID, ids[1], title, "Buyer"); err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.EditCell(sh.ID, ids[0], title, "Head of Partnerships"); err != nil {
		t.Fatal(err)
	}
	mw.confirmQuit(func() { quit = true })
	top = mw.Window().Canvas().Overlays().Top()
	if !strings.Contains(labelsText(top), "2 row(s) in 1 sheet(s)") {
		t.Errorf("dialog reads %q, want 2 rows in 1 sheet", labelsText(top))
	}
	// The progress dialog is not read here: the push runs on and the
	// test driver paints from its goroutine, so reading it would race.
	test.Tap(findButton(top, "Push now"))
	mw.WaitIdle()
	if !quit {
		t.Fatalf("did not quit after a clean push; overlay: %q", labelsText(mw.Window().Canvas().Overlays().Top()))
	}
	for _, id := range ids[:2] {
		r, err := mw.svc.Row(sh.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != sheets.StateSynced {
			t.Errorf("row %d is %v after Push now, want synced", id, r.State)
		}
	}
	if n := len(mw.unpushedSheets()); n != 0 {
		t.Errorf("%d sheets still unpushed", n)
	}
}

// labelsText is the text of every label under o, for reading a dialog.
func labelsText(o fyne.CanvasObject) string {
	if o == nil {
		return ""
	}
	var b strings.Builder
	for _, c := range test.LaidOutObjects(o) {
		if l, ok := c.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	}
	return b.String()
}
