package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/sheets"
)

// TestPlanNamesRecordsListsNewRowsAndSorts: after someone adds a contact in
// Salesforce and a title is edited here, the plan's table names each
// record (not "salesforce" or "sheet"), lists the row the pull would add,
// and sorts by a column when its header is tapped.
func TestPlanNamesRecordsListsNewRowsAndSorts(t *testing.T) {
	mw := newTestWindow(t)
	ctx := mw.ctx
	sh, err := mw.svc.NewSheetFromTemplate("people", "Contacts")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mw.svc.Sync(ctx, sh.ID, app.SyncOptions{Direction: sheets.Pull, Full: true}, nil); err != nil {
		t.Fatal(err)
	}
	other, err := mw.svc.NewSheetFromTemplate("people", "Colleague")
	if err != nil {
		t.Fatal(err)
	}
	last, _ := other.ColumnByField("LastName")
	email, _ := other.ColumnByField("Email")
	if _, err := mw.svc.AddRows(other.ID, 0, []map[string]string{{last.ID: "Newcomer", email.ID: "newcomer@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if run, err := mw.svc.Sync(ctx, other.ID, app.SyncOptions{Direction: sheets.Push}, nil); err != nil || run.Counts.Created != 1 {
		t.Fatalf("create the newcomer: %+v %v", run, err)
	}
	mw.sheetCreated(sh)
	title, _ := sh.ColumnByField("Title")
	ids, _ := mw.svc.RowIDs(sh.ID)
	if _, err := mw.svc.EditCell(sh.ID, ids[0], title.ID, "Zebra keeper"); err != nil {
		t.Fatal(err)
	}
	mw.reloadSheet()
	mw.ShowScreen("sync")
	s := mw.screens.sync
	s.direction.SetSelected("Both")
	s.doPlan()
	mw.WaitIdle()
	var added, updated *app.CellChange
	for i, c := range s.rows {
		switch c.Op {
		case app.OpAdd:
			added = &s.rows[i]
		case sheets.OpUpdate:
			updated = &s.rows[i]
		}
	}
	if added == nil || !strings.Contains(strings.ToLower(app.ChangeRecord(*added)), "newcomer") {
		t.Fatalf("the new row is not listed by name: %+v", s.rows)
	}
	if updated == nil || app.ChangeRecord(*updated) == "salesforce" || app.ChangeRecord(*updated) == "" || updated.New != "Zebra keeper" {
		t.Fatalf("the update does not name its record: %+v", updated)
	}
	// Tap the "After the run" header: sorted ascending, then descending.
	var header *widget.Button
	for _, o := range test.LaidOutObjects(s.changes) {
		if b, ok := o.(*widget.Button); ok && strings.HasPrefix(b.Text, "After the run") {
			header = b
		}
	}
	if header == nil {
		t.Fatal("no sortable header")
	}
	test.Tap(header)
	if first := strings.ToLower(changeCells(s.rows[0])[4]); first > strings.ToLower(changeCells(s.rows[len(s.rows)-1])[4]) {
		t.Errorf("not sorted ascending: first %q", first)
	}
	test.Tap(header)
	if changeCells(s.rows[0])[4] != "Zebra keeper" {
		t.Errorf("descending sort starts with %q, want Zebra keeper", changeCells(s.rows[0])[4])
	}
}

// TestPlanOfFirstPullListsRecords: the plan of a new sheet's first pull,
// asked with the Plan button, lists the records the pull would add by name
// (the first app.FirstPullListed of them), says how many more it would
// add, and shows the names in the table.
func TestPlanOfFirstPullListsRecords(t *testing.T) {
	// Enough accounts for more contacts than the plan lists.
	mw := newTestWindowWith(t, app.Options{DemoSeedAccounts: 30})
	sh, err := mw.svc.NewSheetFromTemplate("people", "Contacts")
	if err != nil {
		t.Fatal(err)
	}
	mw.sheetCreated(sh)
	mw.ShowScreen("sync")
	s := mw.screens.sync
	s.direction.SetSelected("Pull")
	test.Tap(s.planBtn)
	mw.WaitIdle()
	var total int
	if _, err := fmt.Sscanf(s.plan.Text[strings.Index(s.plan.Text, "Pull: "):], "Pull: %d read", &total); err != nil || total == 0 {
		t.Fatalf("plan text %q: no records read (%v)", s.plan.Text, err)
	}
	want := min(total, app.FirstPullListed)
	if len(s.rows) != want {
		t.Fatalf("plan lists %d rows, want %d of %d", len(s.rows), want, total)
	}
	names := map[string]bool{}
	for _, c := range s.rows {
		if c.Op != app.OpAdd || c.Record == "" {
			t.Fatalf("change %+v: want an added row named by its record", c)
		}
		names[c.Record] = true
	}
	if total <= app.FirstPullListed {
		t.Fatalf("the demo org has %d contacts: too few to test the rows not listed", total)
	}
	if more := total - want; more > 0 && !strings.Contains(s.plan.Text, fmt.Sprintf("%d more would be added", more)) {
		t.Errorf("plan text %q does not say %d more", s.plan.Text, more)
	} else if more == 0 && strings.Contains(s.plan.Text, "more would be added") {
		t.Errorf("plan text %q speaks of more rows than there are", s.plan.Text)
	}
	// The table's cell for the first row's Record column names it.
	cell := s.changes.CreateCell()
	s.changes.UpdateCell(widget.TableCellID{Row: 0, Col: 1}, cell)
	if l := cell.(*tipLabel); !names[l.Text] {
		t.Errorf("the table's first Record cell reads %q, not a listed record", l.Text)
	}
	t.Logf("first pull plan: %d records, %d listed", total, len(s.rows))
}
