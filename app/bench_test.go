package app

import (
	"fmt"
	"runtime"
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
	stop := make(chan struct{})
	peak := uint64(0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
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
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
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

// BenchmarkPush100kChanged pushes 100k changed rows through sObject
// Collections (target 10k records/s).
func BenchmarkPush100kChanged(b *testing.B) {
	env := newBenchEnv(b, benchContacts)
	sh := env.contactSheetNamed("Push", false)
	env.sync(sh.ID, SyncOptions{Direction: sheets.Pull})
	title := col(b, sh, "Title")
	b.ReportAllocs()
	b.ResetTimer()
	calls, records := 0, 0
	var elapsed time.Duration
	peakHeap(b, func() {
		for i := range b.N {
			b.StopTimer()
			env.editAll(sh.ID, title, fmt.Sprintf("Title %d", i), 0)
			b.StartTimer()
			start := time.Now()
			run := env.sync(sh.ID, SyncOptions{Direction: sheets.Push})
			elapsed += time.Since(start)
			if run.Counts.Updated != benchContacts {
				b.Fatalf("updated %d, want %d (%s %s)", run.Counts.Updated, benchContacts, run.Status, run.Message)
			}
			calls += run.APICalls
			records += run.Counts.Updated
		}
	})
	reportRun(b, calls, records, elapsed)
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
