package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
)

// TestAmbiguousCompanySettledInTheGrid is the "done when" against
// the demo org: two Accounts named "Initech", a contact whose Company is
// "Initech" comes back from a push with two candidates; the person presses
// Enter on the cell, picks the Boston one in the list over the cell, pushes
// again, and the contact is created under that account's id.
func TestAmbiguousCompanySettledInTheGrid(t *testing.T) {
	mw := newTestWindow(t)
	ctx := mw.ctx
	accounts, err := mw.svc.NewSheetFromTemplate("accounts", "Accounts")
	if err != nil {
		t.Fatal(err)
	}
	name, _ := accounts.ColumnByField("Name")
	city, _ := accounts.ColumnByField("BillingCity")
	if _, err := mw.svc.AddRows(accounts.ID, 0, []map[string]string{{name.ID: "Initech", city.ID: "Austin"}, {name.ID: "Initech", city.ID: "Boston"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.Sync(ctx, accounts.ID, app.SyncOptions{Direction: sheets.Push}, nil); err != nil {
		t.Fatal(err)
	}
	boston := ""
	for r, err := range mw.svc.Rows(accounts.ID) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Cells[city.ID] == "Boston" {
			boston = r.RecordID
		}
	}
	if boston == "" {
		t.Fatal("the Boston account was not created")
	}

	people, err := mw.svc.NewSheetFromTemplate("people", "People")
	if err != nil {
		t.Fatal(err)
	}
	last, _ := people.ColumnByField("LastName")
	company, _ := people.ColumnByField("Account.Name")
	if _, err := mw.svc.AddRows(people.ID, 0, []map[string]string{{last.ID: "Twice", company.ID: "Initech"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.Sync(ctx, people.ID, app.SyncOptions{Direction: sheets.Push}, nil); err != nil {
		t.Fatal(err)
	}
	if err := mw.OpenSheet(people.ID); err != nil {
		t.Fatal(err)
	}
	g := mw.Grid()
	rowID := g.Model().Order()[0]
	if !g.MoveToRow(rowID, company.ID) {
		t.Fatal("row not in the grid")
	}
	mw.Window().Canvas().Focus(g.Focusable())
	mw.Window().Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	top := mw.Window().Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("Enter on the ambiguous Company cell offered nothing")
	}
	var pick *widget.Button
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && strings.Contains(b.Text, "Boston") {
			pick = b
		}
	}
	if pick == nil {
		t.Fatal("no Boston candidate in the list")
	}
	test.Tap(pick)
	run, err := mw.svc.Sync(ctx, people.ID, app.SyncOptions{Direction: sheets.Push}, nil)
	if err != nil || run.Counts.Created != 1 {
		t.Fatalf("push after choosing: %+v %v", run, err)
	}
	// Read the contact's AccountId back through a column mapped to it.
	acct, err := mw.svc.AddColumnFromField(ctx, people.ID, "AccountId")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.Sync(ctx, people.ID, app.SyncOptions{Direction: sheets.Pull, Full: true}, nil); err != nil {
		t.Fatal(err)
	}
	r, err := mw.svc.Row(people.ID, rowID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Cells[acct.ID] != boston {
		t.Errorf("contact's AccountId %q, want the chosen Boston account %s", r.Cells[acct.ID], boston)
	}
}
