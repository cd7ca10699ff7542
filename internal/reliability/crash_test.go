package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

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

	rng := rand.New(rand.NewPCG(7, uint64(n)))
	killed := 0
	for i := 0; i < kills; i++ {
		cmd := c.Command(context.Background(), "sync", "--sheet", sheetName, "--direction", "push", "--force")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Kills land anywhere from start-up to a few rounds of 200 into
		// the push, so that every trial kills a run with work left (a
		// round of 200 takes tens of milliseconds against the emulator).
		delay := time.Duration(20+rng.IntN(size(300, 400))) * time.Millisecond
		select {
		case <-done:
			// The push finished before its kill: later trials kill re-runs.
		case <-time.After(delay):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
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
		desc += fmt.Sprintf("; only %d of %d kills landed before the push finished", killed, kills)
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
		o.Lost = fmt.Sprintf("nothing (%d kills landed, %d runs recorded as interrupted)", killed, interrupted)
	}
}
