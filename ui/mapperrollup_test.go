package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
)

// TestRollupColumnFromTheMapper: on an Accounts sheet, "Add roll-up
// column…" offers the related records; choosing Opportunities, sum of
// Amount where Amount > 0 adds a read-only column the Mapper
// shows as a roll-up, filled for the accounts with deals.
func TestRollupColumnFromTheMapper(t *testing.T) {
	mw := newTestWindow(t)
	ctx := context.Background()
	sh, err := mw.svc.NewSheetFromTemplate("accounts", "Accounts")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.Sync(ctx, sh.ID, app.SyncOptions{Direction: sheets.Pull, Full: true}, nil); err != nil {
		t.Fatal(err)
	}
	mw.sheetCreated(sh)
	mw.ShowScreen("mapper")
	m := mw.screens.mapper
	mw.WaitIdle()
	test.Tap(m.rollupBtn)
	mw.WaitIdle()
	rd := m.pendingRollup
	if rd == nil {
		t.Fatalf("no roll-up dialog: %q", m.message.Text)
	}
	opp := ""
	for _, o := range rd.child.Options {
		if strings.Contains(o, "Opportunity.AccountId") {
			opp = o
		}
	}
	if opp == "" {
		t.Fatalf("related records offered: %v", rd.child.Options)
	}
	rd.child.SetSelected(opp)
	rd.fn.SetSelected("sum")
	for _, f := range rd.field.Options {
		if f == "CloseDate" {
			t.Error("a date is offered to sum")
		}
	}
	rd.field.SetSelected("Amount")
	test.Type(rd.where, "Amount > 0")
	test.Type(rd.name, "Won")
	var add *widget.Button
	for _, o := range test.LaidOutObjects(mw.Window().Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Add" {
			add = b
		}
	}
	if add == nil {
		t.Fatal("the dialog has no Add button")
	}
	test.Tap(add)
	mw.WaitIdle()
	now, err := mw.svc.Sheet(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	won, ok := now.ColumnByName("Won")
	if !ok || won.Rollup == nil || !won.ReadOnly || won.Rollup.Where != "Amount > 0" {
		t.Fatalf("column Won: %+v (%q)", won, m.message.Text)
	}
	if txt := m.mappedText(won); !strings.Contains(txt, "roll-up") || !strings.Contains(m.message.Text, "Roll-up column") {
		t.Errorf("mapper text %q, message %q", txt, m.message.Text)
	}
	filled := 0
	for r, err := range mw.svc.Rows(sh.ID) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Cells[won.ID] != "" {
			filled++
		}
	}
	if filled == 0 {
		t.Fatalf("no account got a sum of won deals (the screen says %q)", m.message.Text)
	}
}
