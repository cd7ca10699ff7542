package soql

import (
	"crmsheets/internal/golden"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// aggregateAccounts is the record set the aggregate golden file is
// computed over: industries with mixed case and nulls, revenues with
// nulls, owners repeating.
var aggregateAccounts = []MapRecord{
	{"Id": "001000000000001AAA", "Name": "Acme", "Industry": "Banking", "AnnualRevenue": 100.0, "NumberOfEmployees": 10.0, "OwnerId": "005000000000001AAA", "CreatedDate": "2024-01-05T10:00:00.000+0000", "Owner.Name": "Dana"},
	{"Id": "001000000000002AAA", "Name": "Bolt", "Industry": "banking", "AnnualRevenue": 300.0, "NumberOfEmployees": 30.0, "OwnerId": "005000000000002AAA", "CreatedDate": "2024-02-05T10:00:00.000+0000", "Owner.Name": "Sam"},
	{"Id": "001000000000003AAA", "Name": "Crane", "Industry": "Retail", "AnnualRevenue": nil, "NumberOfEmployees": 5.0, "OwnerId": "005000000000001AAA", "CreatedDate": "2024-03-05T10:00:00.000+0000", "Owner.Name": "Dana"},
	{"Id": "001000000000004AAA", "Name": "Delta", "Industry": nil, "AnnualRevenue": 50.0, "NumberOfEmployees": nil, "OwnerId": "005000000000001AAA", "CreatedDate": "2024-04-05T10:00:00.000+0000", "Owner.Name": "Dana"},
	{"Id": "001000000000005AAA", "Name": "Echo", "Industry": "Retail", "AnnualRevenue": 25.0, "NumberOfEmployees": 7.0, "OwnerId": "005000000000003AAA", "CreatedDate": "2024-05-05T10:00:00.000+0000", "Owner.Name": "Priya"},
}

// goldenAggregateQueries are pinned with their AggregateResult rows in
// testdata/aggregates.golden; the row shape (columns in select order,
// exprN naming, null for an empty SUM) follows the real aggregate response
// in shared/salesforce/fixtures/restforce/sobject/query_aggregate_success_response.json.
var goldenAggregateQueries = []string{
	"SELECT COUNT(Id) FROM Account",
	"SELECT COUNT(Id), COUNT(Industry), COUNT_DISTINCT(Industry), COUNT_DISTINCT(OwnerId) FROM Account",
	"SELECT SUM(AnnualRevenue), AVG(AnnualRevenue), MIN(AnnualRevenue), MAX(AnnualRevenue) FROM Account",
	"SELECT MIN(Name), MAX(Name), MIN(CreatedDate), MAX(CreatedDate) FROM Account",
	"SELECT SUM(AnnualRevenue) FROM Account WHERE Name = 'nobody'",
	"SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry",
	"SELECT Industry ind, COUNT(Id) n, SUM(AnnualRevenue) FROM Account GROUP BY Industry ORDER BY COUNT(Id) DESC, Industry",
	"SELECT OwnerId, SUM(AnnualRevenue) total, MAX(NumberOfEmployees) FROM Account GROUP BY OwnerId HAVING COUNT(Id) > 1",
	"SELECT Owner.Name, COUNT(Id) FROM Account GROUP BY Owner.Name ORDER BY Owner.Name DESC LIMIT 2",
	"SELECT Industry, COUNT(Id) FROM Account WHERE AnnualRevenue > 20 GROUP BY Industry HAVING SUM(AnnualRevenue) >= 100 OR Industry = null",
	"SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry LIMIT 2 OFFSET 1",
	"SELECT COUNT(Id) c, COUNT(Name), SUM(NumberOfEmployees) FROM Account",
}

func runAggregate(t *testing.T, soql string, recs []MapRecord) ([]string, [][]any) {
	t.Helper()
	q, err := Parse(soql)
	if err != nil {
		t.Fatalf("Parse(%q): %v", soql, err)
	}
	if err := q.Resolve(testSchema); err != nil {
		t.Fatalf("Resolve(%q): %v", soql, err)
	}
	var matched []MapRecord
	for _, r := range recs {
		ok, err := q.Match(r, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			matched = append(matched, r)
		}
	}
	rows, err := Aggregate(q, matched, testNow)
	if err != nil {
		t.Fatalf("Aggregate(%q): %v", soql, err)
	}
	return q.Columns(), rows
}

func TestAggregatesGolden(t *testing.T) {
	var b strings.Builder
	for _, soql := range goldenAggregateQueries {
		cols, rows := runAggregate(t, soql, aggregateAccounts)
		b.WriteString("=== " + soql + "\n")
		for _, row := range rows {
			parts := make([]string, len(cols))
			for i, c := range cols {
				v, err := json.Marshal(row[i])
				if err != nil {
					t.Fatal(err)
				}
				parts[i] = c + "=" + string(v)
			}
			b.WriteString(strings.Join(parts, " ") + "\n")
		}
	}
	golden.Check(t, filepath.Join("testdata", "aggregates.golden"), []byte(b.String()))
}

// Spot checks that do not depend on the golden file: the arithmetic itself.
func TestAggregateArithmetic(t *testing.T) {
	cols, rows := runAggregate(t, "SELECT COUNT(Id), SUM(AnnualRevenue) s, AVG(AnnualRevenue), COUNT_DISTINCT(Industry) FROM Account", aggregateAccounts)
	if fmt.Sprint(cols) != "[expr0 s expr1 expr2]" {
		t.Fatalf("columns %v", cols)
	}
	// Industry "Banking" and "banking" are one value, as SOQL compares text.
	if len(rows) != 1 || rows[0][0] != 5 || rows[0][1] != 475.0 || rows[0][2] != 118.75 || rows[0][3] != 2 {
		t.Fatalf("rows %v", rows)
	}
	_, rows = runAggregate(t, "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry", aggregateAccounts)
	// Groups in ascending order, null first; "Banking" and "banking" together.
	if len(rows) != 3 || rows[0][0] != nil || rows[1][1] != 2 || rows[2][0] != "Retail" {
		t.Fatalf("grouped rows %v", rows)
	}
}

// FuzzAggregate checks grouping against counting: for any WHERE the schema
// accepts, the COUNT(Id) of all matching records equals the sum of the
// per-industry counts and the number of records Match accepts.
func FuzzAggregate(f *testing.F) {
	f.Add("Name LIKE 'a%'", "Banking", 10.0)
	f.Add("AnnualRevenue > 20 OR Industry = null", "", 0.0)
	f.Add("NOT (Industry IN ('Retail', 'x'))", "retail", -1.5)
	f.Fuzz(func(t *testing.T, where, industry string, revenue float64) {
		recs := append([]MapRecord{{"Id": "001000000000009AAA", "Name": industry, "Industry": industry, "AnnualRevenue": revenue}}, aggregateAccounts...)
		total, err := Parse("SELECT COUNT(Id) FROM Account WHERE " + where)
		if err != nil || total.Resolve(testSchema) != nil {
			return
		}
		grouped, err := Parse("SELECT Industry, COUNT(Id) FROM Account WHERE " + where + " GROUP BY Industry")
		if err != nil {
			t.Fatalf("grouped form of %q does not parse: %v", where, err)
		}
		if err := grouped.Resolve(testSchema); err != nil {
			t.Fatalf("grouped form of %q does not resolve: %v", where, err)
		}
		var matched []MapRecord
		for _, r := range recs {
			ok, err := total.Match(r, testNow)
			if err != nil {
				return // a value the type cannot read: Match reports it
			}
			if ok {
				matched = append(matched, r)
			}
		}
		all, err := Aggregate(total, matched, testNow)
		if err != nil {
			t.Fatal(err)
		}
		groups, err := Aggregate(grouped, matched, testNow)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, g := range groups {
			sum += g[1].(int)
		}
		if all[0][0] != len(matched) || sum != len(matched) {
			t.Fatalf("%q: COUNT(Id) %v, groups sum to %d, %d records match", where, all[0][0], sum, len(matched))
		}
	})
}
