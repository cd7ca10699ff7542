package app

import (
	"fmt"

	"crmsheets/sheets"
	"crmsheets/sheets/store"
)

// RunQuery selects runs from history: by sheet, time range, newest first,
// at most Limit (0 = all). It is the store's query, re-exported so views
// need not import the store.
type RunQuery = store.RunQuery

// Runs lists runs from history, newest first.
func (s *Service) Runs(q RunQuery) ([]*sheets.Run, error) {
	rs, err := s.store.Runs(q)
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
