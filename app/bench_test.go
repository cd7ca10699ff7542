package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"crmsheets/sheets"
)

// benchContacts is the size of the benchmark org (issue 5: 100k Contacts).
const benchContacts = 100_000

// newBenchEnv is an env whose org holds n contacts last modified ten days
// ago, so incremental pulls of today read only today's changes.
func newBenchEnv(b *testing.B, n int) *testEnv {
	b.Helper()
	env := newTestEnv(b, withServiceOptions(func(o *Options) { o.MaxChangeShare = 1 }))
	acct := env.insert("Account", map[string]any{"Name": "Acme"})
	for i := range n {
		env.insert("Contact", map[string]any{
			"FirstName": fmt.Sprintf("First%d", i), "LastName": fmt.Sprintf("Last%d", i),
			"Email": fmt.Sprintf("person%d@example.com", i), "Title": "Engineer", "AccountId": acct,
		})
	}
	env.clock.Advance(10 * 24 * time.Hour)
	return env
}

// reportRun reports a run's API calls and throughput.
func reportRun(b *testing.B, calls, records int, elapsed time.Duration) {
	b.ReportMetric(float64(calls)/float64(b.N), "api-calls/op")
	if elapsed > 0 {
		b.ReportMetric(float64(records)/elapsed.Seconds(), "records/s")
	}
}

// peakHeap samples the heap while f runs and reports the peak in MB.
func peakHeap(b *testing.B, f func()) {
	var m runtime.MemStats
	peak := peakWhile(20*time.Millisecond, f, func() uint64 {
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	})
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// peakWhile runs f and returns the largest value read reports, read every
// tick while f runs and once at each end.
func peakWhile(tick time.Duration, f func(), read func() uint64) uint64 {
	peak := read()
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	return max(peak, read())
}

// BenchmarkPull100kContacts pulls 100k contacts into a new sheet (target
// 20k records/s).
func BenchmarkPull100kContacts(b *testing.B) {
	env := newBenchEnv(b, benchContacts)
	b.ReportAllocs()
	b.ResetTimer()
	calls, records := 0, 0
	var elapsed time.Duration
	peakHeap(b, func() {
		for i := range b.N {
			b.StopTimer()
			sh := env.contactSheetNamed(fmt.Sprintf("Pull %d", i), false)
			b.StartTimer()
			start := time.Now()
			run := env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
			elapsed += time.Since(start)
			if run.Counts.Pulled != benchContacts {
				b.Fatalf("pulled %d, want %d", run.Counts.Pulled, benchContacts)
			}
			calls += run.APICalls
			records += run.Counts.Pulled
		}
	})
	reportRun(b, calls, records, elapsed)
}

// BenchmarkPush100kChanged pushes 100k changed rows as a user would (Bulk
// API 2.0 above crm.DefaultBulkThreshold): the changed-since re-read, one
// ingest job, the read-back. Figures: the run's API calls (from its
// history), the plan's estimate made just before, and the time over a bare
// Bulk 2.0 job of the same CSV (bareBulkJob: create, upload, close, poll
// every 10 ms; no store, no re-read, no results, no read-back) run in the
// same iteration.
func BenchmarkPush100kChanged(b *testing.B) { benchPushChanged(b, benchContacts) }

// BenchmarkPush10kChanged is BenchmarkPush100kChanged at a tenth of the
// size: its push-heap-MB next to the 100k one's shows whether a Bulk
// push's memory stays flat with the number of rows.
func BenchmarkPush10kChanged(b *testing.B) { benchPushChanged(b, benchContacts/10) }

// benchPushChanged pushes an edit of every row of a sheet of n contacts.
// peak-heap-MB is the whole process's heap (the demo org's records and
// uncollected garbage included); push-heap-MB is what the push itself
// keeps live at its peak over the heap live just before it.
func benchPushChanged(b *testing.B, n int) {
	env := newBenchEnv(b, n)
	sh := env.contactSheetNamed("Push", false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(b, sh, "Title")
	b.ReportAllocs()
	b.ResetTimer()
	calls, planCalls, records, bareCalls := 0, 0, 0, 0
	var elapsed, bare, waited time.Duration
	var pushHeap uint64
	peakHeap(b, func() {
		for i := range b.N {
			b.StopTimer()
			value := fmt.Sprintf("Title %d", i)
			env.editAll(sh.ID, title, value, 0)
			plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push})
			if err != nil {
				b.Fatal(err)
			}
			planCalls += plan.APICalls
			var run *sheets.Run
			pushHeap = max(pushHeap, heapAdded(func() {
				b.StartTimer()
				start := time.Now()
				run = env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
				elapsed += time.Since(start)
				b.StopTimer()
			}))
			if run.Counts.Updated != n {
				b.Fatalf("updated %d, want %d (%s %s)", run.Counts.Updated, n, run.Status, run.Message)
			}
			calls += run.APICalls
			records += run.Counts.Updated
			waited += run.SalesforceTime
			took, jobCalls := env.bareBulkJob(b, "Contact", "Title", value+" bare")
			bare += took
			bareCalls += jobCalls
			// The bare job changed every record in the org: a pull brings
			// the sheet level with it, so the next iteration pushes onto
			// fresh bases instead of meeting 100k conflicts. The clock
			// moves past the pull's margin first, as minutes would pass
			// between a person's runs, so the next freshness check reads
			// only what changed since (nothing), as in the first one.
			env.clock.Advance(2 * clockMargin)
			env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
			env.clock.Advance(2 * clockMargin)
			b.StartTimer()
		}
	})
	reportRun(b, calls, records, elapsed)
	b.ReportMetric(float64(planCalls)/float64(b.N), "plan-api-calls/op")
	b.ReportMetric(elapsed.Seconds()/bare.Seconds(), "x-bare-bulk")
	// The push's own work (its time less what it waited for Salesforce,
	// from the run's history) over the bare job: 1 means the push's own
	// work costs as much time as the demo org's processing of the job.
	b.ReportMetric((elapsed-waited).Seconds()/bare.Seconds(), "own-work-x-bare-bulk")
	b.ReportMetric(float64(bareCalls)/float64(b.N), "bare-bulk-calls/op")
	b.ReportMetric(float64(pushHeap)/(1<<20), "push-heap-MB")
}

// heapAdded runs f and returns the most its live heap rose over the live
// heap before it: the heap marked live by each collection while f runs
// (runtime/metrics /gc/heap/live:bytes, sampled every 10 ms), so garbage
// not yet collected does not count: with the demo org's records in the
// same process, the collector lets hundreds of MB of garbage pile up.
func heapAdded(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := live()
	peak := peakWhile(10*time.Millisecond, f, live)
	runtime.GC() // the live heap at the push's end
	return max(peak, live()) - base
}

// bareBulkJob times the floor of a Bulk push: one Bulk API 2.0 update job
// setting field to value on every record of object, with net/http alone
// (create, upload, close, a poll every 10 ms until it ends; each answer's
// status and the job's counters checked), the CSV built beforehand from the
// org's ids. It returns the time and the calls it made (the polls every
// 10 ms are most of them: the push polls a few times instead).
func (e *testEnv) bareBulkJob(b *testing.B, object, field, value string) (took time.Duration, calls int) {
	b.Helper()
	recs := e.org.Records(object)
	var csv strings.Builder
	csv.WriteString("Id," + field + "\n")
	for _, r := range recs {
		csv.WriteString(fmt.Sprint(r["Id"]) + "," + value + "\n")
	}
	tok, _, err := e.org.IssueToken(e.url)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	do := func(method, path, ctype, body string, want int) map[string]any {
		calls++
		req, _ := http.NewRequest(method, e.url+"/services/data/v66.0/jobs/ingest"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != want {
			b.Fatalf("bare bulk %s %s: %d", method, path, resp.StatusCode)
		}
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	job := do(http.MethodPost, "", "application/json", `{"object":"`+object+`","operation":"update","contentType":"CSV","lineEnding":"LF"}`, 200)
	id := fmt.Sprint(job["id"])
	do(http.MethodPut, "/"+id+"/batches", "text/csv", csv.String(), 201)
	do(http.MethodPatch, "/"+id, "application/json", `{"state":"UploadComplete"}`, 200)
	for {
		time.Sleep(10 * time.Millisecond)
		switch info := do(http.MethodGet, "/"+id, "application/json", "", 200); info["state"] {
		case "JobComplete":
			took = time.Since(start)
			if p, f := fmt.Sprint(info["numberRecordsProcessed"]), fmt.Sprint(info["numberRecordsFailed"]); p != fmt.Sprint(len(recs)) || f != "0" {
				b.Fatalf("bare bulk job: %s processed, %s failed of %d", p, f, len(recs))
			}
			return took, calls
		case "Failed", "Aborted":
			b.Fatalf("bare bulk job %v: %v", info["state"], info["errorMessage"])
		}
	}
}

// BenchmarkPush1000Changed: a push of 1,000 changed rows (of a 10k-row
// sheet) stays on sObject Collections: the changed-since re-read and 5
// Collections calls (no read-back: the sheet maps nothing Salesforce
// computes).
func BenchmarkPush1000Changed(b *testing.B) {
	env := newBenchEnv(b, 10_000)
	sh := env.contactSheetNamed("Push 1000", false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(b, sh, "Title")
	b.ReportAllocs()
	b.ResetTimer()
	calls, planCalls, records := 0, 0, 0
	var elapsed time.Duration
	for i := range b.N {
		b.StopTimer()
		env.editAll(sh.ID, title, fmt.Sprintf("Small %d", i), 1000)
		plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Push})
		if err != nil {
			b.Fatal(err)
		}
		planCalls += plan.APICalls
		b.StartTimer()
		start := time.Now()
		run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
		elapsed += time.Since(start)
		if run.Counts.Updated != 1000 {
			b.Fatalf("updated %d, want 1000 (%s %s)", run.Counts.Updated, run.Status, run.Message)
		}
		calls += run.APICalls
		records += run.Counts.Updated
	}
	reportRun(b, calls, records, elapsed)
	b.ReportMetric(float64(planCalls)/float64(b.N), "plan-api-calls/op")
}

// BenchmarkBoth100Edits100k: a both-ways sync of 100 edits on a 100k-row
// sheet: the incremental pull, the changed-since re-read, one Collections
// call, the read-back.
func BenchmarkBoth100Edits100k(b *testing.B) {
	env := newBenchEnv(b, benchContacts)
	sh := env.contactSheetNamed("Both", false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(b, sh, "Title")
	b.ReportAllocs()
	b.ResetTimer()
	calls, planCalls := 0, 0
	for i := range b.N {
		b.StopTimer()
		env.editAll(sh.ID, title, fmt.Sprintf("Both %d", i), 100)
		plan, err := env.svc.Plan(env.ctx, sh.ID, SyncOptions{Direction: sheets.Both})
		if err != nil {
			b.Fatal(err)
		}
		planCalls += plan.APICalls
		b.StartTimer()
		run := env.sync(sh.ID, SyncOptions{Direction: sheets.Both})
		if run.Counts.Updated != 100 {
			b.Fatalf("updated %d, want 100 (%s %s)", run.Counts.Updated, run.Status, run.Message)
		}
		calls += run.APICalls
	}
	b.ReportMetric(float64(calls)/float64(b.N), "api-calls/op")
	b.ReportMetric(float64(planCalls)/float64(b.N), "plan-api-calls/op")
}

// BenchmarkNoopBothSync100k re-syncs a synced 100k-row sheet both ways
// (target under 1 s and 1 API call).
func BenchmarkNoopBothSync100k(b *testing.B) {
	env := newBenchEnv(b, benchContacts)
	sh := env.contactSheetNamed("Noop", false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	b.ReportAllocs()
	b.ResetTimer()
	calls := 0
	for range b.N {
		run := env.sync(sh.ID, SyncOptions{Direction: sheets.Both})
		if run.Counts.Updated+run.Counts.Created+run.Counts.Pulled != 0 {
			b.Fatalf("no-op sync did something: %+v", run.Counts)
		}
		calls += run.APICalls
	}
	b.ReportMetric(float64(calls)/float64(b.N), "api-calls/op")
}
