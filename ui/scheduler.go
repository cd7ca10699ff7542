package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2/container"

	"crmsheets/sheets"
	"crmsheets/ui/uiloop"
)

// startScheduler runs the sheets' schedules while the window is open (the
// engine's scheduler, stopped when the window closes); each scheduled run
// refreshes what the window shows. A run missed while the app was closed
// is caught up once, at the first tick.
func (mw *MainWindow) startScheduler() {
	mw.svc.StartScheduler(mw.ctx, func(r *sheets.Run) {
		uiloop.Do(func() { mw.scheduledRun(r) })
	})
}

// shutdown ends the window's background work: it cancels the window's
// context and waits for a scheduled run in progress to notice, so nothing
// the scheduler started posts to a window that is going away.
func (mw *MainWindow) shutdown() {
	mw.stop()
	mw.svc.StopScheduler()
}

// scheduledRun shows a scheduled run's outcome and reloads the open sheet
// when it was the one synced.
func (mw *MainWindow) scheduledRun(r *sheets.Run) {
	name := r.SheetID
	if sh, err := mw.svc.Sheet(r.SheetID); err == nil {
		name = sh.Name
	}
	mw.sidebar.reload()
	if mw.sheet != nil && mw.sheet.ID == r.SheetID {
		mw.reloadSheet()
		if mw.screens != nil {
			mw.screens.sync.showNextRun()
		}
	}
	mw.info(fmt.Sprintf("Scheduled sync of %q: %s", name, runSummary(r)))
}

// showNextRun says when the saved schedule fires next; a schedule chosen
// but not saved yet is said to start once saved.
func (s *syncScreen) showNextRun() {
	sh := s.mw.sheet
	if sh == nil || s.nextRun == nil {
		return
	}
	chosen := 0
	if i := s.schedule.SelectedIndex(); i >= 0 {
		chosen = scheduleHours[i]
	}
	switch {
	case chosen != sh.Sync.EveryHours && chosen > 0:
		s.nextRun.SetText("starts once you save the settings")
		return
	case chosen == 0:
		s.nextRun.SetText("runs only when you press Run (scripts can use cron with crmsheets sync)")
		return
	}
	next, ok, err := s.mw.svc.NextScheduledRun(sh.ID)
	switch {
	case err != nil:
		s.nextRun.SetText(err.Error())
	case !ok:
		s.nextRun.SetText("")
	case !next.After(time.Now().Add(time.Second)):
		s.nextRun.SetText("next run: now, while the app is open")
	default:
		s.nextRun.SetText("next run: " + next.Local().Format("Mon 15:04:05") + ", while the app is open")
	}
}

// leavingSync saves the Sync tab's settings when the user leaves it with
// changes not saved, and says so, so a chosen direction or schedule is
// never silently lost.
func (mw *MainWindow) leavingSync(to *container.TabItem) {
	prev := mw.currentTab
	mw.currentTab = to
	if prev == nil || prev.Text != tabSync || to == prev || mw.screens == nil || mw.sheet == nil {
		return
	}
	s := mw.screens.sync
	if !s.dirty() {
		return
	}
	if s.save() {
		mw.info("Sync settings saved as you left the Sync tab")
	}
}
