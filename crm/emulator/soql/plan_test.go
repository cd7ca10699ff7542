package soql

import (
	"strings"
	"testing"
)

// describePlan renders a plan compactly for comparison in tests.
func describePlan(p *Plan) string {
	switch {
	case p == nil:
		return "scan"
	case p.Lookup != nil:
		keys := make([]string, len(p.Lookup.Keys))
		for i, k := range p.Lookup.Keys {
			keys[i] = k
			if classOf(p.Lookup.Field.Type) == classNumber {
				keys[i] = "#" // binary keys
			}
		}
		s := p.Lookup.Field.Path + "[" + strings.Join(keys, " ") + "]"
		if p.Lookup.Null {
			s += "+null"
		}
		return s
	}
	op, parts := "any", p.AnyOf
	if p.Union != nil {
		op, parts = "union", p.Union
	}
	out := make([]string, len(parts))
	for i, part := range parts {
		out[i] = describePlan(part)
	}
	return op + "(" + strings.Join(out, ", ") + ")"
}

func ownFields(f FieldRef) bool { return !strings.Contains(f.Path, ".") }

func TestPlan(t *testing.T) {
	tests := []struct {
		name, soql, want string
	}{
		{"no where", "SELECT Id FROM Contact", "scan"},
		{"id =", "SELECT Id FROM Contact WHERE Id = '003000000000001AAA'", "Id[003000000000001]"},
		{"id in, 15 and 18 alike", "SELECT Id FROM Contact WHERE Id IN ('003000000000001AAA', '003000000000001', '003000000000002')", "Id[003000000000001 003000000000002]"},
		{"text folded and deduplicated", "SELECT Id FROM Contact WHERE Email IN ('A@x.io', 'a@X.IO', null)", "Email[a@x.io]+null"},
		{"empty string matches nothing", "SELECT Id FROM Contact WHERE LastName = ''", "LastName[]"},
		{"and picks any plannable term", "SELECT Id FROM Contact WHERE LastName LIKE 'a%' AND Email = 'x@y.z' AND Id = '003000000000001'", "any(Email[x@y.z], Id[003000000000001])"},
		{"and of one plannable term", "SELECT Id FROM Contact WHERE LastName != 'a' AND Email = 'x@y.z'", "Email[x@y.z]"},
		{"or needs every term", "SELECT Id FROM Contact WHERE Email = 'x@y.z' OR LastName = 'Doe'", "union(Email[x@y.z], LastName[doe])"},
		{"or with a scan term", "SELECT Id FROM Contact WHERE Email = 'x@y.z' OR LastName LIKE 'D%'", "scan"},
		{"not", "SELECT Id FROM Contact WHERE NOT Email = 'x@y.z'", "scan"},
		{"not in", "SELECT Id FROM Contact WHERE Email NOT IN ('x@y.z')", "scan"},
		{"!=", "SELECT Id FROM Contact WHERE Email != 'x@y.z'", "scan"},
		{"ordering", "SELECT Id FROM Contact WHERE Birthdate > 2024-01-01", "scan"},
		{"relative date", "SELECT Id FROM Contact WHERE Birthdate = TODAY", "scan"},
		{"relative date in a list", "SELECT Id FROM Contact WHERE Birthdate IN (2024-01-01, TODAY)", "scan"},
		{"date", "SELECT Id FROM Contact WHERE Birthdate IN (2024-01-01, null)", "Birthdate[2024-01-01]+null"},
		{"datetime in UTC", "SELECT Id FROM Contact WHERE CreatedDate = 2024-01-31T11:00:00+01:00", "CreatedDate[2024-01-31T10:00:00.000+0000]"},
		{"number", "SELECT Id FROM Opportunity WHERE Amount IN (1, 1.0, 2)", "Amount[# #]"},
		{"boolean", "SELECT Id FROM Lead WHERE IsConverted = false", "IsConverted[false]"},
		{"multipicklist", "SELECT Id FROM Account WHERE Regions__c = 'B;a'", "Regions__c[a;b]"},
		{"includes", "SELECT Id FROM Account WHERE Regions__c INCLUDES ('a')", "scan"},
		{"relationship path not indexable", "SELECT Id FROM Contact WHERE Account.Name = 'Acme'", "scan"},
		{"relationship path beside a lookup", "SELECT Id FROM Contact WHERE Account.Name = 'Acme' AND AccountId = '001000000000001'", "AccountId[001000000000001]"},
		{"nested", "SELECT Id FROM Contact WHERE (Email = 'a@b.c' OR Id = '003000000000001') AND (LastName = 'x' OR Birthdate > 2020-01-01)", "union(Email[a@b.c], Id[003000000000001])"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustResolved(t, tt.soql)
			if got := describePlan(q.Plan(ownFields)); got != tt.want {
				t.Fatalf("plan %s, want %s", got, tt.want)
			}
		})
	}
	q, err := Parse("SELECT Id FROM Contact WHERE Id = '003000000000001'")
	if err != nil {
		t.Fatal(err)
	}
	if p := q.Plan(ownFields); p != nil {
		t.Fatalf("an unresolved query has plan %s", describePlan(p))
	}
}

func TestLookupIsID(t *testing.T) {
	for _, tt := range []struct {
		f    FieldRef
		want bool
	}{
		{FieldRef{Path: "Id", Type: "id"}, true},
		{FieldRef{Path: "AccountId", Type: "reference"}, false},
		{FieldRef{Path: "Id", Type: "string"}, false},
	} {
		if got := (&Lookup{Field: tt.f}).IsID(); got != tt.want {
			t.Errorf("IsID(%+v) = %v, want %v", tt.f, got, tt.want)
		}
	}
}
