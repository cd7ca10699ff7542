package fieldmap

import (
	"bytes"
	"crmsheets/internal/golden"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"crmsheets/crm"
	"crmsheets/sheets"
)

// testDescribe decodes a describe from testdata/describes (see its
// PROVENANCE.md).
func testDescribe(t testing.TB, object string) *crm.ObjectDescribe {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "describes", object+"_describe.json"))
	if err != nil {
		t.Fatalf("read %s describe: %v", object, err)
	}
	var d crm.ObjectDescribe
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("decode %s describe: %v", object, err)
	}
	return &d
}

// testParents serves the parent describes available in testdata.
func testParents(t testing.TB) func(string) (*crm.ObjectDescribe, bool) {
	known := map[string]*crm.ObjectDescribe{}
	for _, o := range []string{"Account", "Contact", "Lead", "Opportunity", "User"} {
		known[o] = testDescribe(t, o)
	}
	return func(object string) (*crm.ObjectDescribe, bool) {
		d, ok := known[object]
		return d, ok
	}
}

func findOption(opts []FieldOption, path string) (FieldOption, bool) {
	for _, o := range opts {
		if o.Path == path {
			return o, true
		}
	}
	return FieldOption{}, false
}

func TestMappableFields(t *testing.T) {
	parents := testParents(t)
	tests := []struct {
		object, path string
		want         bool // offered at all
		typ          string
		label        string
		readOnly     bool
		required     bool
		resolvesTo   string
	}{
		{"Contact", "LastName", true, "string", "Last Name", false, true, ""},
		{"Contact", "Email", true, "email", "Email", false, false, ""},
		{"Contact", "Name", true, "string", "Full Name", true, false, ""},
		{"Contact", "CreatedDate", true, "datetime", "Created Date", true, false, ""},
		{"Contact", "MailingAddress", false, "", "", false, false, ""}, // compound
		{"Contact", "Account.Name", true, "string", "Account: Account Name", false, false, "AccountId"},
		{"Contact", "Owner.Name", true, "string", "Owner: Full Name", false, false, "OwnerId"},
		{"Contact", "Owner.Username", true, "string", "Owner: Username", false, false, "OwnerId"},
		{"Contact", "ReportsTo.Email", true, "email", "Reports To: Email", false, false, "ReportsToId"},
		{"Contact", "CreatedBy.Name", true, "string", "Created By: Full Name", true, false, ""},
		{"Contact", "MasterRecord.Name", true, "string", "Master Record: Full Name", true, false, ""},
		{"Contact", "Account.Website", false, "", "", false, false, ""}, // not an identifying field
		{"Contact", "Individual.Name", false, "", "", false, false, ""}, // parent describe unknown
		{"Lead", "Company", true, "string", "Company", false, true, ""},
		{"Lead", "Owner.Name", true, "string", "Owner: Full Name", false, false, "OwnerId"}, // Group unknown: User's fields
		{"Account", "Name", true, "string", "Account Name", false, true, ""},
		{"Account", "Parent.Name", true, "string", "Parent Account: Account Name", false, false, "ParentId"},
		{"Account", "IsPartner", true, "boolean", "Partner Account", false, false, ""}, // updateable only
		{"Opportunity", "StageName", true, "picklist", "Stage", false, true, ""},
		{"Opportunity", "CloseDate", true, "date", "Close Date", false, true, ""},
		{"Opportunity", "ExpectedRevenue", true, "currency", "Expected Amount", true, false, ""},
		{"Opportunity", "Account.Name", true, "string", "Account: Account Name", false, false, "AccountId"},
		{"Event", "Who.Email", true, "email", "Name: Email", false, false, "WhoId"},
		{"Event", "Who.Name", true, "string", "Name: Full Name", false, false, "WhoId"},
		{"Event", "Who.Company", false, "", "", false, false, ""}, // Lead only
		{"Event", "Account.Name", true, "string", "Account: Account Name", true, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.object+"."+tc.path, func(t *testing.T) {
			opts := MappableFields(testDescribe(t, tc.object), parents)
			got, ok := findOption(opts, tc.path)
			if ok != tc.want {
				t.Fatalf("offered = %v, want %v", ok, tc.want)
			}
			if !ok {
				return
			}
			if got.Type != tc.typ || got.Label != tc.label || got.ReadOnly != tc.readOnly || got.Required != tc.required || got.ResolvesTo != tc.resolvesTo {
				t.Errorf("got type %q label %q readOnly %v required %v resolvesTo %q, want %q %q %v %v %q",
					got.Type, got.Label, got.ReadOnly, got.Required, got.ResolvesTo, tc.typ, tc.label, tc.readOnly, tc.required, tc.resolvesTo)
			}
			if got.Field == nil || (got.IsPath() && got.Via == nil) {
				t.Errorf("describe pointers missing: %+v", got)
			}
		})
	}
	t.Run("no parents, no paths", func(t *testing.T) {
		for _, o := range MappableFields(testDescribe(t, "Contact"), nil) {
			if o.IsPath() {
				t.Errorf("path %s offered without parent describes", o.Path)
			}
		}
	})
	t.Run("picklist values", func(t *testing.T) {
		o, _ := findOption(MappableFields(testDescribe(t, "Contact"), nil), "Salutation")
		if want := []string{"Mr.", "Ms.", "Mrs.", "Dr.", "Prof."}; !cmp.Equal(o.Picklist, want) {
			t.Errorf("Salutation picklist = %q, want %q", o.Picklist, want)
		}
		o, _ = findOption(MappableFields(testDescribe(t, "Contact"), nil), "CleanStatus")
		if !o.Restricted {
			t.Errorf("CleanStatus is a restricted picklist in the describe")
		}
	})
}

// TestMappableFieldsGolden pins the whole list for the real Contact and
// Opportunity describes, so any change of what the mapping screen offers is
// reviewed (go test ./app/fieldmap -run Golden -update rewrites it).
func TestMappableFieldsGolden(t *testing.T) {
	for _, object := range []string{"Contact", "Opportunity"} {
		t.Run(object, func(t *testing.T) {
			var b bytes.Buffer
			fmt.Fprintf(&b, "# path | label | salesforce type -> column type | flags\n")
			for _, o := range MappableFields(testDescribe(t, object), testParents(t)) {
				var flags []string
				for _, f := range []struct {
					on   bool
					name string
				}{{o.Required, "required"}, {o.ReadOnly, "read-only"}, {o.Custom, "custom"}, {o.Restricted, "restricted"}} {
					if f.on {
						flags = append(flags, f.name)
					}
				}
				if o.ResolvesTo != "" {
					flags = append(flags, "resolves-to="+o.ResolvesTo)
				}
				if len(o.Picklist) > 0 {
					flags = append(flags, "choices="+strings.Join(o.Picklist, ";"))
				}
				line := fmt.Sprintf("%s | %s | %s -> %s | %s", o.Path, o.Label, o.Type, o.SheetType(), strings.Join(flags, " "))
				fmt.Fprintln(&b, strings.TrimSpace(line))
			}
			checkGolden(t, "mappable_"+object+".golden", b.Bytes())
		})
	}
}

// checkGolden compares got with testdata/name, or rewrites it with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

func testColumns(names ...string) []sheets.Column {
	cols := make([]sheets.Column, len(names))
	for i, n := range names {
		cols[i] = sheets.Column{ID: fmt.Sprintf("c%d", i+1), Name: n, Type: sheets.TypeText}
	}
	return cols
}

func TestAutoMap(t *testing.T) {
	parents := testParents(t)
	tests := []struct {
		name      string
		object    string
		columns   []sheets.Column
		want      map[string]string // column name → path
		kinds     map[string]MatchBasis
		unmatched []string
	}{
		{
			name:   "contact spreadsheet with synonyms",
			object: "Contact",
			columns: testColumns("First", "Surname", "Company", "Job Title", "E-mail", "Mobile", "Zip",
				"Phone number", "Owner", "Birthdate", "Favourite colour"),
			want: map[string]string{
				"First": "FirstName", "Surname": "LastName", "Company": "Account.Name", "Job Title": "Title",
				"E-mail": "Email", "Mobile": "MobilePhone", "Zip": "MailingPostalCode", "Phone number": "Phone",
				"Owner": "Owner.Name", "Birthdate": "Birthdate",
			},
			kinds:     map[string]MatchBasis{"E-mail": MatchAPIName, "Birthdate": MatchAPIName, "Company": MatchSynonym, "Job Title": MatchSynonym},
			unmatched: []string{"Favourite colour"},
		},
		{
			name:    "labels, API names and paths, any case and punctuation",
			object:  "Contact",
			columns: testColumns("last name", "MAILING_CITY", "account.name", "Lead Source", "Email Address"),
			want: map[string]string{
				"last name": "LastName", "MAILING_CITY": "MailingCity", "account.name": "Account.Name",
				"Lead Source": "LeadSource", "Email Address": "Email",
			},
			kinds: map[string]MatchBasis{"last name": MatchAPIName, "Lead Source": MatchAPIName, "Email Address": MatchSynonym},
		},
		{
			name:    "Company is the lead's own field",
			object:  "Lead",
			columns: testColumns("Company", "Given name", "Family name", "Website", "Postcode"),
			want: map[string]string{
				"Company": "Company", "Given name": "FirstName", "Family name": "LastName", "Website": "Website", "Postcode": "PostalCode",
			},
		},
		{
			name:    "account synonyms",
			object:  "Account",
			columns: testColumns("Account Name", "Web", "Zip", "Employees", "City"),
			want: map[string]string{
				"Account Name": "Name", "Web": "Website", "Zip": "BillingPostalCode", "Employees": "NumberOfEmployees", "City": "BillingCity",
			},
			kinds: map[string]MatchBasis{"Account Name": MatchLabel},
		},
		{
			name:    "opportunity",
			object:  "Opportunity",
			columns: testColumns("Opportunity Name", "Stage", "Close date", "Amount", "Account"),
			want: map[string]string{
				"Opportunity Name": "Name", "Stage": "StageName", "Close date": "CloseDate", "Amount": "Amount", "Account": "Account.Name",
			},
		},
		{
			name:      "never two columns on one field: first in sheet order wins",
			object:    "Contact",
			columns:   testColumns("E-mail", "EMAIL"),
			want:      map[string]string{"E-mail": "Email"},
			unmatched: []string{"EMAIL"},
		},
		{
			name:      "an exact name beats an earlier synonym",
			object:    "Contact",
			columns:   testColumns("Email Address", "Email"),
			want:      map[string]string{"Email": "Email"},
			unmatched: []string{"Email Address"},
		},
		{
			name:   "already mapped columns keep their field and block it",
			object: "Contact",
			columns: []sheets.Column{
				{ID: "a", Name: "Work mail", Field: "Email", Type: sheets.TypeEmail},
				{ID: "b", Name: "Email", Type: sheets.TypeText},
			},
			want:      map[string]string{},
			unmatched: []string{"Email"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Propose(tc.columns, MappableFields(testDescribe(t, tc.object), parents))
			got := map[string]string{}
			fields := map[string]int{}
			for _, m := range p.Matches {
				got[m.ColumnName] = m.Field.Path
				fields[m.Field.Path]++
				if fields[m.Field.Path] > 1 {
					t.Errorf("field %s proposed twice", m.Field.Path)
				}
				if want, ok := tc.kinds[m.ColumnName]; ok && m.Basis != want {
					t.Errorf("%q matched by %s, want %s", m.ColumnName, m.Basis, want)
				}
				if m.Reason == "" {
					t.Errorf("%q: no reason to show", m.ColumnName)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
			var unmatched []string
			for _, u := range p.Unmatched {
				unmatched = append(unmatched, u.ColumnName)
				if u.Reason == "" {
					t.Errorf("%q unmatched without a reason", u.ColumnName)
				}
			}
			if diff := cmp.Diff(tc.unmatched, unmatched); diff != "" {
				t.Errorf("unmatched (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAutoMapUnmatchedReasonNamesTheOwner(t *testing.T) {
	p := Propose(testColumns("Email", "E-mail"), MappableFields(testDescribe(t, "Contact"), nil))
	if len(p.Unmatched) != 1 || !strings.Contains(p.Unmatched[0].Reason, `already mapped to column "Email"`) {
		t.Errorf("unmatched = %+v, want the reason to name column Email", p.Unmatched)
	}
}

func TestProposalApply(t *testing.T) {
	fields := MappableFields(testDescribe(t, "Contact"), testParents(t))
	sh := &sheets.Sheet{Name: "People", Object: "Contact", Columns: testColumns("Salutation", "Birthdate", "Full Name", "Company", "Notes to self")}
	sh.Columns[0].Blank = sheets.BlankClear
	p := Propose(sh.Columns, fields)
	before := sh.Columns[4]
	if err := p.Apply(sh); err != nil {
		t.Fatal(err)
	}
	want := []sheets.Column{
		{ID: "c1", Name: "Salutation", Type: sheets.TypePicklist, Field: "Salutation", Choices: []string{"Mr.", "Ms.", "Mrs.", "Dr.", "Prof."}, Blank: sheets.BlankClear},
		{ID: "c2", Name: "Birthdate", Type: sheets.TypeDate, Field: "Birthdate"},
		{ID: "c3", Name: "Full Name", Type: sheets.TypeText, Field: "Name", ReadOnly: true},
		{ID: "c4", Name: "Company", Type: sheets.TypeText, Field: "Account.Name"},
		before,
	}
	if diff := cmp.Diff(want, sh.Columns); diff != "" {
		t.Errorf("columns after Apply (-want +got):\n%s", diff)
	}

	t.Run("missing column changes nothing", func(t *testing.T) {
		sh2 := &sheets.Sheet{Name: "Other", Columns: testColumns("Salutation")}
		p2 := p
		p2.Matches = append([]ProposedMatch{{Column: "c1", Field: p.Matches[0].Field}}, ProposedMatch{Column: "gone", ColumnName: "Gone"})
		if err := p2.Apply(sh2); !errors.Is(err, ErrUnknownColumn) {
			t.Fatalf("Apply = %v, want ErrUnknownColumn", err)
		}
		if sh2.Columns[0].Mapped() {
			t.Errorf("a failed Apply mapped column %+v", sh2.Columns[0])
		}
	})
}

func TestSheetTypeOf(t *testing.T) {
	tests := map[string]sheets.Type{
		"string": sheets.TypeText, "textarea": sheets.TypeTextArea, "double": sheets.TypeNumber, "int": sheets.TypeNumber,
		"currency": sheets.TypeCurrency, "percent": sheets.TypePercent, "date": sheets.TypeDate, "datetime": sheets.TypeDateTime,
		"boolean": sheets.TypeBool, "picklist": sheets.TypePicklist, "multipicklist": sheets.TypeMultiPicklist,
		"reference": sheets.TypeReference, "id": sheets.TypeReference, "email": sheets.TypeEmail, "phone": sheets.TypePhone,
		"url": sheets.TypeURL, "combobox": sheets.TypeText, "time": sheets.TypeText,
	}
	for sf, want := range tests {
		t.Run(sf, func(t *testing.T) {
			if got := SheetTypeOf(sf); got != want {
				t.Errorf("SheetTypeOf(%q) = %s, want %s", sf, got, want)
			}
		})
	}
}
