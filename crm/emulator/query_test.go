package emulator

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

type queryPage struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

func (o *org) query(t *testing.T, resource, soql string, headers ...string) (queryPage, response) {
	t.Helper()
	r := o.do("GET", resource+"?q="+url.QueryEscape(soql), nil, headers...)
	var p queryPage
	if r.status == 200 {
		r.json(t, &p)
	}
	return p, r
}

func TestQueryPagingThrough10k(t *testing.T) {
	o := newOrg(t, Options{})
	tx := o.srv.begin()
	tbl := o.srv.tables[o.srv.mustObject("Contact")]
	for i := 0; i < 10000; i++ {
		if _, errs := tx.insert(tbl, map[string]any{"LastName": fmt.Sprintf("L%05d", i), "Email": fmt.Sprintf("c%d@x.example", i)}, writeMode{system: true}); errs != nil {
			t.Fatal(errs)
		}
	}
	if err := tx.commit(); err != nil {
		t.Fatal(err)
	}
	page, r := o.query(t, "/query/", "SELECT Id, LastName FROM Contact WHERE LastName LIKE 'L%' ORDER BY LastName DESC", "Sforce-Query-Options", "batchSize=1000")
	o.mustStatus(r, 200)
	seen := 0
	last := "~"
	for pages := 1; ; pages++ {
		if page.TotalSize != 10000 {
			t.Fatalf("totalSize %d", page.TotalSize)
		}
		for _, rec := range page.Records {
			name := rec["LastName"].(string)
			if name >= last {
				t.Fatalf("order broken: %s after %s", name, last)
			}
			last = name
			seen++
		}
		if page.Done {
			if page.NextRecordsURL != "" || pages != 10 {
				t.Fatalf("last page %d has nextRecordsUrl %q", pages, page.NextRecordsURL)
			}
			break
		}
		if !strings.HasPrefix(page.NextRecordsURL, "/services/data/v62.0/query/01g") || !strings.HasSuffix(page.NextRecordsURL, fmt.Sprintf("-%d", seen)) {
			t.Fatalf("nextRecordsUrl %q after %d", page.NextRecordsURL, seen)
		}
		r = o.do("GET", page.NextRecordsURL, nil, "Sforce-Query-Options", "batchSize=1000")
		o.mustStatus(r, 200)
		page = queryPage{}
		r.json(t, &page)
	}
	if seen != 10000 {
		t.Fatalf("saw %d records", seen)
	}
	// Default batch is 2000; the finished locator is gone.
	page, _ = o.query(t, "/query", "SELECT Id FROM Contact")
	if len(page.Records) != 2000 || page.Done {
		t.Fatalf("default batch %d done=%v", len(page.Records), page.Done)
	}
	r = o.do("GET", "/query/01g5g0000000000AAA-2000", nil)
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); codes[0] != "INVALID_QUERY_LOCATOR" {
		t.Fatalf("codes %v", codes)
	}
}

func TestQueryShapesAndParents(t *testing.T) {
	o := newOrg(t, Options{})
	acc, _ := o.srv.Insert("Account", map[string]any{"Name": "Acme & Co"})
	c1, _ := o.srv.Insert("Contact", map[string]any{"LastName": "Smith", "FirstName": "Jo", "AccountId": acc, "Email": "jo@acme.example"})
	_, _ = o.srv.Insert("Contact", map[string]any{"LastName": "Orphan"})
	_, _ = o.srv.Insert("Task", map[string]any{"Subject": "Call", "WhoId": c1, "WhatId": acc})

	page, r := o.query(t, "/query", "SELECT Name, Account.Name, Owner.Name, Account.Owner.Username FROM Contact ORDER BY LastName")
	o.mustStatus(r, 200)
	want := `{"totalSize":2,"done":true,"records":[` +
		`{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/` + newID("003", 2) + `"},"Name":"Orphan","Account":null,"Owner":{"attributes":{"type":"User","url":"/services/data/v62.0/sobjects/User/` + o.srv.DemoUserID() + `"},"Name":"Dana Demo"}},` +
		`{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/` + c1 + `"},"Name":"Jo Smith","Account":{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/` + acc + `"},"Name":"Acme & Co","Owner":{"attributes":{"type":"User","url":"/services/data/v62.0/sobjects/User/` + o.srv.DemoUserID() + `"},"Username":"demo@crmsheets.example"}},"Owner":{"attributes":{"type":"User","url":"/services/data/v62.0/sobjects/User/` + o.srv.DemoUserID() + `"},"Name":"Dana Demo"}}]}`
	if string(r.body) != want {
		t.Fatalf("query body\n got %s\nwant %s", r.body, want)
	}
	_ = page

	page, _ = o.query(t, "/query", "SELECT Subject, Who.Email, What.Name FROM Task WHERE Who.Email = 'JO@acme.example'")
	if page.TotalSize != 1 || page.Records[0]["Who"].(map[string]any)["Email"] != "jo@acme.example" {
		t.Fatalf("polymorphic %v", page)
	}
	_, r = o.query(t, "/query", "SELECT count() FROM Contact WHERE Account.Name != null")
	if string(r.body) != `{"totalSize":1,"done":true,"records":[]}` {
		t.Fatalf("count %s", r.body)
	}
	page, _ = o.query(t, "/query", "SELECT Id FROM Contact ORDER BY LastName LIMIT 1 OFFSET 1")
	if page.TotalSize != 1 || page.Records[0]["Id"] != c1 {
		t.Fatalf("limit/offset %v", page)
	}
}

func TestQueryErrors(t *testing.T) {
	o := newOrg(t, Options{})
	tests := []struct{ name, q, code, contains string }{
		{"syntax", "SELECT Id FORM Account", "MALFORMED_QUERY", "ERROR at Row:1:Column:"},
		{"unknown object", "SELECT Id FROM Nope", "INVALID_TYPE", "sObject type 'Nope' is not supported"},
		{"unknown field", "SELECT Foo FROM Account", "INVALID_FIELD", "No such column 'Foo' on entity 'Account'"},
		{"empty", " ", "MALFORMED_QUERY", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r := o.query(t, "/query", tt.q)
			if r.status != 400 || r.errorCodes(t)[0] != tt.code || !strings.Contains(string(r.body), tt.contains) {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
}

func TestQueryAllAfterDelete(t *testing.T) {
	o := newOrg(t, Options{})
	keep, _ := o.srv.Insert("Lead", map[string]any{"LastName": "Keep", "Company": "K"})
	gone, _ := o.srv.Insert("Lead", map[string]any{"LastName": "Gone", "Company": "G"})
	o.mustStatus(o.do("DELETE", "/sobjects/Lead/"+gone, nil), 204)
	page, _ := o.query(t, "/query", "SELECT Id FROM Lead")
	if page.TotalSize != 1 || page.Records[0]["Id"] != keep {
		t.Fatalf("query sees %v", page.Records)
	}
	page, _ = o.query(t, "/queryAll", "SELECT Id, IsDeleted FROM Lead WHERE IsDeleted = true")
	if page.TotalSize != 1 || page.Records[0]["Id"] != gone || page.Records[0]["IsDeleted"] != true {
		t.Fatalf("queryAll sees %v", page.Records)
	}
}
