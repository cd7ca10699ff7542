package templates

import (
	"crmsheets/internal/golden"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"crmsheets/sheets"
)

// describeFields reads a reduced real describe (see testdata/PROVENANCE.md)
// and converts it the way the app converts crm describes.
func describeFields(t *testing.T, object string) []FieldInfo {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", object+"_fields.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Fields []struct {
			Name, Label, Type      string
			Createable, Updateable bool
			Picklist               []string
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	var out []FieldInfo
	for _, f := range d.Fields {
		out = append(out, FieldInfo{Name: f.Name, Label: f.Label, Type: f.Type, Picklist: f.Picklist, ReadOnly: !f.Createable && !f.Updateable})
	}
	return out
}

// TestFromDescribeGolden pins the default sheets built from real describes.
func TestFromDescribeGolden(t *testing.T) {
	for _, object := range []string{"Account", "Contact", "Lead", "Opportunity", "Case", "Custom__c"} {
		t.Run(object, func(t *testing.T) {
			sh := FromDescribe(object, describeFields(t, object))
			if err := sh.Validate(); err != nil {
				t.Fatalf("FromDescribe: %v", err)
			}
			got, err := json.MarshalIndent(sh, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden.Check(t, filepath.Join("testdata", "golden", object+".json"), got)
		})
	}
}

func TestFromDescribeRules(t *testing.T) {
	contact := FromDescribe("Contact", describeFields(t, "Contact"))
	fields := map[string]sheets.Column{}
	for _, c := range contact.Columns {
		fields[c.Field] = c
	}
	for _, f := range []string{"FirstName", "LastName", "Email", "Phone"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("Contact sheet lacks %s", f)
		}
	}
	for _, f := range []string{"Id", "Name", "MailingAddress", "CreatedDate", "SystemModstamp", "IsDeleted"} {
		if _, ok := fields[f]; ok {
			t.Errorf("Contact sheet should skip %s (system or compound)", f)
		}
	}
	if len(contact.Columns) > MaxDescribeColumns {
		t.Errorf("%d columns, want at most %d", len(contact.Columns), MaxDescribeColumns)
	}
	if key, _ := contact.Column(contact.KeyColumn); key.Field != "Email" || !contact.Sync.CreateMissing {
		t.Errorf("Contact key column = %q, create-missing %v; want Email, true", key.Field, contact.Sync.CreateMissing)
	}
	account := FromDescribe("Account", describeFields(t, "Account"))
	if key, _ := account.Column(account.KeyColumn); key.Field != "Website" {
		t.Errorf("Account key column = %q, want Website", key.Field)
	}
	if c, ok := account.ColumnByField("Industry"); !ok || c.Type != sheets.TypePicklist || !slices.Contains(c.Choices, "Banking") {
		t.Errorf("Account Industry column = %+v", c)
	}
	custom := FromDescribe("Custom__c", describeFields(t, "Custom__c"))
	if custom.KeyColumn != "" || custom.Sync.CreateMissing {
		t.Errorf("an object without e-mail or website has key %q", custom.KeyColumn)
	}
}

func TestFromDescribeSynthetic(t *testing.T) {
	fields := []FieldInfo{
		{Name: "Id", Type: "id", ReadOnly: true},
		{Name: "Name", Label: "Name", Type: "string"},
		{Name: "Score__c", Label: "Score", Type: "double"},
		{Name: "Score2__c", Label: "Score", Type: "percent"}, // same label: named by API name
		{Name: "Tags__c", Label: "Tags", Type: "multipicklist", Picklist: []string{"a", "b"}},
		{Name: "Where__c", Label: "Where", Type: "location"},
		{Name: "Logo__c", Label: "Logo", Type: "base64"},
		{Name: "Formula__c", Label: "Formula", Type: "currency", ReadOnly: true},
		{Name: "Done__c", Label: "Done", Type: "boolean"},
		{Name: "Email__c", Label: "Work email", Type: "email"}, // not the standard Email: no key
	}
	got := FromDescribe("Thing__c", fields)
	type col struct {
		Name, Field string
		Type        sheets.Type
		ReadOnly    bool
		Choices     []string
	}
	var cols []col
	for _, c := range got.Columns {
		cols = append(cols, col{c.Name, c.Field, c.Type, c.ReadOnly, c.Choices})
	}
	want := []col{
		{"Name", "Name", sheets.TypeText, false, nil},
		{"Work email", "Email__c", sheets.TypeEmail, false, nil},
		{"Score", "Score__c", sheets.TypeNumber, false, nil},
		{"Score2__c", "Score2__c", sheets.TypePercent, false, nil},
		{"Tags", "Tags__c", sheets.TypeMultiPicklist, false, []string{"a", "b"}},
		{"Formula", "Formula__c", sheets.TypeCurrency, true, nil},
		{"Done", "Done__c", sheets.TypeBool, false, nil},
	}
	if diff := cmp.Diff(want, cols); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if got.KeyColumn != "" {
		t.Errorf("key column %q, want none", got.KeyColumn)
	}
	if empty := FromDescribe("Empty", nil); len(empty.Columns) != 0 || empty.Name != "Empty" {
		t.Errorf("FromDescribe with no fields = %+v", empty)
	}
}

func TestSheetType(t *testing.T) {
	tests := []struct {
		sf   string
		want sheets.Type
		ok   bool
	}{
		{"string", sheets.TypeText, true}, {"textarea", sheets.TypeTextArea, true},
		{"double", sheets.TypeNumber, true}, {"int", sheets.TypeNumber, true}, {"long", sheets.TypeNumber, true},
		{"currency", sheets.TypeCurrency, true}, {"percent", sheets.TypePercent, true},
		{"date", sheets.TypeDate, true}, {"datetime", sheets.TypeDateTime, true}, {"boolean", sheets.TypeBool, true},
		{"picklist", sheets.TypePicklist, true}, {"multipicklist", sheets.TypeMultiPicklist, true},
		{"combobox", sheets.TypeText, true}, {"reference", sheets.TypeReference, true}, {"id", sheets.TypeReference, true},
		{"email", sheets.TypeEmail, true}, {"phone", sheets.TypePhone, true}, {"url", sheets.TypeURL, true},
		{"address", "", false}, {"location", "", false}, {"base64", "", false}, {"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.sf, func(t *testing.T) {
			got, ok := SheetType(tt.sf)
			if got != tt.want || ok != tt.ok {
				t.Errorf("SheetType(%q) = %q, %v; want %q, %v", tt.sf, got, ok, tt.want, tt.ok)
			}
		})
	}
}
