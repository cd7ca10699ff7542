package app

import (
	"fmt"
	"strconv"

	"crmsheets/sheets"
)

// In-flight updates. A push that dies after Salesforce applied an update
// but before the write-back leaves the row's base at the old value while
// Salesforce holds the new one. Without a trace, the next sync would take
// that change for someone else's: a needless conflict if the user edited
// the cell again meanwhile. So before each update call the engine saves
// what it is about to write (one small settings value per sheet), and the
// next run, on finding Salesforce holding exactly that value, moves the
// base to it: the change is recognised as the app's own.

// inflightKey is the settings key of a sheet's in-flight updates.
func inflightKey(sheetID string) string { return "inflight/" + sheetID }

// inflightUpdates maps row id (decimal) → column id → value sent.
type inflightUpdates map[string]map[string]string

func (s *Service) loadInflight(sheetID string) (inflightUpdates, error) {
	m := inflightUpdates{}
	if _, err := s.store.GetSetting(inflightKey(sheetID), &m); err != nil {
		return nil, fmt.Errorf("read in-flight updates of %s: %w", sheetID, err)
	}
	return m, nil
}

// saveInflight records the updates about to be sent (with any left by an
// earlier run), before the call.
func (e *engine) saveInflight(prs []*pushRow) error {
	for _, pr := range prs {
		vals := make(map[string]string, len(pr.item.Send))
		for col, ch := range pr.item.Send {
			if bc, ok := e.b.byCol[col]; ok && !bc.path {
				vals[col] = ch.After
			}
		}
		if len(vals) > 0 {
			e.inflight[rowKey(pr.row.ID)] = vals
		}
	}
	if err := e.s.store.PutSetting(inflightKey(e.sh.ID), e.inflight); err != nil {
		return fmt.Errorf("record the updates about to be sent: %w", err)
	}
	e.inflightSaved = true
	return nil
}

// applyInflight recognises, on a row read again, a value an interrupted
// run sent: where Salesforce holds it, the base moves to it. The entry is
// then done with. It reports whether the base moved: the caller must then
// write the row even if the merge changes nothing else.
func (e *engine) applyInflight(r *sheets.Row, remote map[string]string) bool {
	return len(e.inflightMoves(r, remote)) > 0
}

// inflightMoves is applyInflight returning the base values it moved (nil
// when none), for a push that writes back a row read again later.
func (e *engine) inflightMoves(r *sheets.Row, remote map[string]string) map[string]string {
	k := rowKey(r.ID)
	vals, ok := e.inflight[k]
	if !ok {
		return nil
	}
	var moved map[string]string
	if r.Base != nil {
		for col, v := range vals {
			if remote[col] == v && r.Base[col] != v {
				setCell(r.Base, col, v)
				if moved == nil {
					moved = map[string]string{}
				}
				moved[col] = v
			}
		}
	}
	delete(e.inflight, k)
	e.inflightDirty = true
	return moved
}

// settled drops the entries of rows whose write-back is done.
func (e *engine) settled(ids []sheets.RowID) {
	for _, id := range ids {
		if _, ok := e.inflight[rowKey(id)]; ok {
			delete(e.inflight, rowKey(id))
			e.inflightDirty = true
		}
	}
}

// flushInflight saves what is left at the end of a run (nothing, normally).
func (e *engine) flushInflight() error {
	if !e.inflightDirty && !e.inflightSaved {
		return nil
	}
	var err error
	if len(e.inflight) == 0 {
		err = e.s.store.DeleteSetting(inflightKey(e.sh.ID))
	} else {
		err = e.s.store.PutSetting(inflightKey(e.sh.ID), e.inflight)
	}
	if err != nil {
		return fmt.Errorf("record in-flight updates: %w", err)
	}
	return nil
}

func rowKey(id sheets.RowID) string { return strconv.FormatUint(uint64(id), 10) }
