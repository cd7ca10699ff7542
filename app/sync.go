package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"crmsheets/sheets"
)

// Sync runs a sync of one sheet and records it in history: the run is
// stored as running before its first API call, every batch writes its rows
// and outcomes in one transaction, and the run ends succeeded, partial
// (some records failed, or the API budget paused it: the next run resumes),
// failed, or cancelled (ctx ended; what was done is recorded). progress may
// be nil; it is called from the syncing goroutine.
//
// The returned run is non-nil whenever the run was recorded. The error is
// nil for cancelled and paused runs (see Run.Status); it is a
// *TooManyChangesError (ErrSyncAborted) when the safety rail refused the
// run before anything was sent, and ErrSyncRunning when the sheet is
// already syncing.
func (s *Service) Sync(ctx context.Context, sheetID string, opt SyncOptions, progress func(Progress)) (*sheets.Run, error) {
	unlock, err := s.lockSheet(sheetID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	e, err := s.newEngine(ctx, sheetID, opt, false, progress)
	if err != nil {
		return nil, err
	}
	ctx = e.counted(ctx)
	if err := e.begin(0); err != nil {
		return nil, err
	}
	runErr := e.runDirections(ctx)
	return e.finish(ctx, runErr)
}

// runDirections runs the pull phase, then the push phase, as the direction
// asks. Both directions share the run, its counts and its budget.
func (e *engine) runDirections(ctx context.Context) error {
	dir := e.opt.Direction
	if dir == sheets.Pull || dir == sheets.Both {
		if err := e.pull(ctx, false); err != nil {
			return err
		}
		if e.paused != "" {
			return nil
		}
		if err := e.refreshRollups(ctx); err != nil {
			return err
		}
	}
	if dir == sheets.Push || dir == sheets.Both {
		if err := e.push(ctx); err != nil {
			return err
		}
	}
	return nil
}

// objectOrder ranks objects so parents sync before the records that point
// at them: accounts exist before contacts and opportunities refer to them.
var objectOrder = []string{"Account", "Contact", "Lead", "Opportunity", "Case", "Task", "Event"}

func objectRank(object string) int {
	if i := slices.IndexFunc(objectOrder, func(o string) bool { return strings.EqualFold(o, object) }); i >= 0 {
		return i
	}
	return len(objectOrder)
}

// SyncAll syncs every mapped sheet, Accounts first, then Contacts, Leads,
// Opportunities and the others (by name within an object). opt applies to
// every sheet (zero fields take each sheet's own settings). It goes on
// after a sheet fails and returns every recorded run with the joined
// errors, one *SheetSyncError per failed sheet; it stops at cancellation.
func (s *Service) SyncAll(ctx context.Context, opt SyncOptions, progress func(sheet string, p Progress)) ([]*sheets.Run, error) {
	all, err := s.Sheets()
	if err != nil {
		return nil, err
	}
	var list []*sheets.Sheet
	for _, sh := range all {
		if sh.Object != "" && slices.ContainsFunc(sh.Columns, func(c sheets.Column) bool { return c.Mapped() }) {
			list = append(list, sh)
		}
	}
	slices.SortStableFunc(list, func(a, b *sheets.Sheet) int {
		if d := objectRank(a.Object) - objectRank(b.Object); d != 0 {
			return d
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	var runs []*sheets.Run
	var errs []error
	for _, sh := range list {
		if ctx.Err() != nil {
			break
		}
		var p func(Progress)
		if progress != nil {
			name := sh.Name
			p = func(pr Progress) { progress(name, pr) }
		}
		r, err := s.Sync(ctx, sh.ID, opt, p)
		if r != nil {
			runs = append(runs, r)
		}
		if err != nil {
			errs = append(errs, &SheetSyncError{SheetID: sh.ID, Sheet: sh.Name, Err: err})
		}
	}
	return runs, errors.Join(errs...)
}
