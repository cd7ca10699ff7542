package merge

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	"crmsheets/sheets"
)

// UnknownBase is the base value of a column that has no common ancestor: a
// row never synced keeps it for the columns left in conflict for review, so
// the next sync sees the same three-way situation instead of mistaking a
// blank base for a known one. It can never be a canonical cell.
const UnknownBase = "\x00unknown"

// ErrBadOptions is matched (errors.Is) by the error New returns for an
// unknown direction or policy.
var ErrBadOptions = errors.New("invalid merge options")

// Options are the sheet's sync settings the merge depends on.
type Options struct {
	Direction     sheets.Direction
	Policy        sheets.Policy // "" means review: nothing is overwritten unless the user chose it
	CreateMissing bool          // push and both may create records for rows Salesforce does not have
}

// Remote is what Salesforce holds for a row's record, read just before the
// plan: a pull's query results, or a push's re-read by id.
type Remote struct {
	// RecordID is the record's id. It is required when the row has no
	// record id of its own (the record was found by a key-column lookup).
	RecordID string
	// Values are the mapped fields as canonical cell text, keyed by column
	// id; a missing key is a blank value.
	Values map[string]string
	// Modified is the record's LastModifiedDate.
	Modified time.Time
}

// columnRule is what the planner needs of a mapped column.
type columnRule struct {
	id       string
	readOnly bool
	blank    sheets.BlankPolicy
}

// Planner plans and applies the merge of rows of one sheet. It is immutable
// after New and safe for concurrent use; build one per sync run.
type Planner struct {
	opts   Options
	cols   []columnRule
	mapped map[string]bool
}

// New returns a planner for the sheet's mapped columns (columns without a
// Field are local-only: never sent, never refreshed, and rebased with the
// row so they never make it look modified).
func New(columns []sheets.Column, opts Options) (*Planner, error) {
	switch opts.Direction {
	case sheets.Pull, sheets.Push, sheets.Both:
	default:
		return nil, fmt.Errorf("merge direction %q: %w", opts.Direction, ErrBadOptions)
	}
	switch opts.Policy {
	case "":
		opts.Policy = sheets.PolicyReview
	case sheets.PolicySalesforceWins, sheets.PolicySheetWins, sheets.PolicyMostRecent, sheets.PolicyReview:
	default:
		return nil, fmt.Errorf("merge conflict policy %q: %w", opts.Policy, ErrBadOptions)
	}
	p := &Planner{opts: opts, mapped: make(map[string]bool, len(columns))}
	for _, c := range columns {
		if !c.Mapped() {
			continue
		}
		switch c.Blank {
		case sheets.BlankLeave, sheets.BlankClear, sheets.BlankFillEmpty:
		default:
			return nil, fmt.Errorf("merge column %q blank policy %q: %w", c.Name, c.Blank, ErrBadOptions)
		}
		if p.mapped[c.ID] {
			return nil, fmt.Errorf("merge column id %q listed twice: %w", c.ID, ErrBadOptions)
		}
		p.mapped[c.ID] = true
		p.cols = append(p.cols, columnRule{id: c.ID, readOnly: c.ReadOnly, blank: c.Blank})
	}
	return p, nil
}

// Options returns the options the planner was built with, the policy
// defaulted.
func (p *Planner) Options() Options { return p.opts }

// Plan decides what to do with one row. remote is nil when Salesforce has no
// record for it: the row has no record id and no key lookup matched, or its
// record was deleted. Plan neither changes the row nor keeps it.
func (p *Planner) Plan(row *sheets.Row, remote *Remote) Item {
	return p.PlanReusing(row, remote, nil)
}

// PlanReusing is Plan, except that an item that sends anything gets spare
// (cleared first) as its Send map when spare is not nil; an item that
// sends nothing has a nil Send, as from Plan, and spare is left unused. A
// caller that lets go of each item's Send soon after (a Bulk push packs
// it) plans its rows without making a map for each.
func (p *Planner) PlanReusing(row *sheets.Row, remote *Remote, spare map[string]Change) Item {
	clear(spare)
	it := Item{RowID: row.ID, RecordID: row.RecordID, Send: spare}
	switch {
	case remote == nil && row.RecordID == "":
		p.planCreate(row, &it)
	case remote == nil:
		it.Action = DeletedRemotely
		it.writes = row.State != sheets.StateDeletedRemotely
	case row.RecordID == "" && remote.RecordID == "":
		it.Action = Skip
		it.Reason = "the matching Salesforce record came without an id"
	default:
		p.planMerge(row, remote, &it)
	}
	if len(it.Send) == 0 {
		it.Send = nil // maps are nil when empty
	}
	return it
}

func (p *Planner) planCreate(row *sheets.Row, it *Item) {
	it.Action = Skip
	switch {
	case p.opts.Direction == sheets.Pull:
		it.Reason = "new row: a pull does not create records; push to create it"
		return
	case !p.opts.CreateMissing:
		it.Reason = "not found in Salesforce: turn on creating missing records to create it"
		return
	}
	for _, c := range p.cols {
		if v := row.Cells[c.id]; v != "" && !c.readOnly {
			if it.Send == nil {
				it.Send = make(map[string]Change)
			}
			it.Send[c.id] = Change{After: v}
		}
	}
	if len(it.Send) == 0 {
		it.Reason = "nothing to create: the row has no value in a writable mapped column"
		return
	}
	it.Action = Create
	it.writes = true
}

func (p *Planner) planMerge(row *sheets.Row, remote *Remote, it *Item) {
	if row.RecordID == "" {
		it.RecordID = remote.RecordID
		it.Matched = true
	}
	it.RemoteModified = remote.Modified
	it.rowBaseKnown = row.Base != nil && !it.Matched
	sheetNewer := row.LocalEdited.After(remote.Modified)
	// A push lends the row's base as Salesforce's values when the record
	// is unchanged since: each column's value is then read once for both.
	lent := it.rowBaseKnown && sameMapOf(row.Base, remote.Values)
	pending := false // a column still differs from its base after the plan
	for _, c := range p.cols {
		f := fieldState{
			sheet:    row.Cells[c.id],
			remote:   remote.Values[c.id],
			readOnly: c.readOnly,
			blank:    c.blank,
		}
		switch {
		case lent:
			f.base = f.remote
			f.baseKnown = f.base != UnknownBase
		case it.rowBaseKnown:
			f.base = row.Base[c.id]
			f.baseKnown = f.base != UnknownBase
		}
		if !f.baseKnown {
			f.base = ""
		}
		if f.baseKnown && f.sheet == f.remote && f.base == f.remote {
			// The same on every side (most columns of most rows): decide
			// keeps it as it is, holds and settles nothing.
			continue
		}
		d := decide(p.opts.Direction, p.opts.Policy, sheetNewer, f)
		switch d.verdict {
		case keepAsIs:
			pending = pending || f.sheet != f.base
		case rebaseOnly:
			it.Rebase = put(it.Rebase, c.id, f.remote)
			pending = pending || f.sheet != f.remote
		case refreshCell:
			it.Refresh = put(it.Refresh, c.id, f.remote)
		case sendSheet:
			if it.Send == nil {
				it.Send = make(map[string]Change)
			}
			it.Send[c.id] = Change{Before: f.remote, After: f.sheet}
		}
		if d.held != 0 {
			if it.Held == nil {
				it.Held = make(map[string]Held)
			}
			it.Held[c.id] = Held{Sheet: f.sheet, Remote: f.remote, Reason: d.held}
		}
		if d.conflict {
			if it.Conflicts == nil {
				it.Conflicts = make(map[string]FieldConflict)
			}
			it.Conflicts[c.id] = FieldConflict{Base: f.base, BaseKnown: f.baseKnown, Sheet: f.sheet, Remote: f.remote, Winner: d.winner}
		}
	}
	kept := it.KeptConflicts()
	switch {
	case kept > 0:
		it.Action = Conflict
	case len(it.Send) > 0:
		it.Action = Update
	case len(it.Refresh) > 0:
		it.Action = Refresh
	default:
		it.Action = Unchanged
	}
	it.writes = len(it.Send) > 0 || len(it.Refresh) > 0 || it.Matched || row.Error != "" ||
		!it.rowBaseKnown || p.rebaseChanges(row, it) ||
		!sameConflicts(row.Conflicts, it) ||
		row.State != mergedState(kept, pending)
}

// rebaseChanges reports whether applying the item changes the row's base:
// a mapped column moves, or a local-only column's cell differs from it.
func (p *Planner) rebaseChanges(row *sheets.Row, it *Item) bool {
	for id, v := range it.Rebase {
		if row.Base[id] != v {
			return true
		}
	}
	for id, v := range row.Cells {
		if !p.mapped[id] && row.Base[id] != v {
			return true
		}
	}
	for id, v := range row.Base {
		if !p.mapped[id] && v != "" && row.Cells[id] != v {
			return true
		}
	}
	return false
}

// mergedState is the row's state once an existing record's item is applied
// with every send succeeding.
func mergedState(kept int, pending bool) sheets.State {
	switch {
	case kept > 0:
		return sheets.StateConflict
	case pending:
		return sheets.StateModified
	}
	return sheets.StateSynced
}

// sameConflicts reports whether the row already records exactly the
// conflicts the item keeps, as Apply would write them.
func sameConflicts(have map[string]sheets.Conflict, it *Item) bool {
	n := 0
	for id, c := range it.Conflicts {
		if !c.Kept() {
			continue
		}
		n++
		h, ok := have[id]
		if want := recordedConflict(c, it.RemoteModified); !ok || h.Base != want.Base || h.Remote != want.Remote || !h.At.Equal(want.At) {
			return false
		}
	}
	return n == len(have)
}

// recordedConflict is how a kept conflict is stored on the row.
func recordedConflict(c FieldConflict, at time.Time) sheets.Conflict {
	return sheets.Conflict{Base: c.Base, Remote: c.Remote, At: at}
}

// sameMapOf reports whether a and b are one map (not merely equal ones).
func sameMapOf(a, b map[string]string) bool {
	return a != nil && b != nil && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

func put(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = make(map[string]string)
	}
	m[k] = v
	return m
}
