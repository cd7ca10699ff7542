package soql

import (
	"crmsheets/internal/golden"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// goldenErrorQueries are queries whose full Salesforce-style error bodies
// are pinned in testdata/errors.golden. The framing ("\n<row>\n<caret>\n
// ERROR at Row:r:Column:c\n<reason>") follows the real MALFORMED_QUERY and
// INVALID_TYPE bodies in /work/shared/salesforce/fixtures/misc/
// error_bodies_collected.json (a Java client comment and a CumulusCI
// cassette); the reasons for unsupported constructs are the demo org's own.
var goldenErrorQueries = []string{
	"SELECT Id FORM Account",
	"SELECT Id, Name FROM Account WHERE",
	"SELECT Id\nFROM Account\nWHERE Name = 'x' AND Industry = 'y' OR Rating = 'z'",
	"select count() from XYZZY",
	"SELECT Id, Nmae FROM Account",
	"SELECT Id, Acount.Name FROM Contact",
	"SELECT Id FROM Contact WHERE Birthdate = '2024-01-01'",
	"SELECT Id FROM Account WHERE CreatedDate > 2024-01-01",
	"SELECT Id FROM Account WHERE OwnerId = 'abc'",
	"SELECT Id FROM Account WHERE Name INCLUDES ('a')",
	`SELECT Id FROM Account WHERE Name = 'it\'s \x'`,
	"SELECT Name, Industry, COUNT(Id) FROM Account GROUP BY Name",
	"SELECT SUM(Name) FROM Account",
	"SELECT AVG(CreatedDate) FROM Account",
	"SELECT MAX(IsDeleted) FROM Account",
	"SELECT AnnualRevenue, COUNT(Id) FROM Account GROUP BY AnnualRevenue",
	"SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry ORDER BY Name",
	"SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry HAVING Name = 'x'",
	"SELECT Industry, COUNT(Id) c, MAX(Name) c FROM Account GROUP BY Industry",
	"SELECT Name n FROM Account",
	"SELECT COUNT(Id) FROM Account HAVING COUNT(Id) > 1",
	"SELECT COUNT() FROM Account GROUP BY Industry",
	"SELECT Id, (SELECT Id FROM Contactz) FROM Account",
	"SELECT Id, (SELECT Nmae FROM Contacts) FROM Account",
	"SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)",
	"SELECT Id FROM Account WHERE Name = :name",
}

func TestErrorsGolden(t *testing.T) {
	var b strings.Builder
	for _, soql := range goldenErrorQueries {
		q, err := Parse(soql)
		if err == nil {
			err = q.Resolve(testSchema)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: got %v, want *Error", soql, err)
		}
		b.WriteString("=== " + strings.ReplaceAll(soql, "\n", `\n`) + "\n")
		b.WriteString(e.Code + "\n" + e.Message + "\n")
	}
	golden.Check(t, filepath.Join("testdata", "errors.golden"), []byte(b.String()))
}
