package merge

import (
	"errors"
	"fmt"
	"time"

	"crmsheets/sheets"
)

// Outcome is what happened to an item's sends.
type Outcome struct {
	// CreatedID is the id Salesforce gave a created record (creates only).
	CreatedID string
	// Err is why Salesforce refused the row's sends (or why they were not
	// made, such as a failed validation); nil when they succeeded or there
	// were none. The row keeps its message and moves to the error state.
	Err error
}

// Apply writes the sheet side of a planned item into the row: refreshed
// cells, the new base, kept conflicts, the record id and the state. Call it
// after the item's sends were made (or right away when it has none), with
// their outcome; a dry run never calls it. The Salesforce side is the
// engine's: it sent Item.Send.
//
// After a failed send the base of each field that was to be sent becomes
// Salesforce's value at planning time (Change.Before), so the cell stays
// modified and is sent again by the next push, compared against what
// Salesforce really had. Applying an item whose Writes is false leaves the
// row as it is.
func (p *Planner) Apply(row *sheets.Row, it Item, out Outcome) {
	p.apply(row, it, out, false)
}

// ApplyOwned is Apply for a row whose maps nothing else holds, such as one
// just decoded from the store: the new base is built in the old base's map
// rather than in a new one, which a push's write-back would otherwise
// allocate once per row (100k maps for 100k rows). A row read from a
// pull, whose base and cells may be one map, must go through Apply.
func (p *Planner) ApplyOwned(row *sheets.Row, it Item, out Outcome) {
	p.apply(row, it, out, true)
}

func (p *Planner) apply(row *sheets.Row, it Item, out Outcome, reuseBase bool) {
	switch it.Action {
	case Skip:
		return
	case DeletedRemotely:
		row.State = sheets.StateDeletedRemotely
		return
	case Create:
		p.applyCreate(row, it, out)
		return
	}
	if it.Matched {
		row.RecordID = it.RecordID
	}
	for id, v := range it.Refresh {
		setCell(&row.Cells, id, v)
	}
	kept := it.KeptConflicts()
	if it.writes {
		var base map[string]string
		switch {
		case reuseBase && row.Base != nil:
			base = row.Base
			if !it.rowBaseKnown {
				clear(base)
			}
			for id, v := range base {
				if !p.mapped[id] || v == "" {
					delete(base, id) // as copying would have left it out
				}
			}
		default:
			base = make(map[string]string, len(row.Cells))
			if it.rowBaseKnown {
				for id, v := range row.Base {
					if p.mapped[id] && v != "" {
						base[id] = v
					}
				}
			}
		}
		for id, v := range it.Rebase {
			setCell(&base, id, v)
		}
		for id, v := range it.Refresh {
			setCell(&base, id, v)
		}
		for id, c := range it.Send {
			if out.Err == nil {
				setCell(&base, id, c.After)
			} else {
				setCell(&base, id, c.Before)
			}
		}
		for id, c := range it.Conflicts {
			if c.Kept() && !c.BaseKnown {
				base[id] = UnknownBase
			}
		}
		for id, v := range row.Cells {
			if !p.mapped[id] {
				base[id] = v
			}
		}
		row.Base = base
		row.RemoteModified = it.RemoteModified
	}
	row.Conflicts = nil
	for id, c := range it.Conflicts {
		if !c.Kept() {
			continue
		}
		if row.Conflicts == nil {
			row.Conflicts = make(map[string]sheets.Conflict)
		}
		row.Conflicts[id] = recordedConflict(c, it.RemoteModified)
	}
	p.settleState(row, kept, out.Err)
}

func (p *Planner) applyCreate(row *sheets.Row, it Item, out Outcome) {
	if out.Err == nil && out.CreatedID == "" {
		out.Err = errors.New("Salesforce reported the record created without an id")
	}
	if out.Err != nil {
		row.State = sheets.StateError
		row.Error = out.Err.Error()
		return
	}
	row.RecordID = out.CreatedID
	base := make(map[string]string, len(row.Cells))
	for id, c := range it.Send {
		base[id] = c.After
	}
	for id, v := range row.Cells {
		if !p.mapped[id] {
			base[id] = v
		}
	}
	row.Base = base
	row.RemoteModified = it.RemoteModified
	row.Conflicts = nil
	p.settleState(row, 0, nil)
}

// settleState sets the state a row has after an apply.
func (p *Planner) settleState(row *sheets.Row, kept int, err error) {
	switch {
	case err != nil:
		row.State = sheets.StateError
		row.Error = err.Error()
		return
	case kept > 0:
		row.State = sheets.StateConflict
	case row.RecordID == "":
		row.State = sheets.StateNew
	case len(row.Changed()) == 0:
		row.State = sheets.StateSynced
	default:
		row.State = sheets.StateModified
	}
	row.Error = ""
}

// setCell sets a canonical value in a cell map, deleting the key for a blank
// value (a missing key is a blank cell) and allocating the map on first use.
func setCell(m *map[string]string, id, v string) {
	if v == "" {
		delete(*m, id)
		return
	}
	if *m == nil {
		*m = make(map[string]string)
	}
	(*m)[id] = v
}

// ErrNoConflict is returned by Settle for a column that has no conflict.
var ErrNoConflict = errors.New("no conflict to settle")

// Settle resolves a conflict the user reviewed. keepSheet keeps the sheet's
// value: the base moves to Salesforce's value, so the next push sends the
// cell (a pull keeps it). Otherwise the cell takes Salesforce's value and
// its base too. The row leaves the conflict state once no conflict remains.
// now stamps the local edit.
func Settle(row *sheets.Row, col string, keepSheet bool, now time.Time) error {
	c, ok := row.Conflicts[col]
	if !ok {
		return fmt.Errorf("settle column %q of row %d: %w", col, row.ID, ErrNoConflict)
	}
	if row.Base == nil {
		row.Base = make(map[string]string)
	}
	setCell(&row.Base, col, c.Remote)
	if !keepSheet {
		setCell(&row.Cells, col, c.Remote)
	}
	delete(row.Conflicts, col)
	row.LocalEdited = now
	if len(row.Conflicts) == 0 {
		row.Conflicts = nil
		row.State = sheets.StateModified
		row.Touch()
	}
	return nil
}
