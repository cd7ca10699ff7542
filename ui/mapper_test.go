package ui

import (
	"slices"
	"strings"
	"testing"

	"crmsheets/app"
	"crmsheets/sheets"
)

// newUnmappedContacts creates a Contact sheet whose columns are named the
// way a vendor's file names them, none mapped yet, and opens it.
func newUnmappedContacts(t *testing.T, mw *MainWindow) *sheets.Sheet {
	t.Helper()
	sh := &sheets.Sheet{Name: "Vendor list", Object: "Contact"}
	for _, n := range []string{"First Name", "LastName", "E-mail", "Job Title", "Shoe size"} {
		sh.AddColumn(sheets.Column{Name: n, Type: sheets.TypeText})
	}
	sh, err := mw.svc.NewLocalSheet(sh)
	if err != nil {
		t.Fatal(err)
	}
	mw.sheetCreated(sh)
	return sh
}

// TestMapperAutoMapReviewApplyRestore auto-maps a sheet against the demo
// org, reviews the proposal (one synonym match unticked), applies it, sees
// it saved as a configuration version, and restores the first version.
func TestMapperAutoMapReviewApplyRestore(t *testing.T) {
	mw := newTestWindow(t)
	sh := newUnmappedContacts(t, mw)
	mw.ShowScreen("mapper")
	m := mw.screens[tabMapper].(*mapperScreen)
	mw.WaitIdle()
	if len(m.fields) == 0 {
		t.Fatalf("fields not loaded: %q", m.message.Text)
	}
	if m.columnCount() != 5 || !strings.Contains(m.mappedText(m.sheet.Columns[0]), "not mapped") {
		t.Fatalf("columns list: %d, %q", m.columnCount(), m.mappedText(m.sheet.Columns[0]))
	}

	m.doAutoMap()
	mw.WaitIdle()
	r := m.pending
	if r == nil {
		t.Fatalf("no proposal to review: %q", m.message.Text)
	}
	byCol := map[string]int{}
	for i, mt := range r.p.Matches {
		byCol[mt.ColumnName] = i
	}
	for col, field := range map[string]string{"First Name": "FirstName", "LastName": "LastName", "E-mail": "Email", "Job Title": "Title"} {
		i, ok := byCol[col]
		if !ok || r.p.Matches[i].Field.Path != field {
			t.Fatalf("proposal for %q: %+v", col, r.p.Matches)
		}
	}
	if !r.accepted[byCol["LastName"]] || r.accepted[byCol["Job Title"]] {
		t.Errorf("exact matches should start ticked and synonyms not: %v", r.accepted)
	}
	if len(r.p.Unmatched) != 1 || r.p.Unmatched[0].ColumnName != "Shoe size" {
		t.Errorf("unmatched %+v", r.p.Unmatched)
	}
	before, _ := mw.svc.ConfigVersions(sh.ID)

	r.accepted[byCol["E-mail"]] = false // the user leaves E-mail for later
	m.pendingDialog.Hide()
	m.applyProposal(r.chosen())
	mw.WaitIdle()

	got, err := mw.svc.Sheet(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantFields := []string{"FirstName", "LastName", "", "", ""}
	for i, c := range got.Columns {
		if c.Field != wantFields[i] {
			t.Errorf("column %q mapped to %q, want %q", c.Name, c.Field, wantFields[i])
		}
	}
	after, _ := mw.svc.ConfigVersions(sh.ID)
	if len(after) != len(before)+1 || len(m.versions) != len(after) || !strings.Contains(m.versions[0].text, "mapping applied") {
		t.Fatalf("history %d → %d versions, list %v", len(before), len(after), m.versions)
	}
	if !strings.Contains(m.mappedText(m.sheet.Columns[0]), "FirstName") {
		t.Errorf("columns list not refreshed: %q", m.mappedText(m.sheet.Columns[0]))
	}

	// Restore the first version: nothing mapped again.
	m.viewVersion(len(m.versions) - 1)
	if m.restore.Disabled() || !strings.Contains(m.verText.Text, "0 of 5 columns mapped") {
		t.Fatalf("version view %q (restore disabled %v)", m.verText.Text, m.restore.Disabled())
	}
	m.restoreVersion(m.versions[len(m.versions)-1].n)
	mw.WaitIdle()
	got, _ = mw.svc.Sheet(sh.ID)
	if slices.ContainsFunc(got.Columns, sheets.Column.Mapped) {
		t.Errorf("restore left columns mapped: %+v", got.Columns)
	}
	if !strings.Contains(m.versions[0].text, "restored version 1") {
		t.Errorf("restore not in history: %v", m.versions)
	}
}

// TestMapperFieldPickerKeyAndAddColumn maps a column through the searchable
// picker, sets the key column and create-missing, and adds a column from a
// field.
func TestMapperFieldPickerKeyAndAddColumn(t *testing.T) {
	mw := newTestWindow(t)
	sh := newUnmappedContacts(t, mw)
	mw.ShowScreen("mapper")
	m := mw.screens[tabMapper].(*mapperScreen)
	mw.WaitIdle()

	fp := newFieldPicker(m.fields, "")
	fp.search.SetText("email")
	if len(fp.shown) == 0 || slices.ContainsFunc(fp.shown, func(f app.FieldOption) bool {
		return !strings.Contains(strings.ToLower(f.Label+f.Path+f.Type), "email")
	}) {
		t.Fatalf("search shows %v", fp.shown)
	}
	fp.search.SetText("lastname string required")
	f, ok := fp.selected()
	if len(fp.shown) != 1 || !ok || f.Path != "LastName" || !strings.Contains(fieldText(f), "[required]") {
		t.Fatalf("the single result should be selected: %v, %+v %v", fp.shown, f, ok)
	}
	emailCol := m.sheet.Columns[2]
	fp.search.SetText("Email email")
	i := slices.IndexFunc(fp.shown, func(f app.FieldOption) bool { return f.Path == "Email" })
	if i < 0 {
		t.Fatalf("Email not offered: %v", fp.shown)
	}
	fp.list.Select(i)
	f, _ = fp.selected()
	m.mapColumn(emailCol, f)
	mw.WaitIdle()
	if !strings.HasPrefix(m.mappedText(m.sheet.Columns[2]), "Email (Email) · email") {
		t.Fatalf("E-mail column shows %q (%q)", m.mappedText(m.sheet.Columns[2]), m.message.Text)
	}

	m.key.SetSelected("E-mail")
	mw.WaitIdle() // the test driver runs fyne.Do inline: one action at a time
	m.create.SetChecked(true)
	mw.WaitIdle()
	got, _ := mw.svc.Sheet(sh.ID)
	if got.KeyColumn != emailCol.ID || !got.Sync.CreateMissing {
		t.Fatalf("key %q create %v", got.KeyColumn, got.Sync.CreateMissing)
	}

	acct := slices.IndexFunc(m.fields, func(f app.FieldOption) bool { return f.Path == "Account.Name" })
	if acct < 0 {
		t.Fatal("Account.Name not offered")
	}
	m.addColumn(m.fields[acct])
	mw.WaitIdle()
	if m.columnCount() != 6 || m.sheet.Columns[5].Field != "Account.Name" || mw.Grid().Model().Columns() != 6 {
		t.Fatalf("added column not listed: %d %q", m.columnCount(), m.message.Text)
	}
	if slices.ContainsFunc(m.issues, func(is app.MappingIssue) bool { return is.Severity == app.SeverityError && is.Column == emailCol.ID }) {
		t.Errorf("the mapped key column should not be an error: %+v", m.issues)
	}
}
