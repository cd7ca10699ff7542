package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"crmsheets/internal/clitest"
	"crmsheets/sheets"
)

// TestCrashDuringPush kills the CLI with SIGKILL at random moments of a push
// of many edits and new rows, restarting it each time, then lets it finish:
// every edit must be in the org, no record created twice, no row lost, and
// every killed run recorded as interrupted.
func TestCrashDuringPush(t *testing.T) {
	n, k, kills := size(1000, 20000), size(40, 400), size(5, 30)
	o := &outcome{Scenario: "Crash: SIGKILL during push", Tried: fmt.Sprintf("CLI pushing %d edits and %d new rows to a standalone emulator, killed at random moments and restarted", n, k), Trials: kills}
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
	// 200 take tens of milliseconds against the emulator), so later trials
	// still find work left.
	killed := 0
	for i := 0; i < kills; i++ {
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
			// A write the killed process sent may still be landing; let it
			// settle so the next trial does not take it for its own.
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
	t.Logf("%d kills, %d runs interrupted in history, %d runs in all", killed, interrupted, len(rs))
	if desc != "" {
		t.Error(desc)
		o.Lost = desc
	} else {
		o.Lost = fmt.Sprintf("nothing (%d kills landed after a write was sent, %d runs recorded as interrupted)", killed, interrupted)
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
