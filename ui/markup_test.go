package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"crmsheets/app/fieldmap"
)

// The markup goldens pin what the Mapper draws, so a change to its layout
// shows in review. After an intended change, copy testdata/failed/NAME.xml
// over testdata/NAME.xml.

// TestFieldPickerRendersToMarkup: the field picker over a few fields, the
// search narrowed to "mail", the current field selected.
func TestFieldPickerRendersToMarkup(t *testing.T) {
	test.NewTempApp(t)
	fields := []fieldmap.FieldOption{
		{Path: "LastName", Label: "Last Name", Type: "string", Required: true},
		{Path: "Email", Label: "Email", Type: "email"},
		{Path: "HomeEmail__c", Label: "Home Email", Type: "email", Custom: true},
		{Path: "Account.Name", Label: "Account Name", Type: "string", Relationship: "Account", ReadOnly: true},
	}
	fp := newFieldPicker(fields, "Email", map[string]string{"homeemail__c": "Private mail"})
	fp.search.SetText("mail")
	body := container.NewStack(fp.body)
	body.Resize(fyne.NewSize(560, 300))
	test.AssertObjectRendersToMarkup(t, "fieldpicker.xml", body)
}

// TestMapperColumnsRenderToMarkup: the Mapper's columns list for a vendor's
// contact list against the demo org, after Auto-map's proposal is applied
// in full.
func TestMapperColumnsRenderToMarkup(t *testing.T) {
	mw := newTestWindow(t)
	newUnmappedContacts(t, mw)
	mw.ShowScreen("mapper")
	m := mw.screens.mapper
	mw.WaitIdle()
	m.doAutoMap()
	mw.WaitIdle()
	if m.pending == nil {
		t.Fatalf("no proposal: %q", m.message.Text)
	}
	m.pending.acceptAll()
	m.applyProposal(m.pending.chosen())
	mw.WaitIdle()
	list := container.NewBorder(columnsHeader(), nil, nil, nil, m.columns)
	list.Resize(fyne.NewSize(900, 260))
	test.AssertObjectRendersToMarkup(t, "mapper_columns.xml", list)
}
