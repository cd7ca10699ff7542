package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"crmsheets/app"
	"crmsheets/app/fieldmap"
	"crmsheets/internal/demoorg"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
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
	m := mw.screens.mapper
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
	// The review reads "column → field" for each line, ticked or not.
	// What is drawn, not only the widgets' fields.
	var drawn []string
	for _, o := range test.LaidOutObjects(mw.Window().Canvas().Overlays().Top()) {
		if txt, ok := o.(*canvas.Text); ok && txt.Visible() {
			drawn = append(drawn, txt.Text)
		}
	}
	if slices.Contains(drawn, "column → field") || !slices.ContainsFunc(drawn, func(l string) bool { return strings.HasPrefix(l, "Job Title  →  ") }) {
		t.Errorf("review checkbox labels drawn %q", drawn)
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
	m := mw.screens.mapper
	mw.WaitIdle()

	fp := newFieldPicker(m.fields, "", nil)
	fp.search.SetText("email")
	if len(fp.shown) == 0 || slices.ContainsFunc(fp.shown, func(f fieldmap.FieldOption) bool {
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
	i := slices.IndexFunc(fp.shown, func(f fieldmap.FieldOption) bool { return f.Path == "Email" })
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
	mw.WaitIdle() // the test driver runs uiloop.Do inline: one action at a time
	m.create.SetChecked(true)
	mw.WaitIdle()
	got, _ := mw.svc.Sheet(sh.ID)
	if got.KeyColumn != emailCol.ID || !got.Sync.CreateMissing {
		t.Fatalf("key %q create %v", got.KeyColumn, got.Sync.CreateMissing)
	}

	acct := slices.IndexFunc(m.fields, func(f fieldmap.FieldOption) bool { return f.Path == "Account.Name" })
	if acct < 0 {
		t.Fatal("Account.Name not offered")
	}
	m.addColumn(m.fields[acct])
	mw.WaitIdle()
	if m.columnCount() != 6 || m.sheet.Columns[5].Field != "Account.Name" || mw.Grid().Model().Columns() != 6 {
		t.Fatalf("added column not listed: %d %q", m.columnCount(), m.message.Text)
	}
	if slices.ContainsFunc(m.issues, func(is fieldmap.Issue) bool { return is.Severity == fieldmap.SeverityError && is.Column == emailCol.ID }) {
		t.Errorf("the mapped key column should not be an error: %+v", m.issues)
	}
}

// blankSelectOf is the blank cells select in the Mapper's row of the named
// column, as laid out in the window.
func blankSelectOf(t *testing.T, m *mapperScreen, column string) *widget.Select {
	t.Helper()
	for _, o := range test.LaidOutObjects(m.columns) {
		row, ok := o.(*fyne.Container)
		if !ok || len(row.Objects) != 2 || !row.Visible() {
			continue
		}
		labels, lok := row.Objects[0].(*fyne.Container)
		buttons, bok := row.Objects[1].(*fyne.Container)
		if !lok || !bok || len(labels.Objects) != 2 || len(buttons.Objects) != 3 {
			continue
		}
		if name, _ := labels.Objects[0].(*tipLabel); name != nil && strings.HasSuffix(name.Text, "  "+column) {
			return buttons.Objects[0].(*widget.Select)
		}
	}
	t.Fatalf("no row for column %q in the Mapper", column)
	return nil
}

// TestMapperBlankCellsOption sets "Clear the field" on the Title column
// through its select: saved as a configuration version and still there
// after the app is closed and opened again. Unmapped and read-only columns
// offer no choice (they never push).
func TestMapperBlankCellsOption(t *testing.T) {
	t.Setenv(ScreenEnv, "")
	home := t.TempDir()
	a := test.NewTempApp(t)
	open := func() (*app.Service, *MainWindow) {
		svc, err := app.Open(context.Background(), app.Options{Home: home, DemoOrg: demoorg.New(), DemoSeedAccounts: 5})
		if err != nil {
			t.Fatal(err)
		}
		mw := NewMainWindow(a, svc)
		mw.Window().Resize(fyne.NewSize(1200, 800))
		mw.Start()
		mw.WaitIdle()
		return svc, mw
	}
	svc, mw := open()
	sh := newUnmappedContacts(t, mw)
	mw.ShowScreen("mapper")
	m := mw.screens.mapper
	mw.WaitIdle()
	field := func(path string) fieldmap.FieldOption {
		i := slices.IndexFunc(m.fields, func(f fieldmap.FieldOption) bool { return f.Path == path })
		if i < 0 {
			t.Fatalf("%s not offered (%q)", path, m.message.Text)
		}
		return m.fields[i]
	}
	m.mapColumn(m.sheet.Columns[3], field("Title")) // Job Title
	mw.WaitIdle()
	ro := slices.IndexFunc(m.fields, func(f fieldmap.FieldOption) bool { return f.ReadOnly && f.Type == "string" })
	if ro < 0 {
		t.Fatal("the demo org's Contact has no read-only text field")
	}
	m.mapColumn(m.sheet.Columns[1], m.fields[ro]) // LastName, read-only for this test
	mw.WaitIdle()
	if c := m.sheet.Columns[1]; c.Field != m.fields[ro].Path || !c.ReadOnly {
		t.Fatalf("LastName mapped to %q (read-only %v), want read-only %s: %q", c.Field, c.ReadOnly, m.fields[ro].Path, m.message.Text)
	}

	for _, tt := range []struct {
		column  string
		enabled bool
	}{{"Job Title", true}, {"Shoe size", false}, {"LastName", false}} {
		t.Run(tt.column, func(t *testing.T) {
			sel := blankSelectOf(t, m, tt.column)
			if sel.Disabled() == tt.enabled || sel.Selected != "Leave Salesforce as it is" {
				t.Errorf("select %q disabled %v, want enabled %v", sel.Selected, sel.Disabled(), tt.enabled)
			}
		})
	}
	before, _ := svc.ConfigVersions(sh.ID)
	// The user's choice, as the UI goroutine makes it (the test driver runs
	// uiloop.Do inline): the save's callback waits for the select to finish.
	uiloop.Do(func() { blankSelectOf(t, m, "Job Title").SetSelected(app.BlankPolicyLabel(sheets.BlankClear)) })
	mw.WaitIdle()
	after, _ := svc.ConfigVersions(sh.ID)
	if len(after) != len(before)+1 || !strings.Contains(m.versions[0].text, `blank cells of "Job Title": Clear the field`) {
		t.Fatalf("history %d → %d versions, list %v", len(before), len(after), m.versions)
	}

	mw.stop()
	svc.Close()
	svc, mw = open()
	t.Cleanup(func() { mw.stop(); svc.Close() })
	if err := mw.OpenSheet(sh.ID); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Sheet(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got.Columns {
		want := sheets.BlankLeave
		if c.Name == "Job Title" {
			want = sheets.BlankClear
		}
		if c.Blank != want {
			t.Errorf("after reopening, column %q blank cells %q, want %q", c.Name, c.Blank, want)
		}
	}
	mw.ShowScreen("mapper")
	mw.WaitIdle()
	m = mw.screens.mapper
	if sel := blankSelectOf(t, m, "Job Title"); sel.Selected != "Clear the field" || sel.Disabled() {
		t.Errorf("after reopening the Mapper shows %q (disabled %v)", sel.Selected, sel.Disabled())
	}
}

// TestMapperRefusesTwoColumnsOnOneField maps E-mail to Email, then tries
// Job Title onto Email too: refused before anything is saved, naming the
// column that has it.
func TestMapperRefusesTwoColumnsOnOneField(t *testing.T) {
	mw := newTestWindow(t)
	sh := newUnmappedContacts(t, mw)
	mw.ShowScreen("mapper")
	m := mw.screens.mapper
	mw.WaitIdle()
	i := slices.IndexFunc(m.fields, func(f fieldmap.FieldOption) bool { return f.Path == "Email" })
	if i < 0 {
		t.Fatal("no Email field")
	}
	m.mapColumn(m.sheet.Columns[2], m.fields[i])
	mw.WaitIdle()
	m.mapColumn(m.sheet.Columns[3], m.fields[i])
	mw.WaitIdle()
	got, _ := mw.svc.Sheet(sh.ID)
	if got.Columns[3].Field != "" || got.Columns[2].Field != "Email" {
		t.Fatalf("two columns on one field: %q and %q", got.Columns[2].Field, got.Columns[3].Field)
	}
	if !strings.Contains(mw.status.Text, `column "E-mail" is already mapped`) {
		t.Errorf("status %q", mw.status.Text)
	}
}

// pickerOf is the field picker dialog open on the window: its search entry
// and list, found in the top overlay as a person sees them.
func pickerOf(t *testing.T, mw *MainWindow) (*widget.Entry, *widget.List, *widget.Label) {
	t.Helper()
	top := mw.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no field picker open")
	}
	var search *widget.Entry
	var list *widget.List
	var note *widget.Label
	for _, o := range test.LaidOutObjects(top) {
		switch w := o.(type) {
		case *widget.Entry:
			if strings.HasPrefix(w.PlaceHolder, "Search by label") {
				search = w
			}
		case *widget.List:
			list = w
		case *widget.Label:
			if w.Importance == widget.WarningImportance {
				note = w
			}
		}
	}
	if search == nil || list == nil || note == nil {
		t.Fatalf("field picker parts not found: %v %v %v", search, list, note)
	}
	return search, list, note
}

// TestMapperPickerMarksTakenFields maps E-mail to Email, then opens Job
// Title's picker with its "Field…" button: Email is listed as taken by
// "E-mail", choosing it says so and maps nothing; another field maps.
func TestMapperPickerMarksTakenFields(t *testing.T) {
	mw := newTestWindow(t)
	sh := newUnmappedContacts(t, mw)
	mw.ShowScreen("mapper")
	m := mw.screens.mapper
	mw.WaitIdle()
	i := slices.IndexFunc(m.fields, func(f fieldmap.FieldOption) bool { return f.Path == "Email" })
	if i < 0 {
		t.Fatal("no Email field")
	}
	m.mapColumn(m.sheet.Columns[2], m.fields[i])
	mw.WaitIdle()

	var pick *widget.Button
	for _, o := range test.LaidOutObjects(m.columns) {
		row, ok := o.(*fyne.Container)
		if !ok || len(row.Objects) != 2 || !row.Visible() {
			continue
		}
		labels, lok := row.Objects[0].(*fyne.Container)
		buttons, bok := row.Objects[1].(*fyne.Container)
		if !lok || !bok || len(labels.Objects) != 2 || len(buttons.Objects) != 3 {
			continue
		}
		if name, _ := labels.Objects[0].(*tipLabel); name != nil && strings.HasSuffix(name.Text, "  Job Title") {
			pick = buttons.Objects[1].(*widget.Button)
		}
	}
	if pick == nil {
		t.Fatal("no Field… button on the Job Title row")
	}
	test.Tap(pick)
	search, list, note := pickerOf(t, mw)
	test.Type(search, "email")
	// The rendered item for Email names the column that has it.
	var detail string
	for _, o := range test.LaidOutObjects(list) {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "Email · ") {
			detail = l.Text
		}
	}
	if !strings.Contains(detail, `[taken by column "E-mail"]`) {
		t.Fatalf("Email's line reads %q, want it marked taken by E-mail", detail)
	}
	idx := -1
	for j := 0; j < list.Length(); j++ {
		item := list.CreateItem()
		list.UpdateItem(j, item)
		if item.(*fyne.Container).Objects[1].(*widget.Label).Text == detail {
			idx = j
		}
	}
	if idx < 0 {
		t.Fatal("Email not in the list")
	}
	list.Select(idx)
	if !note.Visible() || !strings.Contains(note.Text, `column "E-mail"`) {
		t.Fatalf("choosing a taken field: note %q (visible %v)", note.Text, note.Visible())
	}
	var mapBtn *widget.Button
	for _, o := range test.LaidOutObjects(mw.win.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Map" {
			mapBtn = b
		}
	}
	if mapBtn == nil {
		t.Fatal("no Map button")
	}
	test.Tap(mapBtn)
	mw.WaitIdle()
	got, _ := mw.svc.Sheet(sh.ID)
	if got.Columns[3].Field != "" {
		t.Fatalf("Job Title mapped to %q through a taken field", got.Columns[3].Field)
	}

	// A free field maps.
	test.Tap(pick)
	search, _, note = pickerOf(t, mw)
	test.Type(search, "title string")
	if note.Visible() {
		t.Errorf("a stale note shows: %q", note.Text)
	}
	for _, o := range test.LaidOutObjects(mw.win.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Map" {
			test.Tap(b)
		}
	}
	mw.WaitIdle()
	got, _ = mw.svc.Sheet(sh.ID)
	if got.Columns[3].Field != "Title" {
		t.Fatalf("Job Title mapped to %q, want Title", got.Columns[3].Field)
	}
}
