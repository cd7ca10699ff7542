package app

import (
	"errors"
	"iter"
	"time"

	"crmsheets/sheets"
	"crmsheets/sheets/store"
)

// storeDoor is app's one way into sheets/store. Every call passes its error
// through fromStore, so the store's sentinels leave app as app's own
// (ErrNotFound, ErrDuplicate, ErrStoreLocked) and ui and the CLI branch on
// app's errors without knowing the store exists. Work inside a Batch
// callback speaks to *store.Tx directly and matches the store's sentinels;
// Batch's result is translated like any other.
type storeDoor struct{ st *store.Store }

// storeSentinels pairs each store sentinel a caller may branch on with the
// app sentinel it becomes.
var storeSentinels = []struct{ store, app error }{
	{store.ErrNotFound, ErrNotFound},
	{store.ErrDuplicate, ErrDuplicate},
	{store.ErrLocked, ErrStoreLocked},
}

// fromStore translates an error from the store: one that wraps a store
// sentinel also matches the app sentinel paired with it, keeping its
// message (already worded for the user) and the store's chain.
func fromStore(err error) error {
	if err == nil {
		return nil
	}
	for _, p := range storeSentinels {
		if errors.Is(err, p.store) && !errors.Is(err, p.app) {
			return &storeError{err: err, app: p.app}
		}
	}
	return err
}

// storeError is a store error that also matches an app sentinel.
type storeError struct{ err, app error }

func (e *storeError) Error() string   { return e.err.Error() }
func (e *storeError) Unwrap() []error { return []error{e.err, e.app} }

// Close closes the store file.
func (d storeDoor) Close() error { return fromStore(d.st.Close()) }

// Path is the store file's path.
func (d storeDoor) Path() string { return d.st.Path() }

// Rows yields a sheet's rows in order, translating a failure.
func (d storeDoor) Rows(sheetID string) iter.Seq2[*sheets.Row, error] {
	return func(yield func(*sheets.Row, error) bool) {
		for r, err := range d.st.Rows(sheetID) {
			if !yield(r, fromStore(err)) {
				return
			}
		}
	}
}

// RowSummaries yields a summary of each of a sheet's rows in order
// (id, state, record id, whether it has cells and local changes), read
// without decoding the rows: a push's scan for candidates meets every row
// of the sheet and needs no more. A failure is translated.
func (d storeDoor) RowSummaries(sheetID string) iter.Seq2[store.RowSummary, error] {
	return func(yield func(store.RowSummary, error) bool) {
		for r, err := range d.st.RowSummaries(sheetID) {
			if !yield(r, fromStore(err)) {
				return
			}
		}
	}
}

// The rest of the store's API, each call translated.

func (d storeDoor) AddColumn(sheetID string, c sheets.Column) (sheets.Column, error) {
	v0, err := d.st.AddColumn(sheetID, c)
	return v0, fromStore(err)
}

func (d storeDoor) RenameColumn(sheetID, colID, name string) error {
	return fromStore(d.st.RenameColumn(sheetID, colID, name))
}

func (d storeDoor) RetypeColumn(sheetID, colID string, t sheets.Type, choices []string) error {
	return fromStore(d.st.RetypeColumn(sheetID, colID, t, choices))
}

func (d storeDoor) RemoveColumn(sheetID, colID string) error {
	return fromStore(d.st.RemoveColumn(sheetID, colID))
}

func (d storeDoor) SaveConfigVersion(sheetID, note string, sh *sheets.Sheet) (int, error) {
	v0, err := d.st.SaveConfigVersion(sheetID, note, sh)
	return v0, fromStore(err)
}

func (d storeDoor) ConfigVersions(sheetID string) ([]store.ConfigVersion, error) {
	v0, err := d.st.ConfigVersions(sheetID)
	return v0, fromStore(err)
}

func (d storeDoor) ConfigVersion(sheetID string, n int) (*sheets.Sheet, error) {
	v0, err := d.st.ConfigVersion(sheetID, n)
	return v0, fromStore(err)
}

func (d storeDoor) InsertRows(sheetID string, rows []*sheets.Row) error {
	return fromStore(d.st.InsertRows(sheetID, rows))
}

func (d storeDoor) IndexPendingKeys(sheetID string) error {
	return fromStore(d.st.IndexPendingKeys(sheetID))
}

func (d storeDoor) InsertRowsAt(sheetID string, after sheets.RowID, rows []*sheets.Row) error {
	return fromStore(d.st.InsertRowsAt(sheetID, after, rows))
}

func (d storeDoor) UpdateRows(sheetID string, rows []*sheets.Row) error {
	return fromStore(d.st.UpdateRows(sheetID, rows))
}

func (d storeDoor) DeleteRows(sheetID string, ids []sheets.RowID) error {
	return fromStore(d.st.DeleteRows(sheetID, ids))
}

func (d storeDoor) EditCell(sheetID string, id sheets.RowID, colID, input string, now time.Time) (*sheets.Row, error) {
	v0, err := d.st.EditCell(sheetID, id, colID, input, now)
	return v0, fromStore(err)
}

func (d storeDoor) Row(sheetID string, id sheets.RowID) (*sheets.Row, error) {
	v0, err := d.st.Row(sheetID, id)
	return v0, fromStore(err)
}

func (d storeDoor) RowsByID(sheetID string, ids []sheets.RowID) ([]*sheets.Row, error) {
	v0, err := d.st.RowsByID(sheetID, ids)
	return v0, fromStore(err)
}

func (d storeDoor) RowByRecordID(sheetID, recordID string) (*sheets.Row, error) {
	v0, err := d.st.RowByRecordID(sheetID, recordID)
	return v0, fromStore(err)
}

func (d storeDoor) RowsByKey(sheetID, value string) ([]*sheets.Row, error) {
	v0, err := d.st.RowsByKey(sheetID, value)
	return v0, fromStore(err)
}

func (d storeDoor) RowIDs(sheetID string) ([]sheets.RowID, error) {
	v0, err := d.st.RowIDs(sheetID)
	return v0, fromStore(err)
}

func (d storeDoor) RowCount(sheetID string) (int, error) {
	v0, err := d.st.RowCount(sheetID)
	return v0, fromStore(err)
}

func (d storeDoor) CreateRun(r *sheets.Run) error {
	return fromStore(d.st.CreateRun(r))
}

func (d storeDoor) UpdateRun(r *sheets.Run) error {
	return fromStore(d.st.UpdateRun(r))
}

func (d storeDoor) Run(id uint64) (*sheets.Run, error) {
	v0, err := d.st.Run(id)
	return v0, fromStore(err)
}

func (d storeDoor) Runs(q store.RunQuery) ([]*sheets.Run, error) {
	v0, err := d.st.Runs(q)
	return v0, fromStore(err)
}

func (d storeDoor) MarkInterrupted(now time.Time) ([]*sheets.Run, error) {
	v0, err := d.st.MarkInterrupted(now)
	return v0, fromStore(err)
}

func (d storeDoor) AddOutcomes(runID uint64, outs []sheets.RecordOutcome) error {
	return fromStore(d.st.AddOutcomes(runID, outs))
}

func (d storeDoor) Outcomes(runID uint64, onlyFailed bool) ([]sheets.RecordOutcome, error) {
	v0, err := d.st.Outcomes(runID, onlyFailed)
	return v0, fromStore(err)
}

func (d storeDoor) GetSetting(key string, v any) (bool, error) {
	v0, err := d.st.GetSetting(key, v)
	return v0, fromStore(err)
}

func (d storeDoor) PutSetting(key string, v any) error {
	return fromStore(d.st.PutSetting(key, v))
}

func (d storeDoor) DeleteSetting(key string) error {
	return fromStore(d.st.DeleteSetting(key))
}

func (d storeDoor) CreateSheet(sh *sheets.Sheet) error {
	return fromStore(d.st.CreateSheet(sh))
}

func (d storeDoor) Sheet(id string) (*sheets.Sheet, error) {
	v0, err := d.st.Sheet(id)
	return v0, fromStore(err)
}

func (d storeDoor) Sheets() ([]*sheets.Sheet, error) {
	v0, err := d.st.Sheets()
	return v0, fromStore(err)
}

func (d storeDoor) SaveSheet(sh *sheets.Sheet) error {
	return fromStore(d.st.SaveSheet(sh))
}

func (d storeDoor) RenameSheet(id, name string) error {
	return fromStore(d.st.RenameSheet(id, name))
}

func (d storeDoor) DeleteSheet(id string) error {
	return fromStore(d.st.DeleteSheet(id))
}

func (d storeDoor) Batch(fn func(tx *store.Tx) error) error {
	return fromStore(d.st.Batch(fn))
}

func (d storeDoor) Check() error {
	return fromStore(d.st.Check())
}
