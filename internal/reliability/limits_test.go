package reliability

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"crmsheets/crm"
	"crmsheets/internal/clitest"
	"crmsheets/sheets"
)

// TestDailyLimitStopsAndResumes runs a push into an org that runs out of
// daily API calls: it must stop cleanly with what it did recorded, and the
// next run (after the limit is raised) must finish without redoing anything.
//
// The short run's push goes by sObject Collections rounds and stops part
// way, with the rounds it sent recorded. The long run's push (above the
// Bulk threshold) is one Bulk API job per operation, all or nothing from
// the client's view: it stops before its job when the calls left cannot
// pay for it (the run's own budget check); if the limit drops under a job
// already running, the job runs on in the org and the resumed run must
// recognise it and send nothing twice (app's
// TestRequestLimitExceededMidBulkJob drops it so). Both runs here are
// checked in the org itself: every record the stopped run wrote keeps its
// SystemModstamp through the resumed run, every other one is written by it.
func TestDailyLimitStopsAndResumes(t *testing.T) {
	n := size(2000, 10000)
	bulk := n > crm.DefaultBulkThreshold
	o := &outcome{Scenario: "Limits: out of daily API calls", Tried: fmt.Sprintf("push of %d edits into an org that allows only half the calls the push needs, then a resumed run", n), Trials: 1}
	record(t, o)

	addr := freeAddr(t)
	data := filepath.Join(t.TempDir(), "org.db")
	base := "http://" + addr
	args := []string{"--addr", addr, "--data", data, "--seed-accounts", fmt.Sprint(n/2 + 50)}
	emu := clitest.StartEmulator(t, binary, args...)
	c := newUser(t, base)
	e := edit(t, c, "Limit", n, 0)
	// What the push needs is the plan's estimate (Collections rounds or a
	// Bulk job, with the reads around them); the plan's last figures are
	// the org's count now.
	var plan struct {
		APICalls     int `json:"apiCalls"`
		APIRemaining int `json:"apiRemaining"`
		APILimit     int `json:"apiLimit"`
		Updates      int `json:"updates"`
	}
	c.JSON(t, &plan, "plan", "--sheet", sheetName, "--direction", "push")
	if plan.Updates != n || plan.APICalls == 0 || plan.APILimit == 0 {
		t.Fatalf("plan of the push: %+v, want %d updates with its calls and the org's figures", plan, n)
	}
	need, used := plan.APICalls, plan.APILimit-plan.APIRemaining
	emu.Stop()

	// Restart the same org (same data, same port, today's count kept) with a
	// daily limit that leaves half the calls the push needs.
	limit := used + need/2
	tight := clitest.StartEmulator(t, binary, append(args, "--daily-limit", fmt.Sprint(limit))...)
	first := c.Run(t, 10*time.Minute, "sync", "--sheet", sheetName, "--direction", "push", "--force")
	tight.Stop()
	rs := runs(t, c)
	stopped := rs[0]
	if first.Code == 0 || stopped.Status == sheets.RunSucceeded {
		t.Fatalf("the push did not stop at the limit (%d calls left of %d needed): exit %d, run %+v", limit-used, need, first.Code, stopped)
	}
	if !bulk && (stopped.Counts.Updated == 0 || stopped.Counts.Updated >= n) {
		t.Fatalf("the stopped run updated %d of %d records; want part of them recorded", stopped.Counts.Updated, n)
	}
	t.Logf("push needs %d calls, %d left; stopped run: %s, %d updated, %d calls, message %q, stderr %s", need, limit-used, stopped.Status, stopped.Counts.Updated, stopped.APICalls, stopped.Message, first.Err)

	clitest.StartEmulator(t, binary, append(args, "--daily-limit", "1000000")...)
	org, err := clitest.OpenOrg(base)
	if err != nil {
		t.Fatal(err)
	}
	// stamps reads each edited record's Title and SystemModstamp.
	stamps := func() map[string][2]string {
		recs, err := org.Query("SELECT Id, Title, SystemModstamp FROM Contact")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][2]string{}
		for _, r := range recs {
			if id := clitest.Str(r, "Id"); e.titles[id] != "" {
				out[id] = [2]string{clitest.Str(r, "Title"), clitest.Str(r, "SystemModstamp")}
			}
		}
		return out
	}
	afterStop := stamps()
	c.Must(t, "sync", "--sheet", sheetName, "--direction", "push", "--force")
	resumed := runs(t, c)[0]
	afterResume := stamps()
	desc := lost(t, base, c, e)
	byStopped, byResumed, twice := 0, 0, 0
	for id, want := range e.titles {
		was, now := afterStop[id], afterResume[id]
		switch {
		case was[0] == want && was[1] != now[1]:
			twice++
		case was[0] == want:
			byStopped++
		case was[1] != now[1]:
			byResumed++
		}
	}
	if twice > 0 {
		desc += fmt.Sprintf("; %d records the stopped run wrote were written again by the resumed one", twice)
	}
	if !bulk {
		if total := stopped.Counts.Updated + resumed.Counts.Updated; total != n {
			desc += fmt.Sprintf("; the two runs updated %d+%d records for %d edits (work redone or skipped)", stopped.Counts.Updated, resumed.Counts.Updated, n)
		}
	}
	if byStopped+byResumed != n {
		desc += fmt.Sprintf("; the org shows %d records written by the stopped run and %d by the resumed one for %d edits", byStopped, byResumed, n)
	}
	t.Logf("org: %d records written by the stopped run, %d by the resumed one (runs counted %d and %d updates)", byStopped, byResumed, stopped.Counts.Updated, resumed.Counts.Updated)
	if desc != "" {
		o.Lost = desc
		t.Error(desc)
		return
	}
	how := "Collections rounds"
	if bulk {
		how = "one Bulk job"
	}
	o.Lost = fmt.Sprintf("nothing: the push (%s, %d calls) stopped with %d calls left (%s, %d written), the resumed run wrote the other %d, none twice", how, need, limit-used, stopped.Status, byStopped, byResumed)
}
