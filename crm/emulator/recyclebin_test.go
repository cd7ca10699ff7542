package emulator

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// At most 10 query cursors are open per user: opening an 11th releases the
// oldest (by opening, even if it was used since), and its locator then
// answers INVALID_QUERY_LOCATOR; the others stay usable.
func TestAtMostTenOpenQueryCursors(t *testing.T) {
	o := newOrg(t, Options{})
	tx := o.srv.begin()
	tbl := o.srv.tables[o.srv.mustObject("Lead")]
	for i := range 450 {
		if _, errs := tx.insert(tbl, map[string]any{"LastName": fmt.Sprintf("L%03d", i), "Company": "C"}, writeMode{system: true}); errs != nil {
			t.Fatal(errs)
		}
	}
	if err := tx.commit(); err != nil {
		t.Fatal(err)
	}
	var next []string
	for range 10 {
		page, r := o.query(t, "/query", "SELECT Id FROM Lead", "Sforce-Query-Options", "batchSize=200")
		o.mustStatus(r, 200)
		next = append(next, page.NextRecordsURL)
	}
	// Using the first keeps it open but does not make it younger.
	o.mustStatus(o.do("GET", next[0], nil, "Sforce-Query-Options", "batchSize=200"), 200)
	page, r := o.query(t, "/query", "SELECT Id FROM Lead", "Sforce-Query-Options", "batchSize=200")
	o.mustStatus(r, 200)
	next = append(next, page.NextRecordsURL)
	r = o.do("GET", next[0], nil, "Sforce-Query-Options", "batchSize=200")
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); codes[0] != "INVALID_QUERY_LOCATOR" {
		t.Fatalf("released cursor answers %v", codes)
	}
	for _, u := range next[1:] {
		o.mustStatus(o.do("GET", u, nil, "Sforce-Query-Options", "batchSize=200"), 200)
	}
}

// Deleted records stay in the recycle bin for 15 days: queryAll and
// getDeleted see them until then, and after it queryAll no longer returns
// them while getDeleted from before the window answers
// INVALID_REPLICATION_DATE.
func TestRecycleBinPurgedAfterFifteenDays(t *testing.T) {
	o := newOrg(t, Options{})
	gone, _ := o.srv.Insert("Lead", map[string]any{"LastName": "Gone", "Company": "G"})
	start := o.clock.Now().Add(-time.Minute)
	o.mustStatus(o.do("DELETE", "/sobjects/Lead/"+gone, nil), 204)
	deleted := func() string {
		end := o.clock.Now().Add(time.Minute)
		return "/sobjects/Lead/deleted/?start=" + url.QueryEscape(formatDateTime(end.Add(-15*24*time.Hour+2*time.Minute))) + "&end=" + url.QueryEscape(formatDateTime(end))
	}
	o.advance(14 * 24 * time.Hour)
	page, _ := o.query(t, "/queryAll", "SELECT Id FROM Lead WHERE IsDeleted = true")
	if page.TotalSize != 1 {
		t.Fatalf("queryAll after 14 days sees %v", page.Records)
	}
	var ch struct {
		DeletedRecords []map[string]any `json:"deletedRecords"`
	}
	r := o.do("GET", deleted(), nil)
	o.mustStatus(r, 200)
	r.json(t, &ch)
	if len(ch.DeletedRecords) != 1 {
		t.Fatalf("getDeleted after 14 days: %v", ch.DeletedRecords)
	}
	o.advance(2 * 24 * time.Hour)
	page, _ = o.query(t, "/queryAll", "SELECT Id FROM Lead WHERE IsDeleted = true")
	if page.TotalSize != 0 {
		t.Fatalf("queryAll after 16 days still sees %v", page.Records)
	}
	r = o.do("GET", "/sobjects/Lead/deleted/?start="+url.QueryEscape(formatDateTime(start))+"&end="+url.QueryEscape(formatDateTime(o.clock.Now())), nil)
	o.mustStatus(r, 400)
	if codes := r.errorCodes(t); codes[0] != "INVALID_REPLICATION_DATE" {
		t.Fatalf("getDeleted from before the window: %v", codes)
	}
	r = o.do("GET", deleted(), nil)
	o.mustStatus(r, 200)
	ch.DeletedRecords = nil
	r.json(t, &ch)
	if len(ch.DeletedRecords) != 0 {
		t.Fatalf("getDeleted lists a purged record: %v", ch.DeletedRecords)
	}
	if _, ok := o.srv.Get("Lead", gone); ok {
		t.Error("the purged record can still be read")
	}
}

// advance moves the org's clock and signs in again (access tokens live two
// hours).
func (o *org) advance(d time.Duration) {
	o.t.Helper()
	o.clock.Advance(d)
	access, _, err := o.srv.IssueToken(o.ts.URL)
	if err != nil {
		o.t.Fatal(err)
	}
	o.token = access
}
