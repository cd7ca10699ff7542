package soql

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// seedQueries is the fuzz seed corpus and the benchmark's query mix: every
// construct the parser knows, and the unsupported ones it refuses.
var seedQueries = []string{
	"SELECT Id FROM Account",
	"select id, Name, Account.Name, Owner.Name, Who.Email from Contact",
	"SELECT COUNT() FROM Lead",
	"SELECT Id FROM Account WHERE Name = 'x' ORDER BY Name DESC NULLS LAST LIMIT 10 OFFSET 5",
	"SELECT Id FROM Opportunity WHERE Amount != 1 AND Amount <> 2 AND Amount < 3 AND Amount <= 4 AND Amount > -5.5 AND Amount >= .5",
	"SELECT Id FROM Lead WHERE (Status = 'Open' OR Status = null) AND NOT IsConverted = true",
	"SELECT Id FROM Lead WHERE NOT (A = FALSE OR B = NULL)",
	`SELECT Id FROM Contact WHERE Name LIKE 'a\%b_%' AND Id IN ('003000000000001', '003000000000002') AND Level NOT IN ('x')`,
	"SELECT Id FROM Contact WHERE Tags__c INCLUDES ('a;b', 'c') AND Tags__c EXCLUDES ('d')",
	"SELECT Id FROM Opportunity WHERE CloseDate = 2024-01-31 AND CreatedDate > 2024-01-31T10:00:00Z AND LastModifiedDate < 2024-01-31T10:00:00+01:00 AND SystemModstamp >= 2024-01-31T10:00:00.000Z",
	"SELECT Id FROM Task WHERE ActivityDate = today OR ActivityDate = LAST_N_DAYS:30 OR ActivityDate IN (THIS_MONTH, N_DAYS_AGO:3)",
	`SELECT Id FROM Account WHERE Name = 'O\'Brien \"x\" \\ \n\r\t\b\f \u00e9'`,
	"SELECT\n  Id,\n  Name\nFROM\tAccount\r\nWHERE Name='a'",
	"SELECT Id FROM A WHERE ((a = 1 AND b = 2) OR NOT (c = 3 OR NOT d = 4)) AND e = 5",
	"SELECT Id FROM A ORDER BY a asc nulls first, b desc nulls last, c nulls last, d desc nulls first limit 1 offset 2",
	"SELECT Id FROM A WHERE d = NEXT_N_FISCAL_QUARTERS:2 AND e > LAST_FISCAL_YEAR",
	"SELECT Id FORM Account",
	"SELECT Id FROM A WHERE a = 1 AND b = 2 OR c = 3",
	`SELECT Id FROM A WHERE a = 'x\q'`,
	"SELECT Name FROM A GROUP BY Name",
	"SELECT Industry i, COUNT(Id), SUM(Amount) total, COUNT_DISTINCT(OwnerId) FROM A WHERE x = 1 GROUP BY Industry HAVING COUNT(Id) > 1 AND (MAX(Amount) < 5 OR Industry = null) ORDER BY SUM(Amount) DESC NULLS LAST, Industry LIMIT 3 OFFSET 1",
	"SELECT AVG(Amount), MIN(CloseDate), MAX(CloseDate) FROM Opportunity",
	"SELECT Id, (SELECT Id, LastName FROM Contacts WHERE LastName != null ORDER BY LastName LIMIT 5), Name FROM Account",
	"SELECT Id, (SELECT Id FROM Contacts), (SELECT Amount FROM Opportunities) FROM Account",
	"SELECT Name n FROM A",
	"SELECT COUNT(Id) FROM A HAVING COUNT(Id) > 1",
	"SELECT Id, (SELECT Id FROM Contacts) FROM Account",
	"SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)",
	"SELECT Id FROM A WHERE a = :name",
	"SELECT Id FROM A WHERE d = 2024-02-30",
	"SELECT Id FROM A WHERE d = 2024-02-01T10:00",
	"SELECT COUNT(Id) FROM A",
	"SELECT Id FROM A WHERE (((a = 1)))",
	"SELECT Id FROM A WHERE a = 'é' AND b = '\u00e9\u4e16'",
}

func FuzzParseSOQL(f *testing.F) {
	for _, q := range seedQueries {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, soql string) {
		q, err := Parse(soql)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %T is not *Error", soql, err)
			}
			if e.Code != CodeMalformedQuery || e.Row < 1 || e.Column < 1 || e.Column > utf8.RuneCountInString(soql)+1 {
				t.Fatalf("Parse(%q): bad error %+v", soql, e)
			}
			return
		}
		canonical := q.String()
		again, err := Parse(canonical)
		if err != nil {
			t.Fatalf("Parse(%q) ok but its String() %q fails: %v", soql, canonical, err)
		}
		if diff := cmp.Diff(q, again, astOptions); diff != "" {
			t.Fatalf("String() %q of %q does not round-trip (-first +again):\n%s", canonical, soql, diff)
		}
		if s := again.String(); s != canonical {
			t.Fatalf("String() not idempotent: %q then %q", canonical, s)
		}
	})
}

// FuzzMatch checks that evaluation never panics and that NOT negates: for
// any condition the schema accepts and any record, Match(NOT (c)) is
// !Match(c).
func FuzzMatch(f *testing.F) {
	f.Add("Name LIKE 'a%b_c'", "abxc", 1.5, true, "2024-05-15")
	f.Add("Regions__c INCLUDES ('a;b', 'c') OR Regions__c = 'b;a'", "a;b", 0.0, false, "2024-05-14T23:59:59.000+0000")
	f.Add("CreatedDate = LAST_N_DAYS:3 AND AnnualRevenue > -2", "", 3.0, true, "2024-05-12T00:00:00Z")
	f.Add("Id IN ('001000000000001', null) AND IsDeleted != true", "001000000000001AAA", 0.0, false, "")
	f.Add("NOT (Name < 'm' OR NumberOfEmployees >= 10)", "zed", 10.0, true, "2024-01-01")
	f.Fuzz(func(t *testing.T, where, text string, number float64, flag bool, date string) {
		q, err := Parse("SELECT Id FROM Account WHERE " + where)
		if err != nil || q.Resolve(testSchema) != nil {
			return
		}
		neg, err := Parse("SELECT Id FROM Account WHERE NOT (" + where + ")")
		if err != nil {
			t.Fatalf("negation of %q does not parse: %v", where, err)
		}
		if err := neg.Resolve(testSchema); err != nil {
			t.Fatalf("negation of %q does not resolve: %v", where, err)
		}
		rec := MapRecord{"Id": text, "Name": text, "Industry": text, "Regions__c": text, "Website": text,
			"AnnualRevenue": number, "NumberOfEmployees": number, "IsDeleted": flag,
			"CreatedDate": date, "OwnerId": text, "Owner.Name": text}
		got, err := q.Match(rec, testNow)
		gotNeg, errNeg := neg.Match(rec, testNow)
		if (err == nil) != (errNeg == nil) {
			t.Fatalf("errors differ: %v vs %v", err, errNeg)
		}
		if err == nil && got == gotNeg {
			t.Fatalf("Match(%q) = %v and Match(NOT (...)) = %v on %v", where, got, gotNeg, rec)
		}
	})
}
