package fieldmap

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"crmsheets/crm"
	"crmsheets/sheets"
)

// testField returns a field of a real describe in testdata.
func testField(t testing.TB, object, name string) *crm.Field {
	t.Helper()
	f, ok := testDescribe(t, object).Field(name)
	if !ok {
		t.Fatalf("%s.%s not in the describe", object, name)
	}
	return f
}

func TestValidateMapping(t *testing.T) {
	fields := MappableFields(testDescribe(t, "Contact"), testParents(t))
	type want struct {
		sev    Severity
		column string // column name, "" for sheet-wide
		has    string // substring of the message
	}
	tests := []struct {
		name          string
		columns       []sheets.Column
		createMissing bool
		key           string
		want          []want
	}{
		{
			name: "clean mapping",
			columns: []sheets.Column{
				{ID: "a", Name: "Last", Field: "LastName", Type: sheets.TypeText},
				{ID: "b", Name: "Mail", Field: "Email", Type: sheets.TypeEmail},
				{ID: "c", Name: "Notes", Type: sheets.TypeText},
			},
			createMissing: true,
		},
		{
			name: "date column to a text field is fine, text to a number warns",
			columns: []sheets.Column{
				{ID: "a", Name: "Last", Field: "LastName", Type: sheets.TypeDate},
				{ID: "b", Name: "Lat", Field: "MailingLatitude", Type: sheets.TypeText},
			},
			want: []want{
				{SeverityWarning, "Lat", "cells that are not numbers will be refused before sending"},
			},
		},
		{
			name: "incompatible types are errors",
			columns: []sheets.Column{
				{ID: "a", Name: "Last", Field: "LastName", Type: sheets.TypeText},
				{ID: "b", Name: "Born", Field: "Birthdate", Type: sheets.TypeBool},
				{ID: "c", Name: "When", Field: "EmailBouncedDate", Type: sheets.TypeDate},
			},
			want: []want{
				{SeverityError, "Born", "a checkbox column cannot hold date values"},
				{SeverityWarning, "When", "dates are sent as midnight UTC"},
			},
		},
		{
			name: "deleted field, duplicate field, read-only field",
			columns: []sheets.Column{
				{ID: "a", Name: "Last", Field: "LastName", Type: sheets.TypeText},
				{ID: "b", Name: "Score", Field: "Score__c", Type: sheets.TypeNumber},
				{ID: "c", Name: "Surname", Field: "lastname", Type: sheets.TypeText},
				{ID: "d", Name: "Full name", Field: "Name", Type: sheets.TypeText},
			},
			want: []want{
				{SeverityError, "Score", "Score__c, which Contact no longer has"},
				{SeverityError, "Surname", `Columns "Last" and "Surname" are both mapped to Last Name`},
				{SeverityInfo, "Full name", "pull-only"},
			},
		},
		{
			name: "required field missing when creating",
			columns: []sheets.Column{
				{ID: "a", Name: "Mail", Field: "Email", Type: sheets.TypeEmail},
			},
			createMissing: true,
			want:          []want{{SeverityError, "", "Creating Contact records needs Last Name (LastName)"}},
		},
		{
			name: "restricted picklist typed as text warns; key column unmapped warns",
			columns: []sheets.Column{
				{ID: "a", Name: "Last", Field: "LastName", Type: sheets.TypeText},
				{ID: "b", Name: "Clean", Field: "CleanStatus", Type: sheets.TypeText},
				{ID: "k", Name: "Key", Type: sheets.TypeText},
			},
			key: "k",
			want: []want{
				{SeverityWarning, "Clean", "the picklist is restricted"},
				{SeverityWarning, "Key", "rows without a record id cannot be matched"},
			},
		},
		{
			name: "a relationship path covers its reference field",
			columns: []sheets.Column{
				{ID: "a", Name: "Last", Field: "LastName", Type: sheets.TypeText},
				{ID: "b", Name: "Company", Field: "Account.Name", Type: sheets.TypeText},
				{ID: "c", Name: "Account id", Field: "AccountId", Type: sheets.TypeReference},
			},
			createMissing: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh := &sheets.Sheet{Name: "People", Object: "Contact", Columns: tc.columns, KeyColumn: tc.key}
			sh.Sync.CreateMissing = tc.createMissing
			issues := Validate(sh, fields)
			if len(issues) != len(tc.want) {
				t.Fatalf("got %d issues, want %d:\n%s", len(issues), len(tc.want), issuesText(issues))
			}
			for i, w := range tc.want {
				got := issues[i]
				if got.Severity != w.sev || got.ColumnName != w.column || !strings.Contains(got.Message, w.has) {
					t.Errorf("issue %d = %s %q %q, want %s %q containing %q", i, got.Severity, got.ColumnName, got.Message, w.sev, w.column, w.has)
				}
			}
		})
	}
}

func issuesText(issues []Issue) string {
	var b strings.Builder
	for _, i := range issues {
		b.WriteString(i.Severity.String() + " " + i.ColumnName + ": " + i.Message + "\n")
	}
	return b.String()
}

func TestValidateRow(t *testing.T) {
	restrictedType := *testField(t, "Lead", "Status")
	restrictedType.Label, restrictedType.RestrictedPicklist = "Type", true
	cols := []sheets.Column{
		{ID: "last", Name: "Last name", Field: "LastName"},
		{ID: "mail", Name: "Email", Field: "Email", Type: sheets.TypeEmail},
		{ID: "clean", Name: "Clean status", Field: "CleanStatus", Type: sheets.TypePicklist},
		{ID: "born", Name: "Birthdate", Field: "Birthdate", Type: sheets.TypeDate},
		{ID: "acct", Name: "Account id", Field: "AccountId", Type: sheets.TypeReference},
		{ID: "full", Name: "Full name", Field: "Name"},
		{ID: "type", Name: "Type", Field: "Status", Type: sheets.TypePicklist},
		{ID: "emp", Name: "Employees", Field: "NumberOfEmployees", Type: sheets.TypeNumber},
		{ID: "prob", Name: "Probability", Field: "Probability", Type: sheets.TypePercent},
		{ID: "amt", Name: "Amount", Field: "Amount", Type: sheets.TypeCurrency},
		{ID: "comp", Name: "Company", Field: "Account.Name"},
	}
	sh := &sheets.Sheet{Name: "People", Object: "Contact", Columns: cols}
	fieldOf := map[string]*crm.Field{
		"last": testField(t, "Contact", "LastName"), "mail": testField(t, "Contact", "Email"),
		"clean": testField(t, "Contact", "CleanStatus"), "born": testField(t, "Contact", "Birthdate"),
		"acct": testField(t, "Contact", "AccountId"), "full": testField(t, "Contact", "Name"),
		"type": &restrictedType, "emp": testField(t, "Account", "NumberOfEmployees"),
		"prob": testField(t, "Opportunity", "Probability"), "amt": testField(t, "Opportunity", "Amount"),
		"comp": testField(t, "Account", "Name"),
	}
	tests := []struct {
		name  string
		op    PushOp
		cells map[string]string
		send  []string // columns about to be sent
		want  []string // "column CODE" of each problem, in column order
		msg   string   // substring of the first problem's message
	}{
		{"valid create", PushCreate, map[string]string{"last": "Lovelace", "mail": "ada@example.com", "clean": "Matched", "amt": "1234.5"},
			[]string{"last", "mail", "clean", "amt"}, nil, ""},
		{"required on create", PushCreate, map[string]string{"mail": "ada@example.com"},
			[]string{"last", "mail"}, []string{"last REQUIRED_FIELD_MISSING"}, "a value is required to create the record"},
		{"required cleared on update", PushUpdate, map[string]string{},
			[]string{"last"}, []string{"last REQUIRED_FIELD_MISSING"}, "cannot be cleared"},
		{"nillable field cleared on update is fine", PushUpdate, map[string]string{},
			[]string{"mail", "born"}, nil, ""},
		{"restricted picklist", PushUpdate, map[string]string{"type": "Prospect"},
			[]string{"type"}, []string{"type INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"},
			"Salesforce would reject 'Prospect' for Type: not an allowed value of this restricted picklist"},
		{"restricted picklist, real describe", PushUpdate, map[string]string{"clean": "Dirty"},
			[]string{"clean"}, []string{"clean INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"}, "'Dirty'"},
		{"too long", PushUpdate, map[string]string{"last": strings.Repeat("é", 81)},
			[]string{"last"}, []string{"last STRING_TOO_LONG"}, "81 characters, at most 80 allowed"},
		{"80 characters fit", PushUpdate, map[string]string{"last": strings.Repeat("é", 80)},
			[]string{"last"}, nil, ""},
		{"bad email", PushUpdate, map[string]string{"mail": "ada@"},
			[]string{"mail"}, []string{"mail INVALID_EMAIL_ADDRESS"}, "not a valid email address"},
		{"bad date", PushUpdate, map[string]string{"born": "31/12/1990"},
			[]string{"born"}, []string{"born INVALID_TYPE_ON_FIELD_IN_RECORD"}, "not a date"},
		{"bad id", PushUpdate, map[string]string{"acct": "001ZZZ"},
			[]string{"acct"}, []string{"acct MALFORMED_ID"}, "not a Salesforce record id"},
		{"id with a wrong checksum", PushUpdate, map[string]string{"acct": "001000000000001AAB"},
			[]string{"acct"}, []string{"acct MALFORMED_ID"}, ""},
		{"read-only field", PushUpdate, map[string]string{"full": "Ada Lovelace"},
			[]string{"full"}, []string{"full INVALID_FIELD_FOR_INSERT_UPDATE"}, "cannot be written on update"},
		{"int digits", PushUpdate, map[string]string{"emp": "123456789"},
			[]string{"emp"}, []string{"emp NUMBER_OUTSIDE_VALID_RANGE"}, "at most 8 digits"},
		{"int must be whole", PushUpdate, map[string]string{"emp": "12.5"},
			[]string{"emp"}, []string{"emp INVALID_TYPE_ON_FIELD_IN_RECORD"}, "whole number"},
		{"percent precision", PushUpdate, map[string]string{"prob": "1000"},
			[]string{"prob"}, []string{"prob NUMBER_OUTSIDE_VALID_RANGE"}, "at most 3 digits"},
		{"extra decimals are rounded by Salesforce, not refused", PushUpdate, map[string]string{"amt": "10.125", "prob": "99.5"},
			[]string{"amt", "prob"}, nil, ""},
		{"relationship value checked against the parent field", PushCreate, map[string]string{"last": "L", "comp": strings.Repeat("x", 256)},
			[]string{"last", "comp"}, []string{"comp STRING_TOO_LONG"}, ""},
		{"columns not about to be sent are not checked", PushUpdate, map[string]string{"mail": "not-an-email", "last": "ok"},
			[]string{"last"}, nil, ""},
		{"several problems in column order", PushCreate, map[string]string{"mail": "x", "clean": "Dirty"},
			[]string{"clean", "mail", "last"}, []string{"last REQUIRED_FIELD_MISSING", "mail INVALID_EMAIL_ADDRESS", "clean INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			send := map[string]*crm.Field{}
			for _, c := range tc.send {
				send[c] = fieldOf[c]
			}
			row := &sheets.Row{ID: 1, Cells: tc.cells}
			problems := ValidateRow(sh, row, send, tc.op)
			var got []string
			for _, p := range problems {
				got = append(got, p.Column+" "+p.Code)
				if !errors.Is(&p, ErrWouldBeRejected) {
					t.Errorf("problem %v does not match ErrWouldBeRejected", p)
				}
				if p.ColumnName == "" || p.Field == "" {
					t.Errorf("problem without column or field: %+v", p)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("problems (-want +got):\n%s\n%+v", diff, problems)
			}
			if tc.msg != "" && !strings.Contains(problems[0].Message, tc.msg) {
				t.Errorf("message %q, want it to contain %q", problems[0].Message, tc.msg)
			}
		})
	}
}

func TestToSalesforce(t *testing.T) {
	f := func(typ string) *crm.Field { return &crm.Field{Name: "F__c", Label: "F", Type: typ} }
	tests := []struct {
		typ, canonical string
		want           any
		code           string // expected RowProblem code, "" for success
	}{
		{"string", "", nil, ""},
		{"string", "Acme", "Acme", ""},
		{"double", "1234.5", 1234.5, ""},
		{"currency", "-0.01", -0.01, ""},
		{"percent", "12.5", 12.5, ""},
		{"int", "42", int64(42), ""},
		{"int", "4.2", nil, "INVALID_TYPE_ON_FIELD_IN_RECORD"},
		{"double", "1,5", nil, "INVALID_TYPE_ON_FIELD_IN_RECORD"},
		{"boolean", "true", true, ""},
		{"boolean", "false", false, ""},
		{"boolean", "maybe", nil, "INVALID_TYPE_ON_FIELD_IN_RECORD"},
		{"date", "2024-02-29", "2024-02-29", ""},
		{"date", "2024-02-30", nil, "INVALID_TYPE_ON_FIELD_IN_RECORD"},
		{"date", "2024-05-01T23:30:00.000Z", "2024-05-01", ""},
		{"datetime", "2024-05-01T10:00:00.000Z", "2024-05-01T10:00:00.000Z", ""},
		{"datetime", "2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00.000Z", ""},
		{"datetime", "2024-05-01", "2024-05-01T00:00:00.000Z", ""},
		{"datetime", "yesterday", nil, "INVALID_TYPE_ON_FIELD_IN_RECORD"},
		{"multipicklist", "a; b;;c", "a;b;c", ""},
		{"reference", "0015g00000AbCdE", "0015g00000AbCdE", ""},
		{"reference", "0015g00000AbCdE!", nil, "MALFORMED_ID"},
		{"email", "ada@example.com", "ada@example.com", ""},
		{"email", "ada at example", nil, "INVALID_EMAIL_ADDRESS"},
		{"textarea", " keeps\nspaces ", " keeps\nspaces ", ""},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"/"+tc.canonical, func(t *testing.T) {
			got, err := ToSalesforce(f(tc.typ), tc.canonical)
			var p *RowProblem
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.code != "" && (!errors.As(err, &p) || p.Code != tc.code):
				t.Fatalf("error %v, want a RowProblem with code %s", err, tc.code)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("value (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromSalesforce(t *testing.T) {
	tests := []struct {
		typ  string
		v    any
		want string
	}{
		{"string", nil, ""},
		{"string", " Acme ", "Acme"},
		{"textarea", " line\n", " line\n"},
		{"double", 1234.5, "1234.5"},
		{"double", 1e21, "1000000000000000000000"},
		{"currency", float64(0), "0"},
		{"int", 42.0, "42"},
		{"int", int64(7), "7"},
		{"percent", "12.50", "12.5"},
		{"boolean", true, "true"},
		{"boolean", "FALSE", "false"},
		{"date", "2024-05-01", "2024-05-01"},
		{"datetime", "2024-05-01T10:00:00.000+0000", "2024-05-01T10:00:00.000Z"},
		{"datetime", "2024-05-01T12:00:00.000+0200", "2024-05-01T10:00:00.000Z"},
		{"datetime", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.000Z"},
		{"datetime", "not a date", "not a date"},
		{"multipicklist", "a;b", "a;b"},
		{"reference", "0015g00000AbCdEAAV", "0015g00000AbCdEAAV"},
		{"address", map[string]any{"city": "Paris"}, `{"city":"Paris"}`},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			if got := FromSalesforce(tc.typ, tc.v); got != tc.want {
				t.Errorf("FromSalesforce(%q, %#v) = %q, want %q", tc.typ, tc.v, got, tc.want)
			}
		})
	}
}

// FuzzSalesforceValue checks the value conversions on arbitrary text:
// reading is idempotent (canonical text reads back unchanged), and whatever
// ToSalesforce accepts reads back to the same canonical text, so a push
// followed by a pull never shows a phantom change.
func FuzzSalesforceValue(f *testing.F) {
	types := []string{"string", "textarea", "double", "currency", "percent", "int", "boolean", "date", "datetime", "multipicklist", "reference", "email", "url", "phone", "picklist"}
	seeds := []string{"", "Acme", " padded ", "12.50", "-0", "1e3", "true", "no", "2024-05-01", "2024-05-01T10:00:00.000+0000",
		"2024-05-01T10:00:00Z", "a; b", "0015g00000AbCdEAAV", "ada@example.com", "9007199254740993", "NaN", "1,5"}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	f.Fuzz(func(t *testing.T, ti uint8, raw string) {
		typ := types[int(ti)%len(types)]
		canonical := FromSalesforce(typ, raw)
		if again := FromSalesforce(typ, canonical); again != canonical {
			t.Fatalf("%s: reading %q gives %q, reading that gives %q", typ, raw, canonical, again)
		}
		v, err := ToSalesforce(&crm.Field{Name: "F", Type: typ}, canonical)
		if err != nil {
			var p *RowProblem
			if !errors.As(err, &p) || p.Code == "" {
				t.Fatalf("%s: error %v is not a RowProblem with a code", typ, err)
			}
			return
		}
		if fv, ok := v.(float64); ok && (math.IsInf(fv, 0) || math.IsNaN(fv)) {
			t.Fatalf("%s: %q sent as %v", typ, canonical, fv)
		}
		if back := FromSalesforce(typ, v); back != canonical {
			t.Fatalf("%s: %q is sent as %#v, which reads back as %q", typ, canonical, v, back)
		}
	})
}
