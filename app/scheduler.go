package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"crmsheets/sheets"
)

// SchedulerTick is how often the scheduler looks for sheets due a sync
// (Options.SchedulerTick overrides it in tests).
const SchedulerTick = time.Minute

// scheduleInterval is how long a sheet waits between scheduled runs.
func (s *Service) scheduleInterval(sh *sheets.Sheet) time.Duration {
	unit := s.opt.ScheduleUnit
	if unit <= 0 {
		unit = time.Hour
	}
	return time.Duration(sh.Sync.EveryHours) * unit
}

// NextScheduledRun is when a sheet's next scheduled sync is due while the
// app runs: now when it is overdue (the scheduler catches up once at its
// next tick), ok false when the sheet has no schedule. The Sync tab shows
// it beside the schedule.
func (s *Service) NextScheduledRun(sheetID string) (next time.Time, ok bool, err error) {
	sh, err := s.Sheet(sheetID)
	if err != nil {
		return time.Time{}, false, err
	}
	if sh.Sync.EveryHours <= 0 || sh.Object == "" {
		return time.Time{}, false, nil
	}
	var last time.Time
	if _, err := s.store.GetSetting(settingLastScheduled(sh.ID), &last); err != nil {
		return time.Time{}, false, fmt.Errorf("next scheduled run of %q: %w", sh.Name, err)
	}
	now := s.now()
	if !last.IsZero() {
		next = last.Add(s.scheduleInterval(sh))
	}
	if retry := s.schedRetryAt(sh.ID); next.Before(retry) {
		next = retry // a failed run waits for its retry
	}
	if next.Before(now) {
		next = now
	}
	return next, true, nil
}

// scheduleRetry is how long the scheduler waits before retrying a sheet
// whose scheduled run failed (an unreachable org, an expired session),
// instead of a whole interval; never longer than the interval itself.
const scheduleRetry = 15 * time.Minute

// schedRetryAt is when a sheet whose scheduled run failed may be retried
// (zero when none failed). It lives in memory: a restart retries at once.
func (s *Service) schedRetryAt(sheetID string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.schedRetry[sheetID]
}

// setSchedRetry notes when a sheet may be retried; zero forgets it.
func (s *Service) setSchedRetry(sheetID string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at.IsZero() {
		delete(s.schedRetry, sheetID)
		return
	}
	if s.schedRetry == nil {
		s.schedRetry = map[string]time.Time{}
	}
	s.schedRetry[sheetID] = at
}

// settingLastScheduled is the settings key of a sheet's last scheduled run.
func settingLastScheduled(sheetID string) string { return "scheduled/" + sheetID }

// StartScheduler starts the automatic syncs: every sheet whose
// SyncSettings.EveryHours is set gets an incremental sync in its own
// direction every N hours while the app runs (off by default: EveryHours
// 0). A run missed while the app was closed is caught up once, at the
// first tick after the start. Runs are recorded with the scheduled
// trigger; onRun (may be nil) is called on the scheduler's goroutine
// after each, so the desktop app can refresh what it shows. Calling it
// again restarts it; StopScheduler, cancelling ctx or Close stops it. It needs a
// connection at each tick; without one the tick is skipped.
func (s *Service) StartScheduler(ctx context.Context, onRun func(*sheets.Run)) {
	s.StopScheduler()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s.schedMu.Lock()
	s.schedStop, s.schedDone = cancel, done
	s.schedMu.Unlock()
	go func() {
		defer close(done)
		tick := s.opt.SchedulerTick
		if tick <= 0 {
			tick = SchedulerTick
		}
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			for _, r := range s.RunDue(ctx) {
				if onRun != nil {
					onRun(r)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// StopScheduler stops the scheduler and waits for a scheduled run in
// progress to notice the cancellation.
func (s *Service) StopScheduler() {
	s.schedMu.Lock()
	stop, done := s.schedStop, s.schedDone
	s.schedStop, s.schedDone = nil, nil
	s.schedMu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// RunDue runs the scheduled syncs that are due now, one sheet after the
// other, and returns their runs. The scheduler calls it every tick; tests
// and crmsheets sync --due (one cron line for every sheet) call it directly.
func (s *Service) RunDue(ctx context.Context) []*sheets.Run {
	if _, err := s.client(); err != nil {
		return nil
	}
	list, err := s.Sheets()
	if err != nil {
		s.log.Warn("scheduler: list sheets", "err", err)
		return nil
	}
	var runs []*sheets.Run
	now := s.now()
	for _, sh := range list {
		if ctx.Err() != nil {
			break
		}
		if sh.Sync.EveryHours <= 0 || sh.Object == "" {
			continue
		}
		var last time.Time
		if _, err := s.store.GetSetting(settingLastScheduled(sh.ID), &last); err != nil {
			s.log.Warn("scheduler: read last run", "sheet", sh.Name, "err", err)
			continue
		}
		if !last.IsZero() && now.Sub(last) < s.scheduleInterval(sh) {
			continue
		}
		if retry := s.schedRetryAt(sh.ID); now.Before(retry) {
			continue
		}
		r, err := s.Sync(ctx, sh.ID, SyncOptions{Trigger: sheets.TriggerScheduled}, nil)
		if r != nil {
			runs = append(runs, r)
		}
		// The run's time is recorded after it ran, and only when it ran:
		// a failed run is retried after scheduleRetry instead of a whole
		// interval, and a run cut short by a crash is caught up at the next
		// start.
		switch {
		case errors.Is(err, ErrSyncRunning):
			// Another run of the sheet is going: try again at the next tick.
		case err != nil:
			s.log.Warn("scheduled sync failed", "sheet", sh.Name, "err", err)
			s.setSchedRetry(sh.ID, s.now().Add(min(scheduleRetry, s.scheduleInterval(sh))))
		default:
			s.setSchedRetry(sh.ID, time.Time{})
			if err := s.store.PutSetting(settingLastScheduled(sh.ID), s.now()); err != nil {
				s.log.Warn("scheduler: note run", "sheet", sh.Name, "err", err)
			}
		}
	}
	return runs
}
