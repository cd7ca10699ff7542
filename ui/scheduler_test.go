package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"crmsheets/app"
	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// TestSchedulerRunsWhileTheAppIsOpen schedules a sheet from the Sync tab
// with a test-only unit (one "hour" is a second): leaving the tab saves the
// schedule, the next run is shown, the scheduler catches up at once and
// then fires on time, each run landing in history as scheduled and in the
// status bar.
func TestSchedulerRunsWhileTheAppIsOpen(t *testing.T) {
	mw := newTestWindowWith(t, app.Options{ScheduleUnit: time.Second, SchedulerTick: 100 * time.Millisecond})
	sh, err := mw.svc.NewSheetFromTemplate("people", "Contacts")
	if err != nil {
		t.Fatal(err)
	}
	mw.sheetCreated(sh)
	mw.ShowScreen("sync")
	s := mw.screens.sync
	s.direction.SetSelected("Pull")
	s.schedule.SetSelected("Every hour")
	if !strings.Contains(s.nextRun.Text, "once you save") {
		t.Errorf("next run before saving: %q", s.nextRun.Text)
	}
	// Clicking the chosen direction again keeps it.
	tapped := 0
	for _, o := range test.LaidOutObjects(s.direction) {
		if item, ok := o.(fyne.Tappable); ok && fmt.Sprintf("%T", o) == "*widget.radioItem" {
			if tapped == 0 { // the first item is Pull, the one selected
				item.Tapped(&fyne.PointEvent{})
			}
			tapped++
		}
	}
	if tapped != 3 || s.direction.Selected != "Pull" {
		t.Errorf("%d radio items; after tapping the selected one: %q", tapped, s.direction.Selected)
	}
	if s.direction.Selected != "Pull" {
		t.Errorf("direction emptied: %q", s.direction.Selected)
	}
	mw.ShowScreen("main") // leave the Sync tab without pressing Save
	saved, err := mw.svc.Sheet(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Sync.EveryHours != 1 || saved.Sync.Direction != sheets.Pull {
		t.Fatalf("leaving the Sync tab did not save: %+v", saved.Sync)
	}
	if !strings.Contains(mw.status.Text, "saved") {
		t.Errorf("status %q", mw.status.Text)
	}
	deadline := time.Now().Add(20 * time.Second)
	var runs []*sheets.Run
	for time.Now().Before(deadline) {
		runs, err = mw.svc.Runs(app.RunQuery{SheetID: sh.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) >= 2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(runs) < 2 {
		t.Fatalf("%d scheduled runs in 20 s with a 1 s schedule", len(runs))
	}
	for _, r := range runs {
		if r.Trigger != sheets.TriggerScheduled || r.Direction != sheets.Pull {
			t.Errorf("run %+v, want a scheduled pull", r)
		}
	}
	if gap := runs[0].Started.Sub(runs[1].Started); gap < 900*time.Millisecond {
		t.Errorf("runs %v apart, want about the 1 s interval", gap)
	}
	mw.shutdown() // as closing the window does: the scheduler ends, its last run included
	mw.WaitIdle()
	// Read through uiloop.Do, as a person's clicks arrive on the UI
	// goroutine (the test driver runs posted work on the poster's goroutine).
	var status, nextRun string
	var rows int
	uiloop.Do(func() {
		status = mw.status.Text
		mw.ShowScreen("sync")
		nextRun = mw.screens.sync.nextRun.Text
		rows = mw.Grid().Model().Len()
	})
	if !strings.Contains(status, `Scheduled sync of "Contacts"`) {
		t.Errorf("status %q, want the scheduled run", status)
	}
	if !strings.Contains(nextRun, "next run") {
		t.Errorf("next run %q", nextRun)
	}
	if rows == 0 {
		t.Error("the grid shows no rows after the scheduled pulls")
	}
}
