package ui

import (
	"testing"
	"time"

	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// usageBarText is what the API usage bar says now.
func usageBarText(mw *MainWindow) (text string) {
	uiloop.Do(func() { text = mw.conn.usage.caption.Text }) // inline under the test driver
	return text
}

// TestUsageBarFollowsRuns checks the bar is read from Salesforce at
// connection and follows the calls a run spends, with no extra call.
func TestUsageBarFollowsRuns(t *testing.T) {
	mw := newTestWindow(t)
	if got := mw.conn.refresher.calls; got != 1 {
		t.Errorf("RefreshUsage calls at connection = %d, want 1", got)
	}
	before := mw.svc.Status()
	if before.APILimit == 0 || usageBarText(mw) != usageText(before.APIUsed, before.APILimit) {
		t.Fatalf("bar %q after connecting, status %+v", usageBarText(mw), before)
	}

	sh, err := mw.svc.NewSheetFromTemplate("people", "Contacts")
	if err != nil {
		t.Fatal(err)
	}
	mw.sheetCreated(sh)
	mw.ShowScreen("sync")
	s := mw.screens.sync
	s.direction.SetSelected("Pull")
	s.doRun(false)
	mw.WaitIdle()
	runs, err := mw.svc.Runs(app.RunQuery{SheetID: sh.ID})
	if err != nil || len(runs) != 1 || runs[0].Status != sheets.RunSucceeded {
		t.Fatalf("runs %v, %v", runs, err)
	}
	after := mw.svc.Status()
	if after.APIUsed < before.APIUsed+runs[0].APICalls {
		t.Errorf("usage %d after a run of %d calls, was %d", after.APIUsed, runs[0].APICalls, before.APIUsed)
	}
	if got, want := usageBarText(mw), usageText(after.APIUsed, after.APILimit); got != want {
		t.Errorf("bar %q after the run, want %q", got, want)
	}
	if got := mw.conn.refresher.calls; got != 1 {
		t.Errorf("RefreshUsage calls after a run = %d, want still 1 (the run's responses carry the usage)", got)
	}
}

// TestUsageRefreshThrottled checks that refreshes closer than minGap
// coalesce into one later call, and that polling refreshes while
// connected.
func TestUsageRefreshThrottled(t *testing.T) {
	mw := newTestWindow(t)
	p := mw.conn
	var calls int
	uiloop.Do(func() { // as the UI goroutine: inline under the test driver
		p.refresher.minGap = time.Hour
		calls = p.refresher.calls
		p.refreshThrottled()
		p.refreshThrottled()
		if p.refresher.calls != calls || !p.refresher.pending {
			t.Errorf("within the gap: calls %d (was %d), pending %v", p.refresher.calls, calls, p.refresher.pending)
		}
		p.refresher.pending = false // forget the hour-long timer (it checks ctx)
		p.refresher.minGap = 0
		p.refreshThrottled()
		if p.refresher.calls != calls+1 {
			t.Errorf("past the gap: calls %d, want %d", p.refresher.calls, calls+1)
		}
		p.refresher.polling, p.refresher.pollEvery = false, 10*time.Millisecond
		p.startPolling()
	})

	deadline := time.Now().Add(5 * time.Second)
	for {
		var n int
		uiloop.Do(func() { n = p.refresher.calls })
		if n >= calls+3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("polling made %d calls in 5 s", n-calls-1)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mw.stop()
	time.Sleep(50 * time.Millisecond) // let a tick in flight finish
	mw.WaitIdle()
}
