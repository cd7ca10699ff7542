package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
)

// TestFeedbackStaysCurrent: a refused value's red message goes once the
// cell is committed and status messages expire; the sidebar's row count
// follows an added row; a run replaces the plan it ran; a run that finds
// conflicts puts a count on the Conflicts tab; quitting with unpushed
// changes asks.
func TestFeedbackStaysCurrent(t *testing.T) {
	prevInfo, prevErr := infoExpiry, errorExpiry
	infoExpiry, errorExpiry = 50*time.Millisecond, 50*time.Millisecond
	t.Cleanup(func() { infoExpiry, errorExpiry = prevInfo, prevErr })
	mw := newTestWindow(t)
	ctx := mw.ctx

	// Someone else's sheet changes two titles in Salesforce.
	other, err := mw.svc.NewSheetFromTemplate("people", "Colleague")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.Sync(ctx, other.ID, app.SyncOptions{Direction: sheets.Pull, Full: true}, nil); err != nil {
		t.Fatal(err)
	}
	sh, err := mw.svc.NewSheetFromTemplate("people", "Contacts")
	if err != nil {
		t.Fatal(err)
	}
	mw.sheetCreated(sh)
	mw.ShowScreen("sync")
	s := mw.screens.sync
	s.direction.SetSelected("Pull")
	s.full.SetChecked(true)
	s.doRun(false)
	mw.WaitIdle()

	title, _ := sh.ColumnByField("Title")
	email, _ := sh.ColumnByField("Email")
	ids, _ := mw.svc.RowIDs(other.ID)
	for _, id := range ids[:2] {
		if _, err := mw.svc.EditCell(other.ID, id, title.ID, "Changed in Salesforce"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := mw.svc.Sync(ctx, other.ID, app.SyncOptions{Direction: sheets.Push}, nil); err != nil {
		t.Fatal(err)
	}

	// In the grid: a refused email, then a good value: the red goes.
	mw.ShowScreen("main")
	g := mw.Grid()
	g.MoveToRow(g.Model().Order()[0], email.ID)
	mw.Window().Canvas().Focus(g.Focusable())
	typeInGrid(mw, "not-an-email")
	pressKey(mw, fyne.KeyReturn)
	if mw.status.Importance != widget.DangerImportance || !strings.Contains(mw.status.Text, "refused") {
		t.Fatalf("status after a refusal %q", mw.status.Text)
	}
	pressKey(mw, fyne.KeyEscape)
	if strings.Contains(mw.status.Text, "refused") {
		t.Errorf("the refusal stayed after Escape: %q", mw.status.Text)
	}
	// The same titles edited here: conflicts at the next sync.
	for i := range 2 {
		g.MoveToRow(g.Model().Order()[i], title.ID)
		mw.Window().Canvas().Focus(g.Focusable())
		typeInGrid(mw, "Changed here")
		pressKey(mw, fyne.KeyReturn)
	}
	before := mw.sidebar.counts[sh.ID]
	test.Tap(findButton(mw.sheetTab.Content, "Row"))
	if got := mw.sidebar.counts[sh.ID]; got != before+1 {
		t.Errorf("sidebar count %d after adding a row to %d", got, before)
	}
	deadline := time.Now().Add(5 * time.Second)
	for mw.status.Text != "Ready" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if mw.status.Text != "Ready" {
		t.Errorf("status message never expired: %q", mw.status.Text)
	}

	// Quitting now asks: rows changed here are not pushed.
	quit := false
	mw.confirmQuit(func() { quit = true })
	top := mw.Window().Canvas().Overlays().Top()
	if quit || top == nil || findButton(top, "Stay") == nil {
		t.Fatal("quitting with unpushed changes did not ask")
	}
	test.Tap(findButton(top, "Stay"))
	if quit {
		t.Fatal("Stay quit")
	}

	mw.ShowScreen("sync")
	s.doPlan()
	mw.WaitIdle()
	if len(s.rows) == 0 {
		t.Fatal("the plan lists no change")
	}
	s.direction.SetSelected("Both")
	s.full.SetChecked(false)
	s.policy.SetSelected("Review each conflict")
	s.doRun(false)
	mw.WaitIdle()
	if len(s.rows) != 0 || strings.Contains(s.plan.Text, "Press Plan to see what a run") {
		t.Errorf("the old plan stayed under the run: %d rows, %q", len(s.rows), s.plan.Text)
	}
	if !strings.Contains(s.plan.Text, "Conflicts tab") {
		t.Errorf("nothing points to Conflicts: %q", s.plan.Text)
	}
	mw.WaitIdle()
	if got := mw.tabTitle(tabConflicts); got != "Conflicts (2)" {
		t.Errorf("Conflicts tab %q, want a badge of 2", got)
	}
	mw.ShowScreen("conflicts")
	if got := mw.tabs.Selected().Text; got != "Conflicts (2)" {
		t.Errorf("ShowScreen with a badge selected %q", got)
	}
	mw.WaitIdle()
	if items := mw.screens.conflicts.items; len(items) != 2 || items[0].Record == "" || items[0].Record == items[0].RecordID {
		t.Errorf("conflicts do not name their records: %+v", items)
	}
}
