package merge

import (
	"errors"
	"fmt"
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"crmsheets/sheets"
)

// scenario is one planned row with everything needed to check the plan.
type scenario struct {
	opts   Options
	cols   []sheets.Column
	row    *sheets.Row
	remote *Remote
}

// applied is both sides after applying a plan: the row and Salesforce's
// values.
type applied struct {
	row    *sheets.Row
	remote *Remote
}

// applyBoth applies an item to a copy of both sides, as the engine would with
// the given send outcome.
func applyBoth(p *Planner, sc scenario, it Item, sendErr error) applied {
	row := sc.row.Clone()
	var remote *Remote
	if sc.remote != nil {
		remote = &Remote{RecordID: sc.remote.RecordID, Values: maps.Clone(sc.remote.Values), Modified: sc.remote.Modified}
	}
	out := Outcome{Err: sendErr}
	if it.Action == Create && sendErr == nil {
		out.CreatedID = "003000000000001AAA"
		remote = &Remote{RecordID: out.CreatedID, Values: map[string]string{}}
	}
	if sendErr == nil && remote != nil {
		if remote.Values == nil {
			remote.Values = map[string]string{}
		}
		for id, c := range it.Send {
			if c.After == "" {
				delete(remote.Values, id)
			} else {
				remote.Values[id] = c.After
			}
		}
	}
	p.Apply(row, it, out)
	return applied{row: row, remote: remote}
}

var equateEmpty = cmpopts.EquateEmpty()

// checkInvariants asserts the promises of the package on one scenario: it
// is shared by the exhaustive sweep and the fuzz test.
func checkInvariants(t *testing.T, sc scenario) {
	t.Helper()
	p, err := New(sc.cols, sc.opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	it := p.Plan(sc.row, sc.remote)
	again := p.Plan(sc.row, sc.remote)
	if diff := cmp.Diff(it, again, cmp.AllowUnexported(Item{})); diff != "" {
		t.Fatalf("Plan is not deterministic (-first +second):\n%s", diff)
	}
	readOnly := map[string]bool{}
	byID := map[string]sheets.Column{}
	for _, c := range sc.cols {
		if c.Mapped() {
			readOnly[c.ID] = c.ReadOnly
			byID[c.ID] = c
		}
	}
	for id, c := range it.Send {
		if readOnly[id] {
			t.Errorf("sends read-only column %s", id)
		}
		if _, mapped := byID[id]; !mapped {
			t.Errorf("sends unmapped column %s", id)
		}
		if sc.remote != nil && c.Before != sc.remote.Values[id] {
			t.Errorf("column %s: Before = %q, Salesforce has %q", id, c.Before, sc.remote.Values[id])
		}
		if c.After != sc.row.Cells[id] {
			t.Errorf("column %s: After = %q, the sheet has %q", id, c.After, sc.row.Cells[id])
		}
	}
	if sc.opts.Direction == sheets.Pull && (len(it.Send) > 0 || it.Action == Create) {
		t.Errorf("a pull sends: %+v", it)
	}
	for id, c := range it.Conflicts {
		if c.Kept() && sc.opts.Policy != sheets.PolicyReview && sc.opts.Policy != "" {
			t.Errorf("column %s: conflict kept under policy %s", id, sc.opts.Policy)
		}
	}

	// Applying an item that writes nothing leaves the row as it is.
	ok := applyBoth(p, sc, it, nil)
	if !it.Writes() {
		if diff := cmp.Diff(sc.row, ok.row, equateEmpty); diff != "" {
			t.Errorf("Writes() is false but Apply changed the row (-before +after):\n%s", diff)
		}
	}
	if it.Action == Skip || it.Action == DeletedRemotely {
		return
	}

	sending := sc.opts.Direction != sheets.Pull
	for id := range byID {
		if it.Action == Create {
			if v := sc.row.Cells[id]; v != "" && !readOnly[id] && it.Send[id].After != v {
				t.Errorf("create: column %s = %q not sent", id, v)
			}
			continue
		}
		cell, sf := ok.row.Cells[id], ok.remote.Values[id]
		if c, has := it.Conflicts[id]; has && c.Kept() {
			if cell != sc.row.Cells[id] || sf != sc.remote.Values[id] {
				t.Errorf("column %s: a conflict under review was overwritten: cell %q→%q, Salesforce %q→%q",
					id, sc.row.Cells[id], cell, sc.remote.Values[id], sf)
			}
			continue
		}
		if h, has := it.Held[id]; has {
			// A held edit: neither side moves, and the row says so.
			if !sending || cell != sc.row.Cells[id] || sf != sc.remote.Values[id] || h.Sheet != cell || h.Remote != sf {
				t.Errorf("column %s: held edit %+v moved a side: cell %q→%q, Salesforce %q→%q",
					id, h, sc.row.Cells[id], cell, sc.remote.Values[id], sf)
			}
			if ok.row.State != sheets.StateModified && ok.row.State != sheets.StateConflict {
				t.Errorf("column %s: held edit leaves the row %s, want modified", id, ok.row.State)
			}
			continue
		}
		if (sending || readOnly[id]) && cell != sf {
			t.Errorf("column %s: sides differ after a %s: cell %q, Salesforce %q", id, sc.opts.Direction, cell, sf)
		}
		if readOnly[id] {
			continue
		}
		if lost, why := lostEdit(sc, it, id, cell, sf); lost {
			t.Errorf("column %s: local edit %q lost (%s): cell %q, Salesforce %q", id, sc.row.Cells[id], why, cell, sf)
		}
	}

	// Idempotent: planning again after applying writes nothing (a create
	// may need one more round to take read-only values from Salesforce).
	next := p.Plan(ok.row, ok.remote)
	if it.Action == Create && next.Writes() {
		ok = applyBoth(p, scenario{opts: sc.opts, cols: sc.cols, row: ok.row, remote: ok.remote}, next, nil)
		next = p.Plan(ok.row, ok.remote)
	}
	if next.Writes() {
		t.Errorf("not idempotent: after applying %+v, the next plan still writes: %+v\nrow after: %+v", it, next, ok.row)
	}
	if next.Action != Unchanged && next.Action != Conflict {
		t.Errorf("after applying, the next plan is %s, want unchanged or conflict", next.Action)
	}

	// A failed send is retried by the next push.
	if len(it.Send) > 0 && it.Action != Create {
		failed := applyBoth(p, sc, it, errors.New("UNABLE_TO_LOCK_ROW"))
		if failed.row.State != sheets.StateError {
			t.Errorf("after a failed send the row is %s, want error", failed.row.State)
		}
		retry := p.Plan(failed.row, failed.remote)
		for id := range it.Send {
			if _, ok := retry.Send[id]; !ok {
				t.Errorf("column %s: a failed send is not retried: %+v", id, retry)
			}
		}
	}
}

// lostEdit reports whether a local edit of a column disappeared from both
// sides without a rule that says Salesforce's value prevails.
func lostEdit(sc scenario, it Item, id, cell, sf string) (bool, string) {
	s, r := sc.row.Cells[id], sc.remote.Values[id]
	b, known := "", false
	if sc.row.Base != nil && sc.row.RecordID != "" {
		b = sc.row.Base[id]
		known = b != UnknownBase
	}
	// Line endings are not edits (sheets.SameText).
	edited := known && !sheets.SameText(s, b) || !known && !sheets.SameText(s, r)
	if !edited || sheets.SameText(cell, s) || sheets.SameText(sf, s) {
		return false, ""
	}
	var col sheets.Column
	for _, c := range sc.cols {
		if c.ID == id {
			col = c
		}
	}
	sending := sc.opts.Direction != sheets.Pull
	bothChanged := !known || r != b
	switch {
	case sending && s == "" && col.Blank != sheets.BlankClear:
		return false, "" // a blank is not a value to send under this blank policy
	case sending && col.Blank == sheets.BlankFillEmpty && r != "":
		return false, "" // enrichment keeps Salesforce's values
	case !known && sc.opts.Direction == sheets.Pull:
		return false, "" // never synced: a pull takes Salesforce's values
	case bothChanged && sc.opts.Policy == sheets.PolicySalesforceWins:
		return false, ""
	case bothChanged && sc.opts.Policy == sheets.PolicyMostRecent && !sc.row.LocalEdited.After(sc.remote.Modified):
		return false, ""
	}
	return true, fmt.Sprintf("%s, policy %s, blank %q, base %q known %v, remote %q", sc.opts.Direction, sc.opts.Policy, col.Blank, b, known, r)
}
