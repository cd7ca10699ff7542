package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"crmsheets/sheets"
)

// typeInGrid sends runes to whatever has the keyboard, as the driver does.
func typeInGrid(mw *MainWindow, text string) {
	for _, r := range text {
		mw.Window().Canvas().Focused().TypedRune(r)
	}
}

func pressKey(mw *MainWindow, k fyne.KeyName) {
	mw.Window().Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: k})
}

// storedColumns is the open sheet's columns as stored, "Name:type" each.
func storedColumns(t *testing.T, mw *MainWindow) string {
	t.Helper()
	sh, err := mw.svc.Sheet(mw.Sheet().ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range sh.Columns {
		out = append(out, c.Name+":"+string(c.Type))
	}
	return strings.Join(out, ",")
}

// TestBlankSheetAndColumnMenu starts a blank sheet, types rows into it and
// works its columns from the header menu: insert, rename, a retype whose
// preview lists the values that would not convert (and refuses), a retype
// that converts, move and remove — checking the store after each.
func TestBlankSheetAndColumnMenu(t *testing.T) {
	mw := newTestWindow(t)
	mw.newBlank("Guests", "Name, Seats")
	if mw.Sheet() == nil || mw.Sheet().Name != "Guests" || mw.Sheet().Object != "" {
		t.Fatalf("blank sheet not open: %+v", mw.Sheet())
	}
	if got := storedColumns(t, mw); got != "Name:text,Seats:text" {
		t.Fatalf("blank columns %s", got)
	}
	g := mw.Grid()
	for _, row := range [][2]string{{"Ann", "2"}, {"Bob", "two"}} {
		g.AddRow()
		mw.Window().Canvas().Focus(g.Focusable())
		typeInGrid(mw, row[0])
		pressKey(mw, fyne.KeyTab)
		typeInGrid(mw, row[1])
		pressKey(mw, fyne.KeyReturn)
	}
	rows := 0
	for r, err := range mw.svc.Rows(mw.Sheet().ID) {
		if err != nil {
			t.Fatal(err)
		}
		rows++
		if r.Cells[mw.Sheet().Columns[0].ID] == "" {
			t.Errorf("row %d has no name: %v", r.ID, r.Cells)
		}
	}
	if rows != 2 {
		t.Fatalf("%d rows stored, want 2", rows)
	}

	// A right-click on a header opens the column menu.
	before := len(mw.Window().Canvas().Overlays().List())
	tapped := false
	for _, o := range test.LaidOutObjects(mw.Window().Content()) {
		if h, ok := o.(fyne.SecondaryTappable); ok && fmt.Sprintf("%T", o) == "*grid.headerCell" && o.Visible() && o.Size().Width > 60 {
			h.TappedSecondary(&fyne.PointEvent{AbsolutePosition: fyne.NewPos(300, 120)})
			tapped = true
			break
		}
	}
	if !tapped || len(mw.Window().Canvas().Overlays().List()) != before+1 {
		t.Fatal("right-click on a header opened no menu")
	}
	mw.Window().Canvas().Overlays().Top().Hide()
	items := mw.columnMenu(mw.Sheet().Columns[0].ID).Items
	var labels []string
	for _, it := range items {
		labels = append(labels, it.Label)
	}
	if got := strings.Join(labels, "|"); !strings.Contains(got, "Insert column…|Rename…|Change type…") || !strings.Contains(got, "Remove column…") {
		t.Errorf("menu %q", got)
	}

	nameID, seatsID := mw.Sheet().Columns[0].ID, mw.Sheet().Columns[1].ID
	mw.insertColumn(nameID, "Email", sheets.TypeEmail)
	if got := storedColumns(t, mw); got != "Name:text,Email:email,Seats:text" {
		t.Fatalf("after insert %s", got)
	}
	if mw.Grid().Model().Columns() != 3 {
		t.Errorf("grid shows %d columns after insert", mw.Grid().Model().Columns())
	}
	mw.renameColumn(seatsID, "Party size")
	if got := storedColumns(t, mw); got != "Name:text,Email:email,Party size:text" {
		t.Fatalf("after rename %s", got)
	}

	r := mw.showRetypeColumn(seatsID)
	for i, ty := range sheets.Types {
		if ty == sheets.TypeNumber {
			r.kind.SetSelectedIndex(i)
		}
	}
	if !r.apply.Disabled() || !strings.Contains(r.preview.Text, `"two"`) || !strings.Contains(r.preview.Text, "1 value(s)") {
		t.Fatalf("retype preview %q (apply disabled %v)", r.preview.Text, r.apply.Disabled())
	}
	r.d.Hide()
	// Fix the cell in the grid, then the retype goes through.
	g = mw.Grid()
	g.MoveToRow(g.Model().Order()[1], seatsID)
	mw.Window().Canvas().Focus(g.Focusable())
	typeInGrid(mw, "3")
	pressKey(mw, fyne.KeyReturn)
	r = mw.showRetypeColumn(seatsID)
	for i, ty := range sheets.Types {
		if ty == sheets.TypeNumber {
			r.kind.SetSelectedIndex(i)
		}
	}
	if r.apply.Disabled() {
		t.Fatalf("retype still refused: %q", r.preview.Text)
	}
	test.Tap(r.apply)
	if got := storedColumns(t, mw); got != "Name:text,Email:email,Party size:number" {
		t.Fatalf("after retype %s", got)
	}

	mw.moveColumn(seatsID, -1)
	if got := storedColumns(t, mw); got != "Name:text,Party size:number,Email:email" {
		t.Fatalf("after move left %s", got)
	}
	mw.removeColumn(nameID)
	if got := storedColumns(t, mw); got != "Party size:number,Email:email" {
		t.Fatalf("after remove %s", got)
	}
	if c := mw.Grid().Model().Columns(); c != 2 {
		t.Errorf("grid shows %d columns after remove", c)
	}
}

// TestRemoveOrgFromTheConnectionDialog removes a saved org the way the
// dialog's Remove does; the demo org cannot be removed.
func TestRemoveOrgFromTheConnectionDialog(t *testing.T) {
	mw := newTestWindow(t)
	o := loginSecondOrg(t, mw.svc, "Acme sandbox")
	mw.confirmRemoveOrg(o)
	top := mw.Window().Canvas().Overlays().Top()
	if top == nil || findButton(top, "Yes") == nil {
		t.Fatal("Remove asked for no confirmation")
	}
	test.Tap(findButton(top, "Yes"))
	orgs, err := mw.svc.Orgs()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range orgs {
		if x.ID == o.ID {
			t.Fatalf("org still saved after Remove: %v", orgs)
		}
	}
	if !strings.Contains(mw.status.Text, "Removed Acme sandbox") {
		t.Errorf("status %q", mw.status.Text)
	}
}
