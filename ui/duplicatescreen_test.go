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

// TestDuplicateDecisionInTheApp: against the demo org, a new row whose
// e-mail a contact already has is refused by the duplicate rule; Enter on
// the row's first cell offers "Link to" that contact and "Create anyway";
// linking it sends the row's values to the existing contact.
func TestDuplicateDecisionInTheApp(t *testing.T) {
	mw := newTestWindow(t)
	ctx := context.Background()
	people, err := mw.svc.NewSheetFromTemplate("people", "Contacts")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.Sync(ctx, people.ID, app.SyncOptions{Direction: sheets.Pull, Full: true}, nil); err != nil {
		t.Fatal(err)
	}
	email, _ := people.ColumnByField("Email")
	var existing *sheets.Row
	for r, err := range mw.svc.Rows(people.ID) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Cells[email.ID] != "" {
			existing = r
			break
		}
	}
	sh := &sheets.Sheet{Name: "Vendor contacts", Object: "Contact"}
	sh.AddColumn(sheets.Column{Name: "Last Name", Type: sheets.TypeText, Field: "LastName"})
	em := sh.AddColumn(sheets.Column{Name: "Email", Type: sheets.TypeEmail, Field: "Email"})
	title := sh.AddColumn(sheets.Column{Name: "Title", Type: sheets.TypeText, Field: "Title"})
	sh.Sync.CreateMissing = true
	if sh, err = mw.svc.NewLocalSheet(sh); err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.AddRows(sh.ID, 0, []map[string]string{{sh.Columns[0].ID: "Vendor", em.ID: existing.Cells[email.ID], title.ID: "From the vendor list"}}); err != nil {
		t.Fatal(err)
	}
	if run, err := mw.svc.Sync(ctx, sh.ID, app.SyncOptions{Direction: sheets.Push}, nil); err != nil || run.Counts.Failed != 1 {
		t.Fatalf("push of the duplicate: %+v %v", run, err)
	}
	mw.sheetCreated(sh)
	if err := mw.OpenSheet(sh.ID); err != nil {
		t.Fatal(err)
	}
	mw.WaitIdle()
	if !mw.openFirstDuplicate() {
		t.Fatal("no refused duplicate found in the grid")
	}
	top := mw.Window().Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("Enter on the refused row offered nothing")
	}
	var link, anyway *widget.Button
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok {
			switch {
			case strings.HasPrefix(b.Text, "Link to ") && strings.Contains(b.Text, existing.Cells[email.ID]):
				link = b
			case b.Text == "Create anyway":
				anyway = b
			}
		}
	}
	if link == nil || anyway == nil {
		t.Fatal("the decision does not offer Link to the existing contact and Create anyway")
	}
	test.Tap(link)
	run, err := mw.svc.Sync(ctx, sh.ID, app.SyncOptions{Direction: sheets.Push}, nil)
	if err != nil || run.Counts.Updated != 1 || run.Counts.Created != 0 {
		t.Fatalf("push after linking: %+v %v", run, err)
	}
	if _, err := mw.svc.Sync(ctx, people.ID, app.SyncOptions{Direction: sheets.Pull, Full: true}, nil); err != nil {
		t.Fatal(err)
	}
	titleCol, _ := people.ColumnByField("Title")
	if got, _ := mw.svc.Row(people.ID, existing.ID); got.Cells[titleCol.ID] != "From the vendor list" {
		t.Fatalf("the existing contact's title is %q", got.Cells[titleCol.ID])
	}
}
