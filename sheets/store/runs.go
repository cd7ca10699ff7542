package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"crmsheets/sheets"
)

// RunQuery selects runs from the history. Zero fields do not filter.
type RunQuery struct {
	SheetID string    // only this sheet's runs
	Since   time.Time // runs started at or after
	Until   time.Time // runs started before
	Limit   int       // at most this many, newest first; 0 = all
}

func (q RunQuery) match(r *sheets.Run) bool {
	switch {
	case q.SheetID != "" && r.SheetID != q.SheetID:
		return false
	case !q.Since.IsZero() && r.Started.Before(q.Since):
		return false
	case !q.Until.IsZero() && !r.Started.Before(q.Until):
		return false
	}
	return true
}

// CreateRun records a new run and assigns r.ID (increasing). A run without
// a status is recorded as running, and one without a start time starts now:
// the engine records a run before its first API call so that a crash leaves
// it to be found by MarkInterrupted.
func (s *Store) CreateRun(r *sheets.Run) error {
	return s.update(func(tx *Tx) error { return tx.CreateRun(r) })
}

// CreateRun is Store.CreateRun inside a transaction.
func (tx *Tx) CreateRun(r *sheets.Run) error {
	b, err := tx.root(bucketRuns)
	if err != nil {
		return err
	}
	id, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	r.ID = id
	if r.Status == "" {
		r.Status = sheets.RunRunning
	}
	if r.Started.IsZero() {
		r.Started = tx.now().UTC()
	}
	if err := putJSON(b, u64(id), r); err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	return nil
}

// UpdateRun replaces a recorded run (status, counts, end, message...). The
// run must exist (ErrNotFound).
func (s *Store) UpdateRun(r *sheets.Run) error {
	return s.update(func(tx *Tx) error { return tx.UpdateRun(r) })
}

// UpdateRun is Store.UpdateRun inside a transaction.
func (tx *Tx) UpdateRun(r *sheets.Run) error {
	b, err := tx.root(bucketRuns)
	if err != nil {
		return err
	}
	if b.Get(u64(r.ID)) == nil {
		return fmt.Errorf("update run %d: %w", r.ID, ErrNotFound)
	}
	if err := putJSON(b, u64(r.ID), r); err != nil {
		return fmt.Errorf("update run %d: %w", r.ID, err)
	}
	return nil
}

// Run returns one run by id (ErrNotFound when missing).
func (s *Store) Run(id uint64) (*sheets.Run, error) {
	var r *sheets.Run
	err := s.view(func(tx *Tx) (err error) {
		r, err = tx.Run(id)
		return err
	})
	return r, err
}

// Run is Store.Run inside a transaction.
func (tx *Tx) Run(id uint64) (*sheets.Run, error) {
	b, err := tx.root(bucketRuns)
	if err != nil {
		return nil, err
	}
	v := b.Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("run %d: %w", id, ErrNotFound)
	}
	var r sheets.Run
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("%w: run %d: %w", ErrCorrupt, id, err)
	}
	return &r, nil
}

// Runs returns the runs q selects, newest first.
func (s *Store) Runs(q RunQuery) ([]*sheets.Run, error) {
	var out []*sheets.Run
	err := s.view(func(tx *Tx) error {
		b, err := tx.root(bucketRuns)
		if err != nil {
			return err
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var r sheets.Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("%w: run %x: %w", ErrCorrupt, k, err)
			}
			if !q.match(&r) {
				continue
			}
			out = append(out, &r)
			if q.Limit > 0 && len(out) == q.Limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

// MarkInterrupted turns every run still recorded as running into an
// interrupted one ended at now, and returns them. The app calls it once at
// start-up, after Open and before any sync starts: a running run found then
// was cut short by a crash or a kill. When no run is running it writes
// nothing, so opening the store to read (a listing, a refused import) leaves
// the file byte-for-byte as it was.
func (s *Store) MarkInterrupted(now time.Time) ([]*sheets.Run, error) {
	running := func(tx *Tx) ([]*sheets.Run, error) {
		b, err := tx.root(bucketRuns)
		if err != nil {
			return nil, err
		}
		var found []*sheets.Run
		err = b.ForEach(func(k, v []byte) error {
			var r sheets.Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("%w: run %x: %w", ErrCorrupt, k, err)
			}
			if r.Status == sheets.RunRunning {
				found = append(found, &r)
			}
			return nil
		})
		return found, err
	}
	var any bool
	if err := s.view(func(tx *Tx) error {
		found, err := running(tx)
		any = len(found) > 0
		return err
	}); err != nil {
		return nil, fmt.Errorf("mark interrupted runs: %w", err)
	}
	if !any {
		return nil, nil
	}
	var out []*sheets.Run
	err := s.update(func(tx *Tx) error {
		found, err := running(tx)
		if err != nil {
			return err
		}
		b, err := tx.root(bucketRuns)
		if err != nil {
			return err
		}
		for _, r := range found {
			r.Status = sheets.RunInterrupted
			r.Ended = now
			if r.Message == "" {
				r.Message = "the app stopped while this run was in progress"
			}
			if err := putJSON(b, u64(r.ID), r); err != nil {
				return err
			}
		}
		out = found
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mark interrupted runs: %w", err)
	}
	return out, nil
}

// AddOutcomes stores per-record outcomes of a run, which must exist
// (ErrNotFound). Outcomes with Seq 0 get the next sequence number of the
// run; RunID is set to runID. Outcomes are kept in Seq order.
func (s *Store) AddOutcomes(runID uint64, outs []sheets.RecordOutcome) error {
	return s.update(func(tx *Tx) error { return tx.AddOutcomes(runID, outs) })
}

// AddOutcomes is Store.AddOutcomes inside a transaction.
func (tx *Tx) AddOutcomes(runID uint64, outs []sheets.RecordOutcome) error {
	runs, err := tx.root(bucketRuns)
	if err != nil {
		return err
	}
	if runs.Get(u64(runID)) == nil {
		return fmt.Errorf("add outcomes to run %d: %w", runID, ErrNotFound)
	}
	root, err := tx.root(bucketOutcomes)
	if err != nil {
		return err
	}
	b, err := root.CreateBucketIfNotExists(u64(runID))
	if err != nil {
		return fmt.Errorf("add outcomes to run %d: %w", runID, err)
	}
	b.FillPercent = 1.0 // outcomes are appended in sequence
	// Keys and values are encoded into chunks that are only ever appended
	// to: bbolt keeps the slices Put is given until the commit.
	var (
		arena []byte
		keys  []string // appendOutcomeJSON's scratch
	)
	for i := range outs {
		o := outs[i]
		o.RunID = runID
		if o.Seq <= 0 {
			seq, err := b.NextSequence()
			if err != nil {
				return fmt.Errorf("add outcomes to run %d: %w", runID, err)
			}
			o.Seq = int(seq)
		} else if uint64(o.Seq) > b.Sequence() {
			if err := b.SetSequence(uint64(o.Seq)); err != nil {
				return fmt.Errorf("add outcomes to run %d: %w", runID, err)
			}
		}
		if cap(arena)-len(arena) < 4<<10 {
			arena = make([]byte, 0, 64<<10)
		}
		start := len(arena)
		arena = binary.BigEndian.AppendUint64(arena, uint64(o.Seq))
		arena = appendOutcomeJSON(arena, &o, &keys)
		if err := b.Put(arena[start:start+8:start+8], arena[start+8:len(arena):len(arena)]); err != nil {
			return fmt.Errorf("add outcomes to run %d: %w", runID, err)
		}
	}
	return nil
}

// Outcomes returns a run's per-record outcomes in sequence order; with
// onlyFailed, only those not OK (failed, invalid, conflicting records).
func (s *Store) Outcomes(runID uint64, onlyFailed bool) ([]sheets.RecordOutcome, error) {
	var out []sheets.RecordOutcome
	err := s.view(func(tx *Tx) error {
		runs, err := tx.root(bucketRuns)
		if err != nil {
			return err
		}
		if runs.Get(u64(runID)) == nil {
			return ErrNotFound
		}
		root, err := tx.root(bucketOutcomes)
		if err != nil {
			return err
		}
		b := root.Bucket(u64(runID))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var o sheets.RecordOutcome
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("%w: outcome %x: %w", ErrCorrupt, k, err)
			}
			if !onlyFailed || !o.OK {
				out = append(out, o)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("outcomes of run %d: %w", runID, err)
	}
	return out, nil
}
