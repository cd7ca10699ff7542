package reliability

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"crmsheets/internal/clitest"
	"crmsheets/sheets"
)

// TestDailyLimitStopsAndResumes runs a push into an org that runs out of
// daily API calls: it must stop cleanly with what it did recorded, and the
// next run (after the limit is raised) must finish without redoing anything.
func TestDailyLimitStopsAndResumes(t *testing.T) {
	n := size(2000, 10000)
	o := &outcome{Scenario: "Limits: out of daily API calls", Tried: fmt.Sprintf("push of %d edits into an org that allows only a few more calls, then a resumed run", n), Trials: 1}
	record(t, o)

	addr := freeAddr(t)
	data := filepath.Join(t.TempDir(), "org.db")
	base := "http://" + addr
	args := []string{"--addr", addr, "--data", data, "--seed-accounts", fmt.Sprint(n/2 + 50)}
	emu := clitest.StartEmulator(t, binary, args...)
	c := newUser(t, base)
	e := edit(t, c, "Limit", n, 0)
	// A push reads each round of 200 back before writing it: two calls a round.
	need := 2 * (n + 199) / 200
	used := runs(t, c)[0].APIUsed // the org's count after the pull, the last call made
	emu.Stop()

	// Restart the same org (same data, same port, today's count kept) with a
	// daily limit that leaves half the calls the push needs.
	tight := clitest.StartEmulator(t, binary, append(args, "--daily-limit", fmt.Sprint(used+need/2))...)
	first := c.Run(t, 10*time.Minute, "sync", "--sheet", sheetName, "--direction", "push", "--force")
	tight.Stop()
	rs := runs(t, c)
	stopped := rs[0]
	if first.Code == 0 || stopped.Status == sheets.RunSucceeded {
		t.Fatalf("the push did not stop at the limit: exit %d, run %+v", first.Code, stopped)
	}
	if stopped.Counts.Updated == 0 || stopped.Counts.Updated >= n {
		t.Fatalf("the stopped run updated %d of %d records; want part of them recorded", stopped.Counts.Updated, n)
	}
	t.Logf("push needs about %d calls; stopped run: %s, %d updated, message %q, stderr %s", need, stopped.Status, stopped.Counts.Updated, stopped.Message, first.Err)

	clitest.StartEmulator(t, binary, append(args, "--daily-limit", "1000000")...)
	c.Must(t, "sync", "--sheet", sheetName, "--direction", "push", "--force")
	resumed := runs(t, c)[0]
	desc := lost(t, base, c, e)
	if total := stopped.Counts.Updated + resumed.Counts.Updated; total != n {
		desc += fmt.Sprintf("; the two runs updated %d+%d records for %d edits (work redone or skipped)", stopped.Counts.Updated, resumed.Counts.Updated, n)
	}
	if desc != "" {
		o.Lost = desc
		t.Error(desc)
		return
	}
	o.Lost = fmt.Sprintf("nothing: stopped after %d updates (%s), resumed with the other %d, none redone", stopped.Counts.Updated, stopped.Status, resumed.Counts.Updated)
}
