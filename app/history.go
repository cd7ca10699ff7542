package app

import (
	"fmt"
	"time"

	"crmsheets/sheets"
	"crmsheets/sheets/store"
)

// RunQuery selects runs from history: by sheet, time range, newest first,
// at most Limit (0 = all). It is app's own, so views need not know the
// store's query.
type RunQuery struct {
	SheetID string    // only this sheet's runs
	Since   time.Time // runs started at or after
	Until   time.Time // runs started before
	Limit   int       // at most this many, newest first; 0 = all
}

// Runs lists runs from history, newest first.
func (s *Service) Runs(q RunQuery) ([]*sheets.Run, error) {
	rs, err := s.store.Runs(store.RunQuery(q))
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return rs, nil
}

// RunRecord returns the record of one run of the history (what ran, its
// counts and changes); ui.Run and cli.Run are the entry points, not this.
func (s *Service) RunRecord(id uint64) (*sheets.Run, error) {
	r, err := s.store.Run(id)
	if err != nil {
		return nil, err // the store's error already says "run N: …"
	}
	return r, nil
}

// Outcomes lists what a run did record by record (only failures, invalid
// rows and conflicts when onlyFailed), in order.
func (s *Service) Outcomes(runID uint64, onlyFailed bool) ([]sheets.RecordOutcome, error) {
	o, err := s.store.Outcomes(runID, onlyFailed)
	if err != nil {
		return nil, fmt.Errorf("outcomes of run %d: %w", runID, err)
	}
	return o, nil
}

// historySeenKey is the settings key of the newest run of a sheet a person
// has seen in History (MarkHistorySeen).
func historySeenKey(sheetID string) string { return "historyseen/" + sheetID }

// maxUnseenRuns bounds how far back UnseenFailedRuns looks: a badge of
// more than this many says the same thing.
const maxUnseenRuns = 500

// UnseenFailedRuns counts a sheet's failed or partial runs newer than the
// last one seen in History (MarkHistorySeen), at most maxUnseenRuns back.
// It is kept in the store so the History tab's badge survives a restart:
// a scheduled run that failed overnight still shows in the morning.
func (s *Service) UnseenFailedRuns(sheetID string) (int, error) {
	var seen uint64
	if _, err := s.store.GetSetting(historySeenKey(sheetID), &seen); err != nil {
		return 0, fmt.Errorf("read which runs of the sheet were seen: %w", err)
	}
	runs, err := s.store.Runs(store.RunQuery{SheetID: sheetID, Limit: maxUnseenRuns})
	if err != nil {
		return 0, fmt.Errorf("count the failed runs of the sheet: %w", err)
	}
	n := 0
	for _, r := range runs {
		if r.ID <= seen {
			break // newest first: the rest were seen
		}
		if r.Status == sheets.RunFailed || r.Status == sheets.RunPartial {
			n++
		}
	}
	return n, nil
}

// MarkHistorySeen records that a person saw the sheet's history up to its
// newest run: UnseenFailedRuns counts from there.
func (s *Service) MarkHistorySeen(sheetID string) error {
	runs, err := s.store.Runs(store.RunQuery{SheetID: sheetID, Limit: 1})
	if err != nil {
		return fmt.Errorf("mark the history of the sheet seen: %w", err)
	}
	if len(runs) == 0 {
		return nil
	}
	if err := s.store.PutSetting(historySeenKey(sheetID), runs[0].ID); err != nil {
		return fmt.Errorf("mark the history of the sheet seen: %w", err)
	}
	return nil
}
