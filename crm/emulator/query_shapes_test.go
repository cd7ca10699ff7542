package emulator

import (
	"fmt"
	"slices"
	"testing"
)

// Aggregate SOQL over REST (issue 14 item 4): AggregateResult rows with no
// url, columns in select order named by alias or expr0…, counts as
// integers and sums as doubles, as in the real response
// shared/salesforce/fixtures/restforce/sobject/query_aggregate_success_response.json.
func TestAggregateQueryWireShape(t *testing.T) {
	o := newOrg(t, Options{})
	acc := make([]string, 3)
	for i, name := range []string{"Acme", "Bolt", "Crane"} {
		id, err := o.srv.Insert("Account", map[string]any{"Name": name})
		if err != nil {
			t.Fatal(err)
		}
		acc[i] = id
	}
	for i, amount := range []float64{100, 200, 50, 25} {
		if _, err := o.srv.Insert("Opportunity", map[string]any{"Name": fmt.Sprint("Deal ", i), "StageName": "Prospecting",
			"CloseDate": "2026-04-01", "Amount": amount, "AccountId": acc[min(i, 1)]}); err != nil {
			t.Fatal(err)
		}
	}
	_, r := o.query(t, "/query", "SELECT AccountId, COUNT(Id), SUM(Amount) total FROM Opportunity GROUP BY AccountId ORDER BY SUM(Amount) DESC")
	o.mustStatus(r, 200)
	want := `{"totalSize":2,"done":true,"records":[` +
		`{"attributes":{"type":"AggregateResult"},"AccountId":"` + acc[1] + `","expr0":3,"total":275.0},` +
		`{"attributes":{"type":"AggregateResult"},"AccountId":"` + acc[0] + `","expr0":1,"total":100.0}]}`
	if string(r.body) != want {
		t.Fatalf("got  %s\nwant %s", r.body, want)
	}
	// Without GROUP BY there is exactly one row, even over no records.
	_, r = o.query(t, "/query", "SELECT COUNT(Id), MAX(CloseDate), AVG(Amount) FROM Opportunity WHERE Amount > 1000")
	o.mustStatus(r, 200)
	if want := `{"totalSize":1,"done":true,"records":[{"attributes":{"type":"AggregateResult"},"expr0":0,"expr1":null,"expr2":null}]}`; string(r.body) != want {
		t.Fatalf("got  %s\nwant %s", r.body, want)
	}
	// Misuse gets Salesforce's errors.
	_, r = o.query(t, "/query", "SELECT Name, COUNT(Id) FROM Account GROUP BY Industry")
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); !slices.Equal(codes, []string{"MALFORMED_QUERY"}) {
		t.Fatalf("ungrouped field: %s", r.body)
	}
	_, r = o.query(t, "/query", "SELECT SUM(Name) FROM Account")
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); !slices.Equal(codes, []string{"INVALID_FIELD"}) {
		t.Fatalf("SUM of text: %s", r.body)
	}
}

// More than 2,000 groups is more than one batch, which an aggregate query
// cannot page through: EXCEEDED_ID_LIMIT, unless LIMIT keeps it in one.
func TestAggregateQueryOverTwoThousandGroups(t *testing.T) {
	o := newOrg(t, Options{})
	tx := o.srv.begin()
	tbl := o.srv.tables[o.srv.mustObject("Contact")]
	for i := 0; i < 2001; i++ {
		if _, errs := tx.insert(tbl, map[string]any{"LastName": fmt.Sprintf("L%05d", i)}, writeMode{system: true}); errs != nil {
			t.Fatal(errs)
		}
	}
	if err := tx.commit(); err != nil {
		t.Fatal(err)
	}
	_, r := o.query(t, "/query", "SELECT LastName, COUNT(Id) FROM Contact GROUP BY LastName")
	o.mustStatus(r, 400)
	if want := `[{"message":"Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch","errorCode":"EXCEEDED_ID_LIMIT"}]`; string(r.body) != want {
		t.Fatalf("got %s", r.body)
	}
	page, r := o.query(t, "/query", "SELECT LastName, COUNT(Id) FROM Contact GROUP BY LastName LIMIT 2000")
	o.mustStatus(r, 200)
	if page.TotalSize != 2000 || !page.Done || len(page.Records) != 2000 {
		t.Fatalf("limited: totalSize %d done %v records %d", page.TotalSize, page.Done, len(page.Records))
	}
}

// Parent-to-child subqueries (issue 14 item 3): each parent row carries its
// children as {"totalSize","done","records"}, or null without any.
func TestParentToChildSubquery(t *testing.T) {
	o := newOrg(t, Options{})
	acme, err := o.srv.Insert("Account", map[string]any{"Name": "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	bolt, err := o.srv.Insert("Account", map[string]any{"Name": "Bolt"})
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, n := range []string{"Zed", "Amy", "Kim"} {
		id, err := o.srv.Insert("Contact", map[string]any{"LastName": n, "AccountId": acme})
		if err != nil {
			t.Fatal(err)
		}
		kids = append(kids, id)
	}
	if err := o.srv.Delete("Contact", kids[2]); err != nil {
		t.Fatal(err)
	}
	_, r := o.query(t, "/query", "SELECT Name, (SELECT LastName, Account.Name FROM Contacts ORDER BY LastName) FROM Account ORDER BY Name")
	o.mustStatus(r, 200)
	base := "/services/data/v62.0/sobjects/"
	want := `{"totalSize":2,"done":true,"records":[` +
		`{"attributes":{"type":"Account","url":"` + base + `Account/` + acme + `"},"Name":"Acme","Contacts":{"totalSize":2,"done":true,"records":[` +
		`{"attributes":{"type":"Contact","url":"` + base + `Contact/` + kids[1] + `"},"LastName":"Amy","Account":{"attributes":{"type":"Account","url":"` + base + `Account/` + acme + `"},"Name":"Acme"}},` +
		`{"attributes":{"type":"Contact","url":"` + base + `Contact/` + kids[0] + `"},"LastName":"Zed","Account":{"attributes":{"type":"Account","url":"` + base + `Account/` + acme + `"},"Name":"Acme"}}]}},` +
		`{"attributes":{"type":"Account","url":"` + base + `Account/` + bolt + `"},"Name":"Bolt","Contacts":null}]}`
	if string(r.body) != want {
		t.Fatalf("got  %s\nwant %s", r.body, want)
	}
	// queryAll includes the deleted child; a WHERE and LIMIT apply per parent.
	page, r := o.query(t, "/queryAll", "SELECT Id, (SELECT Id FROM Contacts WHERE LastName != 'Zed' LIMIT 5) FROM Account WHERE Id = '"+acme+"'")
	o.mustStatus(r, 200)
	if c := page.Records[0]["Contacts"].(map[string]any); c["totalSize"] != 2.0 {
		t.Fatalf("queryAll children %v", c)
	}
	_, r = o.query(t, "/query", "SELECT Id, (SELECT Id FROM Contactz) FROM Account")
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); !slices.Equal(codes, []string{"INVALID_TYPE"}) {
		t.Fatalf("unknown relationship: %s", r.body)
	}
}
