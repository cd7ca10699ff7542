package soql

import (
	"errors"
	"testing"
	"time"
)

// testNow is Wednesday 2024-05-15 12:00 UTC; its week started on Sunday
// 2024-05-12, its quarter on 2024-04-01.
var testNow = time.Date(2024, time.May, 15, 12, 0, 0, 0, time.UTC)

func mustResolved(t testing.TB, soql string) *Query {
	t.Helper()
	q, err := Parse(soql)
	if err != nil {
		t.Fatalf("Parse(%q): %v", soql, err)
	}
	if err := q.Resolve(testSchema); err != nil {
		t.Fatalf("Resolve(%q): %v", soql, err)
	}
	return q
}

func TestMatch(t *testing.T) {
	acme := MapRecord{
		"Id": "001000000000001AAA", "Name": "Acme Corp", "Industry": "Technology", "AnnualRevenue": 1500.5,
		"NumberOfEmployees": float64(120), "CreatedDate": "2024-05-15T08:30:00.000+0000", "IsDeleted": false,
		"Regions__c": "EMEA;APAC", "Website": "", "Owner.Name": "Dana Demo",
	}
	blank := MapRecord{"Id": "001000000000002AAA"}
	tests := []struct {
		name  string
		where string
		rec   MapRecord
		want  bool
	}{
		{"string = is case-insensitive", "Name = 'ACME corp'", acme, true},
		{"string = other", "Name = 'Acme'", acme, false},
		{"string != ", "Name != 'acme corp'", acme, false},
		{"string != on null is true", "Name != 'x'", blank, true},
		{"string = on null is false", "Name = 'x'", blank, false},
		{"string < ", "Name < 'b'", acme, true},
		{"string >= case-insensitive", "Name >= 'ACME CORP'", acme, true},
		{"ordering on null is false", "Name < 'zzz'", blank, false},
		{"= null", "Name = null", blank, true},
		{"= null on value", "Name = null", acme, false},
		{"!= null", "Name != null", acme, true},
		{"empty string is null", "Website = null", acme, true},
		{"parent path", "Owner.Name = 'dana demo'", acme, true},
		{"like prefix", "Name LIKE 'ac%'", acme, true},
		{"like suffix case-insensitive", "Name LIKE '%CORP'", acme, true},
		{"like underscore", "Name LIKE 'Acm_ Cor_'", acme, true},
		{"like underscore needs one char", "Name LIKE 'Acme Corp_'", acme, false},
		{"like no wildcard is equality", "Name LIKE 'acme corp'", acme, true},
		{"like escaped percent", `Name LIKE 'Acme\%'`, MapRecord{"Name": "Acme%"}, true},
		{"like escaped percent is literal", `Name LIKE 'Acme\%'`, acme, false},
		{"like escaped underscore", `Name LIKE 'a\_b'`, MapRecord{"Name": "a_b"}, true},
		{"like escaped underscore is literal", `Name LIKE 'a\_b'`, MapRecord{"Name": "axb"}, false},
		{"like on null", "Name LIKE '%'", blank, false},
		{"like backtracking", "Name LIKE '%a%b%c'", MapRecord{"Name": "xaxxbxxbxc"}, true},
		{"like unicode", "Name LIKE 'É%'", MapRecord{"Name": "école"}, true},
		{"picklist in", "Industry IN ('Finance', 'technology')", acme, true},
		{"picklist not in", "Industry NOT IN ('Finance', 'technology')", acme, false},
		{"not in on null is true", "Industry NOT IN ('Finance')", blank, true},
		{"in with null", "Industry IN ('Finance', null)", blank, true},
		{"number =", "AnnualRevenue = 1500.5", acme, true},
		{"number >", "AnnualRevenue > 1500", acme, true},
		{"number <= negative", "AnnualRevenue <= -1", acme, false},
		{"int", "NumberOfEmployees >= 120 AND NumberOfEmployees < 121", acme, true},
		{"number in", "NumberOfEmployees IN (1, 120)", acme, true},
		{"boolean", "IsDeleted = false", acme, true},
		{"boolean true", "IsDeleted = true", acme, false},
		{"boolean null", "IsDeleted = false", blank, false},
		{"id 15 equals 18", "Id = '001000000000001'", acme, true},
		{"id checksum suffix is ignored", "Id = '001000000000001aaa'", acme, true},
		{"id 15-char case-sensitive", "Id = '001000000000001' OR Id = '00100000000000A'", MapRecord{"Id": "00100000000000aAAA"}, false},
		{"id in", "Id IN ('001000000000002', '001000000000001AAA')", acme, true},
		{"multipicklist includes one", "Regions__c INCLUDES ('apac')", acme, true},
		{"multipicklist includes all of a;b", "Regions__c INCLUDES ('EMEA;AMER')", acme, false},
		{"multipicklist includes any item", "Regions__c INCLUDES ('EMEA;AMER', 'APAC')", acme, true},
		{"multipicklist excludes", "Regions__c EXCLUDES ('AMER')", acme, true},
		{"multipicklist excludes present", "Regions__c EXCLUDES ('AMER', 'EMEA')", acme, false},
		{"multipicklist excludes on null", "Regions__c EXCLUDES ('AMER')", blank, true},
		{"multipicklist includes on null", "Regions__c INCLUDES ('AMER')", blank, false},
		{"multipicklist = is set equality", "Regions__c = 'apac;emea'", acme, true},
		{"multipicklist = subset", "Regions__c = 'EMEA'", acme, false},
		{"and", "Name = 'Acme Corp' AND Industry = 'Technology'", acme, true},
		{"and false", "Name = 'Acme Corp' AND Industry = 'Finance'", acme, false},
		{"or", "Name = 'x' OR Industry = 'Technology'", acme, true},
		{"not", "NOT Name = 'x'", acme, true},
		{"nested", "(Name = 'x' OR Name LIKE 'A%') AND NOT (Industry = 'Finance' OR AnnualRevenue < 100)", acme, true},
		{"datetime literal >", "CreatedDate > 2024-05-15T08:00:00Z", acme, true},
		{"datetime literal with offset", "CreatedDate = 2024-05-15T10:30:00+02:00", acme, true},
		{"datetime literal fraction", "CreatedDate < 2024-05-15T08:30:00.001Z", acme, true},
		{"datetime literal <=", "CreatedDate <= 2024-05-15T08:29:59Z", acme, false},
		{"datetime TODAY", "CreatedDate = TODAY", acme, true},
		{"datetime YESTERDAY", "CreatedDate = YESTERDAY", acme, false},
		{"datetime > YESTERDAY", "CreatedDate > YESTERDAY", acme, true},
		{"datetime < TOMORROW", "CreatedDate < TOMORROW", acme, true},
		{"datetime LAST_N_DAYS includes today", "CreatedDate = LAST_N_DAYS:1", acme, true},
		{"datetime in other zone form", "CreatedDate = TODAY", MapRecord{"CreatedDate": "2024-05-15T23:30:00-01:00"}, false},
		{"datetime null", "CreatedDate != TODAY", blank, true},
		{"datetime null =", "CreatedDate = TODAY", blank, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustResolved(t, "SELECT Id FROM Account WHERE "+tt.where)
			got, err := q.Match(tt.rec, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Match(%s) = %v, want %v", tt.where, got, tt.want)
			}
		})
	}
}

func TestMatchNoWhere(t *testing.T) {
	q, err := Parse("SELECT Id FROM Account")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := q.Match(MapRecord{}, testNow); !ok || err != nil {
		t.Errorf("Match = %v, %v; want true, nil", ok, err)
	}
}

// TestDateLiteralRanges checks each relative date literal's bounds on a date
// field: the first day in range, and the days just outside it.
func TestDateLiteralRanges(t *testing.T) {
	tests := []struct {
		literal          string
		first, afterLast string // [first, afterLast)
	}{
		{"YESTERDAY", "2024-05-14", "2024-05-15"},
		{"TODAY", "2024-05-15", "2024-05-16"},
		{"TOMORROW", "2024-05-16", "2024-05-17"},
		{"LAST_WEEK", "2024-05-05", "2024-05-12"},
		{"THIS_WEEK", "2024-05-12", "2024-05-19"},
		{"NEXT_WEEK", "2024-05-19", "2024-05-26"},
		{"LAST_MONTH", "2024-04-01", "2024-05-01"},
		{"THIS_MONTH", "2024-05-01", "2024-06-01"},
		{"NEXT_MONTH", "2024-06-01", "2024-07-01"},
		{"LAST_90_DAYS", "2024-02-15", "2024-05-16"},
		{"NEXT_90_DAYS", "2024-05-16", "2024-08-14"},
		{"LAST_N_DAYS:1", "2024-05-14", "2024-05-16"},
		{"LAST_N_DAYS:0", "2024-05-15", "2024-05-16"},
		{"NEXT_N_DAYS:3", "2024-05-16", "2024-05-19"},
		{"N_DAYS_AGO:3", "2024-05-12", "2024-05-13"},
		{"LAST_N_WEEKS:2", "2024-04-28", "2024-05-12"},
		{"NEXT_N_WEEKS:1", "2024-05-19", "2024-05-26"},
		{"N_WEEKS_AGO:1", "2024-05-05", "2024-05-12"},
		{"LAST_N_MONTHS:2", "2024-03-01", "2024-05-01"},
		{"NEXT_N_MONTHS:2", "2024-06-01", "2024-08-01"},
		{"N_MONTHS_AGO:5", "2023-12-01", "2024-01-01"},
		{"THIS_QUARTER", "2024-04-01", "2024-07-01"},
		{"LAST_QUARTER", "2024-01-01", "2024-04-01"},
		{"NEXT_QUARTER", "2024-07-01", "2024-10-01"},
		{"LAST_N_QUARTERS:2", "2023-10-01", "2024-04-01"},
		{"NEXT_N_QUARTERS:1", "2024-07-01", "2024-10-01"},
		{"THIS_YEAR", "2024-01-01", "2025-01-01"},
		{"LAST_YEAR", "2023-01-01", "2024-01-01"},
		{"NEXT_YEAR", "2025-01-01", "2026-01-01"},
		{"LAST_N_YEARS:2", "2022-01-01", "2024-01-01"},
		{"N_YEARS_AGO:1", "2023-01-01", "2024-01-01"},
		{"THIS_FISCAL_QUARTER", "2024-04-01", "2024-07-01"},
		{"THIS_FISCAL_YEAR", "2024-01-01", "2025-01-01"},
	}
	day := func(s string, delta int) string {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d.AddDate(0, 0, delta).Format(time.DateOnly)
	}
	for _, tt := range tests {
		t.Run(tt.literal, func(t *testing.T) {
			last := day(tt.afterLast, -1)
			before := day(tt.first, -1)
			cases := []struct {
				op, date string
				want     bool
			}{
				{"=", tt.first, true}, {"=", last, true}, {"=", before, false}, {"=", tt.afterLast, false},
				{"!=", before, true}, {"!=", tt.first, false},
				{"<", before, true}, {"<", tt.first, false},
				{"<=", last, true}, {"<=", tt.afterLast, false},
				{">", tt.afterLast, true}, {">", last, false},
				{">=", tt.first, true}, {">=", before, false},
			}
			for _, c := range cases {
				q := mustResolved(t, "SELECT Id FROM Contact WHERE Birthdate "+c.op+" "+tt.literal)
				got, err := q.Match(MapRecord{"Birthdate": c.date}, testNow)
				if err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("Birthdate %s %s with %s = %v, want %v", c.op, tt.literal, c.date, got, c.want)
				}
			}
		})
	}
}

func TestMatchDateLiteralOnDatetimeUsesUTCDayBounds(t *testing.T) {
	q := mustResolved(t, "SELECT Id FROM Account WHERE CreatedDate = THIS_MONTH")
	tests := []struct {
		value string
		want  bool
	}{
		{"2024-05-01T00:00:00.000+0000", true},
		{"2024-04-30T23:59:59.999+0000", false},
		{"2024-05-31T23:59:59.999+0000", true},
		{"2024-06-01T00:00:00.000+0000", false},
		{"2024-05-01T01:00:00+02:00", false}, // 2024-04-30T23:00Z
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, err := q.Match(MapRecord{"CreatedDate": tt.value}, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMatchDateLiteral(t *testing.T) {
	q := mustResolved(t, "SELECT Id FROM Opportunity WHERE CloseDate >= 2024-01-31 AND CloseDate < 2024-02-02")
	for value, want := range map[string]bool{"2024-01-30": false, "2024-01-31": true, "2024-02-01": true, "2024-02-02": false} {
		got, err := q.Match(MapRecord{"CloseDate": value}, testNow)
		if err != nil || got != want {
			t.Errorf("CloseDate %s: Match = %v, %v; want %v", value, got, err, want)
		}
	}
}

// TestMatchUnresolved evaluates without a schema: types come from literals.
func TestMatchUnresolved(t *testing.T) {
	rec := MapRecord{"Name": "Acme", "Amount": 10.0, "Closed": true, "CloseDate": "2024-05-15", "CreatedDate": "2024-05-14T10:00:00.000+0000"}
	tests := []struct {
		where string
		want  bool
	}{
		{"Name = 'acme'", true},
		{"Amount > 5", true},
		{"Closed = true", true},
		{"CloseDate = TODAY", true},
		{"CreatedDate = YESTERDAY", true},
		{"CloseDate > 2024-05-14", true},
		{"CreatedDate < 2024-05-14T11:00:00Z", true},
		{"Missing = null", true},
	}
	for _, tt := range tests {
		t.Run(tt.where, func(t *testing.T) {
			q, err := Parse("SELECT Id FROM X WHERE " + tt.where)
			if err != nil {
				t.Fatal(err)
			}
			got, err := q.Match(rec, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMatchBadValue(t *testing.T) {
	tests := []struct {
		where string
		rec   MapRecord
	}{
		{"AnnualRevenue > 1", MapRecord{"AnnualRevenue": "lots"}},
		{"IsDeleted = true", MapRecord{"IsDeleted": "maybe"}},
		{"CreatedDate = TODAY", MapRecord{"CreatedDate": "yesterday"}},
		{"CreatedDate > 2024-01-01T00:00:00Z", MapRecord{"CreatedDate": 12.0}},
	}
	for _, tt := range tests {
		t.Run(tt.where, func(t *testing.T) {
			q := mustResolved(t, "SELECT Id FROM Account WHERE "+tt.where)
			_, err := q.Match(tt.rec, testNow)
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("Match error = %v, want *ValueError", err)
			}
		})
	}
}

func TestMatchHandBuiltLike(t *testing.T) {
	q := &Query{Object: "Account", Limit: -1, Offset: -1,
		Where: &Comparison{Field: FieldRef{Path: "Name"}, Op: Like, Value: Literal{Kind: StringLit, Str: "ac%"}}}
	for name, want := range map[string]bool{"Acme": true, "Globex": false} {
		got, err := q.Match(MapRecord{"Name": name}, testNow)
		if err != nil || got != want {
			t.Errorf("Match(%s) = %v, %v; want %v", name, got, err, want)
		}
	}
}
