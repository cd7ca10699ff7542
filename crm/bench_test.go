package crm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"crmsheets/crm"
)

const benchRecords = 100_000

// recordPages pulls every page of soql from a freshly seeded emulator with a
// bare HTTP loop and returns the raw bodies by request URI, so that the
// benchmark can replay the same bytes to both readers without the
// emulator's own cost.
func recordPages(b *testing.B, soql string) (pages map[string][]byte, first string) {
	b.Helper()
	o := newOrg(b, benchRecords)
	ts := httptest.NewServer(o.srv.Handler())
	defer ts.Close()
	access, _, err := o.srv.IssueToken(ts.URL)
	if err != nil {
		b.Fatal(err)
	}
	pages = map[string][]byte{}
	first = "/services/data/v62.0/query?q=" + url.QueryEscape(soql)
	for next := first; next != ""; {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+next, nil)
		req.Header.Set("Authorization", "Bearer "+access)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("record page %s: %d %v", next, resp.StatusCode, err)
		}
		pages[next] = body
		var p struct {
			NextRecordsURL string `json:"nextRecordsUrl"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			b.Fatal(err)
		}
		next = p.NextRecordsURL
	}
	return pages, first
}

// replay serves recorded pages by request URI, with the headers Salesforce
// sends.
func replay(pages map[string][]byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Header().Set("Sforce-Limit-Info", "api-usage=1/100000")
		_, _ = w.Write(body)
	})
}

// barePull is the reference: net/http and encoding/json, following
// nextRecordsUrl, decoding records into maps.
func barePull(b *testing.B, hc *http.Client, base, first string) int {
	n := 0
	for next := first; next != ""; {
		resp, err := hc.Get(base + next)
		if err != nil {
			b.Fatal(err)
		}
		var page struct {
			Done           bool             `json:"done"`
			NextRecordsURL string           `json:"nextRecordsUrl"`
			Records        []map[string]any `json:"records"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		n += len(page.Records)
		next = page.NextRecordsURL
	}
	return n
}

// BenchmarkPull100k pulls 100k accounts × 10 fields through the client and
// through a bare net/http + encoding/json loop over the same pages, in one
// run. Metrics: query calls per pull (must be ceil(100000/2000) = 50) and
// the client/bare time ratio (the target is ≤ 1.5).
func BenchmarkPull100k(b *testing.B) {
	pages, first := recordPages(b, pullSOQL)
	ts := httptest.NewServer(replay(pages))
	defer ts.Close()
	ctx := context.Background()
	var clientTime, bareTime time.Duration
	var calls int64
	for b.Loop() {
		start := time.Now()
		if n := barePull(b, ts.Client(), ts.URL, first); n != benchRecords {
			b.Fatalf("bare loop read %d records", n)
		}
		bareTime += time.Since(start)

		c, err := crm.NewClient(ts.URL, crm.WithAPIVersion("62.0"), crm.WithHTTPClient(ts.Client()))
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		n := 0
		for rec, err := range c.Query(ctx, pullSOQL) {
			if err != nil {
				b.Fatal(err)
			}
			if len(rec.Fields) != 10 {
				b.Fatalf("record has %d fields", len(rec.Fields))
			}
			n++
		}
		clientTime += time.Since(start)
		if n != benchRecords {
			b.Fatalf("client read %d records", n)
		}
		calls = c.Calls()
	}
	want := int64(math.Ceil(benchRecords / 2000.0))
	if calls != want {
		b.Errorf("pull cost %d query calls, want %d", calls, want)
	}
	b.ReportMetric(float64(calls), "query-calls/pull")
	b.ReportMetric(float64(clientTime)/float64(bareTime), "client/bare")
	b.ReportMetric(float64(bareTime.Milliseconds())/float64(b.N), "bare-ms/pull")
}

// BenchmarkPush100k updates 100k accounts through sObject Collections
// against the emulator: ceil(100000/200) = 500 calls.
func BenchmarkPush100k(b *testing.B) {
	o := newOrg(b, benchRecords, crm.WithAPIVersion("62.0"))
	ctx := context.Background()
	var ids []string
	for rec, err := range o.client.Query(ctx, "SELECT Id FROM Account") {
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	var calls int64
	round := 0
	for b.Loop() {
		round++
		updates := make([]crm.Record, len(ids))
		for i, id := range ids {
			updates[i] = crm.Record{ID: id, Fields: map[string]any{"Description": fmt.Sprintf("round %d", round)}}
		}
		before := o.client.Calls()
		res, err := o.client.Update(ctx, "Account", updates)
		if err != nil {
			b.Fatal(err)
		}
		if len(res) != benchRecords || !res[benchRecords-1].Success {
			b.Fatalf("push results: %d, last %+v", len(res), res[len(res)-1])
		}
		calls = o.client.Calls() - before
	}
	want := int64(math.Ceil(benchRecords / 200.0))
	if calls != want {
		b.Errorf("push cost %d collection calls, want %d", calls, want)
	}
	b.ReportMetric(float64(calls), "collection-calls/push")
}

// countingTransport counts the requests by kind while passing them on.
type countingTransport struct {
	base         http.RoundTripper
	polls, other atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	// A poll is GET /jobs/ingest/<id> (no further segment).
	if r.Method == http.MethodGet && strings.Count(r.URL.Path[strings.Index(r.URL.Path, "/jobs/"):], "/") == 3 {
		c.polls.Add(1)
	} else {
		c.other.Add(1)
	}
	return c.base.RoundTrip(r)
}

// BenchmarkBulkPush100k updates 100k accounts with one Bulk API 2.0 job:
// at most 10 calls plus polling.
func BenchmarkBulkPush100k(b *testing.B) {
	o := newOrg(b, benchRecords)
	counter := &countingTransport{base: o.hc.Transport}
	c, err := crm.NewClient(o.url, crm.WithAPIVersion("62.0"), crm.WithBulkPolling(10*time.Millisecond, 200*time.Millisecond),
		crm.WithHTTPClient(&http.Client{Transport: counter}), crm.WithSessionRefresher(o.hc.Transport.(crm.SessionRefresher)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var ids []string
	for rec, err := range o.client.Query(ctx, "SELECT Id FROM Account") {
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	var other, polls int64
	for b.Loop() {
		updates := make([]crm.Record, len(ids))
		for i, id := range ids {
			updates[i] = crm.Record{ID: id, Fields: map[string]any{"Description": "bulk"}}
		}
		counter.polls.Store(0)
		counter.other.Store(0)
		res, err := c.BulkIngest(ctx, "Account", crm.OpUpdate, "", updates, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(res) != benchRecords || !res[benchRecords-1].Success {
			b.Fatalf("bulk results: %d, last %+v", len(res), res[len(res)-1])
		}
		other, polls = counter.other.Load(), counter.polls.Load()
	}
	if other > 10 {
		b.Errorf("bulk push cost %d calls besides polling, want at most 10", other)
	}
	b.ReportMetric(float64(other), "calls/push")
	b.ReportMetric(float64(polls), "polls/push")
}
