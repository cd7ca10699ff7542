package templates

import (
	"slices"
	"strings"
	"testing"

	"crmsheets/sheets"
)

func TestAll(t *testing.T) {
	var ids []string
	for _, tpl := range All() {
		ids = append(ids, tpl.ID)
	}
	if want := []string{"accounts", "people", "leads", "opportunities", "tasks", "cases", "case-comments"}; !slices.Equal(ids, want) {
		t.Fatalf("All() ids = %v, want %v", ids, want)
	}
}

func TestTemplates(t *testing.T) {
	tests := []struct {
		id, object, key string
		fields          []string // every mapped field, in column order
		picklists       []string // fields that must carry choices
		readOnly        []string
	}{
		{"accounts", "Account", "Website",
			[]string{"Name", "Website", "Phone", "Type", "Industry", "NumberOfEmployees", "AnnualRevenue", "BillingStreet", "BillingCity", "BillingState", "BillingPostalCode", "BillingCountry", "Description", "Owner.Name"},
			[]string{"Type", "Industry"}, nil},
		{"people", "Contact", "Email",
			[]string{"FirstName", "LastName", "Email", "Account.Name", "Title", "Phone", "MobilePhone", "Department", "MailingStreet", "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry", "LeadSource"},
			[]string{"LeadSource"}, nil},
		{"leads", "Lead", "Email",
			[]string{"FirstName", "LastName", "Email", "Company", "Title", "Phone", "Status", "LeadSource", "Industry", "Website", "City", "Country"},
			[]string{"Status", "LeadSource", "Industry"}, nil},
		{"opportunities", "Opportunity", "Name",
			[]string{"Name", "Account.Name", "StageName", "Amount", "CloseDate", "NextStep", "Probability"},
			[]string{"StageName"}, nil},
		{"tasks", "Task", "",
			[]string{"Subject", "Description", "ActivityDate", "Status", "Priority", "Who.Email", "What.Name"},
			[]string{"Status", "Priority"}, nil},
		{"cases", "Case", "CaseNumber",
			[]string{"CaseNumber", "Subject", "Status", "Priority", "Origin", "Contact.Email", "Account.Name", "Description"},
			[]string{"Status", "Priority", "Origin"}, []string{"CaseNumber"}},
		{"case-comments", "CaseComment", "",
			[]string{"Parent.CaseNumber", "CommentBody", "IsPublished"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			tpl, ok := Get(tt.id)
			if !ok {
				t.Fatalf("Get(%q) not found", tt.id)
			}
			sh := tpl.NewSheet("")
			if err := sh.Validate(); err != nil {
				t.Fatalf("NewSheet: %v", err)
			}
			if sh.Name != tpl.Label || sh.Object != tt.object || sh.Template != tt.id {
				t.Errorf("sheet name %q object %q template %q", sh.Name, sh.Object, sh.Template)
			}
			var fields []string
			for _, c := range sh.Columns {
				fields = append(fields, c.Field)
				if c.ID == "" || !c.Type.Valid() {
					t.Errorf("column %q: id %q type %q", c.Name, c.ID, c.Type)
				}
				if got, want := c.ReadOnly, slices.Contains(tt.readOnly, c.Field); got != want {
					t.Errorf("column %q read-only = %v, want %v", c.Name, got, want)
				}
				if got, want := len(c.Choices) > 0, slices.Contains(tt.picklists, c.Field); got != want || want && c.Type != sheets.TypePicklist {
					t.Errorf("column %q (%s) has %d choices; want picklist choices: %v", c.Name, c.Type, len(c.Choices), want)
				}
			}
			if !slices.Equal(fields, tt.fields) {
				t.Errorf("fields = %v\nwant %v", fields, tt.fields)
			}
			key, _ := sh.Column(sh.KeyColumn)
			if key.Field != tt.key {
				t.Errorf("key column maps %q, want %q", key.Field, tt.key)
			}
			if sh.Sync.Direction != sheets.Both || sh.Sync.EffectivePolicy() != sheets.PolicyReview || sh.Sync.CreateMissing != (tt.key != "") {
				t.Errorf("sync settings = %+v", sh.Sync)
			}
		})
	}
}

func TestTypedColumns(t *testing.T) {
	tests := []struct {
		template, field string
		want            sheets.Type
	}{
		{"accounts", "Website", sheets.TypeURL},
		{"accounts", "NumberOfEmployees", sheets.TypeNumber},
		{"accounts", "AnnualRevenue", sheets.TypeCurrency},
		{"accounts", "Description", sheets.TypeTextArea},
		{"people", "Email", sheets.TypeEmail},
		{"people", "MobilePhone", sheets.TypePhone},
		{"opportunities", "CloseDate", sheets.TypeDate},
		{"opportunities", "Probability", sheets.TypePercent},
		{"tasks", "ActivityDate", sheets.TypeDate},
		{"tasks", "Who.Email", sheets.TypeEmail},
	}
	for _, tt := range tests {
		t.Run(tt.template+"/"+tt.field, func(t *testing.T) {
			tpl, _ := Get(tt.template)
			c, ok := tpl.NewSheet("x").ColumnByField(tt.field)
			if !ok || c.Type != tt.want {
				t.Errorf("column for %s = %+v, want type %s", tt.field, c, tt.want)
			}
		})
	}
}

func TestGet(t *testing.T) {
	tests := []struct {
		id   string
		want string // "" = not found
	}{
		{"people", "people"},
		{"contacts", "people"},
		{"Contacts", "people"},
		{"LEADS", "leads"},
		{"Cases", "cases"},
		{"invoices", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, ok := Get(tt.id)
			if ok != (tt.want != "") || got.ID != tt.want {
				t.Errorf("Get(%q) = %q, %v; want %q", tt.id, got.ID, ok, tt.want)
			}
		})
	}
}

func TestNewSheetIsIndependent(t *testing.T) {
	tpl, _ := Get("accounts")
	a := tpl.NewSheet("Accounts EMEA")
	a.Columns[3].Choices[0] = "changed"
	a.Columns[0].Name = "changed"
	b := tpl.NewSheet("")
	again, _ := Get("accounts")
	if b.Columns[3].Choices[0] == "changed" || again.Columns[3].Choices[0] == "changed" || again.Columns[0].Name == "changed" {
		t.Fatal("changing a new sheet changed the template")
	}
	if a.Name != "Accounts EMEA" || b.Name != "Accounts" {
		t.Errorf("names %q, %q", a.Name, b.Name)
	}
	// a column added later gets an id no template column has
	c := a.AddColumn(sheets.Column{Name: "Notes"})
	if _, dup := a.Column(c.ID); !dup || a.ColumnIndex(c.ID) != len(a.Columns)-1 {
		t.Errorf("new column id %q collides", c.ID)
	}
}

func TestParseRejectsBadTemplates(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"not json", `{`, "decode"},
		{"unknown field", `{"id":"x","label":"X","object":"X","columns":[{"name":"A"}],"colums":[]}`, "unknown field"},
		{"no columns", `{"id":"x","label":"X","object":"X"}`, "needs"},
		{"key not a column", `{"id":"x","label":"X","object":"X","key":"B","columns":[{"name":"A","type":"text"}]}`, "key column"},
		{"duplicate column", `{"id":"x","label":"X","object":"X","columns":[{"name":"A","type":"text"},{"name":"a","type":"text"}]}`, "two columns"},
		{"unknown type", `{"id":"x","label":"X","object":"X","columns":[{"name":"A","type":"money"}]}`, "unknown type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parse = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := load(); err != nil {
		t.Errorf("embedded templates: %v", err)
	}
}
