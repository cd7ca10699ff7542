package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// benchOrg builds an org with n contacts directly in the store.
func benchOrg(b *testing.B, n int) (*Server, string) {
	b.Helper()
	clock := newTestClock()
	srv, err := New(Options{Now: clock.Now, DailyAPILimit: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	tx := srv.begin()
	tbl := srv.tables[srv.mustObject("Contact")]
	for i := 0; i < n; i++ {
		_, errs := tx.insert(tbl, map[string]any{
			"LastName": fmt.Sprintf("Last%06d", (i*7919)%n), "FirstName": "First",
			"Email": fmt.Sprintf("person%d@example.com", i), "Title": "Engineer",
			"MailingCity": []string{"London", "Paris", "Berlin", "Tokyo"}[i%4],
		}, writeMode{system: true})
		if errs != nil {
			b.Fatal(errs)
		}
	}
	if err := tx.commit(); err != nil {
		b.Fatal(err)
	}
	token, _, _ := srv.IssueToken("http://bench")
	return srv, token
}

func serve(h http.Handler, method, target, token string, body []byte) *httptest.ResponseRecorder {
	var req *http.Request
	if body != nil {
		req = httptest.NewRequest(method, target, bytes.NewReader(body))
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// BenchmarkQuery100kContacts pages a WHERE + ORDER BY query over 100k
// contacts to the end, and in the same run encodes the same records (as
// maps) with encoding/json alone; it reports the ratio (target ≤ 2).
func BenchmarkQuery100kContacts(b *testing.B) {
	srv, token := benchOrg(b, 100000)
	h := srv.Handler()
	const soql = "SELECT Id, FirstName, LastName, Email, Title, MailingCity FROM Contact WHERE MailingCity != 'Tokyo' ORDER BY LastName"
	target := "/services/data/v62.0/query?q=" + url.QueryEscape(soql)
	// The floor: the same records as maps, encoded page by page.
	var pages [][]map[string]any
	for _, r := range srv.Records("Contact") {
		if r["MailingCity"] == "Tokyo" {
			continue
		}
		m := map[string]any{"attributes": map[string]any{"type": "Contact", "url": "/services/data/v62.0/sobjects/Contact/" + r["Id"].(string)}}
		for _, k := range []string{"Id", "FirstName", "LastName", "Email", "Title", "MailingCity"} {
			m[k] = r[k]
		}
		if len(pages) == 0 || len(pages[len(pages)-1]) == 2000 {
			pages = append(pages, nil)
		}
		pages[len(pages)-1] = append(pages[len(pages)-1], m)
	}
	var emu, floor time.Duration
	for b.Loop() {
		start := time.Now()
		rec := serve(h, "GET", target, token, nil)
		n := 0
		for {
			if rec.Code != 200 {
				b.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
			}
			n += bytes.Count(rec.Body.Bytes(), []byte(`{"attributes":`))
			next := nextRecordsURL(rec.Body.Bytes())
			if next == "" {
				break
			}
			rec = serve(h, "GET", next, token, nil)
		}
		emu += time.Since(start)
		start = time.Now()
		for _, p := range pages {
			out, err := json.Marshal(map[string]any{"totalSize": 75000, "done": false, "records": p})
			if err != nil || len(out) == 0 {
				b.Fatal(err)
			}
		}
		floor += time.Since(start)
		if n != 75000 {
			b.Fatalf("paged %d records", n)
		}
	}
	b.ReportMetric(float64(emu)/float64(floor), "ratio-vs-json")
}

// nextRecordsURL finds the continuation of a query page without decoding
// the page, so that the benchmark measures the server, not the client.
func nextRecordsURL(page []byte) string {
	const key = `"nextRecordsUrl":"`
	i := bytes.Index(page, []byte(key))
	if i < 0 {
		return ""
	}
	rest := page[i+len(key):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// BenchmarkCollectionUpdate200 updates 200 contacts in one collection call
// and reports the ratio to decoding the request and encoding the response
// with encoding/json (target ≤ 3).
func BenchmarkCollectionUpdate200(b *testing.B) {
	srv, token := benchOrg(b, 1000)
	h := srv.Handler()
	recs := srv.Records("Contact")[:200]
	in := make([]any, len(recs))
	for i, r := range recs {
		in[i] = map[string]any{"attributes": map[string]any{"type": "Contact"}, "id": r["Id"],
			"Title": "Director", "Phone": fmt.Sprintf("+1 555 %04d", i)}
	}
	body, _ := json.Marshal(map[string]any{"allOrNone": false, "records": in})
	var emu, floor time.Duration
	for b.Loop() {
		start := time.Now()
		rec := serve(h, "PATCH", "/services/data/v62.0/composite/sobjects", token, body)
		if rec.Code != 200 {
			b.Fatalf("status %d %s", rec.Code, rec.Body.Bytes())
		}
		emu += time.Since(start)
		start = time.Now()
		var req collectionRequest
		if err := json.Unmarshal(body, &req); err != nil {
			b.Fatal(err)
		}
		out := make([]saveResult, len(req.Records))
		for i, r := range req.Records {
			out[i] = okResult(r["id"].(string))
		}
		if _, err := json.Marshal(out); err != nil {
			b.Fatal(err)
		}
		floor += time.Since(start)
	}
	b.ReportMetric(float64(emu)/float64(floor), "ratio-vs-json")
}
