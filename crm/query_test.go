package crm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// queryMux serves the restforce paginated fixtures: the first page points
// at /services/data/v26.0/query/01gD (an absolute path, as Salesforce sends).
func queryMux(t *testing.T, pages *atomic.Int32) *http.ServeMux {
	mux := http.NewServeMux()
	first := fixture(t, "restforce_query_paginated_first_page_response.json")
	last := fixture(t, "restforce_query_paginated_last_page_response.json")
	mux.HandleFunc("GET /services/data/v62.0/query", func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		if r.URL.Query().Get("q") != "SELECT Text_Label FROM Whizbang" {
			t.Errorf("q = %q", r.URL.Query().Get("q"))
		}
		if got := r.Header.Get("Sforce-Query-Options"); got != "batchSize=500" {
			t.Errorf("Sforce-Query-Options = %q", got)
		}
		serveJSON(200, first)(w, r)
	})
	mux.HandleFunc("GET /services/data/v26.0/query/01gD", func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		serveJSON(200, last)(w, r)
	})
	return mux
}

func TestQueryFollowsNextRecordsURL(t *testing.T) {
	var pages atomic.Int32
	c := setup(t, queryMux(t, &pages), WithQueryBatchSize(500))
	var got []string
	for rec, err := range c.Query(context.Background(), "SELECT Text_Label FROM Whizbang") {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Type != "Whizbang" || rec.ID != "foo" {
			t.Errorf("record type/id = %q/%q", rec.Type, rec.ID)
		}
		got = append(got, rec.Fields["Text_Label"].(string))
	}
	if diff := cmp.Diff([]string{"First Page", "Last Page"}, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if pages.Load() != 2 || c.Calls() != 2 {
		t.Errorf("pages = %d, calls = %d", pages.Load(), c.Calls())
	}
}

func TestQueryStopsWhenCallerBreaks(t *testing.T) {
	var pages atomic.Int32
	c := setup(t, queryMux(t, &pages), WithQueryBatchSize(500))
	for _, err := range c.Query(context.Background(), "SELECT Text_Label FROM Whizbang") {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if pages.Load() != 1 {
		t.Errorf("fetched %d pages after break, want 1", pages.Load())
	}
}

func TestQueryFlattensRelationships(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/query", serveJSON(200, fixture(t, "restforce_query_success_response.json")))
	c := setup(t, mux)
	var recs []Record
	for rec, err := range c.Query(context.Background(), "SELECT Text_Label, ParentWhizbang__r.Name, ParentWhizbang__r.Text_Label FROM Whizbang") {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	f := recs[0].Fields
	want := map[string]any{
		"Checkbox_Label":               false,
		"Text_Label":                   "Hi there!",
		"Date_Label":                   "2010-01-01",
		"DateTime_Label":               "2011-07-07T00:37:00.000+0000",
		"Picklist_Multiselect_Label":   "four;six",
		"ParentWhizbang__r.Name":       "Parent Whizbang",
		"ParentWhizbang__r.Text_Label": "Hello",
	}
	children, ok := f["Whizbangs__r"].([]Record)
	if !ok || len(children) != 1 || children[0].Fields["Name"] != "Child Whizbang" || children[0].ID != "a00E0000004D5lsIAC" {
		t.Errorf("child relationship = %#v", f["Whizbangs__r"])
	}
	delete(f, "Whizbangs__r")
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestQueryNullParentYieldsNilPaths(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/query", serveJSON(200, []byte(`{"totalSize":1,"done":true,"records":[
		{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/0031U00000JajaoQAB"},"Id":"0031U00000JajaoQAB","Account":null}]}`)))
	c := setup(t, mux)
	for rec, err := range c.Query(context.Background(), "SELECT Id, Account.Name, Account.Owner.Name FROM Contact") {
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"Id": "0031U00000JajaoQAB", "Account.Name": nil, "Account.Owner.Name": nil}
		if diff := cmp.Diff(want, rec.Fields); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
	}
}

func TestQueryErrorIsYieldedOnce(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/queryAll", serveJSON(400, []byte(`[{"message":"unexpected token: 'From'","errorCode":"MALFORMED_QUERY"}]`)))
	c := setup(t, mux)
	n := 0
	for _, err := range c.QueryAll(context.Background(), "SELECT From Account") {
		n++
		if !errors.Is(err, ErrMalformedQuery) || !strings.Contains(err.Error(), "SELECT From Account") {
			t.Errorf("err = %v", err)
		}
	}
	if n != 1 {
		t.Errorf("yielded %d times", n)
	}
}

func TestCount(t *testing.T) {
	mux := http.NewServeMux()
	// Real shape of a count() response (CumulusCI cassette).
	mux.HandleFunc("GET /services/data/v62.0/query", serveJSON(200, []byte(`{"totalSize": 17, "done": true, "records": []}`)))
	c := setup(t, mux)
	n, err := c.Count(context.Background(), "SELECT COUNT() FROM Contact")
	if err != nil || n != 17 {
		t.Fatalf("Count = %d, %v", n, err)
	}
}

func TestQueryNullGrandparentYieldsNilPaths(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /services/data/v62.0/query", serveJSON(200, []byte(`{"totalSize":1,"done":true,"records":[
		{"attributes":{"type":"Contact","url":"/x/0031U00000JajaoQAB"},"Id":"0031U00000JajaoQAB",
		 "Account":{"attributes":{"type":"Account"},"Name":"Edge","Owner":null}}]}`)))
	c := setup(t, mux)
	for rec, err := range c.Query(context.Background(), "SELECT Id, Account.Name, Account.Owner.Name, Account.Owner.Email FROM Contact") {
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"Id": "0031U00000JajaoQAB", "Account.Name": "Edge", "Account.Owner.Name": nil, "Account.Owner.Email": nil}
		if diff := cmp.Diff(want, rec.Fields); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
	}
}

func TestQueryTooLongIsRefusedBeforeSending(t *testing.T) {
	c := setup(t, http.NewServeMux())
	ids := make([]string, 1200)
	for i := range ids {
		ids[i] = "0015500001QdZPKAA3"
	}
	q, err := Select("Id").From("Account").InStrings("Id", ids).Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range c.Query(context.Background(), q) {
		if !errors.Is(err, ErrQueryTooLong) {
			t.Errorf("err = %v, want ErrQueryTooLong", err)
		}
	}
	if _, err := c.Count(context.Background(), q); !errors.Is(err, ErrQueryTooLong) {
		t.Errorf("Count err = %v", err)
	}
	if c.Calls() != 0 {
		t.Errorf("%d calls sent", c.Calls())
	}
}
