package crm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"crmsheets/crm"
)

// bareBulkUpdate is the floor of a Bulk API 2.0 write: one ingest job of
// csv with net/http (create, upload, close, a poll every 10 ms until the
// job ends), checking each answer's status and the end state, no result
// download, no mapping. Its scope: the protocol's own cost and the demo
// org's processing time.
func bareBulkUpdate(tb testing.TB, hc *http.Client, base, object, csv string) time.Duration {
	tb.Helper()
	start := time.Now()
	do := func(method, path, ctype string, body []byte, want int) map[string]any {
		req, _ := http.NewRequest(method, base+"/services/data/v62.0/jobs/ingest"+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		resp, err := hc.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != want {
			tb.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	job := do(http.MethodPost, "", "application/json", []byte(`{"object":"`+object+`","operation":"update","contentType":"CSV","lineEnding":"LF"}`), 200)
	id, _ := job["id"].(string)
	do(http.MethodPut, "/"+id+"/batches", "text/csv", []byte(csv), 201)
	do(http.MethodPatch, "/"+id, "application/json", []byte(`{"state":"UploadComplete"}`), 200)
	for {
		time.Sleep(10 * time.Millisecond)
		info := do(http.MethodGet, "/"+id, "application/json", nil, 200)
		switch info["state"] {
		case "JobComplete":
			return time.Since(start)
		case "Failed", "Aborted":
			tb.Fatalf("bare bulk job %s: %v", info["state"], info["errorMessage"])
		}
	}
}

// BenchmarkBulkThreshold measures where Bulk API 2.0 starts to pay against
// sObject Collections: the same update of n accounts both ways, in the same
// run. Calls: Collections spends n/200; Bulk spends create, upload, close
// and its polls (no result download when every record succeeded). The
// ratio bulk/collections below 1 means Bulk is faster at that size;
// crm.DefaultBulkThreshold (2,000) is the smallest size where Bulk is both
// cheaper in calls (10 against about 5) and not slower.
func BenchmarkBulkThreshold(b *testing.B) {
	o := newOrg(b, 5000)
	ctx := context.Background()
	var ids []string
	for rec, err := range o.client.Query(ctx, "SELECT Id FROM Account") {
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	for _, n := range []int{500, 1000, 2000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			if n > len(ids) {
				b.Skipf("org has %d accounts", len(ids))
			}
			var coll, bulk time.Duration
			var collCalls, bulkCalls int64
			round := 0
			for b.Loop() {
				round++
				recs := make([]crm.Record, n)
				for i, id := range ids[:n] {
					recs[i] = crm.Record{ID: id, Fields: map[string]any{"Description": fmt.Sprintf("round %d", round)}}
				}
				c0, t0 := o.client.Calls(), time.Now()
				if _, err := o.client.Update(ctx, "Account", recs); err != nil {
					b.Fatal(err)
				}
				coll += time.Since(t0)
				collCalls = o.client.Calls() - c0
				c0, t0 = o.client.Calls(), time.Now()
				if _, err := o.client.BulkIngest(ctx, "Account", crm.OpUpdate, "", recs, nil); err != nil {
					b.Fatal(err)
				}
				bulk += time.Since(t0)
				bulkCalls = o.client.Calls() - c0
			}
			b.ReportMetric(float64(collCalls), "collection-calls")
			b.ReportMetric(float64(bulkCalls), "bulk-calls")
			b.ReportMetric(bulk.Seconds()/coll.Seconds(), "ratio-bulk/collections")
		})
	}
}

// BenchmarkBulkIngestVsBare: crm.BulkIngest of 100k updates against
// bareBulkUpdate of the same CSV in the same run.
func BenchmarkBulkIngestVsBare(b *testing.B) {
	o := newOrg(b, benchRecords, crm.WithAPIVersion("62.0"))
	ctx := context.Background()
	var ids []string
	for rec, err := range o.client.Query(ctx, "SELECT Id FROM Account") {
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	var ours, bare time.Duration
	var calls int64
	round := 0
	for b.Loop() {
		round++
		recs := make([]crm.Record, len(ids))
		var csv strings.Builder
		csv.WriteString("Id,Description\n")
		for i, id := range ids {
			v := fmt.Sprintf("round %d", round)
			recs[i] = crm.Record{ID: id, Fields: map[string]any{"Description": v}}
			csv.WriteString(id + "," + v + "\n")
		}
		c0, t0 := o.client.Calls(), time.Now()
		res, err := o.client.BulkIngest(ctx, "Account", crm.OpUpdate, "", recs, nil)
		if err != nil || !res[len(res)-1].Success {
			b.Fatalf("bulk: %v", err)
		}
		ours += time.Since(t0)
		calls = o.client.Calls() - c0
		bare += bareBulkUpdate(b, o.hc, o.url, "Account", csv.String())
	}
	b.ReportMetric(float64(calls), "calls/push")
	b.ReportMetric(ours.Seconds()/bare.Seconds(), "x-bare-bulk")
}
