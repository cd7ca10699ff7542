package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/internal/demoorg"
	"crmsheets/sheets"
)

// findButton returns the button with the given text among objects (and
// their children), or nil.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	if b, ok := o.(*widget.Button); ok && b.Text == text {
		return b
	}
	var kids []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		kids = x.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(x).Objects()
	}
	for _, k := range kids {
		if b := findButton(k, text); b != nil {
			return b
		}
	}
	return nil
}

// TestRebindFromSyncTab: a sheet pulled from the demo org, opened with the
// same data under another org id (a sandbox copy), is refused on Plan with
// both orgs named; the Sync tab offers Re-bind, and confirming it moves the
// sheet to the connected org with a full pull.
func TestRebindFromSyncTab(t *testing.T) {
	t.Setenv(ScreenEnv, "")
	home := t.TempDir()
	ctx := context.Background()
	svc1, err := app.Open(ctx, app.Options{Home: home, DemoOrg: demoorg.New(), DemoSeedAccounts: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc1.ConnectActive(ctx); err != nil {
		t.Fatal(err)
	}
	sh, err := svc1.NewSheetFromTemplate("people", "Contacts")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc1.Sync(ctx, sh.ID, app.SyncOptions{Direction: sheets.Pull}, nil); err != nil {
		t.Fatal(err)
	}
	first, _, _ := svc1.SheetOrg(sh.ID)
	svc1.Close()

	a := test.NewTempApp(t)
	svc, err := app.Open(ctx, app.Options{Home: home, DemoOrg: demoorg.New(), DemoSeedAccounts: 5, DemoOrgSalesforceID: "00D000000000002"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	mw := NewMainWindow(a, svc)
	t.Cleanup(mw.stop)
	mw.Window().Resize(fyne.NewSize(1200, 800))
	mw.Start()
	mw.WaitIdle()
	if err := mw.OpenSheet(sh.ID); err != nil {
		t.Fatal(err)
	}
	now, err := svc.ConnectedOrg()
	if err != nil || now.OrgID == first.OrgID {
		t.Fatalf("connected org %+v (%v), sheet bound to %+v", now, err, first)
	}
	mw.ShowScreen("sync")
	s := mw.screens.sync
	if !strings.Contains(s.orgLine.Text, first.OrgID) {
		t.Errorf("org line %q does not name the sheet's org %s", s.orgLine.Text, first.OrgID)
	}
	s.direction.SetSelected("Push")
	s.doPlan()
	mw.WaitIdle()
	if !strings.Contains(s.plan.Text, first.OrgID) || !strings.Contains(s.plan.Text, now.OrgID) {
		t.Fatalf("plan against the other org: %q", s.plan.Text)
	}
	if s.rebindBtn.Hidden {
		t.Fatal("no Re-bind action offered after the refusal")
	}
	test.Tap(s.rebindBtn)
	top := mw.Window().Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("Re-bind asked for no confirmation")
	}
	ok := findButton(top, "Re-bind")
	if ok == nil {
		t.Fatal("confirmation has no Re-bind button")
	}
	test.Tap(ok)
	mw.WaitIdle()
	b, bound, err := svc.SheetOrg(sh.ID)
	if err != nil || !bound || b.OrgID != now.OrgID {
		t.Fatalf("after Re-bind the sheet is bound to %+v (%v)", b, err)
	}
	if !strings.Contains(s.summary.Text, "re-bound") || !s.rebindBtn.Hidden {
		t.Errorf("summary %q, re-bind button hidden %v", s.summary.Text, s.rebindBtn.Hidden)
	}
	s.doPlan()
	mw.WaitIdle()
	if strings.Contains(s.plan.Text, "Plan failed") {
		t.Fatalf("plan after the re-bind: %q", s.plan.Text)
	}
}

// TestCreateAgainAfterRevert: a revert of a create run leaves its rows
// "Deleted in Salesforce"; selecting one and choosing Create again (after
// the confirmation) makes it a new row for the next push, and only it.
func TestCreateAgainAfterRevert(t *testing.T) {
	mw := newTestWindow(t)
	ctx := context.Background()
	sh, err := mw.svc.NewSheetFromTemplate("people", "People")
	if err != nil {
		t.Fatal(err)
	}
	email, _ := sh.ColumnByField("Email")
	last, _ := sh.ColumnByField("LastName")
	rows, err := mw.svc.AddRows(sh.ID, 0, []map[string]string{
		{email.ID: "one@again.example", last.ID: "One"}, {email.ID: "two@again.example", last.ID: "Two"},
	})
	if err != nil {
		t.Fatal(err)
	}
	push, err := mw.svc.Sync(ctx, sh.ID, app.SyncOptions{Direction: sheets.Push}, nil)
	if err != nil || push.Counts.Created != 2 {
		t.Fatalf("push %+v %v", push, err)
	}
	if _, err := mw.svc.Revert(ctx, push.ID, nil); err != nil {
		t.Fatal(err)
	}
	mw.sheetCreated(sh)
	mw.WaitIdle()
	if !mw.recreateBtn.Hidden {
		t.Error("Create again shows while all rows are listed")
	}
	// The filter's choice, as picking it does (SetSelected would also
	// repaint the select on this goroutine while the grid filters its rows
	// on another: the test driver runs both at once, the desktop one never).
	mw.stateFilter.Selected = "Deleted in Salesforce"
	mw.stateFilter.OnChanged(mw.stateFilter.Selected)
	mw.WaitIdle()
	if mw.recreateBtn.Hidden {
		t.Fatal("Create again hidden while the sheet lists rows deleted in Salesforce")
	}
	if !mw.grid.MoveToRow(rows[1].ID, email.ID) {
		t.Fatal("row not in the grid")
	}
	test.Tap(mw.recreateBtn)
	top := mw.Window().Canvas().Overlays().Top()
	yes := findButton(top, "Yes")
	if yes == nil {
		t.Fatal("no confirmation")
	}
	test.Tap(yes)
	mw.WaitIdle()
	left, err := mw.svc.DeletedRows(sh.ID)
	if err != nil || len(left) != 1 || left[0] != rows[0].ID {
		t.Fatalf("rows still deleted in Salesforce: %v (%v), want only row %d", left, err, rows[0].ID)
	}
}
