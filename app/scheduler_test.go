package app

import (
	"testing"
	"time"

	"crmsheets/sheets"
)

// TestSchedulerCatchesUpOnce: a sheet synced every hour whose app was
// closed for five hours gets one catch-up run at the next tick, not five;
// NextScheduledRun says when the next one is due.
func TestSchedulerCatchesUpOnce(t *testing.T) {
	env := newTestEnv(t)
	env.seedContacts(1)
	sh := env.contactSheet(false)
	if _, ok, err := env.svc.NextScheduledRun(sh.ID); err != nil || ok {
		t.Fatalf("unscheduled sheet: next run ok=%v err=%v", ok, err)
	}
	sh.Sync.EveryHours, sh.Sync.Direction = 1, sheets.Pull
	if err := env.svc.SaveSheetSettings(sh, "every hour"); err != nil {
		t.Fatal(err)
	}
	if runs := env.svc.RunDue(env.ctx); len(runs) != 1 {
		t.Fatalf("first tick: %d runs", len(runs))
	}
	next, ok, err := env.svc.NextScheduledRun(sh.ID)
	near := func(a, b time.Time) bool { d := a.Sub(b); return d > -time.Second && d < time.Second }
	if err != nil || !ok || !near(next, env.clock.Now().Add(time.Hour)) {
		t.Errorf("next run %v ok=%v err=%v, want in an hour", next, ok, err)
	}
	env.clock.Advance(5 * time.Hour) // the app was closed
	if next, _, _ := env.svc.NextScheduledRun(sh.ID); !near(next, env.clock.Now()) {
		t.Errorf("overdue next run %v, want now", next)
	}
	if runs := env.svc.RunDue(env.ctx); len(runs) != 1 {
		t.Fatalf("catch-up tick: %d runs, want exactly one", len(runs))
	}
	if runs := env.svc.RunDue(env.ctx); len(runs) != 0 {
		t.Errorf("a second tick ran %d more", len(runs))
	}
}
