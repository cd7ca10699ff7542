package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"crmsheets/crm"
	"crmsheets/internal/clitest"
	"crmsheets/sheets"
)

// TestCrashDuringPush kills the CLI with SIGKILL at random moments of a push
// of many edits and new rows, restarting it each time, then lets it finish:
// every edit must be in the org, no record created twice, no row lost, and
// every killed run recorded as interrupted.
//
// The short run is one push of n edits by sObject Collections rounds of
// 200, killed and restarted. In the long run a push of that size is one
// Bulk API 2.0 job: once a killed job has run, the restarted push
// reconciles it and has nothing left to send. So before each later trial
// the long run edits a fresh batch of rows above the Bulk threshold
// (moving along the sheet, so records are edited again while an earlier
// value of theirs may still be in flight) and adds a few more rows: every
// trial kills a push with a Bulk job of its own.
func TestCrashDuringPush(t *testing.T) {
	n, k, kills := size(1000, 20000), size(40, 400), size(5, 30)
	batch, batchNew := size(0, crm.DefaultBulkThreshold+500), size(0, 10)
	tried := fmt.Sprintf("CLI pushing %d edits and %d new rows to a standalone emulator, killed at random moments and restarted", n, k)
	if batch > 0 {
		tried = fmt.Sprintf("CLI pushing %d edits and %d new rows to a standalone emulator, then before each later trial %d more edits and %d more new rows (every push through Bulk API jobs), killed at random moments and restarted", n, k, batch, batchNew)
	}
	o := &outcome{Scenario: "Crash: SIGKILL during push", Tried: tried, Trials: kills}
	record(t, o)

	// 20 ms per call keeps a push long enough for the kills to land on any
	// machine (a round of 200 is two calls), without making the test slow.
	emu := clitestEmulator(t, "--seed-accounts", fmt.Sprint(n/2), "--latency", "20ms")
	c := newUser(t, emu)
	e := edit(t, c, "Crash", n, k)

	org, err := clitest.OpenOrg(emu)
	if err != nil {
		t.Fatal(err)
	}
	// latestWrite is the newest SystemModstamp among the org's contacts: it
	// moves when a write of the push reaches the org.
	latestWrite := func() string {
		recs, err := org.Query("SELECT SystemModstamp FROM Contact ORDER BY SystemModstamp DESC LIMIT 1")
		if err != nil || len(recs) == 0 {
			t.Fatalf("read the org's last write: %v", err)
		}
		return clitest.Str(recs[0], "SystemModstamp")
	}

	rng := rand.New(rand.NewPCG(7, uint64(n)))
	// A trial counts only when its kill lands after the push sent a write
	// (a kill during start-up or the reads tests nothing the store must
	// survive): each waits for the org to see a write, then kills at a
	// random moment up to 60 ms later (300 ms in the long run: rounds of
	// 200, or a Bulk job's polls, result download and write-back, take
	// tens to hundreds of milliseconds against the emulator).
	killed := 0
	for i := 0; i < kills; i++ {
		if batch > 0 && i > 0 {
			editMore(t, c, &e, fmt.Sprintf("Crash%d", i), i*batch, batch, batchNew)
		}
		before := latestWrite()
		cmd := c.Command(context.Background(), "sync", "--sheet", sheetName, "--direction", "push", "--force")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if killAfterWrite(done, func() bool { return latestWrite() != before }, time.Duration(rng.IntN(size(60, 300)))*time.Millisecond) {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
			// A write the killed process sent may still be landing (a
			// Bulk job runs on in the org); let it settle so the next
			// trial does not take it for its own.
			time.Sleep(100 * time.Millisecond)
		}
	}
	c.Must(t, "sync", "--sheet", sheetName, "--direction", "push", "--force")

	desc := lost(t, emu, c, e)
	rs := runs(t, c)
	interrupted, running := 0, 0
	for _, r := range rs {
		switch r.Status {
		case sheets.RunInterrupted:
			interrupted++
		case sheets.RunRunning:
			running++
		}
	}
	if running > 0 {
		desc += fmt.Sprintf("; %d runs still shown as running", running)
	}
	if killed < kills/2 {
		desc += fmt.Sprintf("; only %d of %d kills landed after a write and before the push finished", killed, kills)
	}
	if interrupted > killed {
		desc += fmt.Sprintf("; %d runs interrupted but only %d kills", interrupted, killed)
	}
	// Re-running the finished sync changes nothing.
	var plan map[string]any
	c.JSON(t, &plan, "plan", "--sheet", sheetName, "--direction", "push")
	if plan["creates"].(float64) != 0 || plan["updates"].(float64) != 0 {
		desc += fmt.Sprintf("; a re-run would still send %v creates and %v updates", plan["creates"], plan["updates"])
	}
	jobs, err := org.IngestJobs()
	if err != nil {
		t.Fatalf("list the org's Bulk jobs: %v", err)
	}
	updateJobs := 0
	for _, j := range jobs {
		if clitest.Str(j, "operation") == "update" {
			updateJobs++
		}
	}
	if batch > 0 && updateJobs < kills {
		desc += fmt.Sprintf("; only %d Bulk update jobs for %d trials that each had edits above the Bulk threshold", updateJobs, kills)
	}
	t.Logf("%d kills, %d runs interrupted in history, %d runs in all, %d Bulk ingest jobs (%d updates)", killed, interrupted, len(rs), len(jobs), updateJobs)
	if desc != "" {
		t.Error(desc)
		o.Lost = desc
	} else {
		o.Lost = fmt.Sprintf("nothing (%d kills landed after a write was sent, %d runs recorded as interrupted, %d Bulk ingest jobs)", killed, interrupted, len(jobs))
	}
}

// killAfterWrite waits until wrote reports the push's first write, then
// for delay more, and reports whether the process is still running to be
// killed; false when it finished first (the trial does not count).
func killAfterWrite(done <-chan error, wrote func() bool, delay time.Duration) bool {
	for !wrote() {
		select {
		case <-done:
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
	select {
	case <-done:
		return false
	case <-time.After(delay):
		return true
	}
}
